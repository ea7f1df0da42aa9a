"""Tables of the agent tools (revision 0015). Notes hang off a queue item, so retention and
erasure treat them as the item's own texts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from assistant.dbtypes import EnumText, UtcDateTime


class NoteKind(StrEnum):
    note = "note"  # an agent's remark to the team
    escalation = "escalation"  # why it went to a lead: shown first


class ItemNote(SQLModel, table=True):
    """An internal note on an item: for the team only, never part of a reply."""

    __tablename__ = "item_notes"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(index=True, foreign_key="review_items.id")
    author: str
    kind: NoteKind = Field(default=NoteKind.note, sa_type=EnumText(NoteKind))
    text: str
    created_at: datetime = Field(sa_type=UtcDateTime)


class NoteMention(SQLModel, table=True):
    """A console user named in a note with @name: listed for them until they mark it read."""

    __tablename__ = "note_mentions"

    id: int | None = Field(default=None, primary_key=True)
    note_id: int = Field(index=True, foreign_key="item_notes.id")
    item_id: int = Field(index=True, foreign_key="review_items.id")
    user_name: str = Field(index=True)
    read_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ItemSnooze(SQLModel, table=True):
    """An item kept out of the default queue until ``until``; past it, it is back."""

    __tablename__ = "item_snoozes"

    item_id: int = Field(primary_key=True, foreign_key="review_items.id")
    until: datetime = Field(index=True, sa_type=UtcDateTime)
    snoozed_by: str
    created_at: datetime = Field(sa_type=UtcDateTime)


class ItemViewer(SQLModel, table=True):
    """Who has an item open: refreshed by the page's heartbeat, stale after a short time."""

    __tablename__ = "item_viewers"

    item_id: int = Field(primary_key=True, foreign_key="review_items.id")
    user_name: str = Field(primary_key=True)
    seen_at: datetime = Field(index=True, sa_type=UtcDateTime)
