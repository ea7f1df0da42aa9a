"""What each detector costs: the detector behind every routing reason is stored on the item
(revision 0013), counted per topic on the dashboard and by ``assistant triage --explain``,
and a what-if replays the last 30 days with a policy change. Runs on both backends."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from typer.testing import CliRunner

from assistant.app import open_records
from assistant.cli.main import app
from assistant.review.models import ReviewItem
from assistant.review.routing_cost import routing_cost
from assistant.safety.topics import Topic
from assistant.settings import Settings
from tests.console_support import add_users, click, console, go, item, on_screen, queued

REFUND = "I want a refund for my order FH-10293."
UNHAPPY = "So sad and angry about how this was handled, awful"
SHIPPING = "Do you ship to Canada?"


def _window() -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    return now - timedelta(days=30), now + timedelta(minutes=1)


def test_each_reason_keeps_the_detector_that_gave_it(ingested: Settings) -> None:
    refund, unhappy, shipping = queued(ingested, REFUND, UNHAPPY, SHIPPING, channel="whatsapp")

    sources = {o["reason"]: o for o in item(ingested, refund).reason_sources}
    assert [r for r in item(ingested, refund).reasons] == list(sources)  # one per reason
    by_detector = {(o["topic"], o["source"]) for o in sources.values()}
    assert ("refund", "policy patterns") in by_detector
    assert sources["automatic sending is off for whatsapp"]["source"] == "routing rules"
    assert sources["automatic sending is off for whatsapp"]["topic"] is None
    unhappy_sources = {(o["topic"], o["source"]) for o in item(ingested, unhappy).reason_sources}
    assert ("complaint", "sentiment") in unhappy_sources
    plain = item(ingested, shipping).reason_sources
    assert plain and all(o["topic"] is None for o in plain)  # held by the channel, no detector


def test_the_cost_counts_messages_per_topic_and_detector_and_reads_old_rows(
    ingested: Settings,
) -> None:
    *_, other = queued(
        ingested, REFUND, UNHAPPY, "I want my money back for FH-10294", channel="whatsapp"
    )
    with open_records(ingested) as records:
        engine = records.queue.engine
        with engine.begin() as conn:  # as a row routed before revision 0013 reads
            conn.execute(update(ReviewItem).where(ReviewItem.id == other).values(reason_sources=[]))
        cost = routing_cost(engine, *_window())
        old = records.queue.get(other)

    assert old.reason_sources == [] and old.reasons  # the old row reads back as it was
    assert cost.to_person == 3 and cost.not_recorded == 1
    found = {(c.topic, c.detector): c for c in cost.detectors}
    assert found[(Topic.refund, "policy patterns")].messages == 1  # the old row is not guessed
    assert found[(Topic.complaint, "sentiment")].messages == 1
    assert cost.checks["routing rules"] == 2


def test_triage_explain_shows_the_stored_costs_and_a_what_if(ingested: Settings) -> None:
    queued(ingested, REFUND, UNHAPPY, SHIPPING, channel="whatsapp")
    runner = CliRunner()

    stored = runner.invoke(app, ["triage", "--explain"])
    what_if = runner.invoke(app, ["triage", "--explain", "--without", "sentiment", "--json"])
    held = runner.invoke(app, ["triage", "--explain", "--hold", "general"])
    refused = runner.invoke(app, ["triage", "--explain", "--automate", "refund"])
    unknown = runner.invoke(app, ["triage", "--explain", "--threshold", "vibes=0.3"])

    assert stored.exit_code == 0, stored.output
    assert "Last 30 days: 3 messages went to a person." in stored.stdout
    assert "refund" in stored.stdout and "policy patterns" in stored.stdout
    assert what_if.exit_code == 0, what_if.output
    cost, report = (json.loads(line) for line in what_if.stdout.splitlines()[-2:])
    assert cost["to_person"] == 3
    assert any(
        d["topic"] == "complaint" and d["detector"] == "sentiment" for d in cost["detectors"]
    )
    replay = report["what_if"]
    assert replay["change"] == "switch off sentiment" and replay["checked"] == 3
    if replay["freed_count"]:  # the complaint may also be caught by similar examples
        assert [f["text"] for f in replay["freed"]] == [UNHAPPY]
    assert replay["per_topic"]["refund"] == [1, 1]
    assert "Newly to a person:" in held.stdout and SHIPPING in held.stdout
    assert refused.exit_code != 0 and "always go to a person" in refused.output
    assert "no detector called 'vibes'" in unknown.output
    assert "Traceback" not in refused.output + unknown.output


def test_the_dashboard_shows_the_costs_and_a_lead_runs_a_what_if(ingested: Settings) -> None:
    add_users(ingested)
    queued(ingested, REFUND, UNHAPPY, SHIPPING, channel="whatsapp")

    agent = go(console("ann"), "Dashboard")
    assert "What each detector costs" in on_screen(agent)
    costs = next(d.value for d in agent.dataframe if "detector" in d.value.columns)
    rows = {(r["topic"], r["detector"]): r["messages to a person"] for _, r in costs.iterrows()}
    assert rows[("refund", "policy patterns")] == 1
    assert not agent.toggle  # only leads replay messages

    lead = go(console("lea"), "Dashboard")
    lead.toggle(key="whatif_open").set_value(True)
    lead.run()
    lead.multiselect[1].select("general")
    lead = click(lead, "Run the what-if")
    screen = on_screen(lead)
    assert "What if: hold general for a person" in screen
    assert "Messages replayed: 3" in screen
    assert SHIPPING in screen  # listed among the messages newly sent to a person
