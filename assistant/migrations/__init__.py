"""Alembic migrations, shipped inside the package and run with ``assistant db upgrade``.

A revision that shipped is never edited; a schema change is a new revision. Revision 0001
is the schema as it was before Alembic (``main`` on 2026-11-25): a database from then is
recognised and stamped 0001 before the later revisions run."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, func, inspect, select
from sqlalchemy.engine import Engine

from assistant.errors import ConfigError

HERE = Path(__file__).parent
# Taken by every `db upgrade` on Postgres, so two deploys never migrate at once.
ADVISORY_LOCK = 0x5EA1_7001
LEGACY_TABLE = "schema_migrations"  # the pre-Alembic registry


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    found = ScriptDirectory.from_config(config()).get_current_head()
    assert found is not None
    return found


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Apply every pending revision; returns (revision before, revision after)."""
    with engine.connect() as probe:
        if current(probe) == head():  # the usual case: nothing to do, no lock taken
            return head(), head()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK)))
        before = current(conn)
        tables = inspect(conn).get_table_names()
        if before is None and LEGACY_TABLE in tables:
            _adopt_legacy(conn, tables)
            before = "0001"
        command.upgrade(config(conn), "head")
        return before, head()


def _adopt_legacy(conn: Connection, tables: list[str]) -> None:
    """A database from before Alembic holds revision 0001, except that the oldest lack the
    users table (their registry's second step)."""
    if "users" not in tables:
        from assistant.users.models import User  # same DDL as revision 0001's users

        User.__table__.create(conn)  # type: ignore[attr-defined]
    command.stamp(config(conn), "0001")


def require_current(engine: Engine) -> None:
    with engine.connect() as conn:
        found = current(conn)
    if found != head():
        raise ConfigError(
            f"The database is at schema revision {found or 'none'}, this version needs "
            f"{head()}. Run 'assistant db upgrade' (once per deploy), then start again."
        )
