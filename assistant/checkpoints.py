"""LangGraph checkpoints: SQLite beside the embedded database, Postgres at scale.

The Postgres tables are created by ``assistant db upgrade`` (``setup()`` must not run per
start nor inside a transaction), never here."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager, closing
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    DeltaChannelHistory,
)
from langgraph.checkpoint.sqlite import SqliteSaver
from sqlalchemy.engine import make_url

from assistant.db import database_url
from assistant.settings import Settings

POOL_SIZE = 4  # one saver serialises its queries anyway: scale with processes


def psycopg_conninfo(url: str) -> str:
    """A libpq connection string from a SQLAlchemy ``postgresql+psycopg://`` URL."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


class SqliteCheckpoints(SqliteSaver):
    """The SQLite saver with each async call made in one trip to a worker thread.

    ``AsyncSqliteSaver`` goes through aiosqlite, which crosses to its thread and back for
    every cursor, statement, fetch and commit: about 14 crossings per message, each a
    wake-up of two threads. Here a read or a write is one crossing, holding the saver's
    lock as the sync saver does. Same tables and rows as ``AsyncSqliteSaver``."""

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await asyncio.to_thread(self.get_tuple, config)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        def listed() -> list[CheckpointTuple]:
            return list(self.list(config, filter=filter, before=before, limit=limit))

        for item in await asyncio.to_thread(listed):
            yield item

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return await asyncio.to_thread(self.put, config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await asyncio.to_thread(self.put_writes, config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        await asyncio.to_thread(self.delete_thread, thread_id)

    async def aget_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        return await asyncio.to_thread(
            self.get_delta_channel_history, config=config, channels=channels
        )


@asynccontextmanager
async def open_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    url = database_url(settings)
    if not is_postgres(url):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(settings.checkpoint_path), check_same_thread=False)
        with closing(conn):
            # As for the records: replaced and deleted checkpoints leave no readable bytes.
            conn.execute("PRAGMA secure_delete=ON")
            # As for the records (db.py): in WAL mode NORMAL survives an application crash;
            # only an OS crash or power loss can drop the last commits, and a thread without
            # its checkpoint is run again or redelivered from its queue item (runs.resume).
            # FULL cost an fsync per checkpoint write on the pipeline's path.
            conn.execute("PRAGMA synchronous=NORMAL")
            yield SqliteCheckpoints(conn)
        return
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
        psycopg_conninfo(url),
        max_size=POOL_SIZE,
        open=False,
        kwargs={"autocommit": True, "row_factory": dict_row, "prepare_threshold": 0},
    )
    await pool.open()
    try:
        yield AsyncPostgresSaver(pool)
    finally:
        await pool.close()


def setup_postgres_checkpoints(url: str) -> None:
    """Create or upgrade the checkpoint tables (its own autocommit connection: the package's
    migrations include CREATE INDEX CONCURRENTLY)."""
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row

    with psycopg.connect(
        psycopg_conninfo(url), autocommit=True, prepare_threshold=0, row_factory=dict_row
    ) as conn:
        PostgresSaver(conn).setup()
