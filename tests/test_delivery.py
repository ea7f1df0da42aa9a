"""Delivery as a state machine against the recording fake channel (a real HTTP server): each
transition, crashes between claim and send, unknown outcomes, rate limits, permanent errors
and two deliverers at once. What counts is what the fake says each customer received."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from assistant.app import Assistant
from assistant.channels.recording_server import FakeChannelServer
from assistant.cli.main import app
from assistant.delivery import DeliveryPool, InlineDelivery, ReplyStore, deliver_reply
from assistant.delivery.machine import outbound
from assistant.delivery.reconnect import Reconnects
from assistant.errors import ConflictError
from assistant.evals.cases import case_id_for
from assistant.evals.learned import stored_strata
from assistant.review.decisions import Approve
from assistant.review.models import AuditAction, DeliveryState, ItemStatus, OutboxMessage
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.delivery_support import DEAD_OWNER, Later, advance, approved_reply, faults, row, wired
from tests.support import message, run


@pytest.fixture
def fake() -> Iterator[FakeChannelServer]:
    with FakeChannelServer() as server:
        yield server


def _received(fake: FakeChannelServer) -> int:
    return int(fake.ledger.stats()["received"])


def _sent_audits(assistant: Assistant, item_id: int | None) -> int:
    assert item_id is not None
    return sum(e.action == AuditAction.sent for e in assistant.queue.audit_log(item_id))


async def _crash_after_claim(assistant: Assistant, reply_id: int, *, went_out: bool) -> None:
    """What a process killed mid-send leaves: the row claimed (``sending``) by a process
    that no longer exists; the reply reached the channel or not."""
    store = ReplyStore(assistant.queue.engine)
    held = store.claim(reply_id, assistant.services.clock())
    assert held is not None
    if went_out:
        await assistant.services.channel.send(outbound(store, held))
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    with assistant.queue.engine.begin() as conn:
        conn.execute(update(table).where(table.c.id == reply_id).values(lease_owner=DEAD_OWNER))


def test_an_attempt_moves_pending_to_delivered_with_the_platform_id(
    ingested: Settings, fake: FakeChannelServer
) -> None:
    async def go() -> None:
        async with wired(ingested, fake) as assistant:
            reply_id = await approved_reply(assistant)
            before = row(assistant, reply_id)
            assert before.state == DeliveryState.pending and before.sent_at is None
            assert assistant.queue.get(before.item_id or 0).status == ItemStatus.approved
            assert isinstance(assistant.services.scheduler, Later)
            assert [r for r, _ in assistant.services.scheduler.asked] == [reply_id]

            step = await deliver_reply(assistant.services, reply_id)
            again = await deliver_reply(assistant.services, reply_id)

            after = row(assistant, reply_id)
            assert step.done and again.done
            assert after.state == DeliveryState.delivered and after.attempts == 1
            assert after.platform_id == "fake-1" and after.sent_at is not None
            assert assistant.queue.get(after.item_id or 0).status == ItemStatus.sent
            assert _sent_audits(assistant, after.item_id) == 1

    run(go())
    assert fake.ledger.stats()["per_customer"] == {"web_chat:web_7731": 1}


def test_a_429_is_retried_no_sooner_than_retry_after(
    ingested: Settings, fake: FakeChannelServer
) -> None:
    async def go() -> None:
        async with wired(ingested, fake) as assistant:
            reply_id = await approved_reply(assistant)
            faults(fake, rate_limited=1.0, retry_after_s=30)
            now = assistant.services.clock()

            step = await deliver_reply(assistant.services, reply_id)

            waiting = row(assistant, reply_id)
            assert not step.done and step.retry_at is not None
            assert step.retry_at >= now + timedelta(seconds=30)
            assert waiting.state == DeliveryState.pending and waiting.attempts == 1
            assert "HTTP 429" in (waiting.last_error or "")
            faults(fake)
            early = await deliver_reply(assistant.services, reply_id)  # not due yet
            assert not early.done and _received(fake) == 0
            advance(assistant, timedelta(seconds=31))
            assert (await deliver_reply(assistant.services, reply_id)).done
            assert row(assistant, reply_id).attempts == 2

    run(go())
    assert _received(fake) == 1


def test_a_permanent_error_reopens_the_item_flagged_with_the_reason(
    ingested: Settings, fake: FakeChannelServer
) -> None:
    async def go() -> None:
        async with wired(ingested, fake) as assistant:
            reply_id = await approved_reply(assistant)
            faults(fake, rejecting=1.0)

            assert (await deliver_reply(assistant.services, reply_id)).done

            failed = row(assistant, reply_id)
            item = assistant.queue.get(failed.item_id or 0)
            assert failed.state == DeliveryState.failed
            assert item.status == ItemStatus.pending and item.needs_attention
            assert "the recipient cannot receive messages" in (item.error or "")
            assert _sent_audits(assistant, item.id) == 0
            # A person decides again once the cause is fixed: the same reply goes out once.
            faults(fake)
            await assistant.review.decide(SYSTEM_ACTOR, item.id or 0, Approve(actor="bob"))
            assert row(assistant, reply_id).state == DeliveryState.pending
            assert (await deliver_reply(assistant.services, reply_id)).done
            assert row(assistant, reply_id).sent_by == "bob"

    run(go())
    assert _received(fake) == 1


@pytest.mark.parametrize("went_out", [True, False])
def test_a_crash_between_claim_and_send_is_reconciled_and_received_once(
    ingested: Settings, fake: FakeChannelServer, went_out: bool
) -> None:
    async def go() -> None:
        async with wired(ingested, fake) as assistant:
            reply_id = await approved_reply(assistant)
            await _crash_after_claim(assistant, reply_id, went_out=went_out)
            assert row(assistant, reply_id).state == DeliveryState.sending

            recovered = await assistant.inbox.recover(SYSTEM_ACTOR)  # what a restart runs
            assert isinstance(assistant.services.scheduler, Later)
            assert reply_id in [r for r, _ in assistant.services.scheduler.asked[1:]]
            assert (await deliver_reply(assistant.services, reply_id)).done

            delivered = row(assistant, reply_id)
            assert recovered == [delivered.item_id]
            assert delivered.state == DeliveryState.delivered
            assert delivered.platform_id == "fake-1"
            assert _sent_audits(assistant, delivered.item_id) == 1

    run(go())
    assert _received(fake) == 1 and fake.ledger.stats()["duplicates"] == 0


def test_when_the_channel_cannot_tell_a_person_checks_and_nothing_is_resent(
    ingested: Settings, fake: FakeChannelServer
) -> None:
    async def go() -> None:
        async with wired(ingested, fake) as assistant:
            reply_id = await approved_reply(assistant)
            faults(fake, can_look_up=False)
            await _crash_after_claim(assistant, reply_id, went_out=True)

            assert (await deliver_reply(assistant.services, reply_id)).done

            failed = row(assistant, reply_id)
            item = assistant.queue.get(failed.item_id or 0)
            assert failed.state == DeliveryState.failed
            assert item.status == ItemStatus.pending and item.needs_attention
            assert "Check whether the customer received this reply" in (item.error or "")

    run(go())
    assert _received(fake) == 1  # the one the crashed process sent; nothing more


def test_a_timeout_after_delivery_is_reconciled_not_sent_again(
    ingested: Settings, fake: FakeChannelServer
) -> None:
    async def go() -> None:
        async with wired(ingested, fake) as assistant:
            reply_id = await approved_reply(assistant)
            faults(fake, timing_out=1.0, hang_s=6)

            step = await deliver_reply(assistant.services, reply_id)  # client gives up at 3 s

            assert not step.done and step.retry_at is not None
            assert row(assistant, reply_id).state == DeliveryState.sending
            faults(fake)
            advance(assistant, step.retry_at - assistant.services.clock() + timedelta(seconds=1))
            assert (await deliver_reply(assistant.services, reply_id)).done
            delivered = row(assistant, reply_id)
            assert delivered.state == DeliveryState.delivered
            assert delivered.platform_id == "fake-1"

    run(go())
    assert _received(fake) == 1  # delivered by the timed-out try, confirmed, not resent


def test_revoked_credentials_hold_the_reply_without_counting_an_attempt(
    ingested: Settings, fake: FakeChannelServer
) -> None:
    async def go() -> None:
        async with wired(ingested, fake) as assistant:
            reply_id = await approved_reply(assistant)
            faults(fake, revoked=True)
            store = ReplyStore(assistant.queue.engine)

            step = await deliver_reply(assistant.services, reply_id)

            held = row(assistant, reply_id)
            assert not step.done and held.state == DeliveryState.pending and held.attempts == 0
            [channel] = Reconnects(store.engine).needing()
            assert channel.channel_key == "web_chat" and "revoked" in (channel.reason or "")
            faults(fake)
            advance(assistant, timedelta(minutes=6))
            assert (await deliver_reply(assistant.services, reply_id)).done
            assert Reconnects(store.engine).needing() == []

    run(go())
    assert _received(fake) == 1


def test_two_deliverers_at_once_send_exactly_once(
    ingested: Settings, fake: FakeChannelServer
) -> None:
    async def go() -> None:
        async with wired(ingested, fake) as assistant:
            reply_id = await approved_reply(assistant)
            faults(fake, latency_s=0.3)

            steps = await asyncio.gather(
                *(deliver_reply(assistant.services, reply_id) for _ in range(4))
            )

            assert sum(s.done for s in steps) == 1  # the others found it claimed
            assert row(assistant, reply_id).state == DeliveryState.delivered

    run(go())
    assert _received(fake) == 1


def test_a_pool_keeps_to_its_limit_on_sends_at_once_and_delivers_every_reply_once(
    ingested: Settings, fake: FakeChannelServer
) -> None:
    async def go() -> None:
        async with wired(ingested, fake) as assistant:
            reply_ids = [
                await approved_reply(assistant, id=f"m-{n}", author=f"web_{n}") for n in range(9)
            ]
            faults(fake, latency_s=0.2, rate_limited=0.3, retry_after_s=0.1)
            pool = DeliveryPool(assistant.services, concurrency=2)

            for reply_id in reply_ids:
                await pool.schedule(reply_id, None)
            await pool.drain()

            assert {row(assistant, r).state for r in reply_ids} == {DeliveryState.delivered}

    run(go())
    stats = fake.ledger.stats()
    assert stats["requests"].get("rate_limited", 0) > 0  # some were retried
    assert stats["received"] == stats["replies"] == 9 and stats["duplicates"] == 0
    assert stats["most_at_once"] == 2


def test_approving_from_the_cli_delivers_once_and_outbox_shows_states(
    ingested: Settings, fake: FakeChannelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_CHANNEL_URL", fake.url)
    cli = CliRunner()
    ids = []
    for n in (1, 2):
        [result] = run(_process(ingested, fake, f"q{n}"))
        ids.append(result)
    approved = cli.invoke(app, ["queue", "approve", str(ids[0]), "--actor", "al"])
    again = cli.invoke(app, ["queue", "approve", str(ids[0]), "--actor", "bo"])
    faults(fake, rejecting=1.0)
    refused = cli.invoke(app, ["queue", "approve", str(ids[1]), "--actor", "al"])

    assert approved.exit_code == 0, approved.output
    assert again.exit_code == 6 and "already sent by al" in again.stderr
    assert refused.exit_code == 0, refused.output
    rows = [json.loads(line) for line in cli.invoke(app, ["outbox", "--json"]).stdout.splitlines()]
    states = {r["item_id"]: (r["state"], r["platform_id"], r["sent_by"]) for r in rows}
    assert states[ids[0]] == ("delivered", "fake-1", "al")
    assert states[ids[1]][0] == "failed"
    assert fake.ledger.stats()["requests"] == {"delivered": 1, "rejecting": 1}


async def _process(settings: Settings, fake: FakeChannelServer, id: str) -> list[int]:
    async with wired(settings, fake) as assistant:
        result = await assistant.inbox.process(
            SYSTEM_ACTOR, message("Can I get a refund?", id=id, author_id=f"u-{id}")
        )
        return [result.item_id]


def test_a_second_approval_of_a_delivered_reply_is_refused(
    ingested: Settings, fake: FakeChannelServer
) -> None:
    async def go() -> None:
        async with wired(ingested, fake) as assistant:
            reply_id = await approved_reply(assistant)
            await deliver_reply(assistant.services, reply_id)
            item_id = row(assistant, reply_id).item_id or 0
            with pytest.raises(ConflictError):
                await assistant.review.decide(SYSTEM_ACTOR, item_id, Approve(actor="bob"))

    run(go())
    assert _received(fake) == 1


def test_inline_delivery_waits_out_a_short_retry_and_leaves_a_long_one_to_recover(
    ingested: Settings, fake: FakeChannelServer
) -> None:
    async def go() -> None:
        async with wired(ingested, fake) as assistant:
            assistant.services.scheduler = InlineDelivery(assistant.services, max_wait_s=2)
            faults(fake, rate_limited=0.5, retry_after_s=0.2, seed=3)  # 1st 429, 2nd delivers
            quick = await approved_reply(assistant, id="m-1", author="u-1")
            assert row(assistant, quick).state == DeliveryState.delivered  # before returning

            faults(fake, rate_limited=1.0, retry_after_s=60)
            slow = await approved_reply(assistant, id="m-2", author="u-2")
            waiting = row(assistant, slow)
            assert waiting.state == DeliveryState.pending and waiting.next_attempt_at
            # Only a sent approval is learned from: the first now, the waiting one not yet.
            assert set(stored_strata(ingested)) == {case_id_for("m-1")}

            faults(fake)
            assert await assistant.inbox.recover(SYSTEM_ACTOR) == []  # not due yet
            advance(assistant, timedelta(seconds=61))
            assert await assistant.inbox.recover(SYSTEM_ACTOR) == [waiting.item_id]
            assert row(assistant, slow).state == DeliveryState.delivered
            assert set(stored_strata(ingested)) == {case_id_for("m-1"), case_id_for("m-2")}

    run(go())
    assert fake.ledger.stats()["per_customer"] == {"web_chat:u-1": 1, "web_chat:u-2": 1}


def test_a_failure_reported_after_delivery_reopens_the_item(
    ingested: Settings, fake: FakeChannelServer
) -> None:
    async def go() -> None:
        async with wired(ingested, fake) as assistant:
            reply_id = await approved_reply(assistant)
            await deliver_reply(assistant.services, reply_id)
            store = ReplyStore(assistant.queue.engine)

            failed = store.failed_after_delivery("web_chat", "fake-1", "the number is blocked")
            again = store.failed_after_delivery("web_chat", "fake-1", "the number is blocked")

            assert failed is not None and failed.state == DeliveryState.failed
            assert again is None  # a repeated status webhook changes nothing
            item = assistant.queue.get(failed.item_id or 0)
            assert item.status == ItemStatus.pending and item.needs_attention
            assert item.error == "Not delivered: the number is blocked."

    run(go())


def test_a_reply_just_recorded_is_left_to_the_process_sending_it_unless_that_one_died(
    ingested: Settings, fake: FakeChannelServer
) -> None:
    """A sweep (``recover``, the runner's, the workers') that found a fresh reply due would
    take it from a live process about to send it."""

    async def go() -> None:
        async with wired(ingested, fake) as assistant:
            reply_id = await approved_reply(assistant)  # recorded; this process sends it next
            item_id = row(assistant, reply_id).item_id

            assert await assistant.inbox.recover(SYSTEM_ACTOR) == []
            assert row(assistant, reply_id).state == DeliveryState.pending

            with assistant.queue.engine.begin() as conn:  # the process that recorded it died
                conn.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == reply_id)  # type: ignore[arg-type]
                    .values(lease_owner=DEAD_OWNER)
                )
            assert await assistant.inbox.recover(SYSTEM_ACTOR) == [item_id]
            assert (await deliver_reply(assistant.services, reply_id)).done
            assert row(assistant, reply_id).state == DeliveryState.delivered

    run(go())
    assert _received(fake) == 1
