"""``assistant queue``: list, show and decide review items."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.app import Assistant, Records, open_records
from assistant.cli.common import (
    acting,
    actor_or_default,
    emit_json,
    handle_errors,
    run_with_assistant,
    settings,
)
from assistant.cli.reply_windows import reply_windows
from assistant.knowledge.disclosure import with_disclosure
from assistant.review.decisions import (
    ESCALATION_ROLES,
    Approve,
    Decision,
    Edit,
    Escalate,
    Reject,
)
from assistant.review.models import ItemStatus, ReviewItem
from assistant.review.worklist import UNASSIGNED, Filters, worklist
from assistant.services.claims import ClaimService
from assistant.workspace.snooze import snoozed_until

EscalateTo = StrEnum("EscalateTo", {role: role for role in ESCALATION_ROLES})  # type: ignore[misc]

app = typer.Typer(help="Work the review queue.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON output, for scripts.")]
ActorOpt = Annotated[str | None, typer.Option(help="Who decides (default: ASSISTANT_ACTOR).")]
VersionOpt = Annotated[
    int | None,
    typer.Option(help="Only act if the item is still at this version (from 'queue show')."),
]


def item_json(item: ReviewItem) -> dict[str, Any]:
    return item.model_dump(mode="json")


@app.command("list")
@handle_errors
def list_(
    status: Annotated[list[ItemStatus] | None, typer.Option(help="Filter; repeatable.")] = None,
    channel: Annotated[list[str] | None, typer.Option(help="Open items on these channels.")] = None,
    topic: Annotated[list[str] | None, typer.Option(help="Open items with these topics.")] = None,
    assignee: Annotated[
        list[str] | None, typer.Option(help=f"Claimed by; {UNASSIGNED!r} for nobody.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every item, not just open ones.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Open items, most urgent first (risk, then reply deadline, then age), as the console
    shows them; --status or --all for decided ones too."""
    closed = all_ or any(not s.open for s in status or [])

    def work(records: Records) -> list[Any]:
        if closed:
            return records.queue.items([] if all_ else list(status or []))
        picked = Filters(
            channels=tuple(channel or ()),
            topics=tuple(topic or ()),
            statuses=tuple(s.value for s in status or []),
            assignees=tuple(assignee or ()),
        )
        return list(worklist(records.queue.engine, picked).rows)

    with open_records(settings()) as records:
        items = work(records)
        windows = reply_windows(records.queue.engine, [i.id for i in items], settings())
        snoozed = snoozed_until(records.queue.engine, datetime.now(UTC))
    for item in items:
        row = {k: getattr(item, k) for k in LIST_FIELDS if hasattr(item, k)}
        row |= {"item_id": item.id, "customer": item.customer_key}
        deadline = windows[item.id].deadline if item.id in windows else None
        row["reply_deadline"] = deadline.isoformat() if deadline else None
        # Still listed here (the CLI shows the whole queue): the console hides it until then.
        row["snoozed_until"] = snoozed.get(item.id) if item.id is not None else None
        if json_out:
            emit_json(row)
        else:
            flag = " ⚠" if item.needs_attention else ""
            held = f" [{item.assignee}]" if item.assignee else ""
            held += (
                f" (snoozed until {row['snoozed_until']:%b %d %H:%M})"
                if row["snoozed_until"]
                else ""
            )
            text = str(getattr(item, "text", None) or getattr(item, "preview", ""))
            typer.echo(
                f"#{item.id:<4} {item.status:<9} p{item.priority} {item.channel:<9} "
                f"{', '.join(item.topics):<24} {text[:60]!r}{held}{flag}"
            )
    if not items and not json_out:
        typer.echo("The queue is empty.")


LIST_FIELDS = (
    "id",
    "message_id",
    "channel",
    "status",
    "route",
    "topics",
    "reasons",
    "needs_attention",
    "priority",
    "due_at",
    "assignee",
    "draft_kind",
    "version",
)


@app.command()
@handle_errors
def claim(item_id: int, actor: ActorOpt = None, json_out: JsonOpt = False) -> None:
    """Claim an open item so no other agent works it (console: Claim)."""
    who = acting(actor)
    with open_records(settings()) as records:
        item = ClaimService(records.queue).claim(who, item_id)
    _print_item(item, json_out, f"Item #{item_id} is claimed by {item.assignee}.")


@app.command()
@handle_errors
def release(
    item_id: int,
    actor: ActorOpt = None,
    force: Annotated[bool, typer.Option(help="Release someone else's claim (leads).")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Give a claimed item back to the queue."""
    who = acting(actor)
    with open_records(settings()) as records:
        item = ClaimService(records.queue).release(who, item_id, force=force)
    _print_item(item, json_out, f"Item #{item_id} is back in the queue for anyone.")


def _print_item(item: ReviewItem, json_out: bool, words: str) -> None:
    if json_out:
        emit_json(item_json(item))
    else:
        typer.echo(words)


@app.command()
@handle_errors
def show(item_id: int, json_out: JsonOpt = False) -> None:
    """One item: message, reasons, sources, order and draft."""

    async def work(assistant: Assistant) -> tuple[ReviewItem, str]:
        return assistant.queue.get(item_id), assistant.knowledge.policy.disclosure

    item, disclosure = run_with_assistant(work)
    if json_out:
        emit_json(item_json(item))
        return
    typer.echo(f"Item #{item.id} (version {item.version}) — {item.status}, route {item.route}")
    typer.echo(
        f"From {item.author_name or item.customer_key} on {item.channel} at "
        f"{item.received_at:%Y-%m-%d %H:%M} UTC; reply due {item.due_at:%Y-%m-%d %H:%M}"
    )
    typer.echo(f"\nMessage:\n  {item.text[:2000]}")
    if item.error:
        typer.secho(f"\nNeeds attention: {item.error}", fg=typer.colors.YELLOW)
    typer.echo("\nWhy it is here:" if item.reasons else "")
    for reason in item.reasons:
        typer.echo(f"  - {reason}")
    if item.order_facts:
        typer.echo("\nOrder:\n  " + item.order_facts.replace("\n", "\n  "))
    for source in item.sources:
        typer.echo(
            f"\nSource {source['id']} ({source['source']}:{source['line']}, "
            f"score {source['score']:.2f}): {source['text'][:200]}"
        )
    if item.draft:
        typer.echo(f"\nDraft ({item.draft_kind}):\n  {with_disclosure(disclosure, item.draft)}")
    if item.final_text and item.final_text != item.draft:
        typer.echo(f"\nSent text:\n  {with_disclosure(disclosure, item.final_text)}")


def _decide(item_id: int, decision: Decision, version: int | None, json_out: bool) -> None:
    who = acting(decision.actor)

    async def work(assistant: Assistant) -> ReviewItem:
        return await assistant.review.decide(who, item_id, decision, expected_version=version)

    item = run_with_assistant(work)
    if json_out:
        emit_json(item_json(item))
    else:
        typer.echo(f"Item #{item.id}: {decision.kind} by {decision.actor} → {item.status}")


@app.command()
@handle_errors
def approve(
    item_id: int, actor: ActorOpt = None, version: VersionOpt = None, json_out: JsonOpt = False
) -> None:
    """Send the draft as it is."""
    _decide(item_id, Approve(actor=actor_or_default(actor)), version, json_out)


@app.command()
@handle_errors
def edit(
    item_id: int,
    text: Annotated[
        str | None, typer.Option(help="The reply to send instead of the draft.")
    ] = None,
    text_file: Annotated[Path | None, typer.Option(help="Read the reply from a file.")] = None,
    actor: ActorOpt = None,
    version: VersionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Send your text instead of the draft (the disclosure is added for you)."""
    body = text_file.read_text(encoding="utf-8") if text_file else text
    if not body or not body.strip():
        raise typer.BadParameter("give the new reply with --text or --text-file")
    _decide(item_id, Edit(actor=actor_or_default(actor), text=body.strip()), version, json_out)


@app.command()
@handle_errors
def reject(
    item_id: int,
    reason: Annotated[str, typer.Option(help="Why nothing should be sent.")],
    actor: ActorOpt = None,
    version: VersionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Send nothing."""
    _decide(item_id, Reject(actor=actor_or_default(actor), reason=reason), version, json_out)


@app.command()
@handle_errors
def escalate(
    item_id: int,
    to: Annotated[EscalateTo, typer.Option(help="The role to hand it to.")],
    note: Annotated[str, typer.Option(help="What they should know.")] = "",
    actor: ActorOpt = None,
    version: VersionOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Hand the item to a more senior role; it stays open, and only that role can decide it."""
    decision = Escalate(actor=actor_or_default(actor), to=to.value, note=note)
    _decide(item_id, decision, version, json_out)


@app.command()
@handle_errors
def retry(item_id: int, actor: ActorOpt = None, json_out: JsonOpt = False) -> None:
    """Run a flagged item through the pipeline again (e.g. after a model outage)."""
    who = acting(actor)
    result = run_with_assistant(lambda a: a.review.retry(who, item_id))
    if json_out:
        emit_json(result.as_json())
    else:
        typer.echo(f"Item #{item_id}: {result.route}" + (" ⚠" if result.needs_attention else ""))


@app.command()
@handle_errors
def restore(item_id: int, actor: ActorOpt = None, json_out: JsonOpt = False) -> None:
    """Bring back a message that was hidden as spam; it goes to a person."""
    who = acting(actor)
    result = run_with_assistant(lambda a: a.review.restore(who, item_id))
    if json_out:
        emit_json(result.as_json())
    else:
        typer.echo(f"Item #{item_id} restored: {result.route}, {result.status}")


@app.command()
@handle_errors
def hidden(json_out: JsonOpt = False) -> None:
    """Messages hidden as spam, and how many agents restored (the false-positive rate)."""

    async def work(assistant: Assistant) -> tuple[list[ReviewItem], tuple[int, int]]:
        return assistant.queue.items([ItemStatus.hidden]), assistant.queue.moderation_counts()

    items, (total, restored) = run_with_assistant(work)
    rate = restored / total if total else 0.0
    if json_out:
        emit_json(
            {
                "hidden": [item_json(i) for i in items],
                "hidden_total": total,
                "restored": restored,
                "false_positive_rate": round(rate, 4),
            }
        )
        return
    for item in items:
        typer.echo(f"#{item.id:<4} {item.channel:<9} {item.text[:70]!r}")
    typer.echo(
        f"{total} hidden as spam, {restored} restored by agents "
        f"(false-positive rate {rate:.0%}). Restore one with 'assistant queue restore ID'."
    )
