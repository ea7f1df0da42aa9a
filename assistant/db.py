"""The SQLite database: engine set-up and named, recorded migrations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel, create_engine

import assistant.knowledge.order_store
import assistant.review.models  # noqa: F401  (registers the tables)
from assistant.knowledge.proposals import FaqProposal
from assistant.users.models import User


def _initial(conn: Connection) -> None:
    SQLModel.metadata.create_all(conn)


def _users(conn: Connection) -> None:
    User.metadata.tables["users"].create(conn, checkfirst=True)


def _faq_proposals(conn: Connection) -> None:
    FaqProposal.metadata.tables["faq_proposals"].create(conn, checkfirst=True)


# Append only: a migration that shipped is never edited, a new one is added.
MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("0001_initial", _initial),
    ("0002_users", _users),
    ("0003_faq_proposals", _faq_proposals),
]


def make_engine(path: Path) -> Engine:
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30}
    )

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
        cursor.close()

    migrate(engine)
    return engine


def migrate(engine: Engine) -> list[str]:
    """Apply pending migrations in order; returns the names applied."""
    applied: list[str] = []
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
        )
        done = {row[0] for row in conn.execute(text("SELECT name FROM schema_migrations"))}
        for name, step in MIGRATIONS:
            if name in done:
                continue
            step(conn)
            conn.execute(
                text("INSERT INTO schema_migrations VALUES (:n, :t)"),
                {"n": name, "t": datetime.now(UTC).isoformat()},
            )
            applied.append(name)
    return applied
