"""The embedded database's writer lock: taken at a transaction's first write, held to its
end, never by reads, and never waited for by the thread that holds it."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from assistant.db import make_engine


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return make_engine(tmp_path / "assistant.db")


@pytest.fixture
def probe(tmp_path: Path) -> Iterator[int]:
    fd = os.open(tmp_path / "assistant.db.writer-lock", os.O_RDWR | os.O_CREAT)
    yield fd
    os.close(fd)


def _free(fd: int) -> bool:
    """Whether another process could take the writer lock now."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    fcntl.flock(fd, fcntl.LOCK_UN)
    return True


def test_a_write_holds_the_lock_until_commit_and_a_read_never_takes_it(
    engine: Engine, probe: int
) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM review_items")).scalar()
        assert _free(probe)
        conn.execute(text("CREATE TABLE IF NOT EXISTS scratch (n INTEGER)"))
        conn.commit()
        conn.execute(text("INSERT INTO scratch VALUES (1)"))
        assert not _free(probe)
        conn.commit()
        assert _free(probe)


@pytest.mark.parametrize("ending", ["rollback", "close"])
def test_a_transaction_ended_without_commit_lets_the_lock_go(
    engine: Engine, probe: int, ending: str
) -> None:
    conn = engine.connect()
    conn.execute(text("CREATE TABLE IF NOT EXISTS scratch (n INTEGER)"))
    conn.commit()
    conn.execute(text("INSERT INTO scratch VALUES (1)"))
    assert not _free(probe)
    conn.rollback() if ending == "rollback" else conn.close()
    assert _free(probe)
    conn.close()


def test_writers_in_other_threads_wait_their_turn_and_every_write_lands(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE scratch (n INTEGER)"))

    def write(n: int) -> None:
        for i in range(20):
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO scratch VALUES (:n)"), {"n": n * 100 + i})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM scratch")).scalar() == 80


def test_a_second_connection_in_the_holding_thread_does_not_wait_for_the_lock(
    engine: Engine, probe: int
) -> None:
    first, second = engine.raw_connection(), engine.raw_connection()
    try:
        first.driver_connection.take_writer_lock()  # type: ignore[union-attr]
        second.driver_connection.take_writer_lock()  # type: ignore[union-attr]  # returns
        assert not _free(probe)
        assert second.driver_connection.holder is None  # type: ignore[union-attr]
        first.rollback()
        assert _free(probe)
    finally:
        first.close()
        second.close()
