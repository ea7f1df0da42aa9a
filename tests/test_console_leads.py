"""Sign-in, roles, and the lead pages (dashboard, knowledge, audit), through AppTest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.app import open_records
from assistant.cli import eval_commands
from assistant.errors import ForbiddenError
from assistant.settings import Settings
from assistant.users import UserStore
from tests.console_support import (
    PASSWORD,
    REFUND,
    add_users,
    audit,
    click,
    console,
    decide_elsewhere,
    go,
    on_screen,
    open_item,
    queued,
)
from tests.support import ROOT


@pytest.fixture
def desk(ingested: Settings) -> Settings:
    add_users(ingested)
    return ingested


# -- signing in ------------------------------------------------------------------------


def sign_in(name: str, password: str) -> object:
    at = console(user=None)
    at.text_input(key="signin_name").input(name)
    at.text_input(key="signin_password").input(password)
    return click(at, "Sign in")


def test_nothing_is_shown_before_sign_in(desk: Settings) -> None:
    queued(desk, REFUND)
    at = console(user=None)
    screen = on_screen(at)
    assert "sign in to work the queue" in screen
    assert REFUND not in screen and not at.dataframe and not at.sidebar.radio


def test_wrong_password_is_refused_and_the_right_one_opens_the_queue(desk: Settings) -> None:
    [item_id] = queued(desk, REFUND)
    at = sign_in("ann", "not the password")
    assert "user name or password" in at.error[0].value.lower()
    assert not at.dataframe
    at = sign_in("ann", PASSWORD)
    assert "Signed in as **ann** · agent" in on_screen(at)
    assert list(at.dataframe[0].value["id"]) == [item_id]
    assert at.session_state["signin_password"] == ""  # the password is not kept
    assert [e.action for e in audit(desk) if e.actor == "ann"][-1] == "sign-in"


def test_a_disabled_account_is_signed_out_on_its_next_click(desk: Settings) -> None:
    queued(desk, REFUND)
    at = console("ann")
    with open_records(desk) as records:
        UserStore(records.queue.engine).disable("ann", by="ada")
    at.run()
    assert "disabled" in at.error[0].value
    assert "sign in to work the queue" in on_screen(at)


# -- roles -----------------------------------------------------------------------------


def test_agents_do_not_get_lead_pages(desk: Settings) -> None:
    at = console("ann")
    pages = ["Queue", "Item", "Outbox", "Spam folder", "Dashboard"]
    assert at.sidebar.radio(key="page").options == pages
    at = console("ann", page="Audit")  # asking for it anyway lands on the queue
    assert at.header[0].value == "Review queue"
    lead = console("lea")
    assert {"Knowledge", "Audit", "Evals"} <= set(lead.sidebar.radio(key="page").options)


def test_the_services_refuse_agents_too(desk: Settings) -> None:
    """Not only hidden in the menu: the console's service door checks the role."""
    import sys

    from tests.support import ROOT

    sys.path.insert(0, str(ROOT / "ui"))
    try:
        import lead_actions

        with pytest.raises(ForbiddenError, match="cannot manage knowledge"):
            lead_actions.resync("ann", lambda done, total: None)
        with pytest.raises(ForbiddenError, match="cannot view audit"):
            lead_actions.audit_events(
                "ann", actor=None, action=None, item_id=None, start=None, end=None, text=None
            )
    finally:
        sys.path.remove(str(ROOT / "ui"))


# -- dashboard -------------------------------------------------------------------------


def test_dashboard_shows_the_days_numbers(desk: Settings) -> None:
    refund, other = queued(desk, REFUND, "I want my money back for FH-10293.")
    at = click(open_item(console("ann"), refund), "Approve & next")
    assert f"Item #{other}" in on_screen(at)  # the next one opened by itself
    at.text_input(key=f"reason-{other}").input("duplicate")
    click(at.run(), "Reject & next")
    at = go(console("lea"), "Dashboard")
    screen = on_screen(at)
    assert "Messages received: 2" in screen
    assert "Approved as drafted: 50%" in screen
    assert "Rejected: 50%" in screen
    assert "Automation rate: 0%" in screen  # the one reply was sent by a person
    assert "Why messages went to a person" in screen
    channels = at.dataframe[-1].value
    assert list(channels["channel"]) == ["web_chat"]


# -- knowledge -------------------------------------------------------------------------


def test_knowledge_page_shows_sync_state_and_resyncs_an_edit(desk: Settings) -> None:
    at = go(console("lea"), "Knowledge")
    assert "Every file is in the index." in on_screen(at)
    faq = desk.knowledge_dir / "faq" / "shipping.md"
    faq.write_text(faq.read_text().replace("business days", "working days", 1))
    at.run()
    table = at.dataframe[0].value
    row = table[table["file"] == "faq/shipping.md"].iloc[0]
    assert row["state"] == "changed"
    assert "to embed" in on_screen(at)
    at = click(at, "Re-sync knowledge")
    assert "Synced: 0 added, 1 updated, 0 removed" in on_screen(at)
    assert "Every file is in the index." in on_screen(at)
    assert "by lea" in on_screen(at)  # the last sync, attributed
    assert [e.actor for e in audit(desk) if e.action == "knowledge-sync"][-1] == "lea"


def test_knowledge_page_lists_problems_with_file_and_line(desk: Settings) -> None:
    faq = desk.knowledge_dir / "faq" / "shipping.md"
    faq.write_text(faq.read_text().replace("id:", "ident:", 1))
    at = go(console("lea"), "Knowledge")
    assert "faq/shipping.md:" in at.error[0].value
    table = at.dataframe[0].value
    assert table[table["file"] == "faq/shipping.md"].iloc[0]["state"] == "errors"
    at = click(at, "Re-sync knowledge")
    assert "Nothing was synced: fix these problems first." in on_screen(at)


def test_ask_a_question_shows_what_retrieval_returns(desk: Settings) -> None:
    at = go(console("lea"), "Knowledge")
    at.text_input(key="ask").input("How long does shipping take?").run()
    labels = [e.label for e in at.expander]
    assert labels and "faq/shipping.md:" in labels[0]
    assert labels[0].split(" · ")[0].startswith("0.")  # the score comes first
    # The verdict says why, so a lead knows what to change.
    assert any("ahead of the next different answer" in e.value for e in at.success)

    # The sample brand lists hiring questions for a person (its hand-off entry).
    at.text_input(key="ask").input("are u hiring? 👀").run()
    assert any(
        "Not answered: a person replies (the brand lists questions like this for a person"
        in e.value
        for e in at.warning
    )


def test_a_lead_sees_which_questions_reached_answers_and_rejects_a_gap(desk: Settings) -> None:
    from assistant.review.decisions import Edit

    wash, wholesale = "how should i wash the alpaca beanie", "do you do wholesale for shops?"
    ids = queued(desk, wash, wholesale, channel="whatsapp")
    for item_id in ids:
        decide_elsewhere(desk, item_id, Edit(actor="ann", text="Thanks for asking!"))

    at = go(console("lea"), "Knowledge")
    screen = on_screen(at)
    reached = at.dataframe[1].value  # after the files table
    assert list(reached["answer"]) == ["faq:care-instructions"]
    assert "1 question(s) no entry answered" in [e.label for e in at.expander]
    assert f"add to faq:care-instructions: “{wash}”" in screen
    assert f"FAQ gap, asked 1×: “{wholesale}”" in screen

    gap = next(b for b in at.button if b.key.startswith("reject_") and b.key != "reject_1")
    at = gap.click().run()

    assert f"Proposal #{gap.key.removeprefix('reject_')} rejected" in on_screen(at)
    assert gap.key not in [b.key for b in at.button]


@pytest.mark.parametrize(
    ("question", "button", "faq", "done"),
    [
        ("how should i wash the alpaca beanie", "accept", "products.md", "accepted"),
        (
            "do you sponsor school fundraisers",  # a gap: no entry answers it
            "hand-off",
            "for-a-person.md",
            "accepted: handed to a person in faq/for-a-person.md",
        ),
    ],
    ids=["phrasing-accepted", "gap-to-a-person"],
)
def test_a_lead_decides_a_proposal_and_the_faq_file_gains_the_question(
    desk: Settings, question: str, button: str, faq: str, done: str
) -> None:
    from assistant.review.decisions import Edit

    [item_id] = queued(desk, question, channel="whatsapp")
    decide_elsewhere(desk, item_id, Edit(actor="ann", text="Thanks for asking!"))
    path = desk.knowledge_dir / "faq" / faq
    before = path.read_text().splitlines()

    at = go(console("lea"), "Knowledge")
    assert [b.key for b in at.button if b.key.endswith("_1")] == (
        ["accept_1", "reject_1"] if button == "accept" else ["accept_1", "hand-off_1", "reject_1"]
    )  # only a gap can go to a person
    at = at.button(key=f"{button}_1").click().run(timeout=120)  # the eval gate runs first

    assert f"Proposal #1 {done}" in on_screen(at)
    assert f"{button}_1" not in [b.key for b in at.button]
    added = [line for line in path.read_text().splitlines() if line not in before]
    assert added == [f"  - {question}"]  # one line in the entry's front matter, nothing else
    assert [e.actor for e in audit(desk) if e.action == "faq-proposal"] == ["lea"]


# -- audit -----------------------------------------------------------------------------


def test_audit_page_filters_by_actor_and_offers_exports(desk: Settings) -> None:
    [item_id] = queued(desk, REFUND)
    click(open_item(console("ann"), item_id), "Approve & next")
    at = go(console("lea"), "Audit")
    at.selectbox(key="a_actor").select("ann").run()
    table = at.dataframe[0].value
    assert set(table["actor"]) == {"ann"}
    assert "approve" in set(table["action"])
    assert not at.get("download_button")  # nothing is published until asked for
    at = click(at, "Prepare export")
    downloads = at.get("download_button")
    assert [d.proto.label for d in downloads] == ["Export CSV", "Export JSON"]


# -- evals -----------------------------------------------------------------------------


def test_evals_page_says_how_to_get_a_first_run(desk: Settings) -> None:
    at = go(console("lea"), "Evals")
    assert "No eval run yet. Run `assistant eval`" in on_screen(at)


def test_evals_page_shows_a_regression_with_golden_and_draft_side_by_side(
    desk: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evals = tmp_path / "evals"
    shutil.copytree(ROOT / "evals", evals, ignore=shutil.ignore_patterns("approved-*"))
    monkeypatch.setenv("ASSISTANT_EVALS_DIR", str(evals))
    faq = desk.knowledge_dir / "faq" / "shipping.md"
    faq.write_text(faq.read_text().replace("takes 3–5 business days", "takes 7–10 business days"))
    result = CliRunner().invoke(eval_commands.app, ["--filter", "shipping"])
    assert result.exit_code == 1, result.output

    at = go(console("lea"), "Evals")
    screen = on_screen(at)
    assert "failed:" in at.error[0].value and "regression" in at.error[0].value
    assert "shipping-time-web" in screen
    regression = next(e for e in at.expander if "shipping-time-web" in e.label)
    texts = [t.value for t in regression.text]
    assert any("3–5 business days" in t for t in texts)  # the golden reply
    assert any("7–10 business days" in t for t in texts)  # the draft now


def test_an_unexpected_failure_is_shown_in_plain_words(desk: Settings) -> None:
    """A bug or a damaged row must not show an agent a traceback (or the data behind it)."""
    from sqlalchemy import text

    queued(desk, REFUND)
    with open_records(desk) as records, records.queue.engine.begin() as conn:
        conn.execute(text("UPDATE review_items SET topics = '{damaged'"))
    at = console("ann")
    assert not at.exception
    assert "Something went wrong drawing this page (JSONDecodeError)" in at.error[0].value
    assert "Signed in as **ann**" in on_screen(at)  # the rest of the console still works


def test_bad_settings_are_shown_in_plain_words(
    desk: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_CONCURRENCY", "0")
    at = console("ann")
    assert not at.exception
    assert "ASSISTANT_CONCURRENCY" in at.error[0].value


# -- users (admins) --------------------------------------------------------------------


def test_admin_adds_a_user_who_can_then_sign_in(desk: Settings) -> None:
    assert "Users" not in console("lea").sidebar.radio(key="page").options
    at = go(console("ada"), "Users")
    at.text_input(key="u_name").input("cal")
    at.selectbox(key="u_role").select("agent")
    at.text_input(key="u_pw").input("a fine long password")
    at.text_input(key="u_pw2").input("a different password")
    at = click(at, "Add user")
    assert "The two passwords differ; nothing was created." in at.error[0].value
    at.text_input(key="u_name").input("cal")
    at.text_input(key="u_pw").input("a fine long password")
    at.text_input(key="u_pw2").input("a fine long password")
    at = click(at, "Add user")
    assert "Added cal as agent." in on_screen(at)
    assert at.session_state["u_pw"] == at.session_state["u_pw2"] == ""  # not kept
    signed = sign_in("cal", "a fine long password")
    assert "Signed in as **cal** · agent" in on_screen(signed)
    assert ("ada", "user-added") in [(e.actor, e.action) for e in audit(desk)]


def test_admin_disables_an_agent_and_changes_a_role(desk: Settings) -> None:
    bea = console("bea")
    at = click(go(console("ada"), "Users"), "Disable")  # the first account listed: ada
    assert "ada is the only active admin" in at.error[0].value  # nobody locks everyone out
    next(b for b in at.button if b.key == "active-bea").click()
    at = at.run()
    assert "bea is disabled." in on_screen(at)
    bea.run()
    assert "disabled" in bea.error[0].value  # signed out on her next click
    at.selectbox(key="role-ann").select("lead").run()
    assert "ann is now lead." in on_screen(at)
    assert "Knowledge" in console("ann").sidebar.radio(key="page").options
