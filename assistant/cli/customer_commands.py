"""``assistant customer``: data-subject requests (export, erase) and identity links."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.checkpoints import open_checkpointer
from assistant.cli.common import emit_json, handle_errors, run, settings
from assistant.cli.privacy import privacy_officer
from assistant.db import records_engine
from assistant.errors import ConfigError
from assistant.governance.identities import import_links, parse_key
from assistant.governance.subject_requests import erase_customer, export_customer
from assistant.review.models import utcnow

app = typer.Typer(help="Data-subject requests: export or erase one customer.", no_args_is_help=True)
KeyArg = Annotated[str, typer.Argument(help="The customer key: channel:author-id.")]


@app.command()
@handle_errors
def export(
    key: KeyArg,
    json_out: Annotated[bool, typer.Option("--json", help="The document on stdout.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write the document to this file.")] = None,
) -> None:
    """Everything held about this customer and every identity linked to it, as one
    explained JSON document (the export is audited)."""
    config = settings()
    document = export_customer(
        records_engine(config),
        parse_key(key),
        config.evals_dir,
        actor=privacy_officer().name,
        now=utcnow(),
    )
    body = json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n"
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(body, encoding="utf-8")
        typer.echo(f"Wrote the export of {key} to {out}", err=True)
    if json_out:
        typer.echo(body, nl=False)
    elif out is None:
        for name, count in document["counts"].items():
            typer.echo(f"  {count:>6}  {name.replace('_', ' ')}")
        typer.echo("Pass --json (stdout) or --out FILE for the document itself.")


@app.command()
@handle_errors
def erase(
    key: KeyArg,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="The counts as one JSON object.")
    ] = False,
) -> None:
    """Remove everything held about this customer and every linked identity: rows,
    checkpoints, learned eval cases (database and files), FAQ proposals quoting them. An
    audit event records who erased how much, without the erased data."""
    if not yes:
        raise ConfigError(f"Erasing {key} cannot be undone: pass --yes to confirm.")
    config = settings()
    customer = parse_key(key)
    actor = privacy_officer().name

    async def work() -> dict[str, int]:
        async with open_checkpointer(config) as saver:
            return await erase_customer(
                records_engine(config), customer, config.evals_dir, saver, actor=actor, now=utcnow()
            )

    counts = run(work())
    if json_out:
        emit_json({"erased": counts})
        return
    typer.echo(f"Erased {key} and its linked identities:")
    for name, count in counts.items():
        typer.echo(f"  {count:>6}  {name.replace('_', ' ')}")
    typer.echo(
        "Not covered here: the brand's own order system and knowledge/orders files, and "
        "backups; erase there too (docs/privacy.md)."
    )


@app.command()
@handle_errors
def link(
    csv_file: Annotated[Path, typer.Argument(help="CSV with person and customer_key columns.")],
) -> None:
    """Link channel identities as one person (an export or erasure then covers them all)."""
    rows = import_links(records_engine(settings()), csv_file, privacy_officer().name)
    typer.echo(f"Linked {rows} identit{'y' if rows == 1 else 'ies'}.")
