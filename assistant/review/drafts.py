"""An agent's unsent edit of an item's reply, kept in the database so a reload, a crash
or leaving the item loses nothing. One per item: editing claims the item, so only its
holder writes it. Deciding the item clears it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from assistant.dbtypes import UtcDateTime, upsert


class ItemDraft(SQLModel, table=True):
    __tablename__ = "item_drafts"

    item_id: int = Field(primary_key=True, foreign_key="review_items.id")
    text: str
    author: str
    updated_at: datetime = Field(sa_type=UtcDateTime)


@dataclass(frozen=True)
class SavedDraft:
    text: str
    author: str
    updated_at: datetime


def save_draft(engine: Engine, item_id: int, text: str, author: str, now: datetime) -> None:
    table = ItemDraft.__table__  # type: ignore[attr-defined]
    values = {"item_id": item_id, "text": text, "author": author, "updated_at": now}
    with engine.begin() as conn:
        upsert(conn, table, values, ("item_id",))


def saved_draft(engine: Engine, item_id: int) -> SavedDraft | None:
    table = ItemDraft.__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.item_id == item_id)).first()
    return None if row is None else SavedDraft(row.text, row.author, row.updated_at)


def drop_draft(engine: Engine, item_id: int) -> None:
    table = ItemDraft.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(delete(table).where(table.c.item_id == item_id))
