"""Audit search and export: filters, CSV and JSON that read back to the same events, and
cells a spreadsheet would run as formulas made harmless."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.db import make_engine
from assistant.review.audit import (
    FIELDS,
    audit_actions,
    audit_actors,
    search_audit,
    to_csv,
    to_json,
)
from assistant.review.models import AuditEvent
from assistant.settings import Settings

runner = CliRunner()
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _add(engine: Engine, **fields: object) -> AuditEvent:
    with Session(engine, expire_on_commit=False) as session:
        event = AuditEvent(**{"actor": "maya", "action": "approve", "at": T0, **fields})
        session.add(event)
        session.commit()
        return event


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(tmp_path / "assistant.db")
    _add(engine, item_id=1, action="approve", at=T0, after_text="Thanks, Sam!")
    _add(
        engine,
        item_id=2,
        action="edit",
        at=T0 + timedelta(hours=1),
        before_text="Your refund is on its way.",
        after_text="Your REFUND was issued today,\nexpect it in 5 days.",
    )
    _add(engine, item_id=2, actor="lena", action="reject", at=T0 + timedelta(days=1), reason="dup")
    _add(engine, item_id=None, actor="lena", action="sign-in", at=T0 + timedelta(days=2))
    return engine


def test_events_come_newest_first_and_filter_by_actor_action_item_and_time(
    engine: Engine,
) -> None:
    assert [e.action for e in search_audit(engine)] == ["sign-in", "reject", "edit", "approve"]
    assert [e.action for e in search_audit(engine, actor="lena")] == ["sign-in", "reject"]
    assert [e.action for e in search_audit(engine, action=["edit", "approve"])] == [
        "edit",
        "approve",
    ]
    assert [e.action for e in search_audit(engine, item_id=2)] == ["reject", "edit"]
    window = search_audit(engine, start=T0 + timedelta(minutes=30), end=T0 + timedelta(days=1))
    assert [e.action for e in window] == ["edit"]  # start included, end excluded
    naive = search_audit(engine, start=datetime(2026, 3, 3, 9, 0))  # a naive time is UTC
    assert [e.action for e in naive] == ["sign-in", "reject"]
    assert len(search_audit(engine, limit=2)) == 2


def test_text_search_is_case_insensitive_over_reasons_and_texts_and_literal(
    engine: Engine,
) -> None:
    _add(engine, item_id=3, reason="100% sure_thing", at=T0 + timedelta(days=3))

    assert [e.item_id for e in search_audit(engine, text="refund")] == [2]
    assert [e.item_id for e in search_audit(engine, text="DUP")] == [2]
    assert [e.item_id for e in search_audit(engine, text="0% s")] == [3]
    assert search_audit(engine, text="_thinx") == []  # _ is not a wildcard
    assert search_audit(engine, text="nothing like this") == []


def test_filter_widgets_get_every_action_and_actor_once(engine: Engine) -> None:
    assert audit_actions(engine) == ["approve", "edit", "reject", "sign-in"]
    assert audit_actors(engine) == ["lena", "maya"]


def test_csv_reads_back_to_the_same_events(engine: Engine) -> None:
    events = search_audit(engine)

    rows = list(csv.DictReader(io.StringIO(to_csv(events))))

    assert tuple(rows[0]) == FIELDS
    assert len(rows) == len(events)
    for row, event in zip(rows, events, strict=True):
        assert int(row["id"]) == event.id
        assert datetime.fromisoformat(row["at"]) == event.at
        assert row["actor"] == event.actor and row["action"] == event.action
        assert row["item_id"] == ("" if event.item_id is None else str(event.item_id))
        assert row["before_text"] == (event.before_text or "")
        assert row["after_text"] == (event.after_text or "")  # the newline survives
        assert row["reason"] == (event.reason or "")


def test_json_reads_back_to_the_same_events_in_a_stable_field_order(engine: Engine) -> None:
    events = search_audit(engine)

    rows = json.loads(to_json(events))

    assert [tuple(r) for r in rows] == [FIELDS] * len(events)
    assert rows[0]["at"] == "2026-03-04T09:00:00+00:00"
    assert rows[0]["item_id"] is None
    assert [r["id"] for r in rows] == [e.id for e in events]
    assert rows[2]["after_text"] == "Your REFUND was issued today,\nexpect it in 5 days."


@pytest.mark.parametrize(
    "dangerous",
    ['=HYPERLINK("http://evil.example","click")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1"],
)
def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted(
    engine: Engine, dangerous: str
) -> None:
    _add(engine, item_id=9, actor="maya", reason=dangerous, after_text=dangerous)
    [event] = search_audit(engine, item_id=9)

    [row] = list(csv.DictReader(io.StringIO(to_csv([event]))))

    assert row["reason"] == "'" + dangerous
    assert row["after_text"] == "'" + dangerous
    assert row["actor"] == "maya"  # ordinary text is left alone
    assert json.loads(to_json([event]))[0]["reason"] == dangerous  # JSON is data, not cells


def test_cli_exports_filtered_csv_to_a_file_and_json_to_stdout(
    settings: Settings, tmp_path: Path
) -> None:
    engine = make_engine(settings.database_path)
    _add(engine, item_id=1, action="approve", at=T0)
    _add(engine, item_id=2, action="edit", at=T0 + timedelta(days=1), after_text="=1+1")
    _add(engine, item_id=2, actor="lena", action="reject", at=T0 + timedelta(days=2))
    out = tmp_path / "exports" / "audit.csv"

    written = runner.invoke(
        app, ["audit", "export", "--format", "csv", "--actor", "maya", "--out", str(out)]
    )
    printed = runner.invoke(
        app,
        ["audit", "export", "--format", "json", "--since", "2026-03-03", "--until", "2026-03-03"],
    )
    by_item = runner.invoke(app, ["audit", "export", "--item", "2", "--action", "reject"])
    bad = runner.invoke(app, ["audit", "export", "--since", "yesterday"])

    assert written.exit_code == 0, written.output
    assert "Wrote 2 event(s)" in written.stderr
    rows = list(csv.DictReader(out.open(newline="", encoding="utf-8")))
    assert [r["action"] for r in rows] == ["edit", "approve"]
    assert rows[0]["after_text"] == "'=1+1"
    assert printed.exit_code == 0, printed.output
    assert [r["action"] for r in json.loads(printed.stdout)] == ["edit"]  # --until includes the day
    assert [r["actor"] for r in csv.DictReader(io.StringIO(by_item.stdout))] == ["lena"]
    assert bad.exit_code == 2 and "--since 'yesterday'" in bad.stderr
