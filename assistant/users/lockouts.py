"""Failed sign-ins for names that have no account, kept in the database so every console
process agrees on a lockout. A name typed into the sign-in box may be a password, so it is
never stored: the key is an HMAC-SHA256 of the lowercased name with a per-install secret
(itself stored in the database, created once by whichever process needs it first)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, SQLModel

from assistant.dbtypes import UtcDateTime, insert_ignoring_conflicts

NAME_KEY_SECRET = "sign-in-name-key"


class InstallSecret(SQLModel, table=True):
    """Random values made once per install (one database), shared by its processes."""

    __tablename__ = "install_secrets"

    name: str = Field(primary_key=True)
    value: str


class UnknownNameFailure(SQLModel, table=True):
    __tablename__ = "unknown_name_failures"

    name_key: str = Field(primary_key=True)  # HMAC-SHA256 hex of the lowercased name
    attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    updated_at: datetime = Field(index=True, sa_type=UtcDateTime)


def install_secret(conn: Connection, name: str) -> bytes:
    """The install's random secret called ``name``, made on first use."""
    table = InstallSecret.__table__  # type: ignore[attr-defined]
    fresh = {"name": name, "value": secrets.token_hex(32)}
    insert_ignoring_conflicts(conn, table, fresh)  # a racing process's value wins the same
    value = conn.execute(select(table.c.value).where(table.c.name == name)).scalar()
    return bytes.fromhex(str(value))


def name_key(conn: Connection, handle: str) -> str:
    secret = install_secret(conn, NAME_KEY_SECRET)
    return hmac.new(secret, handle.encode("utf-8"), hashlib.sha256).hexdigest()


def fail_unknown_name(
    engine: Engine, handle: str, now: datetime, max_attempts: int, lockout: timedelta
) -> bool:
    """Record a failed sign-in for ``handle``; True if it was locked out before this one.
    Same rule as real accounts, so a lockout message does not reveal whether a name exists.
    Rows idle longer than ``lockout`` are dropped: old typos are forgotten."""
    table = UnknownNameFailure.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        key = name_key(conn, handle)
        this = table.c.name_key == key
        conn.execute(delete(table).where(table.c.updated_at < now - lockout))
        insert_ignoring_conflicts(conn, table, {"name_key": key, "attempts": 0, "updated_at": now})
        # Counted by the database itself, so two processes never lose an attempt.
        not_locked = or_(table.c.locked_until.is_(None), table.c.locked_until <= now)
        conn.execute(
            update(table)
            .where(this, not_locked)
            .values(attempts=table.c.attempts + 1, updated_at=now)
        )
        row = conn.execute(select(table.c.attempts, table.c.locked_until).where(this)).one()
        if row.locked_until is not None and row.locked_until > now:
            return True
        if row.attempts >= max_attempts:
            conn.execute(update(table).where(this).values(attempts=0, locked_until=now + lockout))
        return False
