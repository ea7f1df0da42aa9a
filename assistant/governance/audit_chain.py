"""The audit trail as a hash chain: each event's ``hash`` covers who/what/when, a digest of
its texts and the previous event's hash, so an edited, removed or inserted row breaks the
chain at that row and ``assistant audit verify`` names it.

Writers never fork the chain. Every audit insert goes through the ORM, whose hooks below
link the row after it is inserted, reading the previous row in the same transaction:
- PostgreSQL: ``before_insert`` takes a transaction-scoped advisory lock, so audit writers
  queue one at a time; ids come from the sequence after the lock, so id order is chain
  order and the previous row is committed (or rolled back, leaving a harmless id gap).
- SQLite: the INSERT itself takes the database's single write lock, held to commit.
The lock is held only until the writer's commit (decisions are short transactions).

Texts are digested with a per-row salt: retention and erasure drop the texts and the salt
(``redacted_by`` names the purge or erasure event), and the chain still verifies without
anything left that could be matched against a guessed text."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import set_committed_value

GENESIS = "0" * 64
CHAIN_LOCK = 0x5EA1_A0D1  # pg advisory lock key: one audit writer at a time
REDACTING_ACTIONS = ("retention-purge", "erasure")


def text_digest(
    salt: str | None, subject: str | None, reason: str | None, before: str | None, after: str | None
) -> str:
    body = json.dumps([salt, subject, reason, before, after], ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def link_hash(
    prev: str, at: datetime, actor: str, action: str, item_id: int | None, digest: str
) -> str:
    moment = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    body = json.dumps([prev, moment, actor, str(action), item_id, digest], ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def before_insert(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(select(text(f"pg_advisory_xact_lock({CHAIN_LOCK})")))
    target.text_salt = target.text_salt or secrets.token_hex(16)
    target.text_digest = text_digest(
        target.text_salt, target.subject, target.reason, target.before_text, target.after_text
    )


def after_insert(mapper: Mapper[Any], connection: Connection, target: Any) -> None:
    table: Any = mapper.local_table
    prev = connection.execute(
        select(table.c.hash).where(table.c.id < target.id).order_by(table.c.id.desc()).limit(1)
    ).scalar()
    prev = prev if prev is not None else GENESIS
    digest = target.text_digest
    link = link_hash(prev, target.at, target.actor, target.action, target.item_id, digest)
    connection.execute(
        update(table).where(table.c.id == target.id).values(prev_hash=prev, hash=link)
    )
    set_committed_value(target, "prev_hash", prev)
    set_committed_value(target, "hash", link)


def hash_existing(connection: Connection) -> int:
    """Link rows written before the chain existed, in id order (migration 0011)."""
    rows = connection.execute(
        text(
            "SELECT id, at, actor, action, item_id, reason, before_text, after_text "
            "FROM audit_events ORDER BY id"
        )
    ).all()
    prev = GENESIS
    for row in rows:
        salt = secrets.token_hex(16)
        digest = text_digest(salt, None, row.reason, row.before_text, row.after_text)
        at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(str(row.at))
        link = link_hash(prev, at, row.actor, row.action, row.item_id, digest)
        connection.execute(
            text(
                "UPDATE audit_events SET text_salt = :s, text_digest = :d, prev_hash = :p, "
                "hash = :h WHERE id = :id"
            ),
            {"s": salt, "d": digest, "p": prev, "h": link, "id": row.id},
        )
        prev = link
    return len(rows)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head: str  # the last event's hash: record it elsewhere to anchor the next verify
    broken_at: int | None = None  # the first event whose link does not hold
    problem: str = ""
    anchor_found: bool | None = None  # None when no anchor was asked for

    @property
    def intact(self) -> bool:
        return self.broken_at is None and self.anchor_found is not False


def verify(engine: Engine, anchor: str | None = None, batch: int = 5000) -> ChainReport:
    """Walk the chain in id order; stop at the first event that does not hold."""
    from assistant.review.models import AuditEvent

    table = AuditEvent.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        redactors = set(
            conn.execute(select(table.c.id).where(table.c.action.in_(REDACTING_ACTIONS))).scalars()
        )
    prev, checked, found = GENESIS, 0, anchor is None
    for row in _rows(engine, table, batch):
        problem = _problem(row, prev, redactors)
        if problem:
            return ChainReport(checked, prev, row.id, problem, None if anchor is None else found)
        prev, checked = row.hash, checked + 1
        found = found or row.hash == anchor
    return ChainReport(checked, prev, anchor_found=None if anchor is None else found)


def _rows(engine: Engine, table: Any, batch: int) -> Iterator[Any]:
    last = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(table).where(table.c.id > last).order_by(table.c.id).limit(batch)
            ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def _problem(row: Any, prev: str, redactors: set[int]) -> str:
    if not row.hash:
        return f"event #{row.id} has no hash: it was written outside the application"
    if row.redacted_at is None:
        digest = text_digest(
            row.text_salt, row.subject, row.reason, row.before_text, row.after_text
        )
        if digest != row.text_digest:
            return f"event #{row.id}: its texts were changed after it was written"
    elif any(v is not None for v in (row.reason, row.before_text, row.after_text, row.subject)):
        return f"event #{row.id} is marked redacted but holds text"
    elif row.redacted_by not in redactors or row.redacted_by <= row.id:
        return f"event #{row.id} was redacted without a purge or erasure event that says so"
    expected = link_hash(row.prev_hash, row.at, row.actor, row.action, row.item_id, row.text_digest)
    if expected != row.hash:
        return f"event #{row.id}: who, what or when was changed after it was written"
    if row.prev_hash != prev:
        return (
            f"event #{row.id} does not follow the event before it: an event was removed or "
            "inserted just before it"
        )
    return ""


def redact_values(by_event: int, now: datetime) -> dict[str, Any]:
    """The column values that drop an event's texts (keeping who/what/when and the chain)."""
    return {
        "reason": None,
        "before_text": None,
        "after_text": None,
        "subject": None,
        "text_salt": None,
        "redacted_at": now,
        "redacted_by": by_event,
    }
