"""What platform events do to the queue, end to end over HTTP with the real pipeline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from assistant.channels.meta.intake import conversation_events
from assistant.channels.meta.records import MetaEventRecord
from assistant.channels.meta.simulator.payloads import (
    PAGE,
    PHONE,
    dm,
    echo,
    feed_comment,
    messaging_entry,
    page_batch,
    reaction,
    wa_message,
    wa_status,
    whatsapp,
)
from assistant.db import database_url, make_engine
from assistant.intake.messages import Channel
from assistant.review.models import (
    AuditAction,
    DeliveryState,
    ItemStatus,
    OutboxMessage,
    ReviewItem,
)
from assistant.review.queue import Queue
from assistant.settings import Settings
from tests.meta_service import Service, running_service

CHANNELS = f"""
pages:
  "{PAGE}":
    token_env: PAGE_TOKEN
whatsapp:
  "{PHONE}":
    token_env: WA_TOKEN
"""


@pytest.fixture
def service(settings: Settings) -> Iterator[Service]:
    (settings.knowledge_dir / "channels.yaml").write_text(CHANNELS)
    with running_service(settings, env={"PAGE_TOKEN": "t", "WA_TOKEN": "w"}) as running:
        yield running


def queue(settings: Settings) -> Queue:
    return Queue(make_engine(database_url(settings)))


def item(settings: Settings, message_id: str) -> ReviewItem:
    found = queue(settings).by_message(message_id)
    assert found is not None
    return found


def actions(settings: Settings, item_id: int | None) -> list[AuditAction]:
    return [e.action for e in queue(settings).audit_log(item_id)]


def test_comment_edited_then_removed_while_its_item_is_open(service: Service) -> None:
    service.meta(page_batch(feed_comment("add", "400_1", "Do you deliver to Oslo?")))
    assert item(service.settings, "400_1").status.open
    service.meta(page_batch(feed_comment("edited", "400_1", "Do you deliver to Bergen?")))
    edited = item(service.settings, "400_1")
    assert edited.text == "Do you deliver to Bergen?" and edited.needs_attention
    assert any("edited the message" in r for r in edited.reasons)
    service.meta(page_batch(feed_comment("remove", "400_1")))
    removed = item(service.settings, "400_1")
    assert removed.status is ItemStatus.closed
    assert actions(service.settings, removed.id)[-2:] == [
        AuditAction.customer_edit,
        AuditAction.withdrawn,
    ]
    service.meta(page_batch(feed_comment("remove", "400_1")))  # Meta retries: no second audit
    assert actions(service.settings, removed.id).count(AuditAction.withdrawn) == 1


def test_a_removal_that_overtakes_its_comment_still_closes_it(service: Service) -> None:
    service.meta(page_batch(feed_comment("remove", "401_1")))
    service.meta(page_batch(feed_comment("add", "401_1", "Wrong shoe size sent to me")))
    assert item(service.settings, "401_1").status is ItemStatus.closed


def test_an_echo_from_another_tool_closes_the_open_item(service: Service) -> None:
    service.meta(page_batch(messaging_entry(PAGE, dm(PAGE, "psid-7", "m_q", "Is it in stock?"))))
    assert item(service.settings, "m_q").status.open
    assert item(service.settings, "m_q").message.get("intake_problem") is None  # connected
    service.meta(page_batch(messaging_entry(PAGE, echo(PAGE, "psid-7", "m_e", "Yes, size 40!"))))
    closed = item(service.settings, "m_q")
    assert closed.status is ItemStatus.closed
    [event] = [
        e
        for e in queue(service.settings).audit_log(closed.id)
        if e.action is AuditAction.answered_elsewhere
    ]
    assert event.after_text == "Yes, size 40!"
    history = conversation_events(
        make_engine(database_url(service.settings)), f"facebook:{PAGE}:psid-7"
    )
    assert [h.kind.value for h in history] == ["message", "echo"]


def test_our_own_echo_leaves_the_item_alone(service: Service) -> None:
    service.meta(page_batch(messaging_entry(PAGE, dm(PAGE, "psid-8", "m_r", "Refund please"))))
    ours = echo(PAGE, "psid-8", "m_o", "On it", metadata="ra1:999:1:key")
    service.meta(page_batch(messaging_entry(PAGE, ours)))
    assert item(service.settings, "m_r").status.open


def test_a_page_comment_reply_from_another_tool_closes_the_comment(service: Service) -> None:
    service.meta(page_batch(feed_comment("add", "402_1", "Is the shop open Sunday?")))
    service.meta(page_batch(feed_comment("add", "402_2", "Yes 10-16", sender=PAGE, parent="402_1")))
    assert item(service.settings, "402_1").status is ItemStatus.closed


def test_reactions_are_recorded_but_never_queued(service: Service) -> None:
    answer = service.meta(page_batch(messaging_entry(PAGE, reaction(PAGE, "psid-9", "m_x"))))
    assert answer.json()["queued"] == 0
    assert queue(service.settings).items() == []
    with Session(make_engine(database_url(service.settings))) as session:
        [row] = session.exec(select(MetaEventRecord)).all()
    assert (row.kind.value, row.platform_id) == ("reaction", "m_x")


def test_a_failed_whatsapp_delivery_reopens_the_item_flagged_in_plain_words(
    service: Service,
) -> None:
    service.whatsapp(
        whatsapp(messages=[wa_message("wamid.IN", "text", {"body": "Oi, e o frete?"})])
    )
    sent = item(service.settings, "wamid.IN")
    assert sent.id is not None
    queue(service.settings).update(sent.id, status=ItemStatus.sent)
    reply = OutboxMessage(
        message_id="wamid.IN",
        item_id=sent.id,
        channel=Channel.whatsapp,
        customer_key=sent.customer_key,
        text="Automated reply: yes.",
        state=DeliveryState.delivered,
        platform_id="wamid.OUT",
    )
    with Session(make_engine(database_url(service.settings))) as session:
        session.add(reply)
        session.commit()
        session.refresh(reply)
    marker = f"ra1:{sent.id}:{reply.id}:key"
    service.whatsapp(whatsapp(statuses=[wa_status("wamid.OUT", "sent", marker=marker)]))
    assert item(service.settings, "wamid.IN").status is ItemStatus.sent
    failure = [{"code": 131047, "title": "Re-engagement message"}]
    service.whatsapp(
        whatsapp(statuses=[wa_status("wamid.OUT", "failed", marker=marker, errors=failure)])
    )
    reopened = item(service.settings, "wamid.IN")
    assert reopened.status is ItemStatus.pending and reopened.needs_attention
    assert "only a template can be sent" in (reopened.error or "")
    assert AuditAction.delivery_failed in actions(service.settings, sent.id)
    with Session(make_engine(database_url(service.settings))) as session:
        row = session.get(OutboxMessage, reply.id)
    assert row is not None and row.state is DeliveryState.failed  # no longer reads delivered


def test_a_message_for_an_unconnected_page_is_queued_and_flagged(settings: Settings) -> None:
    (settings.knowledge_dir / "channels.yaml").write_text(
        f'pages:\n  "{PAGE}":\n    token_env: PAGE_TOKEN\n'
    )
    with running_service(settings, env={}) as service:  # the variable it names is not set
        service.meta(page_batch(messaging_entry(PAGE, dm(PAGE, "p", "m_nt", "Hello there"))))
        flagged = item(service.settings, "m_nt")
    assert flagged.status.open
    assert "no token is configured for page" in str(flagged.message.get("intake_problem"))
