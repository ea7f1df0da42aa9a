"""Console sessions: a reload signs the agent back in with the cookie's token, and nothing
but a valid, unexpired, unrevoked token of an active account does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from assistant.app import open_records
from assistant.settings import Settings
from assistant.users import UserStore
from assistant.users.sessions import (
    SESSION_TTL,
    open_session,
    revoke_session,
    session_user,
)

PASSWORD = "correct horse battery"


def _engine_with_ann(settings: Settings) -> Engine:
    with open_records(settings) as records:
        engine = records.queue.engine
    UserStore(engine).add("ann", "agent", PASSWORD, by="test")
    return engine


def test_a_token_signs_its_user_back_in_until_it_expires(settings: Settings) -> None:
    engine = _engine_with_ann(settings)
    now = datetime.now(UTC)
    token = open_session(engine, "ann", now)
    assert session_user(engine, token, now + timedelta(hours=1)) == "ann"
    assert session_user(engine, token, now + SESSION_TTL + timedelta(seconds=1)) is None


def test_sign_out_disable_and_a_new_password_end_the_session(settings: Settings) -> None:
    engine = _engine_with_ann(settings)
    now = datetime.now(UTC)
    users = UserStore(engine)
    signed_out, disabled, new_password = (open_session(engine, "ann", now) for _ in range(3))
    revoke_session(engine, signed_out, now)
    assert session_user(engine, signed_out, now) is None
    assert session_user(engine, disabled, now) == "ann"
    users.set_password("ann", "another long passphrase", by="ann")
    assert session_user(engine, new_password, datetime.now(UTC)) is None
    fresh = open_session(engine, "ann", datetime.now(UTC))
    users.add("ada", "admin", PASSWORD, by="test")
    users.disable("ann", by="ada")
    assert session_user(engine, fresh, datetime.now(UTC)) is None


def test_a_forged_or_stretched_token_is_refused(settings: Settings) -> None:
    engine = _engine_with_ann(settings)
    now = datetime.now(UTC)
    session_id, stamp, signature = open_session(engine, "ann", now).split(".")
    later = str(int(stamp) + 86_400)
    forged = "0" * len(signature)
    for token in (f"{session_id}.{later}.{signature}", f"{session_id}.{stamp}.{forged}", "x", ""):
        assert session_user(engine, token, now) is None
