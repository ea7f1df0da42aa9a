"""``assistant reengage``: a consent-gated marketing message to a list or a segment."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session, col, select

from assistant.app import Assistant
from assistant.cli.common import emit_json, handle_errors, run_with_assistant
from assistant.cli.privacy import privacy_officer
from assistant.errors import ConfigError
from assistant.governance.csv_input import read_csv
from assistant.governance.identities import parse_key
from assistant.governance.reengage import Candidate, Outcome, reengage
from assistant.review.models import CustomerState


class Segment(StrEnum):
    consented = "consented"  # every customer whose consent is current


def _read_customers(path: Path) -> list[Candidate]:
    """A CSV with a customer_key column; other columns fill the template ({product_name})."""
    reader = read_csv(path, {"customer_key"})
    found = []
    for row in reader:
        key = parse_key(row.pop("customer_key") or "", f"{path}:{reader.line_num}:")
        found.append(Candidate(key, {k: v for k, v in row.items() if k and v}))
    return found


def _segment(assistant: Assistant, segment: Segment, fields: dict[str, str]) -> list[Candidate]:
    match segment:
        case Segment.consented:
            query = select(CustomerState.customer_key).where(
                col(CustomerState.consent_at).is_not(None),
                col(CustomerState.opted_out_at).is_(None),
            )
    with Session(assistant.queue.engine) as session:
        return [
            Candidate(k, fields)
            for k in session.exec(query.order_by(col(CustomerState.customer_key)))
        ]


@handle_errors
def reengage_command(
    template: Annotated[str, typer.Option(help="Template id in knowledge/templates.")],
    customers: Annotated[
        Path | None, typer.Option(help="CSV: customer_key, plus the template's fields.")
    ] = None,
    segment: Annotated[Segment | None, typer.Option(help="Instead of a file.")] = None,
    field: Annotated[
        list[str] | None, typer.Option(help="NAME=VALUE for every customer; repeatable.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List who would get what, and why not; send nothing.")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per customer.")] = False,
) -> None:
    """Send a re-engagement message to customers with current consent (never to opted-out
    customers or possible minors; WhatsApp rules and a per-customer limit apply). Each send
    is audited with the consent record it relied on."""
    if (customers is None) == (segment is None):
        raise ConfigError("Pass either --customers FILE or --segment consented.")
    fields = dict(f.split("=", 1) for f in field or [] if "=" in f)
    actor = privacy_officer().name

    async def work(assistant: Assistant) -> list[Outcome]:
        chosen = [t for t in assistant.knowledge.templates if t.id == template]
        if not chosen:
            known = ", ".join(sorted(t.id for t in assistant.knowledge.templates))
            raise ConfigError(f"No template {template!r} in knowledge/templates ({known}).")
        if customers is not None:
            candidates = [
                Candidate(c.customer_key, fields | c.fields) for c in _read_customers(customers)
            ]
        else:
            assert segment is not None
            candidates = _segment(assistant, segment, fields)
        return await reengage(
            assistant.services, chosen[0], candidates, actor=actor, dry_run=dry_run
        )

    outcomes = run_with_assistant(work)
    for outcome in outcomes:
        if json_out:
            emit_json(outcome.as_json())
        elif outcome.skipped is None:
            verb = "WOULD SEND" if dry_run else "SENT"
            typer.echo(
                f"{verb} {outcome.customer_key} (consent #{outcome.consent_record}): {outcome.text}"
            )
        else:
            detail = f" ({outcome.detail})" if outcome.detail else ""
            typer.echo(f"SKIP {outcome.customer_key}: {outcome.skipped.value}{detail}")
    if not json_out:
        sent = sum(o.skipped is None for o in outcomes)
        typer.echo(f"{sent} of {len(outcomes)} {'would get' if dry_run else 'got'} the message.")
