"""Forgetting LangGraph threads: the checkpoints hold the message and the draft too."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from assistant.checkpoints import SqliteCheckpoints


async def forget_threads(saver: BaseCheckpointSaver[Any], thread_ids: Iterable[str]) -> int:
    """Delete every checkpoint of each thread, many threads per statement (one
    ``adelete_thread`` each costs ~0.6 ms on SQLite: ten minutes for a million threads).
    On the embedded SQLite saver the deleted bytes are zeroed (secure_delete)."""
    ids = [str(t) for t in thread_ids]
    if not ids:
        return 0
    if isinstance(saver, SqliteCheckpoints):
        await asyncio.to_thread(_delete_sqlite_threads, saver, ids)
        return len(ids)
    try:
        await saver.aprune(ids, strategy="delete")  # Postgres: one batch
    except NotImplementedError:
        for thread_id in ids:
            await saver.adelete_thread(thread_id)
    return len(ids)


def _delete_sqlite_threads(saver: SqliteCheckpoints, ids: list[str]) -> None:
    """``delete_thread``'s own statements, for a batch of threads at once."""
    marks = ",".join("?" * len(ids))
    with saver.cursor() as cur:  # sets up a fresh data folder's tables; commits
        cur.execute("PRAGMA secure_delete=ON")  # a saver opened elsewhere
        cur.execute(f"DELETE FROM checkpoints WHERE thread_id IN ({marks})", ids)
        cur.execute(f"DELETE FROM writes WHERE thread_id IN ({marks})", ids)


async def flush_saver(saver: BaseCheckpointSaver[Any]) -> None:
    """Fold the SQLite saver's write-ahead log into the file and truncate it, so deleted
    checkpoints leave no copy in the WAL."""
    if not isinstance(saver, SqliteCheckpoints):
        return

    def truncate_wal() -> bool:
        with saver.lock:
            saver.conn.commit()
            row = saver.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return row is None or not row[0]

    for attempt in range(20):  # busy while a reader holds an older snapshot: wait, retry
        if await asyncio.to_thread(truncate_wal):
            return
        await asyncio.sleep(0.05 * (attempt + 1))
