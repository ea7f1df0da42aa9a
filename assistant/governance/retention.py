"""The retention purge: closed conversations past their period lose their texts (message,
drafts, replies, audit texts, checkpoints); the rows stay, so dashboards keep their
figures. Open or in-flight items are never touched.

``run_retention`` is a plain async function: ``assistant retention run`` calls it today,
the job engine's nightly schedule can call it as it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy import (
    String,
    and_,
    cast,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlmodel import col

from assistant.channels.meta.records import PayloadState, WebhookPayload
from assistant.db import fold_wal
from assistant.evals.cases import case_id_for
from assistant.evals.learned import LearnedCase
from assistant.governance import events
from assistant.governance.audit_chain import redact_values
from assistant.governance.periods import cutoff
from assistant.governance.threads import flush_saver, forget_threads
from assistant.governance.workspace_data import purge_item_extras
from assistant.knowledge.policy import Retention
from assistant.review.models import AuditAction, AuditEvent, ItemStatus, OutboxMessage, ReviewItem
from assistant.workspace.models import ItemNote

CLOSED = [ItemStatus.sent, ItemStatus.rejected, ItemStatus.hidden, ItemStatus.closed]


class Kind(StrEnum):
    messages = "messages"  # queue items anonymised (message, author, drafts, order facts)
    replies = "replies"  # sent reply texts
    audit_texts = "audit_texts"  # audit events that lost their texts
    checkpoint_threads = "checkpoint_threads"  # LangGraph threads deleted
    internal_notes = "internal_notes"  # agents' notes on those items that lost their text
    learned_case_links = "learned_case_links"  # eval cases no longer traceable to a message
    raw_payloads = "raw_payloads"
    quarantined_payloads = "quarantined_payloads"
    open_items_kept = "open_items_kept"  # past their period but still open: untouched


@dataclass
class RetentionReport:
    dry_run: bool
    cutoffs: dict[str, str]
    counts: dict[Kind, int] = field(default_factory=lambda: dict.fromkeys(Kind, 0))

    def as_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "cutoffs": self.cutoffs,
            "counts": {k.value: v for k, v in self.counts.items()},
        }


def _past(retention: Retention, now: datetime) -> Any:
    """Items whose period is over: about an order → transactional, else general."""
    transactional, general = cutoff(retention.transactional, now), cutoff(retention.general, now)
    received = col(ReviewItem.received_at)
    return or_(
        and_(col(ReviewItem.order_id).is_not(None), received < transactional),
        and_(col(ReviewItem.order_id).is_(None), received < general),
    )


def _due(retention: Retention, now: datetime) -> Any:
    return and_(
        _past(retention, now),
        col(ReviewItem.purged_at).is_(None),
        col(ReviewItem.status).in_(CLOSED),
    )


async def run_retention(
    engine: Engine,
    retention: Retention,
    saver: BaseCheckpointSaver[Any] | None,
    *,
    actor: str,
    now: datetime,
    dry_run: bool = False,
    batch: int = 1000,
) -> RetentionReport:
    report = RetentionReport(
        dry_run,
        {
            name: cutoff(getattr(retention, name), now).isoformat()
            for name in Retention.model_fields
        },
    )
    counts = report.counts
    due = _due(retention, now)
    audit_cut = cutoff(retention.audit, now)
    with engine.connect() as conn:
        counts[Kind.open_items_kept] = _count(
            conn,
            select(func.count()).where(
                _past(retention, now),
                col(ReviewItem.purged_at).is_(None),
                col(ReviewItem.status).not_in(CLOSED),
            ),
        )
    learned = _learned_ids(engine)
    run_id = None
    if not dry_run:
        started = {"run": "started", "cutoffs": report.cutoffs}
        run_id = events.record(engine, actor, AuditAction.retention_purge, summary=started)
    last = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(col(ReviewItem.id), col(ReviewItem.thread_id), col(ReviewItem.message_id))
                .where(due, col(ReviewItem.id) > last)
                .order_by(col(ReviewItem.id))
                .limit(batch)
            ).all()
        if not rows:
            break
        last = rows[-1].id
        ids = [r.id for r in rows]
        counts[Kind.messages] += len(ids)
        counts[Kind.learned_case_links] += sum(case_id_for(r.message_id) in learned for r in rows)
        if dry_run:
            with engine.connect() as conn:
                counts[Kind.replies] += _count(conn, _replies_count(ids))
                counts[Kind.audit_texts] += _count(conn, _audit_count(ids))
            counts[Kind.checkpoint_threads] += len(ids)
            with engine.connect() as conn:
                counts[Kind.internal_notes] += _count(conn, _notes_count(ids))
            continue
        assert run_id is not None
        with engine.begin() as conn:
            counts[Kind.replies] += _purge_replies(conn, ids)
            counts[Kind.audit_texts] += _redact_audit(
                conn, col(AuditEvent.item_id).in_(ids), run_id, now
            )
            counts[Kind.internal_notes] += purge_item_extras(conn, ids)
            _purge_items(conn, ids, now)
        if saver is not None:
            counts[Kind.checkpoint_threads] += await forget_threads(
                saver, {r.thread_id for r in rows}
            )
    counts[Kind.audit_texts] += _old_audit(engine, audit_cut, run_id, now, batch)
    _raw_payloads(engine, retention, now, counts, dry_run)
    if not dry_run:
        done = {"run": "finished", "counts": {k.value: v for k, v in counts.items()}}
        events.record(engine, actor, AuditAction.retention_purge, summary=done)
        if saver is not None:
            await flush_saver(saver)
        fold_wal(engine)
    return report


def _count(conn: Connection, query: Any) -> int:
    return int(conn.execute(query).scalar() or 0)


def _replies_count(ids: list[int]) -> Any:
    return select(func.count()).where(
        col(OutboxMessage.item_id).in_(ids), col(OutboxMessage.text) != ""
    )


def _notes_count(ids: list[int]) -> Any:
    return select(func.count()).where(col(ItemNote.item_id).in_(ids), col(ItemNote.text) != "")


def _audit_count(ids: list[int]) -> Any:
    return select(func.count()).where(
        col(AuditEvent.item_id).in_(ids), col(AuditEvent.redacted_at).is_(None)
    )


def _learned_ids(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(col(LearnedCase.case_id))).scalars())


def _purge_items(conn: Connection, ids: list[int], now: datetime) -> None:
    stand_in = literal("purged-") + cast(col(ReviewItem.id), String)
    conn.execute(
        update(ReviewItem)
        .where(col(ReviewItem.id).in_(ids))
        .values(
            text="",
            message={},
            message_id=stand_in,
            thread_id=stand_in,
            customer_key="purged",
            customer_id=None,
            author_name=None,
            author_handle=None,
            draft=None,
            final_text=None,
            order_facts=None,
            sources=[],
            reasons=[],
            decision=None,
            error=None,
            purged_at=now,
        )
    )


def _purge_replies(conn: Connection, ids: list[int]) -> int:
    result = conn.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.item_id).in_(ids), col(OutboxMessage.text) != "")
        .values(text="", customer_key="purged")
    )
    return int(result.rowcount)


def _redact_audit(conn: Connection, where: Any, run_id: int, now: datetime) -> int:
    result = conn.execute(
        update(AuditEvent)
        .where(where, col(AuditEvent.redacted_at).is_(None), col(AuditEvent.id) < run_id)
        .values(**redact_values(run_id, now))
    )
    return int(result.rowcount)


def _old_audit(
    engine: Engine, audit_cut: datetime, run_id: int | None, now: datetime, batch: int
) -> int:
    old = and_(col(AuditEvent.at) < audit_cut, col(AuditEvent.redacted_at).is_(None))
    if run_id is None:
        with engine.connect() as conn:
            return _count(conn, select(func.count()).where(old))
    total = 0
    while True:
        with engine.begin() as conn:
            ids = list(
                conn.execute(
                    select(col(AuditEvent.id)).where(old).order_by(col(AuditEvent.id)).limit(batch)
                ).scalars()
            )
            if not ids:
                return total
            total += _redact_audit(conn, col(AuditEvent.id).in_(ids), run_id, now)


def _raw_payloads(
    engine: Engine, retention: Retention, now: datetime, counts: dict[Kind, int], dry_run: bool
) -> None:
    """Meta webhook bodies as received (quarantined ones have their own period)."""
    state, received = col(WebhookPayload.state), col(WebhookPayload.received_at)
    rules = (
        (Kind.quarantined_payloads, PayloadState.quarantined, retention.quarantined),
        (Kind.raw_payloads, PayloadState.processed, retention.raw_payloads),
    )
    for kind, which, period in rules:
        where = and_(state == which, received < cutoff(period, now))
        with engine.begin() as conn:
            if dry_run:
                counts[kind] += _count(
                    conn, select(func.count()).select_from(WebhookPayload).where(where)
                )
            else:
                counts[kind] += int(conn.execute(delete(WebhookPayload).where(where)).rowcount)
