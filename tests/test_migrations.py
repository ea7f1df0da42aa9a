"""The schema is kept by Alembic: a blank database migrates to exactly the models, and a
database written by the version before Alembic upgrades with its rows intact."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel
from typer.testing import CliRunner

import assistant.models  # noqa: F401
from assistant.cli.main import app
from assistant.db import database_url, make_engine
from assistant.errors import ConfigError
from assistant.governance.audit_chain import verify as verify_chain
from assistant.intake.messages import Channel
from assistant.migrations import current, head
from assistant.review.models import DeliveryState, ItemStatus
from assistant.review.queue import Queue
from assistant.settings import Settings
from assistant.users.roles import Role
from assistant.users.store import UserStore

FIXTURE = Path(__file__).parent / "fixtures" / "main-2026-11-25.db"  # `assistant demo` on main


def _ours(name: str | None, kind: str, parent: Any) -> bool:
    """LangGraph's checkpoint tables (its own migrations, run by `db upgrade`) are not ours."""
    return not (kind == "table" and (name or "").startswith("checkpoint"))


def _differences(conn: Any) -> list[Any]:
    context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": _ours})
    return list(compare_metadata(context, SQLModel.metadata))


def test_a_blank_database_migrates_to_exactly_the_models(settings: Settings) -> None:
    engine = make_engine(database_url(settings))
    with engine.connect() as conn:
        assert current(conn) == head()
        differences = _differences(conn)
    assert differences == []


def test_a_database_from_before_alembic_upgrades_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "assistant.db"
    shutil.copy(FIXTURE, path)
    with sqlite3.connect(path) as old:
        before = {
            table: old.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("review_items", "audit_events", "outbox", "users", "orders")
        }
    engine = make_engine(path)
    with engine.connect() as conn:
        after = {
            table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in before
        }
        assert current(conn) == head()
        differences = _differences(conn)
    assert after == before
    assert before["review_items"] > 0
    assert differences == []
    items = Queue(engine).items(limit=1000)
    assert {item.channel for item in items} <= set(Channel)
    assert {item.status for item in items} >= {ItemStatus.pending, ItemStatus.sent}
    assert all(item.received_at.tzinfo == UTC for item in items)
    assert all(item.content_hash for item in items)
    assert all(item.reason_sources == [] for item in items)  # routed before 0013: none stored
    assert {u.role for u in UserStore(engine).list()} == {Role.agent, Role.lead, Role.admin}
    # Replies recorded before delivery had states were delivered when recorded.
    sent = Queue(engine).outbox()
    assert sent and {r.state for r in sent} == {DeliveryState.delivered}
    assert all(r.requested_at == r.sent_at and r.attempts == 1 for r in sent)
    assert len({r.idempotency_key for r in sent}) == len(sent)
    chain = verify_chain(engine)  # the events written before the chain existed are linked
    assert chain.intact and chain.checked == before["audit_events"]


def test_the_oldest_databases_gain_the_users_table(tmp_path: Path) -> None:
    path = tmp_path / "assistant.db"
    shutil.copy(FIXTURE, path)
    with sqlite3.connect(path) as old:
        old.execute("DROP TABLE users")
        old.execute("DELETE FROM schema_migrations WHERE name = '0002_users'")
    engine = make_engine(path)
    with engine.connect() as conn:
        assert current(conn) == head()
        assert conn.execute(text("SELECT count(*) FROM review_items")).scalar_one() > 0
    UserStore(engine).add("maya", Role.admin, "a long enough password 1", by="cli")


def test_a_server_database_behind_the_code_says_to_run_db_upgrade(
    settings: Settings, backend: str
) -> None:
    if backend == "sqlite":
        pytest.skip("an embedded SQLite database upgrades itself")
    engine = make_engine(database_url(settings))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    with pytest.raises(ConfigError, match="assistant db upgrade"):
        make_engine(database_url(settings))


def test_db_upgrade_migrates_once_and_then_says_it_is_up_to_date(settings: Settings) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade", "--json"])
    again = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["to"] == head()
    assert again.exit_code == 0 and f"up to date (revision {head()})" in again.stdout
