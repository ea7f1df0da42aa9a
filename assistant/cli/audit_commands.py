"""``assistant audit``: export the audit trail (every decision, send, sign-in and change)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.common import emit_json, handle_errors, settings
from assistant.db import records_engine
from assistant.errors import ConfigError
from assistant.governance.audit_chain import verify as verify_chain
from assistant.review.audit import search_audit, to_csv, to_json

app = typer.Typer(help="The audit trail.", no_args_is_help=True)


class Format(StrEnum):
    csv = "csv"
    json = "json"


def _moment(value: str, option: str, *, end: bool) -> datetime:
    """A date (the whole day: --until includes it) or an ISO 8601 time; UTC unless it
    says otherwise."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        pass
    else:
        return datetime.combine(day + timedelta(days=1) if end else day, time(), UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"{option} {value!r}: use a date (2026-03-01) or a time (2026-03-01T14:30)."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command()
@handle_errors
def export(
    format_: Annotated[Format, typer.Option("--format", help="csv or json.")] = Format.csv,
    actor: Annotated[list[str] | None, typer.Option(help="Only this actor; repeatable.")] = None,
    action: Annotated[
        list[str] | None, typer.Option(help="Only this action (e.g. edit, sign-in); repeatable.")
    ] = None,
    item: Annotated[int | None, typer.Option(help="Only events about this queue item.")] = None,
    since: Annotated[
        str | None, typer.Option(help="From this date or time (UTC unless it has an offset).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Up to this date (included) or time (excluded).")
    ] = None,
    text: Annotated[
        str | None, typer.Option(help="Only events whose reason or texts contain this.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
) -> None:
    """Export audit events, newest first, as CSV (spreadsheet-safe) or JSON."""
    start = _moment(since, "--since", end=False) if since else None
    end = _moment(until, "--until", end=True) if until else None
    events = search_audit(
        records_engine(settings()),
        actor=actor or None,
        action=action or None,
        item_id=item,
        start=start,
        end=end,
        text=text,
    )
    body = to_csv(events) if format_ is Format.csv else to_json(events)
    if out is None:
        typer.echo(body, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body, encoding="utf-8", newline="")
    typer.echo(f"Wrote {len(events)} event(s) to {out}", err=True)


@app.command()
@handle_errors
def verify(
    anchor: Annotated[
        str | None,
        typer.Option(
            help="A head hash printed by an earlier verify: it must still be in the chain."
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Check the audit hash chain; exit 1 naming the first event that does not hold."""
    report = verify_chain(records_engine(settings()), anchor)
    if json_out:
        emit_json(
            {
                "intact": report.intact,
                "checked": report.checked,
                "head": report.head,
                "broken_at": report.broken_at,
                "problem": report.problem or None,
                "anchor_found": report.anchor_found,
            }
        )
    elif report.broken_at is not None:
        typer.secho(f"BROKEN at event #{report.broken_at}: {report.problem}", fg="red", err=True)
        typer.echo(f"{report.checked} event(s) before it hold.")
    elif report.anchor_found is False:
        typer.secho(
            f"The anchor {anchor} is not in the chain: it was rewritten.", fg="red", err=True
        )
    else:
        typer.echo(f"Audit chain intact: {report.checked} event(s), head {report.head}")
    if not report.intact:
        raise typer.Exit(1)
