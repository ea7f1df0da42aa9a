"""A verified webhook body in: kept as received, parsed, each event applied once. New
messages go to the sink (the inbox, or the service's ``accept_messages``); edits, removals,
echoes and failed deliveries change the item they concern; the rest is recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import assert_never

from sqlalchemy import Table, and_, insert, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from assistant.channels.meta import markers
from assistant.channels.meta.config import AccountKind, ChannelsConfig
from assistant.channels.meta.event_rows import RECORDS, event_row
from assistant.channels.meta.events import (
    DeliveryState,
    Echo,
    Edited,
    EventKind,
    MetaEvent,
    NewMessage,
    PayloadError,
    Reaction,
    Recorded,
    Status,
    Withdrawn,
)
from assistant.channels.meta.folding import StoredNotAppliedError, StoringSink, changes_items
from assistant.channels.meta.graph_errors import plain_reason
from assistant.channels.meta.items import ItemChanges
from assistant.channels.meta.parse import Parsed, parse_payload
from assistant.channels.meta.records import (
    MetaEventRecord,
    PayloadState,
    WebhookEndpoint,
    WebhookPayload,
)
from assistant.dbtypes import ignoring_conflicts
from assistant.intake.messages import Channel, InboundMessage
from assistant.review.models import utcnow

LATE_KINDS = {EventKind.edit, EventKind.withdrawn}
PAYLOADS: Table = WebhookPayload.__table__  # type: ignore[attr-defined]
MessageSink = Callable[[Sequence[InboundMessage]], Awaitable[object]]


@dataclass(frozen=True)
class IntakeResult:
    payload_id: int
    state: PayloadState
    events: int
    duplicates: int
    queued: int


@dataclass
class WebhookIntake:
    engine: Engine
    config: ChannelsConfig
    sink: MessageSink
    storing: StoringSink | None = None  # set: most payloads are taken in one transaction

    def store(self, endpoint: WebhookEndpoint, body: bytes) -> int:
        """Keep the body before anything else: a crash after this loses nothing."""
        with self.engine.begin() as conn:
            return _keep(conn, endpoint, body)

    def take_at_once(self, endpoint: WebhookEndpoint, body: bytes) -> IntakeResult | None:
        """Keep the body, check its events against those seen, store the new messages (their
        items and jobs) and record the events, all in ONE transaction: it commits together or
        not at all. None (nothing written) when there is no ``storing`` sink or an event
        changes an existing item: then ``store`` and ``apply_stored``, the long way."""
        parsed, _ = self._parse_and_check(endpoint, body, seen=False)
        if self.storing is None or any(changes_items(e) for e in parsed.events):
            return None
        with self.engine.begin() as conn:
            payload_id = _keep(conn, endpoint, body)  # first: the write lock at once on SQLite
            seen = self._seen_in(conn, parsed.events)
            fresh = list({e.key: e for e in parsed.events if e.key not in seen}.values())
            messages = [e for e in fresh if isinstance(e, NewMessage)]
            if messages:
                self.storing.store(conn, [self._flag_missing_token(e) for e in messages])
            state = _record(conn, payload_id, parsed, fresh)
        self.storing.committed()
        try:
            self._replay_late(ItemChanges(self.engine), payload_id, fresh, seen)
        except Exception as exc:
            raise StoredNotAppliedError(payload_id) from exc
        duplicates = len(parsed.events) - len(fresh)
        return IntakeResult(payload_id, state, len(parsed.events), duplicates, len(messages))

    async def receive(self, endpoint: WebhookEndpoint, body: bytes) -> IntakeResult:
        """Store ``body``, then apply it (the database work in threads, so the event loop
        keeps answering other webhooks meanwhile)."""
        payload_id = await asyncio.to_thread(self.store, endpoint, body)
        return await self.apply_stored(payload_id, endpoint, body)

    async def process(self, payload_id: int) -> IntakeResult:
        """Apply a stored payload (again: replay is safe, every event is applied once)."""
        body, endpoint = await asyncio.to_thread(self._load, payload_id)
        return await self.apply_stored(payload_id, endpoint, body)

    async def apply_stored(
        self, payload_id: int, endpoint: WebhookEndpoint, body: bytes
    ) -> IntakeResult:
        """Apply the events of a payload ``store`` kept (``body`` is its exact bytes)."""
        parsed, seen = await asyncio.to_thread(self._parse_and_check, endpoint, body)
        fresh = list({e.key: e for e in parsed.events if e.key not in seen}.values())
        messages = [e for e in fresh if isinstance(e, NewMessage)]
        if messages:  # a failure here raises: the payload stays 'received' and Meta retries
            await self.sink([self._flag_missing_token(e) for e in messages])
        state = await asyncio.to_thread(self._conclude, payload_id, parsed, fresh, seen)
        duplicates = len(parsed.events) - len(fresh)
        return IntakeResult(payload_id, state, len(parsed.events), duplicates, len(messages))

    def _parse_and_check(
        self, endpoint: WebhookEndpoint, body: bytes, seen: bool = True
    ) -> tuple[Parsed, set[str]]:
        """The events, and which are already applied (their keys) or have an edit or removal
        waiting for them (``late:`` plus the platform id)."""
        try:
            whatsapp = endpoint is WebhookEndpoint.whatsapp
            parsed = parse_payload(
                body, whatsapp=whatsapp, channel_of=self.config.messaging_channel
            )
        except PayloadError as exc:
            return Parsed(problems=[str(exc)]), set()
        if not seen or not parsed.events:
            return parsed, set()
        with self.engine.connect() as conn:
            return parsed, self._seen_in(conn, parsed.events)

    def _load(self, payload_id: int) -> tuple[bytes, WebhookEndpoint]:
        with Session(self.engine) as session:
            payload = session.get(WebhookPayload, payload_id)
            assert payload is not None
            return payload.body, payload.endpoint

    def _conclude(
        self, payload_id: int, parsed: Parsed, fresh: list[MetaEvent], seen: set[str]
    ) -> PayloadState:
        """Apply what changes items, then record the events and the payload's outcome in one
        transaction."""
        changes = ItemChanges(self.engine)
        for event in fresh:
            self._apply(changes, event)
        with self.engine.begin() as conn:
            state = _record(conn, payload_id, parsed, fresh)
        self._replay_late(changes, payload_id, fresh, seen)
        return state

    def _replay_late(
        self, changes: ItemChanges, payload_id: int, fresh: list[MetaEvent], seen: set[str]
    ) -> None:
        new = [
            e.message for e in fresh if isinstance(e, NewMessage) and f"late:{e.message.id}" in seen
        ]
        if new:  # an edit or removal that overtook its message (in an earlier payload)
            changes.replay_late([(m.channel, m.id) for m in new], payload_id)

    def _flag_missing_token(self, event: NewMessage) -> InboundMessage:
        message = event.message
        kind = account_kind(event)
        if self.config.token(kind, event.account_id):
            return message
        note = (
            f"no token is configured for {kind.value} {event.account_id} (channels.yaml): "
            "the reply cannot be sent until it is connected"
        )
        problem = f"{message.intake_problem}; {note}" if message.intake_problem else note
        return message.model_copy(update={"intake_problem": problem})

    def _apply(self, changes: ItemChanges, event: MetaEvent) -> None:
        match event:
            case NewMessage() | Reaction() | Recorded():
                return  # queued by the sink, or recorded on the conversation only
            case Edited():
                changes.edit(event.channel, event.platform_id, event.text)
            case Withdrawn():
                changes.withdraw(event.channel, event.platform_id)
            case Echo():
                if markers.is_ours(event.marker):
                    return  # our own reply coming back
                if event.answers:
                    changes.answered_elsewhere_comment(event.channel, event.answers, event.text)
                elif not event.conversation.count(":post:"):
                    customer = event.conversation.rsplit(":", 1)[1]
                    changes.answered_elsewhere_dm(
                        event.channel, customer, event.text, event.occurred_at
                    )
            case Status():
                item_id = markers.item_of(event.marker)
                if event.state is DeliveryState.failed and item_id is not None:
                    code, title = event.errors[0] if event.errors else (0, "")
                    reason = plain_reason(code, title)
                    changes.delivery_failed(item_id, reason, event.channel, event.platform_id)
            case _:
                assert_never(event)

    def _seen_in(self, conn: Connection, events: list[MetaEvent]) -> set[str]:
        if not events:
            return set()
        ids = [e.message.id for e in events if isinstance(e, NewMessage)]
        query = sa_select(RECORDS.c.dedupe_key, RECORDS.c.platform_id, RECORDS.c.kind).where(
            or_(
                RECORDS.c.dedupe_key.in_([e.key for e in events]),
                and_(
                    RECORDS.c.platform_id.in_(ids),
                    RECORDS.c.kind.in_(list(LATE_KINDS)),
                ),
            )
        )
        rows = conn.execute(query).all()
        late = {f"late:{pid}" for _, pid, kind in rows if kind in LATE_KINDS}
        return {key for key, _, _ in rows} | late


def _keep(conn: Connection, endpoint: WebhookEndpoint, body: bytes) -> int:
    # Parameters to a cached statement, not a model per payload: this runs for every POST.
    row = {"endpoint": endpoint, "body": body, "received_at": utcnow()}
    row |= {"state": PayloadState.received, "problem": None, "events": 0, "duplicates": 0}
    primary = conn.execute(insert(PAYLOADS), row).inserted_primary_key
    assert primary is not None
    return int(primary[0])


def _record(
    conn: Connection, payload_id: int, parsed: Parsed, fresh: list[MetaEvent]
) -> PayloadState:
    """The fresh events (one multi-row INSERT, whatever the batch size) and the payload's
    outcome."""
    if fresh:
        conn.execute(ignoring_conflicts(conn, RECORDS), [event_row(e, payload_id) for e in fresh])
    state = PayloadState.quarantined if parsed.problems else PayloadState.processed
    conn.execute(
        update(WebhookPayload)
        .where(col(WebhookPayload.id) == payload_id)
        .values(
            state=state,
            problem="; ".join(parsed.problems)[:2000] or None,
            events=len(parsed.events),
            duplicates=len(parsed.events) - len(fresh),
        )
    )
    return state


def account_kind(event: NewMessage) -> AccountKind:
    match event.channel:
        case Channel.whatsapp:
            return AccountKind.whatsapp
        case Channel.instagram:
            return AccountKind.instagram
        case _:
            return AccountKind.page


def conversation_events(engine: Engine, conversation: str) -> list[MetaEventRecord]:
    """Everything recorded on one conversation, oldest first (the item view's history)."""
    query = (
        select(MetaEventRecord)
        .where(MetaEventRecord.conversation == conversation)
        .order_by(col(MetaEventRecord.occurred_at), col(MetaEventRecord.id))
    )
    with Session(engine) as session:
        return list(session.exec(query).all())


def stored_payloads(
    engine: Engine, states: Sequence[PayloadState] = (), limit: int = 200
) -> list[WebhookPayload]:
    """Newest first; the quarantine is ``states=[PayloadState.quarantined]``."""
    query = select(WebhookPayload).order_by(col(WebhookPayload.id).desc()).limit(limit)
    if states:
        query = query.where(col(WebhookPayload.state).in_([s.value for s in states]))
    with Session(engine) as session:
        return list(session.exec(query).all())
