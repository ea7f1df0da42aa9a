"""Channels whose credentials were refused (``SendOutcome.reconnect``): recorded so the
console can say so, their sends held (pending, probed again later) until they work again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assistant.dbtypes import upsert
from assistant.review.models import ChannelHealth


class Reconnects:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def mark(self, channel_key: str, reason: str, now: datetime) -> None:
        values = {"channel_key": channel_key, "reconnect_since": now, "reason": reason}
        with self.engine.begin() as conn:
            upsert(conn, ChannelHealth.__table__, values, ("channel_key",))  # type: ignore[attr-defined]

    def clear(self, channel_key: str) -> None:
        """The channel was reconnected (the first delivery on it afterwards also clears it)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(ChannelHealth.__table__)  # type: ignore[attr-defined]
                .where(col(ChannelHealth.channel_key) == channel_key)
                .values(reconnect_since=None, reason=None)
            )

    def needing(self) -> list[ChannelHealth]:
        query = select(ChannelHealth).where(col(ChannelHealth.reconnect_since).is_not(None))
        with Session(self.engine) as session:
            return list(session.exec(query).all())
