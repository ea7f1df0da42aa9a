"""The agent tools on real storage (both backends): notes with @mentions, snooze, search,
presence, macros and the guard on an agent's edit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from assistant.app import open_records
from assistant.cli.main import app
from assistant.errors import ConfigError
from assistant.knowledge.loader import load_knowledge
from assistant.review.decisions import Escalate
from assistant.review.models import AuditAction
from assistant.review.worklist import worklist
from assistant.settings import Settings
from assistant.users.actor import Actor
from assistant.users.roles import Role
from assistant.workspace.edit_check import edit_warnings, held_facts
from assistant.workspace.macros import fill_macro, macros
from assistant.workspace.notes import NoteKind, NoteService
from assistant.workspace.presence import VIEWING_TTL, heartbeat, viewers
from assistant.workspace.search import search_queue
from assistant.workspace.snooze import SnoozeService, awake, snoozed_until
from tests.console_support import REFUND, add_users, audit, decide_elsewhere, item, queued

ANN, BEA, LEA = Actor("ann", Role.agent), Actor("bea", Role.agent), Actor("lea", Role.lead)
NOW = datetime.now(UTC)
WHERE = "Hi, where is my order FH-10293? Thanks!"


@pytest.fixture
def desk(ingested: Settings) -> Settings:
    add_users(ingested)
    return ingested


def test_a_note_mentions_only_console_users_and_is_listed_for_them(desk: Settings) -> None:
    (item_id,) = queued(desk, REFUND, channel="whatsapp")
    with open_records(desk) as records:
        notes = NoteService(records.queue)
        note = notes.add(ANN, item_id, "@bea can you check the refund? cc @marcus", NOW)
        assert note.mentions == ("bea",)  # marcus is a customer, not a console user
        assert notes.unread_count(BEA) == 1 and notes.unread_count(LEA) == 0
        (mention,) = notes.mentions(BEA)
        assert (mention.item_id, mention.author) == (item_id, "ann")
        assert notes.mark_read(BEA, item_id, NOW) == 1
        assert notes.unread_count(BEA) == 0
        with pytest.raises(ConfigError, match="empty"):
            notes.add(ANN, item_id, "   ", NOW)
    (event,) = [e for e in audit(desk, item_id) if e.action == AuditAction.note]
    assert event.actor == "ann" and "check the refund" in (event.after_text or "")
    assert event.reason == "mentions bea"


def test_the_escalation_note_comes_first_for_the_lead(desk: Settings) -> None:
    (item_id,) = queued(desk, REFUND, channel="whatsapp")
    with open_records(desk) as records:
        NoteService(records.queue).add(ANN, item_id, "customer sounded upset", NOW)
    decide_elsewhere(desk, item_id, Escalate(actor="ann", to="lead", note="over $200, yours"))
    with open_records(desk) as records:
        first, second = NoteService(records.queue).for_item(item_id)
    assert (first.kind, first.text, first.author) == (
        NoteKind.escalation,
        "over $200, yours",
        "ann",
    )
    assert second.text == "customer sounded upset"


def test_a_snoozed_item_leaves_the_queue_until_its_time_then_comes_back(desk: Settings) -> None:
    refund, other = queued(desk, REFUND, "Do you ship to Canada?", channel="whatsapp")
    with open_records(desk) as records:
        SnoozeService(records.queue).snooze(ANN, refund, NOW + timedelta(hours=2), NOW)
        rows = worklist(records.queue.engine).rows
        now_shown = awake(rows, snoozed_until(records.queue.engine, NOW))
        later = awake(rows, snoozed_until(records.queue.engine, NOW + timedelta(hours=3)))
        with pytest.raises(ConfigError, match="future"):
            SnoozeService(records.queue).snooze(ANN, other, NOW - timedelta(hours=1), NOW)
        assert SnoozeService(records.queue).wake(ANN, refund)
    assert [r.id for r in now_shown] == [other]
    assert {r.id for r in later} == {refund, other}
    actions = [e.action for e in audit(desk, refund)]
    assert AuditAction.snooze in actions and AuditAction.unsnooze in actions


def test_search_finds_items_by_customer_order_id_and_words(desk: Settings) -> None:
    where, refund = queued(desk, WHERE, REFUND, channel="whatsapp")
    with open_records(desk) as records:
        engine = records.queue.engine

        def found(query: str) -> set[int]:
            return search_queue(engine, ANN, query)

        assert found("fh-10293") == {where}
        assert found("marcus") == {where, refund}  # the author's name
        assert found("whatsapp:web_7731") == {where, refund}  # the customer key
        assert found("refund MARCUS") == {refund}  # every word must match
        assert found("50%_off") == set()  # LIKE wildcards are searched for literally
        assert found("  ") == set()


def test_viewing_shows_while_the_heartbeat_lasts_and_expires_by_itself(desk: Settings) -> None:
    first, second = queued(desk, REFUND, WHERE, channel="whatsapp")
    with open_records(desk) as records:
        engine = records.queue.engine
        heartbeat(engine, first, "bea", NOW)
        heartbeat(engine, first, "ann", NOW)
        assert viewers(engine, NOW) == {first: ["ann", "bea"]}
        heartbeat(engine, second, "ann", NOW + timedelta(seconds=5))  # ann moved on
        assert viewers(engine, NOW + timedelta(seconds=5)) == {first: ["bea"], second: ["ann"]}
        later = NOW + VIEWING_TTL + timedelta(seconds=6)
        assert viewers(engine, later) == {}  # nobody heard from: nobody viewing


def test_a_template_macro_is_filled_from_the_item_and_its_order(desk: Settings) -> None:
    (item_id,) = queued(desk, WHERE, channel="whatsapp")
    knowledge = load_knowledge(desk.knowledge_dir)
    it = item(desk, item_id)
    assert any(m.id == "handoff" for m in macros(knowledge, it))
    with open_records(desk) as records:
        order = records.orders.order("FH-10293")
    filled = fill_macro(knowledge, it, "order-shipped", None, order)
    assert filled is not None and "FH-10293" in filled.text and "Marcus" in filled.text
    assert "{" not in filled.text and filled.missing == ()
    bare = fill_macro(knowledge, it, "order-shipped", None, None)
    assert bare is not None and "{carrier}" in bare.text and "carrier" in bare.missing


def test_an_edit_with_a_new_price_or_code_is_warned_and_a_grounded_one_is_not(
    desk: Settings,
) -> None:
    (item_id,) = queued(desk, "How long do I have to return something?", channel="whatsapp")
    knowledge = load_knowledge(desk.knowledge_dir)
    it = item(desk, item_id)
    assert it.draft and edit_warnings(knowledge, it, it.draft, 4096) == []
    edited = it.draft + " Use code SAVE20 for $15 off until December 24."
    warned = " | ".join(edit_warnings(knowledge, it, edited, 4096))
    assert "SAVE20" in warned and "$15" in warned and "December 24" in warned
    held = {f.span for f in held_facts(knowledge, it, edited)}
    assert {"SAVE20", "$15", "December 24"} <= held  # sent only once the agent has seen them
    assert held_facts(knowledge, it, it.draft + " Thanks, Marcus!") == []


def test_queue_list_json_still_lists_a_snoozed_item_with_its_time(desk: Settings) -> None:
    refund, other = queued(desk, REFUND, "Do you ship to Canada?", channel="whatsapp")
    until = NOW + timedelta(hours=2)
    with open_records(desk) as records:
        SnoozeService(records.queue).snooze(ANN, refund, until, NOW)

    listed = CliRunner().invoke(app, ["queue", "list", "--json"])

    assert listed.exit_code == 0, listed.output
    rows = {r["item_id"]: r for r in map(json.loads, listed.stdout.splitlines())}
    assert set(rows) == {refund, other}  # the CLI lists the whole queue
    assert datetime.fromisoformat(rows[refund]["snoozed_until"]) == until
    assert rows[other]["snoozed_until"] is None
