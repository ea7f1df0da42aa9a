"""``assistant webhooks``: the Meta webhook payloads kept for audit and replay, and the
quarantine of signed payloads that could not be read."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import Session

from assistant.app import Assistant
from assistant.channels.meta.config import load_channels
from assistant.channels.meta.intake import WebhookIntake, stored_payloads
from assistant.channels.meta.records import PayloadState, WebhookPayload
from assistant.channels.meta.sink import inbox_sink
from assistant.cli.common import emit_json, handle_errors, run_with_assistant, settings
from assistant.db import records_engine
from assistant.errors import ConflictError, NotFoundError

app = typer.Typer(help="Meta webhook payloads: list, quarantine, replay.", no_args_is_help=True)


@app.command("list")
@handle_errors
def list_payloads(
    quarantined: Annotated[
        bool, typer.Option("--quarantined", help="Only signed payloads that could not be read.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Stored payloads, newest first, with what happened to each."""
    states = [PayloadState.quarantined] if quarantined else []
    rows = stored_payloads(records_engine(settings()), states, limit)
    for row in rows:
        info = {
            "id": row.id,
            "endpoint": row.endpoint.value,
            "state": row.state.value,
            "received_at": row.received_at.isoformat(),
            "events": row.events,
            "duplicates": row.duplicates,
            "problem": row.problem,
            "bytes": len(row.body),
        }
        if json_out:
            emit_json(info)
        else:
            typer.echo(
                f"#{row.id} {row.received_at:%Y-%m-%d %H:%M:%S} {row.endpoint.value:8} "
                f"{row.state.value:11} events={row.events} dup={row.duplicates}"
                + (f"  {row.problem}" if row.problem else "")
            )
    if not rows and not json_out:
        typer.echo("No payloads." if not quarantined else "The quarantine is empty.")


@app.command()
@handle_errors
def replay(payload_id: Annotated[int, typer.Argument(help="The payload's number.")]) -> None:
    """Apply a stored payload again (after a fix, or one left 'received' by a crash). Events
    already applied are skipped: nothing is queued twice."""
    config = load_channels(settings())

    async def work(assistant: Assistant) -> str:
        engine = assistant.queue.engine
        with Session(engine) as session:
            payload = session.get(WebhookPayload, payload_id)
        if payload is None:
            raise NotFoundError(f"There is no stored webhook payload #{payload_id}.")
        if not payload.body:  # a customer's erasure emptied it (see its problem)
            raise ConflictError(
                f"Webhook payload #{payload_id} cannot be replayed: {payload.problem}"
            )
        intake = WebhookIntake(engine, config, inbox_sink(assistant.inbox))
        result = await intake.process(payload_id)
        return (
            f"#{payload_id}: {result.state.value}, {result.events} events, "
            f"{result.duplicates} already applied, {result.queued} queued"
        )

    typer.echo(run_with_assistant(work))
