"""The outbound rows and every move between their states, each one compare-and-set in the
database, so several processes (or a crash and its recovery) never both send one reply."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, func, or_, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col
from sqlmodel import select as select_rows

from assistant.dbtypes import DbNow, insert_ignoring_conflicts
from assistant.errors import NotFoundError
from assistant.knowledge.policy import RateLimit
from assistant.review.leases import OWNER, owner_alive
from assistant.review.models import (
    AuditAction,
    AuditEvent,
    ChannelHealth,
    DeliveryState,
    ItemStatus,
    OutboxMessage,
    ReviewItem,
)

# Longer than one send (the adapters time out well before): a ``sending`` row older than
# this, or held by a process that has exited, was left by a crash.
SEND_LEASE = timedelta(minutes=2)

Pending, Sending = DeliveryState.pending.value, DeliveryState.sending.value


def idempotency_key(row: OutboxMessage) -> str:
    """Stable for one reply whatever retries happen: what the channel dedupes on."""
    key = f"{row.channel}|{row.message_id}|{row.item_id}|{row.kind}"
    return "reply-" + hashlib.sha256(key.encode()).hexdigest()[:32]


class OverRateLimitError(Exception):
    """The customer already had the policy's automated replies in the window."""


@dataclass(frozen=True)
class Requested:
    reply: OutboxMessage
    fresh: bool  # False: this message's reply was requested before (returned as it is)


def _table() -> Table:
    return OutboxMessage.__table__  # type: ignore[attr-defined,no-any-return]


class ReplyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- reading -----------------------------------------------------------------------

    def get(self, reply_id: int) -> OutboxMessage:
        with self.engine.connect() as conn:
            found = conn.execute(select(_table()).where(_table().c.id == reply_id)).first()
        if found is None:
            raise NotFoundError(f"There is no outbound reply #{reply_id}.")
        return _row(found)

    def addressee(self, item_id: int) -> tuple[dict[str, Any], tuple[str, ...]]:
        """The inbound message a reply answers (the adapter needs its author and metadata)
        and the item's topics (a Meta comment's reply kind is chosen by topic)."""
        items = ReviewItem.__table__  # type: ignore[attr-defined]
        with self.engine.connect() as conn:
            found = conn.execute(
                select(items.c.message, items.c.topics).where(items.c.id == item_id)
            ).first()
        message, topics = found if found is not None else (None, None)
        return dict(message or {}), tuple(topics or ())

    def for_item(self, item_id: int) -> OutboxMessage | None:
        query = select_rows(OutboxMessage).where(col(OutboxMessage.item_id) == item_id)
        with Session(self.engine) as session:
            return session.exec(query.order_by(col(OutboxMessage.id))).first()

    def due(self, now: datetime, limit: int = 100) -> list[int]:
        """Pending rows whose time has come and whose requester is not about to send them,
        and ``sending`` rows a crash left behind."""
        t = _table()
        with self.engine.connect() as conn:
            owners = conn.execute(
                select(t.c.lease_owner).where(t.c.state.in_([Pending, Sending])).distinct()
            )
            dead = [o for o in owners.scalars() if o and not owner_alive(o)]
            stale = or_(
                t.c.lease_expires_at.is_(None),
                t.c.lease_expires_at < now,
                t.c.lease_owner.in_(dead),
            )
            ready = or_(t.c.next_attempt_at.is_(None), t.c.next_attempt_at <= now)
            query = (
                select(t.c.id)
                .where(
                    or_(
                        and_(t.c.state == Pending, ready, stale),
                        and_(t.c.state == Sending, stale),
                    )
                )
                .order_by(t.c.id)
                .limit(limit)
            )
            return [int(reply_id) for reply_id in conn.execute(query).scalars()]

    # -- requesting ---------------------------------------------------------------------

    def request(self, row: OutboxMessage, limit: RateLimit | None) -> Requested:
        """Record the reply as pending, once per inbound message. With ``limit`` (automated
        replies) the customer's count in the window is checked in the same transaction,
        under a per-customer lock, so workers racing for one customer cannot both pass."""
        row.state = DeliveryState.pending
        row.idempotency_key = idempotency_key(row)
        # Its requester delivers it next (here, or by its job): a sweep that found it due
        # meanwhile would take it from a live process. Held like a send, so a requester
        # that dies leaves it to the next sweep at once.
        row.lease_owner, row.lease_expires_at = OWNER, row.requested_at + SEND_LEASE
        values = {c.key: getattr(row, c.key) for c in _table().columns if c.key != "id"}
        with self.engine.begin() as conn:
            if not insert_ignoring_conflicts(conn, _table(), values):
                return Requested(self._by_key(conn, row.idempotency_key, row), False)
            if limit is not None:
                self._check_limit(conn, row, limit)  # raises OverRateLimitError: rolled back
            return Requested(self._by_key(conn, row.idempotency_key, row), True)

    def _by_key(self, conn: Connection, key: str, row: OutboxMessage) -> OutboxMessage:
        found = conn.execute(
            select(_table()).where(
                or_(
                    _table().c.idempotency_key == key,
                    (_table().c.channel == row.channel.value)
                    & (_table().c.message_id == row.message_id)
                    & (_table().c.item_id == row.item_id),
                )
            )
        ).first()
        assert found is not None
        return _row(found)

    def _check_limit(self, conn: Connection, row: OutboxMessage, limit: RateLimit) -> None:
        # Our own row is already written: on SQLite that write holds the database's one write
        # lock until commit; on Postgres an advisory lock per customer does the same job.
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 9))"),
                {"key": row.customer_key},
            )
        since = row.requested_at - timedelta(minutes=limit.window_minutes)
        count = conn.execute(
            select(func.count())
            .select_from(_table())
            .where(
                _table().c.customer_key == row.customer_key,
                _table().c.automated.is_(True),
                _table().c.kind == "reply",
                _table().c.state != DeliveryState.failed.value,
                _table().c.requested_at >= since,
            )
        ).scalar_one()
        if count > limit.max_auto_replies:  # our own row is counted
            raise OverRateLimitError(
                f"rate limit: {count - 1} automated replies to this customer in the last "
                f"{limit.window_minutes} minutes"
            )

    # -- moving between states ------------------------------------------------------------

    def claim(self, reply_id: int, now: datetime) -> OutboxMessage | None:
        """pending (and due) → sending, for this process alone; None if it was not ours."""
        due = col(OutboxMessage.next_attempt_at).is_(None) | (
            col(OutboxMessage.next_attempt_at) <= now
        )
        return self._move(
            reply_id,
            [OutboxMessage.state == Pending, due],
            state=DeliveryState.sending,
            attempts=OutboxMessage.attempts + 1,
            **self._lease(now),
        )

    def take_over(self, stale: OutboxMessage, now: datetime) -> OutboxMessage | None:
        """A ``sending`` row left by a crash, now leased to this process (compare-and-set on
        the lease it had, so two recovering processes cannot both take it)."""
        if not self._abandoned(stale, now):
            return None
        return self._move(
            stale.id,
            [
                OutboxMessage.state == Sending,
                _same(OutboxMessage.lease_owner, stale.lease_owner),
                _same(OutboxMessage.lease_expires_at, stale.lease_expires_at),
            ],
            attempts=OutboxMessage.attempts + 1,  # bounds a send that crashes every time
            **self._lease(now),
        )

    @staticmethod
    def _abandoned(row: OutboxMessage, now: datetime) -> bool:
        if row.lease_expires_at is None or row.lease_expires_at < now:
            return True
        return bool(row.lease_owner) and not owner_alive(row.lease_owner or "")

    @staticmethod
    def _lease(now: datetime) -> dict[str, Any]:
        # One token per claim: two deliverers in one process are told apart too.
        return {
            "lease_owner": f"{OWNER}:{uuid.uuid4().hex[:8]}",
            "lease_expires_at": now + SEND_LEASE,
        }

    def delivered(self, held: OutboxMessage, platform_id: str | None, now: datetime) -> bool:
        """sending → delivered with the platform's id, the item closed and the send audited,
        all in one transaction."""
        with self.engine.begin() as conn:
            if not self._finish(
                conn,
                held,
                state=DeliveryState.delivered,
                platform_id=platform_id,
                sent_at=now,
                last_error=None,
            ):
                return False
            if held.last_error:  # it was held before: the channel may have been reconnected
                conn.execute(
                    update(ChannelHealth.__table__)  # type: ignore[attr-defined]
                    .where(
                        col(ChannelHealth.channel_key) == held.channel.value,
                        col(ChannelHealth.reconnect_since).is_not(None),
                    )
                    .values(reconnect_since=None, reason=None)
                )
            status = ItemStatus.sent if held.kind == "reply" else ItemStatus.closed
            _update_item(conn, held.item_id, status=status)
            _audit(conn, held.item_id, held.sent_by, AuditAction.sent, now, after=held.text)
        return True

    def failed(self, held: OutboxMessage, reason: str, attention: str, now: datetime) -> bool:
        """sending → failed; the item goes back to the queue flagged with ``attention``."""
        with self.engine.begin() as conn:
            if not self._finish(conn, held, state=DeliveryState.failed, last_error=reason):
                return False
            _update_item(
                conn,
                held.item_id,
                status=ItemStatus.pending,
                needs_attention=True,
                error=attention,
                assignee=None,
            )
        return True

    def again_later(
        self, held: OutboxMessage, at: datetime, reason: str, *, count_attempt: bool = True
    ) -> bool:
        """sending → pending, due at ``at``; a held send (reconnect) gives its attempt back."""
        attempts = held.attempts if count_attempt else max(held.attempts - 1, 0)
        with self.engine.begin() as conn:
            return self._finish(
                conn,
                held,
                state=DeliveryState.pending,
                next_attempt_at=at,
                last_error=reason,
                attempts=attempts,
            )

    def failed_after_delivery(
        self, channel: str, platform_id: str, reason: str
    ) -> OutboxMessage | None:
        """The platform accepted a reply, then reported it failed (a status webhook):
        delivered → failed, and its item back in the queue flagged with ``reason``."""
        t = _table()
        with self.engine.begin() as conn:
            found = conn.execute(
                update(t)
                .where(
                    t.c.channel == channel,
                    t.c.platform_id == platform_id,
                    t.c.state == DeliveryState.delivered.value,
                )
                .values(state=DeliveryState.failed, last_error=reason)
                .returning(*t.c)
            ).first()
            if found is None:
                return None
            row = _row(found)
            _update_item(
                conn,
                row.item_id,
                status=ItemStatus.pending,
                needs_attention=True,
                error=f"Not delivered: {reason}.",
                assignee=None,
            )
        return row

    def recheck_at(self, held: OutboxMessage, at: datetime, reason: str) -> bool:
        """Stays ``sending`` (it may have gone out) until ``at``: whoever takes it then asks
        the channel before sending again, as after a crash."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(_table())
                .where(
                    _table().c.id == held.id,
                    _table().c.state == Sending,
                    _table().c.lease_owner == held.lease_owner,
                )
                .values(lease_expires_at=at, last_error=reason)
            )
        return result.rowcount == 1

    def redeliver(self, item_id: int, text_: str, approver: str) -> OutboxMessage | None:
        """A person decided again on an item whose reply failed: the same row (same key) is
        pending again with the text they approved."""
        row = self.for_item(item_id)
        if row is None or row.state != DeliveryState.failed:
            return None
        return self._move(
            row.id,
            [OutboxMessage.state == DeliveryState.failed.value],
            state=DeliveryState.pending,
            text=text_,
            sent_by=approver,
            attempts=0,
            next_attempt_at=None,
            last_error=None,
        )

    def _finish(self, conn: Connection, held: OutboxMessage, **values: Any) -> bool:
        """Only the lease holder may finish a send: one that lost its lease (it was too slow
        and another process took over) changes nothing."""
        result = conn.execute(
            update(_table())
            .where(
                _table().c.id == held.id,
                _table().c.state == Sending,
                _table().c.lease_owner == held.lease_owner,
            )
            .values(**values, lease_owner=None, lease_expires_at=None)
        )
        return result.rowcount == 1

    def _move(self, reply_id: int | None, where: list[Any], **values: Any) -> OutboxMessage | None:
        """One compare-and-set: the row as it now is, or None if ``where`` did not hold."""
        with self.engine.begin() as conn:
            found = conn.execute(
                update(_table())
                .where(_table().c.id == reply_id, *where)
                .values(**values)
                .returning(*_table().c)
            ).first()
        return None if found is None else _row(found)


def _row(found: Any) -> OutboxMessage:
    return OutboxMessage.model_validate(dict(found._mapping))


def _same(column: Any, value: Any) -> Any:
    return col(column).is_(None) if value is None else column == value


def _update_item(conn: Connection, item_id: int | None, **fields: Any) -> None:
    if item_id is None:
        return
    conn.execute(
        update(ReviewItem)
        .where(col(ReviewItem.id) == item_id)
        .values(**fields, version=ReviewItem.version + 1, updated_at=DbNow())
    )


def _audit(
    conn: Connection,
    item_id: int | None,
    actor: str,
    action: AuditAction,
    at: datetime,
    after: str | None = None,
) -> None:
    # Through the ORM, on this transaction's connection: the audit chain links each event as
    # it is inserted (assistant/governance/audit_chain.py).
    with Session(bind=conn) as session:
        session.add(
            AuditEvent(item_id=item_id, actor=actor, action=action, at=at, after_text=after)
        )
        session.flush()
