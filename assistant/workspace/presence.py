"""Who is viewing an item: the open item page sends a heartbeat every few seconds; a
viewer not heard from for ``VIEWING_TTL`` is gone by itself (a closed tab, a lost network)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from assistant.dbtypes import upsert
from assistant.workspace.models import ItemViewer

HEARTBEAT_SECONDS = 10
VIEWING_TTL = timedelta(seconds=30)  # three missed heartbeats
_VIEWERS = ItemViewer.__table__  # type: ignore[attr-defined]


def heartbeat(engine: Engine, item_id: int, user: str, now: datetime) -> None:
    """``user`` has ``item_id`` open now (and no other item: one page at a time)."""
    values = {"item_id": item_id, "user_name": user, "seen_at": now}
    with engine.begin() as conn:
        conn.execute(
            delete(_VIEWERS).where(_VIEWERS.c.user_name == user, _VIEWERS.c.item_id != item_id)
        )
        conn.execute(delete(_VIEWERS).where(_VIEWERS.c.seen_at < now - VIEWING_TTL))
        upsert(conn, _VIEWERS, values, ("item_id", "user_name"))


def leave(engine: Engine, user: str) -> None:
    """``user`` left the item pages (back to the queue, signed out)."""
    with engine.begin() as conn:
        conn.execute(delete(_VIEWERS).where(_VIEWERS.c.user_name == user))


def viewers(
    engine: Engine, now: datetime, item_ids: list[int] | None = None
) -> dict[int, list[str]]:
    """item id → who is viewing it (heard from within ``VIEWING_TTL``), names sorted."""
    query = select(_VIEWERS.c.item_id, _VIEWERS.c.user_name).where(
        _VIEWERS.c.seen_at >= now - VIEWING_TTL
    )
    if item_ids is not None:
        query = query.where(_VIEWERS.c.item_id.in_(item_ids))
    found: dict[int, list[str]] = defaultdict(list)
    with engine.connect() as conn:
        for row in conn.execute(query.order_by(_VIEWERS.c.user_name)):
            found[row.item_id].append(row.user_name)
    return dict(found)
