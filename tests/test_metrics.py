"""Dashboard figures, as a lead reads them: automation rate, response times, decisions,
edit distance, SLA breaches, reasons, moderation, opt-outs, per day and channel."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from assistant.app import open_assistant
from assistant.db import database_url, make_engine
from assistant.review.decisions import Approve, Edit, Reject
from assistant.review.metrics import DAILY_COLUMNS, dashboard
from assistant.review.models import AuditEvent, CustomerState, OutboxMessage, ReviewItem
from assistant.review.text_metrics import levenshtein, normalise_reason
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.support import message, process, run

DAY = date(2026, 3, 2)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=30)


class Queue:
    """Rows as the pipeline and the console leave them, written directly (fast, exact)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.n = 0
        self.received: dict[int, tuple[datetime, str]] = {}

    def item(
        self,
        *,
        at: datetime = T0,
        channel: str = "web_chat",
        status: str = "sent",
        route: str = "human_review",
        reasons: tuple[str, ...] = (),
        draft: str | None = "Thanks for writing!",
        due_minutes: int = 60,
    ) -> int:
        self.n += 1
        with Session(self.engine) as session:
            row = ReviewItem(
                message_id=f"m{self.n}",
                thread_id=f"t{self.n}",
                channel=channel,
                customer_key=f"{channel}:u{self.n}",
                received_at=at,
                due_at=at + timedelta(minutes=due_minutes),
                status=status,
                route=route,
                reasons=list(reasons),
                draft=draft,
            )
            session.add(row)
            session.commit()
            assert row.id is not None
            self.received[row.id] = (at, channel)
            return row.id

    def reply(self, item_id: int, minutes: float, *, automated: bool = False) -> None:
        at, channel = self.received[item_id]
        with Session(self.engine) as session:
            session.add(
                OutboxMessage(
                    message_id=f"m{item_id}",
                    item_id=item_id,
                    channel=channel,
                    customer_key=f"{channel}:u{item_id}",
                    text="Automated reply: thanks",
                    automated=automated,
                    sent_by="auto" if automated else "maya",
                    sent_at=at + timedelta(minutes=minutes),
                )
            )
            session.commit()

    def event(
        self,
        item_id: int,
        action: str,
        minutes: float = 5,
        *,
        actor: str = "maya",
        before: str | None = None,
        after: str | None = None,
    ) -> None:
        at, _ = self.received[item_id]
        with Session(self.engine) as session:
            session.add(
                AuditEvent(
                    item_id=item_id,
                    actor=actor,
                    action=action,
                    at=at + timedelta(minutes=minutes),
                    before_text=before,
                    after_text=after,
                )
            )
            session.commit()


@pytest.fixture
def queue(tmp_path: Path) -> Queue:
    return Queue(make_engine(tmp_path / "assistant.db"))


def _board(queue: Queue, start: date = DAY, end: date = DAY, now: datetime = LATER) -> Any:
    return dashboard(queue.engine, start, end, now)


def test_two_of_four_replies_automated_is_an_automation_rate_of_one_half(queue: Queue) -> None:
    for automated in (True, True, False, False):
        item = queue.item(route="auto_send" if automated else "human_review")
        queue.reply(item, 1, automated=automated)
    queue.item(status="rejected")  # received, never answered: not a reply

    totals = _board(queue).totals

    assert (totals.received, totals.replies, totals.automated_replies) == (5, 4, 2)
    assert totals.automation_rate == 0.5


def test_first_response_time_percentiles_are_in_minutes(queue: Queue) -> None:
    for minutes in (10, 20, 30, 40, 50):
        queue.reply(queue.item(), minutes)

    first = _board(queue).totals.first_response

    assert first.count == 5
    assert (first.p50_minutes, first.p90_minutes) == (pytest.approx(30), pytest.approx(46))


def test_an_edit_that_changed_5_of_50_characters_has_distance_one_tenth(queue: Queue) -> None:
    draft = "Your order ships in 3 days, tracking follows soon."
    edited = "Your order ships in 5 days, tracking follows today"  # 5 characters replaced
    assert len(draft) == len(edited) == 50
    item = queue.item(draft=draft)
    queue.event(item, "edit", 12, before=draft, after=edited)
    queue.reply(item, 13)

    board = _board(queue)

    assert board.totals.edits.count == 1
    assert board.totals.edits.mean_distance == pytest.approx(0.1)
    assert board.totals.edits.mean_chars_changed == 5
    assert board.totals.decisions.edited == 1 and board.totals.decisions.edit_rate == 1.0


def test_decision_rates_count_each_human_decision_and_skip_automatic_sends(
    queue: Queue,
) -> None:
    for action in ("approve", "approve", "edit", "reject"):
        queue.event(queue.item(), action, 30)
    escalated = queue.item()
    queue.event(escalated, "escalate", 10)
    queue.event(escalated, "approve", 50, actor="lena")  # the lead decides later
    queue.event(queue.item(route="auto_send"), "approve", 0, actor="auto")

    d = _board(queue).totals.decisions

    assert (d.total, d.approved, d.edited, d.rejected, d.escalated) == (6, 3, 1, 1, 1)
    assert d.approve_rate == pytest.approx(0.5)
    assert d.reject_rate == pytest.approx(1 / 6)
    time_to_approve = _board(queue).totals.time_to_approve
    assert time_to_approve.count == 4  # three approvals and one edit, by people
    assert time_to_approve.p50_minutes == pytest.approx(30)


def test_a_reply_after_the_deadline_and_an_overdue_open_item_are_sla_breaches(
    queue: Queue,
) -> None:
    queue.reply(queue.item(due_minutes=60), 61)  # late
    queue.reply(queue.item(due_minutes=60), 59)  # in time
    queue.item(status="pending", due_minutes=60)  # open and overdue at `now`
    queue.item(status="pending", due_minutes=60 * 24 * 60)  # open, not due yet
    queue.item(status="rejected", due_minutes=60)  # decided: no reply owed

    sla = _board(queue).totals.sla

    assert (sla.replied_late, sla.open_overdue, sla.total) == (1, 1, 2)
    not_yet = _board(queue, now=T0 + timedelta(minutes=30)).totals.sla
    assert (not_yet.replied_late, not_yet.open_overdue) == (1, 0)  # the late reply is a fact


def test_the_date_range_leaves_out_messages_received_outside_it(queue: Queue) -> None:
    before = queue.item(at=T0 - timedelta(days=1))
    queue.reply(before, 1, automated=True)
    queue.event(before, "approve")
    after = queue.item(at=T0 + timedelta(days=2))
    queue.reply(after, 1)
    inside = queue.item(at=datetime(2026, 3, 2, 23, 59, tzinfo=UTC))
    queue.reply(inside, 90)  # answered the next day: still this day's message

    totals = _board(queue).totals

    assert (totals.received, totals.replies, totals.automated_replies) == (1, 1, 0)
    assert totals.decisions.total == 0
    assert _board(queue, DAY - timedelta(days=1), DAY + timedelta(days=2)).totals.received == 3


def test_daily_rows_cover_every_day_and_channel_with_zeros_and_add_up(queue: Queue) -> None:
    queue.reply(queue.item(channel="instagram"), 2, automated=True)
    queue.reply(queue.item(channel="web_chat", at=T0 + timedelta(days=2)), 2)
    queue.item(channel="web_chat", at=T0 + timedelta(days=2))

    board = _board(queue, DAY, DAY + timedelta(days=2))

    assert board.channels == ["instagram", "web_chat"]
    assert len(board.daily) == 3 * 2 and len(board.daily_totals) == 3
    assert all(tuple(row) == DAILY_COLUMNS for row in board.daily)
    rows = {(r["date"], r["channel"]): r for r in board.daily}
    assert rows[("2026-03-02", "instagram")]["automation_rate"] == 1.0
    assert rows[("2026-03-03", "web_chat")]["received"] == 0
    assert rows[("2026-03-03", "web_chat")]["automation_rate"] is None
    assert rows[("2026-03-04", "web_chat")]["received"] == 2
    assert rows[("2026-03-04", "web_chat")]["replies"] == 1
    assert sum(r["received"] for r in board.daily) == board.totals.received == 3
    assert [r["received"] for r in board.daily_totals] == [1, 0, 2]
    assert board.by_channel["web_chat"].automation_rate == 0.0


def test_routing_reasons_that_differ_only_in_specifics_are_counted_together(
    queue: Queue,
) -> None:
    queue.item(reasons=("order FH-10001 was not found", "risk topic: refund"))
    queue.item(reasons=("order FH-20002 was not found", "VIP customer: Ada Lovelace"))
    queue.item(
        reasons=(
            "mentions a refund: 'money back'",
            "mentions a refund: 'refund'",  # one item, one count
            "similar to messages about refund (e.g. 'I want my money', 0.83)",
        )
    )
    queue.item(reasons=("risk topic: refund",), at=T0 - timedelta(days=3))  # out of range

    top = {r.reason: r.count for r in _board(queue).top_reasons}

    assert top == {
        "order # was not found": 2,
        "risk topic: refund": 1,
        "VIP customer": 1,
        "mentions a refund": 1,
        "similar to messages about refund": 1,
    }


def test_hidden_spam_restored_by_a_person_is_the_false_positive_rate(queue: Queue) -> None:
    hidden = [queue.item(status="hidden", route="hidden") for _ in range(4)]
    for item in hidden:
        queue.event(item, "hidden", 0, actor="auto")
    queue.event(hidden[0], "restore", 20)

    moderation = _board(queue).totals.moderation

    assert (moderation.hidden, moderation.restored) == (4, 1)
    assert moderation.false_positive_rate == 0.25


def test_opt_outs_are_counted_from_stop_messages_and_customer_records(queue: Queue) -> None:
    queue.item(route="opted_out", status="closed")
    queue.item(route="opted_in", status="closed")
    with Session(queue.engine) as session:
        session.add(CustomerState(customer_key="web_chat:a", opted_out_at=T0))
        session.add(CustomerState(customer_key="web_chat:b", opted_out_at=T0 - timedelta(days=9)))
        session.commit()

    board = _board(queue)

    assert (board.totals.opt_outs, board.totals.opt_ins, board.opted_out_customers) == (1, 1, 1)


def test_an_empty_range_has_zeros_and_no_rates(queue: Queue) -> None:
    totals = _board(queue).totals

    assert totals.received == 0 and totals.automation_rate is None
    assert totals.first_response.p50_minutes is None
    assert totals.decisions.approve_rate is None


def test_the_dashboard_reads_what_the_real_pipeline_and_decisions_leave(
    ingested: Settings,
) -> None:
    results = run(
        process(
            ingested,
            message("Hi! Where is my order FH-10293?", id="p1"),  # answered automatically
            message("Hi, can I get a refund for the sweater I returned?", id="p2", author_id="w2"),
            message("How much is the Merino Crew Sweater?", id="p3", author_id="w3"),
            message("My lawyer will hear about this.", id="p4", author_id="w4"),
            message(
                "Get 10K real followers now!! http://x.example/1",
                id="p5",
                channel="instagram",
                author_id="i5",
            ),
            message("STOP", id="p6", author_id="w6"),
        )
    )
    by_id = {r.message_id: r for r in results}
    assert [by_id[k].route for k in ("p1", "p5", "p6")] == ["auto_send", "hidden", "opted_out"]

    async def decide() -> None:
        async with open_assistant(ingested) as assistant:
            await assistant.review.decide(SYSTEM_ACTOR, by_id["p2"].item_id, Approve(actor="alice"))
            await assistant.review.decide(
                SYSTEM_ACTOR,
                by_id["p3"].item_id,
                Edit(actor="alice", text="The Merino Crew Sweater is $98."),
            )
            await assistant.review.decide(
                SYSTEM_ACTOR, by_id["p4"].item_id, Reject(actor="alice", reason="legal")
            )

    run(decide())
    today = datetime.now(UTC).date()

    board = dashboard(make_engine(database_url(ingested)), today, today)

    t = board.totals
    assert (t.received, t.replies, t.automated_replies) == (6, 3, 1)
    assert t.automation_rate == pytest.approx(1 / 3)
    assert (t.decisions.approved, t.decisions.edited, t.decisions.rejected) == (1, 1, 1)
    assert t.edits.count == 1 and 0 < (t.edits.mean_distance or 0) <= 1
    assert (t.moderation.hidden, t.opt_outs, board.opted_out_customers) == (1, 1, 1)
    assert t.sla.total == 0
    assert board.channels == ["instagram", "web_chat"]
    reasons = {r.reason: r.count for r in board.top_reasons}
    assert reasons["mentions a refund"] == 1  # quoted evidence ('refund') taken out
    assert reasons["risk topic: legal"] == 1


# -- the text helpers --------------------------------------------------------------------


def _table_levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@given(st.text(alphabet="abcde ", max_size=80), st.text(alphabet="abcde ", max_size=80))
def test_edit_distance_matches_the_textbook_table(a: str, b: str) -> None:
    assert levenshtein(a, b) == _table_levenshtein(a, b)


def test_edit_distance_handles_long_texts_beyond_one_machine_word() -> None:
    rnd = random.Random(3)
    a = "".join(rnd.choice("abcdefgh ") for _ in range(400))
    b = "".join(rnd.choice("abcdefgh ") for _ in range(350))

    assert levenshtein(a, b) == _table_levenshtein(a, b)
    assert levenshtein("kitten", "sitting") == 3


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("confidence 0.62 is below 0.80", "confidence # is below #"),
        ("outside the 25% rollout for facebook", "outside the # rollout for facebook"),
        (
            "long message (20,000 characters): only the first 4,000 were analysed",
            "long message: only the first # were analysed",
        ),
        ("the message has no text (attachment: sticker)", "the message has no text"),
        ("restored from the spam folder by maya", "restored from the spam folder by"),
        ("the customer's order is late", "the customer's order is late"),
    ],
)
def test_reasons_are_normalised_so_they_group(reason: str, expected: str) -> None:
    assert normalise_reason(reason) == expected
