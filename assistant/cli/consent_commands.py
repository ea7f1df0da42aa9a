"""``assistant consent``: record, import and show marketing consent."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.common import emit_json, handle_errors, settings
from assistant.cli.privacy import privacy_officer
from assistant.db import records_engine
from assistant.governance.consent import history, import_consent, record_consent
from assistant.governance.identities import parse_key
from assistant.governance.models import ConsentKind, ConsentSource
from assistant.review.models import utcnow

app = typer.Typer(help="Marketing consent: record, import, show.", no_args_is_help=True)


@app.command(name="import")
@handle_errors
def import_command(
    csv_file: Annotated[
        Path, typer.Argument(help="CSV: customer_key, kind (given|withdrawn), at, wording.")
    ],
) -> None:
    """Record consent changes from the brand's CRM (each audited)."""
    rows = import_consent(records_engine(settings()), csv_file, privacy_officer().name)
    typer.echo(f"Recorded {rows} consent change(s).")


@app.command()
@handle_errors
def record(
    key: Annotated[str, typer.Argument(help="The customer key: channel:author-id.")],
    kind: Annotated[ConsentKind, typer.Option(help="given or withdrawn.")],
    wording: Annotated[str, typer.Option(help="What they agreed to, or how they withdrew.")],
    source: Annotated[ConsentSource, typer.Option(help="How it was given.")] = (
        ConsentSource.console
    ),
) -> None:
    """Record one consent change (e.g. a customer asked an agent to stop offers)."""
    record_consent(
        records_engine(settings()),
        parse_key(key),
        kind,
        source,
        wording,
        actor=privacy_officer().name,
        at=utcnow(),
    )
    typer.echo(f"Recorded: consent {kind.value} for {key}.")


@app.command()
@handle_errors
def show(
    key: Annotated[str, typer.Argument(help="The customer key: channel:author-id.")],
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per record.")] = False,
) -> None:
    """The consent history of one customer, oldest first."""
    for r in history(records_engine(settings()), parse_key(key)):
        if json_out:
            emit_json(r.model_dump(mode="json"))
        else:
            typer.echo(
                f"[{r.at:%Y-%m-%d %H:%M}] {r.kind} via {r.source} ({r.channel}): {r.wording}"
            )
