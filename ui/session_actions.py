"""Signing in and out of the console, and the sign-in cookie's session (see ``actions``)."""

from __future__ import annotations

from datetime import UTC, datetime

from actions import load_settings

from assistant.app import open_records
from assistant.review.models import AuditAction
from assistant.users import UserStore
from assistant.users.sessions import SESSION_TTL, open_session, revoke_session, session_user

SESSION_SECONDS = int(SESSION_TTL.total_seconds())


def sign_in(name: str, password: str) -> tuple[str, str]:
    """(user name, session token), or AuthError with one message for every failure."""
    with open_records(load_settings()) as records:
        engine = records.queue.engine
        user = UserStore(engine).authenticate(name, password)
        return user.name, open_session(engine, user.name, datetime.now(UTC))


def resume_session(token: str) -> str | None:
    """The user a stored token still signs in (None: expired, revoked, disabled, forged)."""
    with open_records(load_settings()) as records:
        return session_user(records.queue.engine, token, datetime.now(UTC))


def sign_out(name: str, token: str | None = None) -> list[int]:
    """End the session and release the items the user held so nobody waits on someone
    who left."""
    with open_records(load_settings()) as records:
        if token:
            revoke_session(records.queue.engine, token, datetime.now(UTC))
        released = records.queue.release_all(name)
        records.queue.audit(None, name, AuditAction.sign_out)
    return released
