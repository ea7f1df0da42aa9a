"""The send adapters against the Meta simulator over real HTTP: what each channel sends,
the reply windows, every error class, token expiry and recovery, pacing, reconciliation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from assistant.channels.adapter import OutboundReply, SendOutcome, SentCheck
from assistant.channels.meta.adapters import MetaAdapter, meta_adapter
from assistant.channels.meta.config import Account, AccountKind, ChannelsConfig, Template
from assistant.channels.meta.graph import needing_reconnect
from assistant.channels.meta.graph_errors import ErrorClass, parse_error
from assistant.channels.meta.pacing import Pacer
from assistant.channels.meta.simulator.graph_api import GraphSimulator
from assistant.channels.meta.simulator.payloads import IG, PAGE, PHONE
from assistant.channels.meta.simulator.serving import serving
from assistant.channels.meta.windows import ReplyOption, reply_window
from assistant.db import database_url, make_engine
from assistant.intake.messages import Channel
from assistant.knowledge.policy import CommentReplies, CommentReply
from assistant.safety.topics import Topic
from assistant.settings import Settings

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ENV = {"PAGE_TOKEN": "page-token", "IG_TOKEN": "ig-token", "WA_TOKEN": "wa-token"}


@dataclass
class Rig:
    sim: GraphSimulator
    url: str
    engine: Engine
    env: dict[str, str]
    clock: list[datetime]
    pacer: Pacer

    def adapter(
        self, comments: CommentReplies | None = None, *, template: bool = True
    ) -> MetaAdapter:
        wa = Account(
            token_env="WA_TOKEN",
            template=Template(name="follow_up", language="en_US") if template else None,
        )
        config = ChannelsConfig(
            accounts={
                (AccountKind.page, PAGE): Account(token_env="PAGE_TOKEN"),
                (AccountKind.instagram, IG): Account(token_env="IG_TOKEN"),
                (AccountKind.whatsapp, PHONE): wa,
            },
            env=self.env,
        )
        return meta_adapter(
            config,
            self.engine,
            comments or CommentReplies(),
            graph_url=self.url,
            pacer=self.pacer,
            clock=lambda: self.clock[0],
        )


@pytest.fixture
def rig(settings: Settings) -> Iterator[Rig]:
    sim = GraphSimulator(
        tokens={PAGE: "page-token", IG: "ig-token", PHONE: "wa-token"},
        offset=NOW - datetime.now(UTC),
    )
    engine = make_engine(database_url(settings))
    pacer = Pacer(per_account_s=0.0, clock=lambda: 0.0)
    with serving(sim.app()) as url:
        yield Rig(sim, url, engine, dict(ENV), [NOW], pacer)


def reply(
    channel: Channel,
    account: str,
    recipient: str,
    *,
    written: datetime = NOW,
    kind: str = "dm",
    human: bool = False,
    topics: tuple[str, ...] = (),
    reply_id: int = 1,
    **meta: Any,
) -> OutboundReply:
    return OutboundReply(
        reply_id=reply_id,
        item_id=10 + reply_id,
        channel=channel,
        customer_key=f"{channel.value}:{recipient}",
        recipient_id=recipient,
        in_reply_to=meta.get("comment_id", "m_in"),
        text="Thanks! Size 40 is back in stock.",
        idempotency_key=f"key-{reply_id}",
        human_approved=human,
        topics=topics,
        metadata={"account_id": account, "event_at": written.isoformat(), "kind": kind, **meta},
    )


def send(adapter: MetaAdapter, outbound: OutboundReply) -> Any:
    return LOOP[0].run_until_complete(adapter.send(outbound))


LOOP: list[asyncio.AbstractEventLoop] = []


@pytest.fixture(autouse=True)
def one_loop() -> Iterator[None]:
    """One event loop per test: an adapter's HTTP client keeps its connections across sends."""
    loop = asyncio.new_event_loop()
    LOOP[:] = [loop]
    yield
    loop.close()


def test_messenger_reply_inside_24h_is_a_response_with_our_marker(rig: Rig) -> None:
    rig.sim.customer_wrote(PAGE, "psid-1", NOW)
    result = send(rig.adapter(), reply(Channel.facebook, PAGE, "psid-1"))
    assert result.outcome is SendOutcome.delivered and result.platform_id.startswith("m_SIM")
    [sent] = rig.sim.sends
    assert sent.path == f"/{PAGE}/messages"
    assert sent.body["messaging_type"] == "RESPONSE"
    assert sent.body["recipient"] == {"id": "psid-1"}
    assert sent.body["message"]["metadata"] == "ra1:11:1:key-1"


def test_messenger_after_24h_needs_a_person_then_uses_the_human_agent_tag(rig: Rig) -> None:
    written = NOW - timedelta(hours=30)
    rig.sim.customer_wrote(IG, "igsid", written)
    automated = send(rig.adapter(), reply(Channel.instagram, IG, "igsid", written=written))
    assert automated.outcome is SendOutcome.permanent and "person" in automated.reason
    assert rig.sim.sends == []  # refused before calling Meta
    approved = send(
        rig.adapter(), reply(Channel.instagram, IG, "igsid", written=written, human=True)
    )
    assert approved.outcome is SendOutcome.delivered
    assert (rig.sim.sends[0].body["messaging_type"], rig.sim.sends[0].body["tag"]) == (
        "MESSAGE_TAG",
        "HUMAN_AGENT",
    )
    old = NOW - timedelta(days=8)
    late = send(rig.adapter(), reply(Channel.instagram, IG, "igsid", written=old, human=True))
    assert late.outcome is SendOutcome.permanent and "7 days" in late.reason


def test_whatsapp_text_inside_the_window_and_the_template_outside(rig: Rig) -> None:
    rig.sim.customer_wrote(PHONE, "5511987654321", NOW)
    inside = send(rig.adapter(), reply(Channel.whatsapp, PHONE, "5511987654321"))
    assert inside.outcome is SendOutcome.delivered and inside.platform_id.startswith("wamid.")
    body = rig.sim.sends[0].body
    assert (body["to"], body["type"], body["text"]["body"]) == (
        "+5511987654321",
        "text",
        "Thanks! Size 40 is back in stock.",
    )
    assert body["biz_opaque_callback_data"] == "ra1:11:1:key-1"
    written = NOW - timedelta(hours=25)
    outside = send(
        rig.adapter(), reply(Channel.whatsapp, PHONE, "5511900000001", written=written, reply_id=2)
    )
    assert outside.outcome is SendOutcome.delivered
    assert rig.sim.sends[1].body["template"]["name"] == "follow_up"
    no_template = send(
        rig.adapter(template=False),
        reply(Channel.whatsapp, PHONE, "5511900000002", written=written),
    )
    assert no_template.outcome is SendOutcome.permanent
    assert "no template" in no_template.reason


def test_a_customer_known_only_by_a_business_scoped_id_is_addressed_by_recipient(
    rig: Rig,
) -> None:
    """A username hides the number: the id goes in ``recipient`` (in ``to`` Meta would
    drop the message silently)."""
    bsuid = "US.13491208655302741918"
    rig.sim.customer_wrote(PHONE, bsuid, NOW)
    result = send(rig.adapter(), reply(Channel.whatsapp, PHONE, bsuid))
    assert result.outcome is SendOutcome.delivered, result.reason
    [sent] = rig.sim.sends
    assert sent.body["recipient"] == bsuid and "to" not in sent.body


def test_a_message_written_in_a_group_is_answered_in_the_group(rig: Rig) -> None:
    group = "120363000000000001@g.us"
    rig.sim.customer_wrote(PHONE, group, NOW)
    result = send(
        rig.adapter(),
        reply(Channel.whatsapp, PHONE, "5511987654321", human=True, kind="group", group_id=group),
    )
    assert result.outcome is SendOutcome.delivered, result.reason
    [sent] = rig.sim.sends
    assert (sent.body["recipient_type"], sent.body["to"]) == ("group", group)


def test_a_window_our_clock_thinks_open_but_meta_closed_is_permanent(rig: Rig) -> None:
    # The simulator never saw the customer write: Meta answers 131047.
    result = send(rig.adapter(), reply(Channel.whatsapp, PHONE, "5511911111111"))
    assert result.outcome is SendOutcome.permanent
    assert "only a template can be sent" in result.reason and "131047" in result.reason


def test_whatsapp_paces_one_message_per_6s_per_person(rig: Rig) -> None:
    clock = [100.0]
    rig.pacer = Pacer(per_account_s=0.0, clock=lambda: clock[0])
    rig.sim.customer_wrote(PHONE, "5511987654321", NOW)
    adapter = rig.adapter()
    first = send(adapter, reply(Channel.whatsapp, PHONE, "5511987654321"))
    second = send(adapter, reply(Channel.whatsapp, PHONE, "5511987654321", reply_id=2))
    assert first.outcome is SendOutcome.delivered
    assert second.outcome is SendOutcome.retry and second.retry_after == pytest.approx(6.0)
    assert len(rig.sim.sends) == 1  # held here, not refused by Meta


def test_pair_rate_limit_backs_off_4_to_the_x(rig: Rig) -> None:
    rig.sim.customer_wrote(PHONE, "5511987654321", NOW)
    clock = [0.0]
    rig.pacer = Pacer(per_account_s=0.0, per_recipient_s=0.0, clock=lambda: clock[0])
    adapter = rig.adapter()
    to = "5511987654321"
    assert send(adapter, reply(Channel.whatsapp, PHONE, to)).outcome is SendOutcome.delivered
    waits = []
    for n in (2, 3, 4):  # Meta still sees the pair as too busy: each wait is 4x longer
        result = send(adapter, reply(Channel.whatsapp, PHONE, to, reply_id=n))
        waits.append(result.retry_after)
        held = send(adapter, reply(Channel.whatsapp, PHONE, to, reply_id=n))
        assert held.retry_after == result.retry_after  # held here until the wait is over
        clock[0] += result.retry_after or 0
    assert waits == [1.0, 4.0, 16.0]
    assert [code for _, code in rig.sim.refused] == [131056] * 3


def test_rate_limits_and_outages_are_retries_with_a_wait(rig: Rig) -> None:
    rig.sim.customer_wrote(PAGE, "psid-1", NOW)
    rig.sim.rate_limit_ratio = 1.0
    limited = send(rig.adapter(), reply(Channel.facebook, PAGE, "psid-1"))
    assert limited.outcome is SendOutcome.retry and limited.retry_after
    assert "rate limit" in limited.reason and "32" in limited.reason
    down = rig.adapter()
    down.messenger.graph.http = httpx.AsyncClient(base_url="http://127.0.0.1:9", timeout=1)
    outage = send(down, reply(Channel.facebook, PAGE, "psid-1"))
    assert outage.outcome is SendOutcome.retry and "could not be reached" in outage.reason


def test_token_expiry_holds_sends_until_the_token_is_replaced(rig: Rig) -> None:
    rig.sim.customer_wrote(PAGE, "psid-1", NOW)
    rig.sim.tokens[PAGE] = "rotated-token"  # the page's token was revoked at Meta
    adapter = rig.adapter()  # one per process
    first = send(adapter, reply(Channel.facebook, PAGE, "psid-1"))
    assert first.outcome is SendOutcome.reconnect and "reconnect" in first.reason
    assert [c.account_id for c in needing_reconnect(rig.engine)] == [PAGE]
    held = send(adapter, reply(Channel.facebook, PAGE, "psid-1", reply_id=2))
    assert held.outcome is SendOutcome.reconnect
    assert len(rig.sim.refused) == 1  # the held send never reached Meta
    rig.env["PAGE_TOKEN"] = "rotated-token"  # reconnected: the new token is in the env
    recovered = send(adapter, reply(Channel.facebook, PAGE, "psid-1", reply_id=2))
    assert recovered.outcome is SendOutcome.delivered
    assert needing_reconnect(rig.engine) == []


def test_another_process_clears_the_reconnect_flag_once_its_send_succeeds(rig: Rig) -> None:
    rig.sim.customer_wrote(PAGE, "psid-1", NOW)
    rig.sim.tokens[PAGE] = "rotated-token"
    assert send(rig.adapter(), reply(Channel.facebook, PAGE, "psid-1")).outcome is (
        SendOutcome.reconnect
    )
    rig.env["PAGE_TOKEN"] = "rotated-token"
    other_process = rig.adapter()
    assert send(other_process, reply(Channel.facebook, PAGE, "psid-1", reply_id=2)).outcome is (
        SendOutcome.delivered
    )
    assert needing_reconnect(rig.engine) == []


def test_comment_replies_public_private_or_both_by_topic(rig: Rig) -> None:
    policy = CommentReplies(
        topics={Topic.order_status: CommentReply.private, Topic.complaint: CommentReply.both}
    )
    adapter = rig.adapter(policy)
    public = send(adapter, reply(Channel.instagram, IG, "u1", kind="comment", comment_id="c1"))
    private = send(
        adapter,
        reply(
            Channel.facebook, PAGE, "u2", kind="comment", comment_id="c2", topics=("order_status",)
        ),
    )
    both = send(
        adapter,
        reply(Channel.facebook, PAGE, "u3", kind="comment", comment_id="c3", topics=("complaint",)),
    )
    assert [s.path for s in rig.sim.sends] == [
        "/c1/replies",
        f"/{PAGE}/messages",
        f"/{PAGE}/messages",
        "/c3/comments",
    ]
    assert rig.sim.sends[1].body["recipient"] == {"comment_id": "c2"}
    assert all(r.outcome is SendOutcome.delivered for r in (public, private, both))
    again = send(
        adapter,
        reply(
            Channel.facebook,
            PAGE,
            "u2",
            kind="comment",
            comment_id="c2",
            topics=("order_status",),
            reply_id=5,
        ),
    )
    assert again.outcome is SendOutcome.permanent  # Meta allows one private reply
    old = NOW - timedelta(days=8)
    late = send(
        adapter,
        reply(
            Channel.facebook,
            PAGE,
            "u4",
            kind="comment",
            comment_id="c4",
            topics=("order_status",),
            written=old,
        ),
    )
    assert late.outcome is SendOutcome.permanent and "7 days" in late.reason


def test_spam_comments_are_hidden_and_shown_again_on_the_platform(rig: Rig) -> None:
    moderation = rig.adapter().moderation
    ig = {"account_id": IG, "kind": "comment", "comment_id": "c9"}
    fb = {"account_id": PAGE, "kind": "comment", "comment_id": "c8"}
    run = LOOP[0].run_until_complete
    assert run(moderation.set_hidden(Channel.instagram, ig, True)).outcome is SendOutcome.delivered
    assert run(moderation.set_hidden(Channel.facebook, fb, True)).outcome is SendOutcome.delivered
    assert rig.sim.hidden == {"c9": True, "c8": True}
    run(moderation.set_hidden(Channel.instagram, ig, False))  # a person restored it
    assert rig.sim.hidden["c9"] is False
    dm_meta = {"account_id": PAGE, "kind": "dm"}
    refused = run(moderation.set_hidden(Channel.facebook, dm_meta, True))
    assert refused.outcome is SendOutcome.permanent


def test_was_sent_is_known_only_from_an_echo_or_status_with_our_marker(rig: Rig) -> None:
    from assistant.channels.meta.event_rows import RECORDS, event_row
    from assistant.channels.meta.events import Echo
    from assistant.channels.meta.intake import WebhookIntake
    from assistant.channels.meta.records import WebhookEndpoint
    from assistant.dbtypes import insert_ignoring_conflicts

    adapter = rig.adapter()
    outbound = reply(Channel.facebook, PAGE, "psid-1")
    assert LOOP[0].run_until_complete(adapter.was_sent(outbound)).state is SentCheck.unknown
    intake = WebhookIntake(rig.engine, ChannelsConfig(accounts={}), _no_sink)
    payload_id = intake.store(WebhookEndpoint.meta, b"{}")
    echo = Echo(
        key="echo:m_9",
        channel=Channel.facebook,
        account_id=PAGE,
        occurred_at=NOW,
        conversation=f"facebook:{PAGE}:psid-1",
        platform_id="m_9",
        text="Thanks!",
        marker="ra1:11:1:key-1",
    )
    with rig.engine.begin() as conn:
        insert_ignoring_conflicts(conn, RECORDS, event_row(echo, payload_id))
    check = LOOP[0].run_until_complete(adapter.was_sent(outbound))
    assert (check.state, check.platform_id) == (SentCheck.sent, "m_9")
    other = replace(outbound, reply_id=2, idempotency_key="key-2")
    assert LOOP[0].run_until_complete(adapter.was_sent(other)).state is SentCheck.unknown


async def _no_sink(messages: Any) -> None:
    raise AssertionError("no messages expected")


def test_reply_windows_per_channel_say_what_is_still_possible() -> None:
    def window(channel: Channel, hours: float, kind: str = "dm", **kw: Any) -> Any:
        meta = {"event_at": (NOW - timedelta(hours=hours)).isoformat(), "kind": kind}
        return reply_window(channel, meta, NOW, **kw)

    assert window(Channel.whatsapp, 23).options == (ReplyOption.message,)
    assert window(Channel.whatsapp, 23).deadline == NOW + timedelta(hours=1)
    assert window(Channel.whatsapp, 25, has_template=True).options == (ReplyOption.template,)
    assert window(Channel.whatsapp, 25).closed
    assert window(Channel.facebook, 30).options == (ReplyOption.human_agent,)
    assert window(Channel.instagram, 24 * 8).closed
    comment = window(Channel.instagram, 24 * 8, kind="comment")
    assert comment.options == (ReplyOption.public_comment,) and not comment.closed
    assert ReplyOption.private_reply in window(Channel.facebook, 24 * 6, kind="comment").options


def test_error_bodies_wrapped_bare_or_missing_map_to_what_happens_next() -> None:
    """Meta wraps errors in ``{"error": …}``; statuses and some proxies give the bare object.
    Either way a closed window is permanent and an expired token means reconnecting."""
    closed = parse_error(400, {"error": {"code": 131047, "title": "Re-engagement message"}})
    expired = parse_error(400, {"code": 190, "error_subcode": 463, "type": "OAuthException"})
    assert closed.klass is ErrorClass.permanent and "24 hours" in closed.reason
    assert expired.klass is ErrorClass.reconnect and "190/463" in expired.reason
    assert parse_error(401, {}).klass is ErrorClass.reconnect  # a refused token, no body
    assert parse_error(502, "<html>Bad gateway</html>").klass is ErrorClass.retry
    assert parse_error(400, {"error": "nope"}).klass is ErrorClass.permanent  # a person looks
