"""LangGraph checkpoints: SQLite beside the embedded database, Postgres at scale.

The Postgres tables are created by ``assistant db upgrade`` (``setup()`` must not run per
start nor inside a transaction), never here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
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


@asynccontextmanager
async def open_checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    url = database_url(settings)
    if not is_postgres(url):
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        async with AsyncSqliteSaver.from_conn_string(str(settings.checkpoint_path)) as saver:
            # As for the records: replaced and deleted checkpoints leave no readable bytes.
            await saver.conn.execute("PRAGMA secure_delete=ON")
            # As for the records (db.py): in WAL mode NORMAL survives an application crash;
            # only an OS crash or power loss can drop the last commits, and a thread without
            # its checkpoint is run again or redelivered from its queue item (runs.resume).
            # FULL cost an fsync per checkpoint write on the pipeline's path.
            await saver.conn.execute("PRAGMA synchronous=NORMAL")
            yield saver
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
