"""Snooze: an item leaves the default queue until a time, then comes back by itself (the
queue compares with the clock when it is read; nothing has to wake it). Audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from assistant.dbtypes import upsert
from assistant.errors import ConfigError, ConflictError
from assistant.review.models import AuditAction, ItemStatus
from assistant.review.queue import Queue
from assistant.users.actor import Actor
from assistant.users.roles import Permission
from assistant.workspace.models import ItemSnooze

_SNOOZES = ItemSnooze.__table__  # type: ignore[attr-defined]


def snoozed_until(engine: Engine, now: datetime) -> dict[int, datetime]:
    """Items snoozed past ``now``: item id → until (one small read)."""
    query = select(_SNOOZES.c.item_id, _SNOOZES.c.until).where(_SNOOZES.c.until > now)
    with engine.connect() as conn:
        return {row.item_id: row.until for row in conn.execute(query)}


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


R = TypeVar("R", bound=_HasId)


def awake(rows: Iterable[R], snoozed: dict[int, datetime]) -> list[R]:
    """Queue rows without the snoozed ones."""
    return [r for r in rows if r.id not in snoozed]


class SnoozeService:
    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    def snooze(self, actor: Actor, item_id: int, until: datetime, now: datetime) -> datetime:
        actor.require(Permission.decide)
        if until <= now:
            raise ConfigError(f"Item #{item_id}: snooze until a time in the future.")
        item = self.queue.get(item_id)
        if not ItemStatus(item.status).open:
            raise ConflictError(f"Item #{item_id} is {item.status}; only open items can snooze.")
        values = {"item_id": item_id, "until": until, "snoozed_by": actor.name, "created_at": now}
        with self.queue.engine.begin() as conn:
            upsert(conn, _SNOOZES, values, ("item_id",))
        self.queue.audit(
            item_id, actor.name, AuditAction.snooze, reason=f"until {until.isoformat()}"
        )
        return until

    def wake(self, actor: Actor, item_id: int) -> bool:
        """Back in the queue now; False when it was not snoozed."""
        actor.require(Permission.decide)
        with self.queue.engine.begin() as conn:
            gone = conn.execute(delete(_SNOOZES).where(_SNOOZES.c.item_id == item_id)).rowcount
        if gone:
            self.queue.audit(item_id, actor.name, AuditAction.unsnooze)
        return bool(gone)
