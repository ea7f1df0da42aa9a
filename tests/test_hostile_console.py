"""Hostile input in the console and the verifier: exports only on a signed-in click, bad
links in plain words, text from customers, graders and models never rendered as Markdown,
database failures in plain words, instructions never leaked or handed out."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from assistant.db import records_engine
from assistant.evals.history import EvalRegression, EvalRun
from assistant.settings import Settings
from tests.console_support import (
    add_users,
    click,
    console,
    go,
    on_screen,
    open_item,
)
from tests.support import message, process, run

EVIL = "https://evil.test/x.png"
RLO = "\u202e"


@pytest.fixture
def desk(ingested: Settings) -> Settings:
    add_users(ingested)
    return ingested


def _markdown(at: object) -> str:
    kinds = ("markdown", "caption", "warning", "error", "info", "success")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(at, kind))


def test_the_audit_export_exists_only_after_a_click_and_not_after_sign_out(
    desk: Settings,
) -> None:
    at = go(console("lea"), "Audit")
    assert not at.get("download_button")
    at = click(at, "Prepare export")
    assert len(at.get("download_button")) == 2
    at = next(b for b in at.sidebar.button if b.label == "Sign out").click().run()

    assert not at.get("download_button")
    assert "audit_export_ready" not in at.session_state
    assert "Sign in" in [b.label for b in at.get("form_submit_button")]


@pytest.mark.parametrize("wanted", ["²", "9" * 30, "1e3", "-1"])
def test_a_bad_item_link_is_a_plain_message(desk: Settings, wanted: str) -> None:
    at = console("ann")
    at.query_params["item"] = wanted
    at.run()

    assert not at.exception
    assert "is not a queue item number" in on_screen(at)
    assert "Traceback" not in on_screen(at)


def test_names_handles_and_reasons_are_plain_text(desk: Settings) -> None:
    hostile = message(
        f"Refund please, see {EVIL} and ![img]({EVIL})",
        id="h1",
        channel="whatsapp",
        name=f"[Click me]({EVIL}) {RLO}gnp.exe",
        handle="www.evil.test",
    )
    [result] = run(process(desk, hostile))
    at = open_item(console("ann"), result.item_id)

    screen = on_screen(at)
    assert "evil.test" not in _markdown(at)  # never through Markdown: no autolink, no image
    assert f"[Click me]({EVIL})" in screen  # shown as typed
    assert RLO not in screen and "[U+202E]gnp.exe" in screen  # not displayed reversed


def test_grader_explanations_are_plain_text(desk: Settings) -> None:
    now = datetime.now(UTC)
    run_row = EvalRun(
        run_id="r1",
        started_at=now,
        finished_at=now,
        mode="template",
        cases=1,
        passed=0,
        errors=0,
        regressions=1,
        ok=False,
        means={"tone": 0.1},
    )
    regression = EvalRegression(
        run_id="r1",
        kind="hard_check",
        grader="judge",
        detail=f"judge says ![x]({EVIL})",
        case_id="c1",
        baseline=1.0,
        current=0.0,
        message=f"msg {EVIL}",
        golden="golden",
        draft=f"draft {RLO}x",
    )
    with Session(records_engine(desk)) as session:
        session.add(run_row)
        session.flush()
        session.add(regression)
        session.commit()
    at = go(console("lea"), "Evals")

    assert "evil.test" not in _markdown(at)
    assert any(f"judge says ![x]({EVIL})" == t.value for t in at.text)


def test_a_failing_database_is_shown_in_plain_words(desk: Settings) -> None:
    at = console("ann")
    with sqlite3.connect(desk.database_path) as db:  # as a botched restore would leave it
        db.execute("DROP TABLE review_items")
    at.run()

    assert not at.exception
    assert "The database could not be used (no such table: review_items)" in on_screen(at)


def test_the_knowledge_page_lists_broken_files_with_file_and_line(desk: Settings) -> None:
    root = desk.knowledge_dir
    faq = root / "faq" / "shipping.md"
    faq.write_text(
        faq.read_text().replace(
            "id: shipping-times", "id: shipping-times\nvalid_until: 2026-02-30", 1
        )
    )
    os.mkfifo(root / "faq" / "pipe.md")
    (root / "faq" / ".hidden.md").write_text("---\nid: hidden\nquestion: Hidden?\n---\nYes.\n")

    at = go(console("lea"), "Knowledge")

    shown = on_screen(at)
    assert "Something went wrong" not in shown
    assert "faq/shipping.md:3: valid_until:" in at.error[0].value
    assert "faq/pipe.md:1: is not a regular file" in at.error[0].value
    files = set(at.dataframe[0].value["file"])
    assert "faq/pipe.md" in files and "faq/.hidden.md" not in files
