"""What the agent workspace keeps beside a queue item (internal notes and their mentions,
unsent edits, follow-ups, snoozes, who viewed it): erased with the item, and its texts
purged with the item's by retention."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.engine import Connection
from sqlmodel import col

from assistant.review.drafts import ItemDraft
from assistant.review.follow_ups import FollowUp
from assistant.workspace.models import ItemNote, ItemSnooze, ItemViewer, NoteMention


def erase_item_extras(conn: Connection, item_ids: list[int]) -> None:
    """Delete every workspace row of these items (before the items: they reference them)."""
    for model in (NoteMention, ItemNote, ItemDraft, FollowUp, ItemSnooze, ItemViewer):
        conn.execute(delete(model).where(col(model.item_id).in_(item_ids)))


def purge_item_extras(conn: Connection, item_ids: list[int]) -> int:
    """Closed items past their period: note texts emptied (the rows, authors and times stay
    for the figures), unsent edits and viewers dropped. Returns the notes emptied."""
    for model in (ItemDraft, ItemViewer, ItemSnooze):
        conn.execute(delete(model).where(col(model.item_id).in_(item_ids)))
    result = conn.execute(
        update(ItemNote)
        .where(col(ItemNote.item_id).in_(item_ids), col(ItemNote.text) != "")
        .values(text="")
    )
    return int(result.rowcount)
