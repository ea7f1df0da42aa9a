"""Queue storage: claim messages, update items under optimistic locking, audit every action,
record sends at most once, and keep opt-out state."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar, assert_never

from sqlalchemy import Table, bindparam, func, insert, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from assistant.dbtypes import DbNow, UtcDateTime
from assistant.errors import ConflictError, ForbiddenError, NotFoundError
from assistant.review.decisions import Approve, Decision, Edit, Escalate, Reject, may_decide
from assistant.review.leases import OWNER, lease_fields, owner_alive
from assistant.review.models import (
    AuditAction,
    AuditEvent,
    CustomerState,
    DeliveryState,
    ItemStatus,
    OutboxMessage,
    ReviewItem,
    content_hash,
    utcnow,
)
from assistant.users.roles import Role

Row = TypeVar("Row", bound=ReviewItem)  # rows unique per inbound message


# Asked for every new message: built once, its values bound per call.
_SAME_ID_OTHER_TEXT = (
    select(ReviewItem)
    .where(
        ReviewItem.channel == bindparam("channel"),
        ReviewItem.message_id == bindparam("message_id"),
        ReviewItem.id != bindparam("id"),
    )
    .order_by(col(ReviewItem.id))
)

# The pipeline's own update: the values come as parameters (each key a column to set), so
# the compiled statement is reused instead of built per call.
_UPDATE_ITEM = (
    update(ReviewItem)
    .where(col(ReviewItem.id) == bindparam("item_id"))
    .values(version=ReviewItem.version + 1, updated_at=DbNow())
)

# (opted out?, automated replies since) for one customer: asked for every message.
_ROUTING_STATE = select(
    select(CustomerState.opted_out_at)
    .where(CustomerState.customer_key == bindparam("customer_key"))
    .scalar_subquery()
    .is_not(None),
    select(func.count())
    .select_from(OutboxMessage)
    .where(
        OutboxMessage.customer_key == bindparam("customer_key"),
        col(OutboxMessage.automated).is_(True),
        OutboxMessage.kind == "reply",
        OutboxMessage.state != DeliveryState.failed,
        col(OutboxMessage.requested_at) >= bindparam("since", type_=UtcDateTime),
    )
    .scalar_subquery(),
)


class Queue:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- items -------------------------------------------------------------------------

    def enqueue(self, item: ReviewItem) -> tuple[ReviewItem, bool]:
        """Insert the item for a new message; the same message seen before (same channel,
        id and text) returns its item."""
        item.content_hash = content_hash(item.text)
        return self._insert_once(item, "channel", "message_id", "content_hash")

    def _insert_once(self, row: Row, *key: str) -> tuple[Row, bool]:
        """Insert ``row`` unless its unique ``key`` (column names) is taken, in which case the
        stored row is returned (False). A plain INSERT: the row holds exactly what the object
        holds (every default is set in Python), so nothing is read back but the new id."""
        model = type(row)
        table: Table = model.__table__  # type: ignore[attr-defined]
        values: dict[str, Any] = {c.key: getattr(row, c.key) for c in table.columns}
        if values["id"] is None:
            del values["id"]
        statement = insert(table)
        if "updated_at" in values:  # stamped by the database's clock (the object's is close)
            del values["updated_at"]
            statement = statement.values(updated_at=DbNow())
        try:
            with self.engine.begin() as conn:
                # Values as parameters, not baked into the statement: the compiled statement
                # is reused from SQLAlchemy's cache instead of built per row (half the time).
                result = conn.execute(statement, values)
        except IntegrityError:
            taken = [getattr(model, name) == getattr(row, name) for name in key]
            with Session(self.engine) as session:
                return session.exec(select(model).where(*taken)).one(), False
        primary = result.inserted_primary_key
        assert primary is not None
        row.id = primary[0]
        return row, True

    def same_id_other_text(self, item: ReviewItem) -> ReviewItem | None:
        """An earlier item whose message had this item's channel and id but other text."""
        wanted = {"channel": item.channel, "message_id": item.message_id, "id": item.id}
        with Session(self.engine) as session:
            return session.exec(_SAME_ID_OTHER_TEXT, params=wanted).first()

    def get(self, item_id: int) -> ReviewItem:
        with Session(self.engine) as session:
            item = session.get(ReviewItem, item_id)
            if item is None:
                raise NotFoundError(f"There is no queue item #{item_id}.")
            return item

    def by_message(self, message_id: str) -> ReviewItem | None:
        with Session(self.engine) as session:
            return session.exec(
                select(ReviewItem)
                .where(ReviewItem.message_id == message_id)
                .order_by(col(ReviewItem.id))
            ).first()

    def update(self, item_id: int, **fields: Any) -> None:
        """Unconditional update by the pipeline itself (bumps the version)."""
        with self.engine.begin() as conn:  # a plain statement: no ORM session needed
            conn.execute(_UPDATE_ITEM, {**fields, "item_id": item_id})

    def offer_to_people(self, item_id: int) -> None:
        """A ``processing`` item whose graph now waits for a decision becomes ``pending``
        (an escalated or decided one is left as it is)."""
        with self.engine.begin() as conn:
            conn.execute(
                _UPDATE_ITEM.where(col(ReviewItem.status) == ItemStatus.processing),
                {"status": ItemStatus.pending, "item_id": item_id},
            )

    def items(self, statuses: Sequence[ItemStatus] = (), limit: int = 500) -> list[ReviewItem]:
        """Most urgent first: risk rank, then reply deadline, then age."""
        query = select(ReviewItem)
        if statuses:
            query = query.where(col(ReviewItem.status).in_([s.value for s in statuses]))
        query = query.order_by(
            col(ReviewItem.priority), col(ReviewItem.due_at), col(ReviewItem.received_at)
        ).limit(limit)
        with Session(self.engine) as session:
            return list(session.exec(query).all())

    # -- claims: one agent works an item at a time ---------------------------------------

    def assign(self, item_id: int, user: str, *, take_over: bool = False) -> ReviewItem:
        """Claim an open item for ``user``. Someone else's claim is kept unless ``take_over``
        (a lead's call); either way the audit log says who held it."""
        current = self.get(item_id)
        if not ItemStatus(current.status).open:
            raise ConflictError(f"Item #{item_id} is already {current.status}; nothing to claim.")
        if current.assignee == user:
            return current
        if current.assignee and not take_over:
            raise ConflictError(
                f"Item #{item_id} is claimed by {current.assignee}. Pick another item, or ask "
                "them or a lead to release it."
            )
        previous = current.assignee
        self._set_assignee(current, user)
        action = AuditAction.take_over if previous else AuditAction.claim
        self.audit(item_id, user, action, reason=previous)
        return self.get(item_id)

    def release(self, item_id: int, user: str, *, force: bool = False) -> ReviewItem:
        """Give an item back to the queue; only its holder may, unless ``force`` (a lead)."""
        current = self.get(item_id)
        if current.assignee is None:
            return current
        if current.assignee != user and not force:
            raise ConflictError(
                f"Item #{item_id} is claimed by {current.assignee}, not you; a lead can release it."
            )
        self._set_assignee(current, None)
        self.audit(item_id, user, AuditAction.release, reason=current.assignee)
        return self.get(item_id)

    def release_all(self, user: str) -> list[int]:
        """Every open item ``user`` holds goes back to the queue (e.g. when they sign out)."""
        query = select(ReviewItem.id).where(
            ReviewItem.assignee == user,
            col(ReviewItem.status).in_([ItemStatus.pending.value, ItemStatus.escalated.value]),
        )
        with Session(self.engine) as session:
            held = [item_id for item_id in session.exec(query).all() if item_id is not None]
        for item_id in held:
            self.release(item_id, user)
        return held

    def _set_assignee(self, current: ReviewItem, user: str | None) -> None:
        with self.engine.begin() as conn:
            result = conn.execute(
                update(ReviewItem)
                .where(col(ReviewItem.id) == current.id, col(ReviewItem.version) == current.version)
                .values(assignee=user, version=current.version + 1, updated_at=DbNow())
            )
        if result.rowcount != 1:
            raise ConflictError(f"Item #{current.id} changed a moment ago; reload it and retry.")

    def take_expired(self, now: datetime) -> list[ReviewItem]:
        """Items a crash left behind (still processing, or decided but not yet sent) whose
        lease ran out, each now leased to this process. A compare-and-set per item: when two
        processes recover at once, each item goes to exactly one of them."""
        in_flight, stale = self._stale_in_flight(now)
        with Session(self.engine) as session:
            candidates = session.exec(
                select(ReviewItem.id).where(in_flight, stale).order_by(col(ReviewItem.id))
            ).all()
        taken = (self._lease(item_id, in_flight, stale, now) for item_id in candidates)
        return [item for item in taken if item is not None]

    def waiting(self, now: datetime, limit: int = 100) -> list[int]:
        """In-flight items nobody live is working (new from the API, or left by a crash)."""
        in_flight, stale = self._stale_in_flight(now)
        query = select(ReviewItem.id).where(in_flight, stale).order_by(col(ReviewItem.id))
        with Session(self.engine) as session:
            return [i for i in session.exec(query.limit(limit)).all() if i is not None]

    def take(self, item_id: int, now: datetime) -> ReviewItem | None:
        """Lease one in-flight item to this process if its lease is free (never set, expired,
        its owner dead) or already this process's (a failed earlier attempt here: the
        caller runs one attempt per item at a time). None when it is done or another live
        process holds it."""
        in_flight, stale = self._stale_in_flight(now, item_id)
        return self._lease(
            item_id, in_flight, or_(stale, col(ReviewItem.lease_owner) == OWNER), now
        )

    def _stale_in_flight(self, now: datetime, item_id: int | None = None) -> tuple[Any, Any]:
        in_flight: Any = col(ReviewItem.status).in_([ItemStatus.processing, ItemStatus.approved])
        # Once its reply is recorded, an item is delivery's: ``schedule_due`` recovers it
        # (unless that reply failed: a new decision on it is resumed here).
        reply_recorded = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.item_id == ReviewItem.id,
                OutboxMessage.state != DeliveryState.failed,
            )
            .exists()
        )
        in_flight = in_flight & ~reply_recorded
        owners_query = select(ReviewItem.lease_owner).where(in_flight)
        if item_id is not None:
            owners_query = owners_query.where(col(ReviewItem.id) == item_id)
        with Session(self.engine) as session:
            owners = session.exec(owners_query.distinct())
            dead = [owner for owner in owners if owner and not owner_alive(owner)]
        stale = or_(
            col(ReviewItem.lease_expires_at).is_(None),
            col(ReviewItem.lease_expires_at) < now,
            col(ReviewItem.lease_owner).in_(dead),
        )
        return in_flight, stale

    def _lease(
        self, item_id: int | None, in_flight: Any, stale: Any, now: datetime
    ) -> ReviewItem | None:
        """A compare-and-set: when two processes try at once, one of them gets the item."""
        if item_id is None:
            return None
        with self.engine.begin() as conn:
            result = conn.execute(
                update(ReviewItem)
                .where(col(ReviewItem.id) == item_id, in_flight, stale)
                .values(**lease_fields(now))
            )
        return self.get(item_id) if result.rowcount == 1 else None

    # -- decisions ---------------------------------------------------------------------

    def decide(
        self,
        item_id: int,
        decision: Decision,
        expected_version: int | None,
        role: Role,
    ) -> ReviewItem:
        """Record a person's decision if nobody acted first; otherwise raise ConflictError.

        ``role`` is the deciding actor's: escalated items are decided only by their role."""
        current = self.get(item_id)
        if not ItemStatus(current.status).open:
            by = f" by {current.decided_by}" if current.decided_by else ""
            raise ConflictError(
                f"Item #{item_id} is already {current.status}{by}; nothing was "
                "changed and no reply was sent twice."
            )
        version = current.version if expected_version is None else expected_version
        if version != current.version:
            raise ConflictError(
                f"Item #{item_id} changed since you opened it (by "
                f"{current.decided_by or current.assignee or 'the pipeline'}). "
                "Reload it and decide again."
            )
        if current.assignee and current.assignee != decision.actor:
            raise ConflictError(
                f"Item #{item_id} is claimed by {current.assignee}; your {decision.kind} was not "
                "applied. Ask them or a lead to release it."
            )
        if not may_decide(role, current):
            raise ForbiddenError(
                f"Item #{item_id} was escalated to the {current.escalated_to} role; as "
                f"{role.value} you cannot decide it. It stays in the queue for them."
            )
        if isinstance(decision, Approve) and not (current.draft or "").strip():
            raise ConflictError(
                f"Item #{item_id} has no draft to approve; write the reply (edit) or reject it."
            )
        now = utcnow()
        fields: dict[str, Any] = {
            "decision": decision.model_dump(mode="json"),
            "decided_by": decision.actor,
            "decided_at": now,
            **lease_fields(now),  # this process sends it; recover waits for the lease
        }
        before, after, reason = current.draft, None, None
        match decision:
            case Approve():
                fields.update(status=ItemStatus.approved, final_text=current.draft)
                after = current.draft
            case Edit(text=text):
                fields.update(status=ItemStatus.approved, final_text=text)
                after = text
            case Reject(reason=why):
                fields.update(status=ItemStatus.rejected)
                reason = why
            case Escalate(to=to, note=note):
                # Handed on: the escalating agent's claim ends with it.
                fields.update(status=ItemStatus.escalated, escalated_to=to, assignee=None)
                reason = f"to {to}" + (f": {note}" if note else "")
            case _:
                assert_never(decision)
        with Session(self.engine) as session:
            result = session.execute(
                update(ReviewItem)
                .where(col(ReviewItem.id) == item_id, col(ReviewItem.version) == version)
                .values(**fields, version=version + 1, updated_at=DbNow())
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                winner = self.get(item_id)
                raise ConflictError(
                    f"Item #{item_id} was just {winner.status} by "
                    f"{winner.decided_by or 'someone else'}; your "
                    f"{decision.kind} was not applied."
                )
            session.add(
                AuditEvent(
                    item_id=item_id,
                    actor=decision.actor,
                    action=AuditAction(decision.kind),
                    at=now,
                    before_text=before,
                    after_text=after,
                    reason=reason,
                )
            )
            session.commit()
        return self.get(item_id)

    def audit(
        self,
        item_id: int | None,
        actor: str,
        action: AuditAction,
        *,
        before: str | None = None,
        after: str | None = None,
        reason: str | None = None,
    ) -> None:
        with Session(self.engine) as session:
            session.add(
                AuditEvent(
                    item_id=item_id,
                    actor=actor,
                    action=action,
                    before_text=before,
                    after_text=after,
                    reason=reason,
                )
            )
            session.commit()

    def audit_log(self, item_id: int | None = None) -> list[AuditEvent]:
        query = select(AuditEvent).order_by(col(AuditEvent.at), col(AuditEvent.id))
        if item_id is not None:
            query = query.where(AuditEvent.item_id == item_id)
        with Session(self.engine) as session:
            return list(session.exec(query).all())

    def last_event(self, action: AuditAction) -> AuditEvent | None:
        query = (
            select(AuditEvent)
            .where(AuditEvent.action == action)
            .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
            .limit(1)
        )
        with Session(self.engine) as session:
            return session.exec(query).first()

    def moderation_counts(self) -> tuple[int, int]:
        """(messages hidden as spam, of which agents restored): the false-positive rate."""
        with Session(self.engine) as session:
            counts = dict(
                session.exec(
                    select(AuditEvent.action, func.count(func.distinct(AuditEvent.item_id)))
                    .where(col(AuditEvent.action).in_([AuditAction.hidden, AuditAction.restore]))
                    .group_by(AuditEvent.action)
                ).all()
            )
        return int(counts.get(AuditAction.hidden, 0)), int(counts.get(AuditAction.restore, 0))

    # -- outbox ------------------------------------------------------------------------

    def outbox(self) -> list[OutboxMessage]:
        with Session(self.engine) as session:
            return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())

    def routing_state(self, customer_key: str, since: datetime) -> tuple[bool, int]:
        """(opted out?, automated replies since ``since``) for one customer, in one read."""
        with self.engine.connect() as conn:
            wanted = {"customer_key": customer_key, "since": since}
            row = conn.execute(_ROUTING_STATE, wanted).one()
        return bool(row[0]), int(row[1])

    # -- customers ---------------------------------------------------------------------

    def customer_state(self, customer_key: str) -> CustomerState:
        with Session(self.engine) as session:
            return session.get(CustomerState, customer_key) or CustomerState(
                customer_key=customer_key
            )

    def set_opt_out(self, customer_key: str, opted_out: bool, at: datetime) -> None:
        with Session(self.engine) as session:
            state = session.get(CustomerState, customer_key) or CustomerState(
                customer_key=customer_key
            )
            if opted_out:
                state.opted_out_at, state.opted_in_at = at, None
            else:
                state.opted_out_at, state.opted_in_at = None, at
            session.add(state)
            session.commit()
