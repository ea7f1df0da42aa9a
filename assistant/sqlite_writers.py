"""One writer at a time on an embedded SQLite database, handed over as soon as it is free.

SQLite lets one connection write at a time and makes the others poll: a blocked writer
sleeps 1, 2, 5, 10, 15, 20, 25… ms between tries, so under steady writes from another
process (``serve``'s job runner drafting while its API takes messages in) a short wait
becomes tens of milliseconds. Here every connection takes an exclusive ``flock`` on a lock
file beside the database before its first write and drops it when the transaction ends:
the kernel wakes the next writer the moment the lock is free, in any thread or process.
Reads never take it (WAL readers do not block writers). Where ``flock`` does not exist,
SQLite's own polling is all there is."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's own busy wait only
    fcntl = None  # type: ignore[assignment]

# Statements that never write. Anything else (DML, DDL, BEGIN IMMEDIATE…) takes the lock;
# a writing statement missed here only falls back to SQLite's polling.
READING = ("SELECT", "PRAGMA", "EXPLAIN")
# Threads holding the lock through some connection. A second connection in the same thread
# must not wait for it (that would wait forever): it gets SQLite's own timeout, as before.
_holders: set[int] = set()


class WriterLockedConnection(sqlite3.Connection):
    """A DB-API connection that holds the writer lock from its first write to the end of its
    transaction (commit, rollback or close)."""

    lock_fd: int | None = None
    holder: int | None = None  # the thread that took the lock

    def take_writer_lock(self) -> None:
        thread = threading.get_ident()
        if self.lock_fd is None or self.holder is not None or thread in _holders:
            return
        fcntl.flock(self.lock_fd, fcntl.LOCK_EX)  # blocks without the GIL
        self.holder = thread
        _holders.add(thread)

    def _drop_writer_lock(self) -> None:
        if self.holder is not None and self.lock_fd is not None:
            _holders.discard(self.holder)
            self.holder = None
            fcntl.flock(self.lock_fd, fcntl.LOCK_UN)

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._drop_writer_lock()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._drop_writer_lock()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._drop_writer_lock()
            if self.lock_fd is not None:
                os.close(self.lock_fd)
                self.lock_fd = None


def connect_args(path: str) -> dict[str, Any]:
    """``create_engine`` arguments that make each connection a ``WriterLockedConnection``."""
    if fcntl is None or not path or path == ":memory:":
        return {}
    return {"factory": WriterLockedConnection}


def install(engine: Engine, path: str) -> None:
    """Give each new connection its own handle on the lock file, and take the lock before
    each transaction's first write."""
    if fcntl is None or not path or path == ":memory:":
        return
    lock_path = f"{Path(path).resolve()}.writer-lock"

    @event.listens_for(engine, "connect")
    def _open_lock(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(
        conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        if not statement.lstrip()[:7].upper().startswith(READING):
            conn.connection.dbapi_connection.take_writer_lock()
