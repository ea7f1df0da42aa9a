"""Console sign-in that survives a reload: a signed token, kept by the browser as a cookie.

The token is ``<session id>.<expiry>.<signature>``; the signature is an HMAC-SHA256 with a
per-install secret, so a token cannot be forged or its expiry stretched. The session row
makes it revocable: signing out, disabling the account or changing its password ends it,
whatever the browser still holds."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from assistant.dbtypes import UtcDateTime
from assistant.users.lockouts import install_secret
from assistant.users.models import User

SESSION_SECRET = "console-session-key"
SESSION_TTL = timedelta(hours=12)  # a working day; signing in again after that is expected


class ConsoleSession(SQLModel, table=True):
    __tablename__ = "console_sessions"

    id: str = Field(primary_key=True)  # random, 32 hex characters
    user_name: str = Field(index=True)
    created_at: datetime = Field(sa_type=UtcDateTime)
    expires_at: datetime = Field(sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


def _signature(secret: bytes, session_id: str, user: str, expires: int) -> str:
    payload = f"{session_id}.{user}.{expires}".encode()
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


def open_session(engine: Engine, user: str, now: datetime) -> str:
    """A new session for ``user``; returns the token for the browser."""
    session_id = secrets.token_hex(16)
    expires = now + SESSION_TTL
    stamp = int(expires.timestamp())
    table = ConsoleSession.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        secret = install_secret(conn, SESSION_SECRET)
        conn.execute(
            table.insert().values(id=session_id, user_name=user, created_at=now, expires_at=expires)
        )
    return f"{session_id}.{stamp}.{_signature(secret, session_id, user, stamp)}"


def session_user(engine: Engine, token: str, now: datetime) -> str | None:
    """The user a token signs in, or None: malformed, forged, expired, revoked, or the
    account is gone or disabled."""
    session_id, _, rest = token.partition(".")
    stamp, _, signature = rest.partition(".")
    if not (session_id and stamp.isascii() and stamp.isdigit() and signature):
        return None
    table = ConsoleSession.__table__  # type: ignore[attr-defined]
    users = User.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        row = conn.execute(select(table).where(table.c.id == session_id)).first()
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            return None
        secret = install_secret(conn, SESSION_SECRET)
        expected = _signature(secret, session_id, row.user_name, int(stamp))
        if not hmac.compare_digest(expected, signature) or int(stamp) != int(
            row.expires_at.timestamp()
        ):
            return None
        account = select(users.c.disabled_at).where(users.c.name == row.user_name)
        found = conn.execute(account).first()
        if found is None or found.disabled_at is not None:
            return None
    return str(row.user_name)


def revoke_session(engine: Engine, token: str, now: datetime) -> None:
    table = ConsoleSession.__table__  # type: ignore[attr-defined]
    session_id = token.partition(".")[0]
    with engine.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.id == session_id, table.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def revoke_sessions(engine: Engine, user: str, now: datetime) -> int:
    """End every session of ``user`` (account disabled, password changed); how many."""
    table = ConsoleSession.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        result = conn.execute(
            update(table)
            .where(table.c.user_name == user, table.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    return int(result.rowcount)
