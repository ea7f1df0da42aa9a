"""Promises a sent reply made on the team's behalf ("a person will reply here within one
business day") become follow-ups with their own deadline, so the promise is tracked after
the item itself is closed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from assistant.dbtypes import UtcDateTime

# "...passed it to a person on our team, and they'll reply here within one business day"
_PROMISE = re.compile(
    r"\b(?:a\s+person|a\s+teammate|someone|a\s+member\s+of\s+(?:our|the)\s+team)\b"
    r"[^.!?]{0,80}?\breply\b[^.!?]{0,40}?\bwithin\s+(one|1|two|2|three|3)\s+business\s+days?\b",
    re.IGNORECASE,
)
_DAYS = {"one": 1, "1": 1, "two": 2, "2": 2, "three": 3, "3": 3}


class FollowUp(SQLModel, table=True):
    __tablename__ = "follow_ups"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(index=True, foreign_key="review_items.id")
    customer_key: str
    promise: str  # the words that made it
    due_at: datetime = Field(sa_type=UtcDateTime)
    created_by: str
    created_at: datetime = Field(sa_type=UtcDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    done_by: str | None = None


@dataclass(frozen=True)
class Promise:
    words: str
    business_days: int


def promised_follow_up(text: str) -> Promise | None:
    found = _PROMISE.search(text)
    return None if found is None else Promise(found.group(0), _DAYS[found.group(1).lower()])


def add_business_days(start: datetime, days: int) -> datetime:
    moment = start
    while days:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment


def open_follow_up(
    engine: Engine, item_id: int, customer_key: str, text: str, by: str, now: datetime
) -> FollowUp | None:
    """A follow-up for ``text`` if it promises one, else None."""
    promise = promised_follow_up(text)
    if promise is None:
        return None
    row = FollowUp(
        item_id=item_id,
        customer_key=customer_key,
        promise=promise.words,
        due_at=add_business_days(now, promise.business_days),
        created_by=by,
        created_at=now,
    )
    table = FollowUp.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        values = row.model_dump(exclude={"id"})
        inserted = conn.execute(table.insert().values(values)).inserted_primary_key
        row.id = int(inserted[0]) if inserted else None
    return row


def open_follow_ups(engine: Engine) -> list[FollowUp]:
    """Follow-ups not done yet, earliest deadline first."""
    table = FollowUp.__table__  # type: ignore[attr-defined]
    query = select(table).where(table.c.done_at.is_(None)).order_by(table.c.due_at)
    with engine.connect() as conn:
        return [FollowUp.model_validate(dict(r._mapping)) for r in conn.execute(query)]


def close_follow_up(engine: Engine, follow_up_id: int, by: str, now: datetime) -> bool:
    table = FollowUp.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        result = conn.execute(
            update(table)
            .where(table.c.id == follow_up_id, table.c.done_at.is_(None))
            .values(done_at=now, done_by=by)
        )
    return bool(result.rowcount)
