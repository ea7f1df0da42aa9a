"""What a message's identity means in the queue, and what scripts read from it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from assistant.app import open_records
from assistant.cli.main import app
from assistant.intake.messages import Channel
from assistant.review.models import ReviewItem
from assistant.settings import Settings
from tests.support import message, run
from tests.support import process as process_messages

HELLO = "Do you ship to Canada?"


def test_the_same_id_on_two_channels_is_two_messages(ingested: Settings) -> None:
    first, second = run(
        process_messages(
            ingested,
            message(HELLO, id="777", channel="instagram", author_id="ig_1", handle="@a"),
            message(HELLO, id="777", channel="facebook", author_id="fb_1"),
        )
    )
    assert first.item_id != second.item_id
    assert not second.duplicate


def test_the_same_message_again_is_a_duplicate(ingested: Settings) -> None:
    first, again = run(process_messages(ingested, message(HELLO, id="9"), message(HELLO, id="9")))
    assert again.duplicate and again.item_id == first.item_id


def test_an_id_reused_with_other_text_is_its_own_item_for_a_person(ingested: Settings) -> None:
    first, reused = run(
        process_messages(
            ingested, message(HELLO, id="9"), message("Refund me now, order FH-1001", id="9")
        )
    )
    assert not reused.duplicate and reused.item_id != first.item_id
    assert reused.needs_attention and reused.status == "pending"
    assert "reused with different text" in (reused.error or "")


def test_queue_list_json_rows_carry_ids_status_route_and_customer(ingested: Settings) -> None:
    run(process_messages(ingested, message("Can I get a refund?", id="r-1")))
    runner = CliRunner()
    listed = runner.invoke(app, ["queue", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    row = json.loads(listed.stdout.splitlines()[0])
    assert row["message_id"] == "r-1"
    assert row["item_id"] == row["id"]
    assert (row["status"], row["route"]) == ("pending", "human_review")
    assert row["customer"] == "web_chat:web_7731"
    everything = runner.invoke(app, ["queue", "list", "--all", "--json"])
    assert [json.loads(line)["message_id"] for line in everything.stdout.splitlines()] == ["r-1"]


def test_unknown_name_lockout_is_shared_by_two_processes_engines(settings: Settings) -> None:
    """Two console processes (two engines on one database) count one unknown name's failed
    sign-ins together: the sixth is locked out whichever process it reaches."""
    from assistant.db import database_url, make_engine
    from assistant.errors import AuthError
    from assistant.users import UserStore

    stores = [UserStore(make_engine(database_url(settings))) for _ in range(2)]
    messages = []
    for n in range(6):
        try:
            stores[n % 2].authenticate("ghost", f"guess-number-{n}")
        except AuthError as refused:
            messages.append(str(refused))
    assert len(set(messages[:5])) == 1
    assert "try again later" in messages[5]
    for store in stores:
        store.engine.dispose()


def test_change_stamps_come_from_the_database_clock_not_the_process(ingested: Settings) -> None:
    """A worker whose clock is a year off still stamps its writes in the database's order,
    so the console's refresh (rows changed since its last read) never misses them."""
    skewed = datetime.now(UTC) - timedelta(days=365)
    with open_records(ingested) as records:
        queue = records.queue
        item, created = queue.enqueue(
            ReviewItem(
                message_id="clock-1",
                thread_id="t-clock-1",
                channel=Channel.web_chat,
                customer_key="web_chat:c1",
                text=HELLO,
                received_at=skewed,
                due_at=skewed,
                created_at=skewed,
                updated_at=skewed,
            )
        )
        assert created and item.id is not None
        inserted = queue.get(item.id).updated_at
        queue.update(item.id, error="checked")
        updated = queue.get(item.id).updated_at

    now = datetime.now(UTC)
    assert abs(now - inserted) < timedelta(minutes=1)
    assert inserted <= updated and abs(now - updated) < timedelta(minutes=1)
