"""Forgetting LangGraph threads: the checkpoints hold the message and the draft too."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver


async def forget_threads(saver: BaseCheckpointSaver[Any], thread_ids: Iterable[str]) -> int:
    """Delete every checkpoint of each thread; on the embedded SQLite saver the deleted
    bytes are zeroed (secure_delete) rather than left in free pages."""
    conn = getattr(saver, "conn", None)
    sqlite = conn is not None and type(conn).__module__.startswith("aiosqlite")
    if sqlite:
        await conn.execute("PRAGMA secure_delete=ON")  # type: ignore[union-attr]
    count = 0
    for thread_id in thread_ids:
        await saver.adelete_thread(thread_id)
        count += 1
    return count


async def flush_saver(saver: BaseCheckpointSaver[Any]) -> None:
    """Fold the SQLite saver's write-ahead log into the file and truncate it, so deleted
    checkpoints leave no copy in the WAL."""
    conn = getattr(saver, "conn", None)
    if conn is not None and type(conn).__module__.startswith("aiosqlite"):
        await conn.commit()
        await conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
