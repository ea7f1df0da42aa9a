"""Column types and statements that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import DateTime, String, Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

E = TypeVar("E", bound=StrEnum)


class UtcDateTime(TypeDecorator[datetime]):
    """Every timestamp: stored in UTC (TIMESTAMPTZ on Postgres; text on SQLite, which keeps
    no zone) and always read back timezone-aware, so no call site patches zones."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        moment = aware.astimezone(UTC)
        # SQLite stores the text as given: without the zone, so stored values sort as text.
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EnumText(TypeDecorator[E], Generic[E]):
    """A StrEnum stored as its plain value in a VARCHAR column (no database ENUM type to
    migrate when a member is added); read back as the member."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


def insert_ignoring_conflicts(conn: Connection, table: Table, values: dict[str, Any]) -> bool:
    """INSERT that does nothing when a unique key is taken; True if a row was added. The one
    place dialect-specific upsert syntax lives."""
    return bool(conn.execute(ignoring_conflicts(conn, table).values(values)).rowcount)


def ignoring_conflicts(conn: Connection, table: Table) -> Any:
    """``INSERT`` into ``table`` skipping rows whose unique key is taken. Executed with a list
    of parameter rows it is one cached statement for a whole batch (SQLAlchemy sends them as
    multi-row INSERTs), not a statement built and compiled per call."""
    match conn.dialect.name:
        case "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing()
        case "sqlite":
            return sqlite.insert(table).on_conflict_do_nothing()
        case _:
            return insert(table)


def upsert(conn: Connection, table: Table, values: dict[str, Any], keys: tuple[str, ...]) -> None:
    """INSERT, or UPDATE the row with the same ``keys``."""
    changes = {k: v for k, v in values.items() if k not in keys}
    statement: Any
    match conn.dialect.name:
        case "postgresql":
            pg = postgresql.insert(table).values(values)
            statement = pg.on_conflict_do_update(index_elements=list(keys), set_=changes)
        case _:
            lite = sqlite.insert(table).values(values)
            statement = lite.on_conflict_do_update(index_elements=list(keys), set_=changes)
    conn.execute(statement)


class DbNow(FunctionElement[datetime]):
    """The database's clock, in UTC, for stamps that order rows across processes (the
    worklist re-reads rows changed since its last read): a worker whose own clock is off
    still stamps in the database's order."""

    type = UtcDateTime()
    inherit_cache = True


@compiles(DbNow, "postgresql")
def _postgres_now(element: DbNow, compiler: SQLCompiler, **kw: Any) -> str:
    return "statement_timestamp()"


@compiles(DbNow, "sqlite")
def _sqlite_now(element: DbNow, compiler: SQLCompiler, **kw: Any) -> str:
    # The text UtcDateTime stores on SQLite (UTC, microseconds): %f is seconds.milliseconds.
    return "strftime('%Y-%m-%d %H:%M:%f000', 'now')"
