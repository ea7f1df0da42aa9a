"""The database: one URL (SQLite by default, PostgreSQL at scale), engine set-up, and the
schema kept current by Alembic (``assistant/migrations``)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

from assistant import sqlite_writers
from assistant.settings import Settings

log = logging.getLogger("assistant.db")
T = TypeVar("T")


def database_url(settings: Settings) -> str:
    return settings.database_url or f"sqlite:///{settings.database_path.resolve()}"


def make_engine(target: Path | str, *, auto_upgrade: bool = True) -> Engine:
    """An engine for a SQLite file path or a database URL.

    An embedded SQLite database is brought up to date here (one machine, one user: no
    deploy step to forget). A server database is migrated only by ``assistant db upgrade``;
    opening one that is behind raises ConfigError saying so."""
    from assistant.migrations import require_current, upgrade

    url = make_url(f"sqlite:///{target}" if isinstance(target, Path) else target)
    if url.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url.database or "")
        if auto_upgrade:
            upgrade(engine)
        return engine
    # A small pool per process: see docs/deploy.md for the connection budget.
    engine = create_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True)
    if auto_upgrade:
        require_current(engine)
    return engine


def _sqlite_engine(path: str) -> Engine:
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={
            "check_same_thread": False,
            "timeout": 30,
            **sqlite_writers.connect_args(path),
        },
    )
    sqlite_writers.install(engine, path)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        # WAL lets the console read while a worker writes; busy_timeout waits out short locks.
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL survives an application crash; only an OS crash or power loss
        # can drop the last commits, and a message id seen again is then simply reprocessed.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted and overwritten bytes are zeroed, not left in free space: an erasure must
        # not stay readable in the file (an update without it leaves the old row's bytes).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return engine


def fold_wal(engine: Engine, attempts: int = 20) -> bool:
    """Fold SQLite's write-ahead log into the file and truncate it: old page versions (the
    text a purge or an erasure removed) stay in its frames until then. A reader on an older
    snapshot makes the checkpoint report busy instead of raising; wait for it and try again.
    False if it never completed (the old frames go at the next checkpoint)."""
    if engine.dialect.name != "sqlite":
        return True
    for attempt in range(attempts):
        with engine.connect() as conn:
            busy = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()[0]
        if not busy:
            return True
        time.sleep(0.05 * (attempt + 1))
    log.warning("the write-ahead log could not be folded in: a reader held an old snapshot")
    return False


def records_engine(settings: Settings) -> Engine:
    """The process's engine for ``settings``' database (built and checked once)."""
    return _cached_engine(database_url(settings))


@lru_cache(maxsize=8)
def _cached_engine(url: str) -> Engine:
    # The console reads on every click, and setting up an engine cost more than the reads.
    return make_engine(url)


_embedded_thread: ThreadPoolExecutor | None = None
_embedded_guard = threading.Lock()


async def off_loop(engine: Engine, call: Callable[..., T], *args: Any) -> T:
    """Database work off the event loop. On an embedded SQLite database it all goes to one
    thread: the file takes one writer at a time anyway, and threads queueing for it (and for
    the interpreter lock, held by a writer descheduled mid-transaction) only add waits. A
    server database gets the default pool: its writers do run at once."""
    global _embedded_thread
    if engine.dialect.name != "sqlite":
        return await asyncio.to_thread(call, *args)
    with _embedded_guard:
        if _embedded_thread is None:
            _embedded_thread = ThreadPoolExecutor(1, thread_name_prefix="embedded-db")
    return await asyncio.get_running_loop().run_in_executor(_embedded_thread, partial(call, *args))
