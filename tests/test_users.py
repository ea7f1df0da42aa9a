"""Console users: passwords, sign-in, lockout, roles, the audit trail and `assistant users`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.db import make_engine
from assistant.errors import AuthError, ConfigError, ConflictError, ForbiddenError
from assistant.review.models import AuditEvent
from assistant.settings import Settings
from assistant.users import Permission, Role, UserStore, require, role_can
from assistant.users import store as store_module
from assistant.users.passwords import hash_password, verify_password

runner = CliRunner()
PASSWORD = "plum-kettle-orbit-42"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return make_engine(tmp_path / "assistant.db")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def users(engine: Engine, clock: Clock) -> UserStore:
    store = UserStore(engine, clock=clock)
    store.add("admin", Role.admin, "admin-password-1", by="setup")
    return store


def _audit(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all())


def _failure(store: UserStore, name: str, password: str) -> str:
    with pytest.raises(AuthError) as caught:
        store.authenticate(name, password)
    return str(caught.value)


# -- passwords -------------------------------------------------------------------------------


def test_a_password_is_stored_as_a_salted_scrypt_hash_that_verifies() -> None:
    stored = hash_password(PASSWORD)
    again = hash_password(PASSWORD)

    assert PASSWORD not in stored
    assert stored.startswith("scrypt$16384$8$1$")
    assert stored != again  # a fresh salt every time
    assert verify_password(PASSWORD, stored) and verify_password(PASSWORD, again)
    assert not verify_password(PASSWORD + "x", stored)
    assert not verify_password(PASSWORD, stored.replace("scrypt$16384", "scrypt$4194304"))
    assert not verify_password(PASSWORD, "not a hash")


def test_a_short_password_is_refused_with_what_is_needed_and_not_echoed(
    users: UserStore,
) -> None:
    with pytest.raises(ConfigError, match="at least 10 characters") as caught:
        users.add("maya", Role.agent, "hunter2", by="admin")

    assert "hunter2" not in str(caught.value)
    with pytest.raises(ConfigError, match="cannot be the user name"):
        users.add("maya.rivera", Role.agent, "Maya.Rivera", by="admin")


# -- signing in ------------------------------------------------------------------------------


def test_the_right_password_signs_in_whatever_the_case_of_the_name(users: UserStore) -> None:
    users.add("Maya", Role.agent, PASSWORD, by="admin", display_name="Maya Rivera")

    user = users.authenticate("  MAYA ", PASSWORD)

    assert user.name == "maya" and user.role == Role.agent and user.label == "Maya Rivera"
    assert user.last_sign_in_at is not None
    with pytest.raises(ConflictError, match="already a user named 'maya'"):
        users.add("maya", Role.lead, PASSWORD, by="admin")


def test_wrong_password_unknown_name_and_disabled_account_get_the_same_message(
    users: UserStore,
) -> None:
    users.add("maya", Role.agent, PASSWORD, by="admin")
    users.add("olu", Role.agent, PASSWORD, by="admin")
    users.disable("olu", by="admin")

    wrong = _failure(users, "maya", "not-her-password")
    unknown = _failure(users, "nobody", PASSWORD)
    disabled = _failure(users, "olu", PASSWORD)

    assert wrong == unknown == disabled
    assert "password" in wrong
    # The trail says what really happened, for the people who may read it.
    reasons = [e.reason for e in _audit(users.engine) if e.action == "sign-in-failed"]
    assert reasons == ["wrong password", "unknown user name", "account disabled"]


def test_an_unknown_name_costs_one_password_hash_like_a_real_one(
    users: UserStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = store_module.verify_password

    def counting(password: str, stored: str) -> bool:
        checked.append(stored)
        return real(password, stored)

    monkeypatch.setattr(store_module, "verify_password", counting)
    _failure(users, "nobody", PASSWORD)
    _failure(users, "admin", PASSWORD)

    assert len(checked) == 2
    assert all(stored.startswith("scrypt$16384$8$1$") for stored in checked)


def test_five_failed_sign_ins_lock_the_name_out_for_fifteen_minutes(
    users: UserStore, clock: Clock
) -> None:
    users.add("maya", Role.agent, PASSWORD, by="admin")
    generic = _failure(users, "maya", "guess-number-0")
    for n in range(1, 5):
        assert _failure(users, "maya", f"guess-number-{n}") == generic

    locked = _failure(users, "maya", PASSWORD)  # even the right password waits

    assert locked != generic and "try again later" in locked
    clock.now += timedelta(minutes=14)
    assert "try again later" in _failure(users, "maya", PASSWORD)
    clock.now += timedelta(minutes=1, seconds=1)
    assert users.authenticate("maya", PASSWORD).failed_attempts == 0


def test_a_successful_sign_in_resets_the_failure_count(users: UserStore) -> None:
    users.add("maya", Role.agent, PASSWORD, by="admin")
    for n in range(4):
        _failure(users, "maya", f"guess-number-{n}")
    users.authenticate("maya", PASSWORD)

    for n in range(4):
        _failure(users, "maya", f"guess-number-{n}")

    assert users.authenticate("maya", PASSWORD).name == "maya"


def test_unknown_names_lock_out_too_so_lockout_does_not_reveal_who_exists(
    users: UserStore,
) -> None:
    messages = [_failure(users, "ghost", f"guess-number-{n}") for n in range(6)]

    assert len(set(messages[:5])) == 1
    assert "try again later" in messages[5]


def test_unknown_name_lockouts_are_shared_by_processes_and_never_store_the_name(
    engine: Engine, users: UserStore, clock: Clock
) -> None:
    """Two console processes (two stores on one database) count the same attempts; the
    table holds a keyed hash, not the typed name (which may be a password)."""
    other = UserStore(make_engine(Path(engine.url.database or "")), clock=clock)
    typed = "Plum-Kettle-Orbit-42"  # a password typed into the name box
    for n in range(5):
        _failure(users if n % 2 else other, typed, f"guess-number-{n}")
    assert "try again later" in _failure(other, typed.lower(), "x" * 12)
    assert "try again later" in _failure(users, typed, "x" * 12)
    assert "try again later" not in _failure(users, "someone-else", "x" * 12)

    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT * FROM unknown_name_failures").all()
    assert len(rows) == 2 and typed.lower() not in repr(rows)
    clock.now += store_module.LOCKOUT + timedelta(seconds=1)  # the lockout ends
    assert "try again later" not in _failure(other, typed, "x" * 12)


def test_an_admin_resetting_the_password_lifts_the_lockout(users: UserStore) -> None:
    users.add("maya", Role.agent, PASSWORD, by="admin")
    for n in range(5):
        _failure(users, "maya", f"guess-number-{n}")

    users.set_password("maya", "fresh-start-password", by="admin")

    assert users.authenticate("maya", "fresh-start-password").name == "maya"
    assert "try again later" not in _failure(users, "maya", PASSWORD)


def test_sign_ins_and_account_changes_are_audited_without_any_password(
    users: UserStore,
) -> None:
    users.add("maya", Role.agent, PASSWORD, by="admin")
    users.authenticate("maya", PASSWORD)
    _failure(users, "maya", "wrong-but-secret-guess")
    _failure(users, "wrong-but-secret-guess", PASSWORD)  # a password typed as the name
    users.set_role("maya", Role.lead, by="admin")
    users.set_password("maya", "second-secret-password", by="maya")
    users.disable("maya", by="admin")
    users.enable("maya", by="admin")

    events = [e for e in _audit(users.engine) if e.reason != "user admin as admin"]

    assert [(e.actor, e.action) for e in events] == [
        ("admin", "user-added"),
        ("maya", "sign-in"),
        ("maya", "sign-in-failed"),
        ("unknown", "sign-in-failed"),
        ("admin", "role-changed"),
        ("maya", "password-changed"),
        ("admin", "user-disabled"),
        ("admin", "user-enabled"),
    ]
    assert all(e.item_id is None for e in events)
    role_change = events[4]
    assert (role_change.before_text, role_change.after_text) == ("agent", "lead")
    secrets = [PASSWORD, "wrong-but-secret-guess", "second-secret-password", "scrypt$"]
    for event in events:
        row = " ".join(str(v) for v in event.model_dump().values())
        assert not any(secret in row for secret in secrets), row


def test_the_last_active_admin_cannot_be_disabled_or_demoted(users: UserStore) -> None:
    with pytest.raises(ConflictError, match="only active admin"):
        users.disable("admin", by="admin")
    with pytest.raises(ConflictError, match="only active admin"):
        users.set_role("admin", Role.lead, by="admin")

    users.add("second", Role.admin, PASSWORD, by="admin")
    users.disable("admin", by="second")

    assert not users.get("admin").active


def test_names_that_cannot_be_handles_or_are_reserved_are_refused(users: UserStore) -> None:
    with pytest.raises(ConfigError, match="cannot be a user name"):
        users.add("maya rivera", Role.agent, PASSWORD, by="admin")
    with pytest.raises(ConfigError, match="reserved"):
        users.add("auto", Role.agent, PASSWORD, by="admin")


# -- roles -----------------------------------------------------------------------------------


def test_each_role_can_do_what_the_one_below_can_and_more() -> None:
    assert role_can(Role.agent, Permission.decide)
    assert role_can(Role.agent, Permission.bulk_decide)
    assert role_can(Role.agent, Permission.view_dashboard)
    assert not role_can(Role.agent, Permission.view_audit)
    assert not role_can(Role.agent, Permission.manage_knowledge)
    assert role_can("lead", Permission.view_audit) and role_can("lead", Permission.decide)
    assert role_can(Role.lead, Permission.manage_knowledge)
    assert not role_can(Role.lead, Permission.manage_users)
    assert all(role_can(Role.admin, p) for p in Permission)
    assert Role.admin.at_least(Role.lead) and not Role.agent.at_least(Role.lead)
    with pytest.raises(ForbiddenError, match=r"agent.*cannot manage users.*admin role"):
        require(Role.agent, Permission.manage_users)


# -- migration -------------------------------------------------------------------------------


# -- the command line ------------------------------------------------------------------------


def _lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_users_add_list_disable_enable_from_a_script(settings: Settings) -> None:
    added = runner.invoke(
        app,
        ["users", "add", "Maya", "--role", "lead", "--password-stdin", "--actor", "root"],
        input=PASSWORD + "\n",
    )
    assert added.exit_code == 0, added.output
    assert "Added maya (lead)" in added.stdout

    [listed] = _lines(runner.invoke(app, ["users", "list", "--json"]).stdout)
    assert listed["name"] == "maya" and listed["role"] == "lead" and listed["active"] is True
    assert "password_hash" not in listed

    assert runner.invoke(app, ["users", "disable", "maya"]).exit_code == 0
    [listed] = _lines(runner.invoke(app, ["users", "list", "--json"]).stdout)
    assert listed["active"] is False
    store = UserStore(make_engine(settings.database_path))
    with pytest.raises(AuthError):
        store.authenticate("maya", PASSWORD)

    assert runner.invoke(app, ["users", "enable", "maya"]).exit_code == 0
    assert store.authenticate("maya", PASSWORD).name == "maya"
    actors = {(e.actor, e.action) for e in _audit(store.engine)}
    assert {("root", "user-added"), ("cli", "user-disabled"), ("cli", "user-enabled")} <= actors


def test_users_add_refuses_a_duplicate_and_a_weak_password_with_exit_codes(
    settings: Settings,
) -> None:
    command = ["users", "add", "maya", "--role", "agent", "--password-stdin"]
    assert runner.invoke(app, command, input=PASSWORD + "\n").exit_code == 0

    duplicate = runner.invoke(app, command, input=PASSWORD + "\n")
    weak = runner.invoke(
        app, ["users", "add", "olu", "--role", "agent", "--password-stdin"], input="short\n"
    )

    assert duplicate.exit_code == 6 and "already a user named 'maya'" in duplicate.stderr
    assert weak.exit_code == 2 and "at least 10 characters" in weak.stderr
    assert "short" not in weak.stderr.replace("too short", "")


def test_users_add_asks_twice_and_never_echoes_the_password(settings: Settings) -> None:
    result = runner.invoke(
        app,
        ["users", "add", "maya", "--role", "agent"],
        input=f"{PASSWORD}\nsomething-else-entirely\n{PASSWORD}\n{PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert "do not match" in result.output
    assert UserStore(make_engine(settings.database_path)).authenticate("maya", PASSWORD)


def test_users_password_sets_a_new_one_and_never_prints_it(settings: Settings) -> None:
    runner.invoke(
        app, ["users", "add", "maya", "--role", "agent", "--password-stdin"], input=PASSWORD + "\n"
    )

    changed = runner.invoke(
        app, ["users", "password", "maya", "--password-stdin"], input="a-brand-new-passphrase\n"
    )
    missing = runner.invoke(app, ["users", "password", "nobody", "--password-stdin"], input="x\n")

    assert changed.exit_code == 0 and "a-brand-new-passphrase" not in changed.output
    assert missing.exit_code == 5 and "no user named 'nobody'" in missing.stderr
    store = UserStore(make_engine(settings.database_path))
    assert store.authenticate("maya", "a-brand-new-passphrase").name == "maya"
    with pytest.raises(AuthError):
        store.authenticate("maya", PASSWORD)


def test_the_demo_creates_one_account_per_role_once(ingested: Settings, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox.jsonl"
    inbox.write_text(
        json.dumps(
            {"id": "d1", "channel": "web_chat", "author": {"id": "u1"}, "text": "Hello there"}
        )
        + "\n"
    )
    # The webhook loop has its own tests (test_demo_webhooks); here it would only add time.
    command = ["demo", "--no-ui", "--no-webhooks", "--inbox", str(inbox)]

    first = runner.invoke(app, [*command, "--json"])
    second = runner.invoke(app, command)

    assert first.exit_code == 0, first.output
    [summary] = _lines(first.stdout)
    accounts = summary["demo_users"]
    assert isinstance(accounts, list)
    assert [(a["name"], a["role"]) for a in accounts] == [
        ("agent", "agent"),
        ("lead", "lead"),
        ("admin", "admin"),
    ]
    store = UserStore(make_engine(ingested.database_path))
    for account in accounts:
        assert store.authenticate(account["name"], account["password"]).role == account["role"]
    assert second.exit_code == 0, second.output
    assert "sign in with your existing users" in second.stdout
    assert not any(a["password"] in second.stdout for a in accounts)


@pytest.mark.parametrize(
    "command",
    [
        ["users", *name]
        for name in ([], ["add"], ["list"], ["disable"], ["enable"], ["password"], ["role"])
    ]
    + [["audit"], ["audit", "export"]],
    ids=" ".join,
)
def test_users_and_audit_commands_have_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])

    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
