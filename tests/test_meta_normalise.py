"""Every event kind Meta documents, parsed into the typed events and inbound messages."""

from __future__ import annotations

from typing import Any

from assistant.channels.meta.events import (
    DeliveryState,
    Echo,
    Edited,
    EventKind,
    MetaEvent,
    NewMessage,
    Reaction,
    Recorded,
    Status,
    Withdrawn,
)
from assistant.channels.meta.parse import parse_payload
from assistant.channels.meta.signature import meta_json
from assistant.channels.meta.simulator.payloads import (
    IG,
    PAGE,
    PHONE,
    T0,
    attachment,
    dm,
    echo,
    feed_comment,
    ig_comment,
    messaging_entry,
    page_batch,
    postback,
    reaction,
    receipt,
    wa_message,
    wa_status,
    whatsapp,
)
from assistant.intake.messages import Channel


def parse(payload: dict[str, Any]) -> list[MetaEvent]:
    wa = payload["object"] == "whatsapp_business_account"
    parsed = parse_payload(meta_json(payload), whatsapp=wa)
    assert parsed.problems == []
    return parsed.events


def only_message(payload: dict[str, Any]) -> NewMessage:
    [event] = parse(payload)
    assert isinstance(event, NewMessage)
    return event


def test_messenger_text_keeps_page_conversation_and_event_time() -> None:
    event = only_message(page_batch(messaging_entry(PAGE, dm(PAGE, "psid-1", "m_1", "Hi"))))
    message = event.message
    assert (message.id, message.channel, message.author.id, message.text) == (
        "m_1",
        Channel.facebook,
        "psid-1",
        "Hi",
    )
    assert message.metadata["conversation"] == f"facebook:{PAGE}:psid-1"
    assert message.metadata["event_at"].startswith("2026-09-21")
    assert message.intake_problem is None


def test_every_attachment_type_is_kept_and_without_text_goes_to_a_person() -> None:
    kinds = [
        "image",
        "audio",
        "video",
        "file",
        "share",
        "story_mention",
        "ig_reel",
        "unsupported_type",
    ]
    for kind in kinds:
        body = dm(IG, "igsid", f"aWdf_{kind}", attachments=[attachment(kind)])
        message = only_message(page_batch(messaging_entry(IG, body), object="instagram")).message
        assert message.metadata["attachments"][0]["type"] == kind
        assert message.intake_problem and "no text" in message.intake_problem
    sticker = dm(PAGE, "p", "m_st", attachments=[attachment("image", sticker_id=369239263222822)])
    message = only_message(page_batch(messaging_entry(PAGE, sticker))).message
    assert message.metadata["attachments"][0]["type"] == "sticker"
    assert "a sticker" in (message.intake_problem or "")


def test_a_photo_with_a_caption_is_an_ordinary_message() -> None:
    body = dm(PAGE, "p", "m_cap", "Is this the right size?", attachments=[attachment("image")])
    message = only_message(page_batch(messaging_entry(PAGE, body))).message
    assert message.intake_problem is None and message.metadata["attachments"]


def test_story_reply_quick_reply_and_postback() -> None:
    story = dm(
        IG,
        "igsid",
        "aWdf_s",
        "love this!",
        reply_to={"story": {"url": "https://lookaside.fbsbx.com/s", "id": "1799"}},
    )
    message = only_message(page_batch(messaging_entry(IG, story), object="instagram")).message
    assert message.metadata["story_id"] == "1799"
    assert message.metadata["attachments"][0]["type"] == "story_reply"
    quick = dm(PAGE, "p", "m_q", "Track my order", quick_reply={"payload": "TRACK"})
    assert (
        only_message(page_batch(messaging_entry(PAGE, quick))).message.metadata["quick_reply"]
        == "TRACK"
    )
    clicked = postback(PAGE, "p", "m_pb", "Talk to us", "HUMAN")
    event = only_message(page_batch(messaging_entry(PAGE, clicked)))
    assert (event.message.text, event.message.metadata["postback"]) == ("Talk to us", "HUMAN")


def test_echoes_reactions_receipts_unsend_and_standby_are_not_queued() -> None:
    payload = page_batch(
        messaging_entry(
            PAGE,
            echo(PAGE, "p", "m_e", "We replied", metadata="ra1:4:9:k"),
            reaction(PAGE, "p", "m_1"),
            receipt(PAGE, "p", "delivery"),
            receipt(PAGE, "p", "read"),
        ),
        {"id": IG, "time": 1, "standby": [dm(IG, "igsid", "aWdf_sb", "hello?")]},
    )
    payload["entry"][1]["messaging"] = [dm(IG, "igsid", "aWdf_del", is_deleted=True)]
    events = parse(payload)
    assert not any(isinstance(e, NewMessage) for e in events)
    echoed, react, delivered, read, unsent, standby = events
    assert isinstance(echoed, Echo) and echoed.marker == "ra1:4:9:k"
    assert echoed.conversation == f"facebook:{PAGE}:p"  # the customer, not the page
    assert isinstance(react, Reaction) and react.target_id == "m_1" and not react.removed
    assert isinstance(delivered, Recorded) and delivered.kind is EventKind.receipt
    assert isinstance(read, Recorded) and read.data["receipt"] == "read"
    assert isinstance(unsent, Withdrawn) and unsent.platform_id == "aWdf_del"
    assert isinstance(standby, Recorded) and standby.kind is EventKind.standby


def test_a_messenger_edit_carries_the_new_text() -> None:
    edit = {
        "sender": {"id": "p"},
        "recipient": {"id": PAGE},
        "timestamp": T0,
        "message_edit": {"mid": "m_1", "text": "size 42, not 40", "num_edit": 1},
    }
    [event] = parse(page_batch(messaging_entry(PAGE, edit)))
    assert isinstance(event, Edited)
    assert (event.platform_id, event.text, event.key) == ("m_1", "size 42, not 40", "edit:m_1:1")


def test_instagram_comments_top_level_and_replies_carry_the_post() -> None:
    top = only_message(page_batch(ig_comment("17900001", "Price?"), object="instagram"))
    assert top.message.id == "17900001"
    assert top.message.author.handle == "june.b"
    assert top.message.metadata["post_id"] == "18000000000000001"
    assert top.message.metadata["kind"] == "comment"
    assert top.conversation.endswith(":post:18000000000000001:17850000000000001")
    reply = only_message(
        page_batch(ig_comment("17900002", "same q", parent="17900001"), object="instagram")
    )
    assert reply.message.metadata["parent_comment_id"] == "17900001"
    [own] = parse(
        page_batch(ig_comment("17900003", "DM us!", user=IG, parent="17900001"), object="instagram")
    )
    assert isinstance(own, Echo) and own.answers == "17900001"


def test_facebook_feed_add_edit_remove_and_page_reply() -> None:
    post = f"{PAGE}_200000000000001"
    add = only_message(page_batch(feed_comment("add", "200_1", "Do you deliver?")))
    assert (add.message.author.name, add.message.metadata["post_id"]) == ("Sam Lee", post)
    assert add.message.metadata["parent_comment_id"] is None  # top-level: parent is the post
    [edited] = parse(page_batch(feed_comment("edited", "200_1", "Do you deliver to Bergen?")))
    assert isinstance(edited, Edited) and edited.text.endswith("Bergen?")
    [removed] = parse(page_batch(feed_comment("remove", "200_1")))
    assert isinstance(removed, Withdrawn) and removed.key == "comment:200_1:remove"
    [page_reply] = parse(
        page_batch(feed_comment("add", "200_2", "Yes!", sender=PAGE, parent="200_1"))
    )
    assert isinstance(page_reply, Echo) and page_reply.answers == "200_1"
    [hidden] = parse(page_batch(feed_comment("hide", "200_1")))
    assert isinstance(hidden, Recorded)


def test_whatsapp_text_interactive_button_media_and_contact_name() -> None:
    payload = whatsapp(
        messages=[
            wa_message("wamid.T", "text", {"body": "Olá! Tem em azul?"}),
            wa_message(
                "wamid.B",
                "interactive",
                {"type": "button_reply", "button_reply": {"id": "yes", "title": "Yes"}},
            ),
            wa_message(
                "wamid.L",
                "interactive",
                {
                    "type": "list_reply",
                    "list_reply": {"id": "size-m", "title": "Size M", "description": "Medium"},
                },
            ),
            wa_message("wamid.Q", "button", {"text": "Stop promotions", "payload": "STOP"}),
            wa_message("wamid.I", "image", {"id": "1479", "mime_type": "image/jpeg"}),
            wa_message("wamid.C", "image", {"id": "1480", "caption": "this one"}),
        ]
    )
    text, button, listed, quick, image, captioned = (
        e.message for e in parse(payload) if isinstance(e, NewMessage)
    )
    assert (text.author.name, text.author.id, text.text) == (
        "Ana Souza",
        "5511987654321",
        "Olá! Tem em azul?",
    )
    assert text.metadata["account_id"] == PHONE
    assert (button.text, button.metadata["choice_id"]) == ("Yes", "yes")
    assert (listed.text, listed.metadata["choice_id"]) == ("Size M", "size-m")
    assert (quick.text, quick.metadata["choice_id"]) == ("Stop promotions", "STOP")
    assert "sent a photo with no text" in (image.intake_problem or "")
    assert image.metadata["attachments"] == [{"type": "image", "id": "1479"}]
    assert captioned.text == "this one" and captioned.intake_problem is None


def test_whatsapp_statuses_and_reactions_are_not_messages() -> None:
    payload = whatsapp(
        messages=[wa_message("wamid.R", "reaction", {"message_id": "wamid.OUT", "emoji": "👍"})],
        statuses=[
            wa_status("wamid.OUT", "delivered", marker="ra1:7:3:k"),
            wa_status(
                "wamid.OUT",
                "failed",
                marker="ra1:7:3:k",
                errors=[{"code": 131047, "title": "Re-engagement message"}],
            ),
        ],
    )
    react, delivered, failed = parse(payload)
    assert isinstance(react, Reaction) and react.target_id == "wamid.OUT"
    assert isinstance(delivered, Status) and delivered.state is DeliveryState.delivered
    assert isinstance(failed, Status) and failed.errors == ((131047, "Re-engagement message"),)
    assert delivered.key != failed.key  # each state is its own event


def test_a_mixed_batch_yields_every_event_in_order() -> None:
    payload = page_batch(
        messaging_entry(PAGE, dm(PAGE, "a", "m_a", "one"), echo(PAGE, "b", "m_b", "two")),
        feed_comment("add", "300_1", "three"),
        messaging_entry(PAGE, receipt(PAGE, "a", "read"), dm(PAGE, "c", "m_c", "four")),
    )
    kinds = [type(e).__name__ for e in parse(payload)]
    assert kinds == ["NewMessage", "Echo", "NewMessage", "Recorded", "NewMessage"]


def test_a_whatsapp_customer_known_only_by_a_business_scoped_id() -> None:
    message = {
        "from_user_id": "US.13491208655302741918",
        "id": "wamid.BS",
        "timestamp": "1790000000",
        "type": "text",
        "text": {"body": "oi"},
    }
    payload = whatsapp(messages=[message])
    payload["entry"][0]["changes"][0]["value"]["contacts"] = [
        {"profile": {"name": "Bia"}, "user_id": "US.13491208655302741918"}
    ]
    [event] = parse(payload)
    assert isinstance(event, NewMessage)
    assert (event.message.author.id, event.message.author.name) == (
        "US.13491208655302741918",
        "Bia",
    )


def test_a_whatsapp_group_message_is_the_group_s_conversation_written_by_its_member() -> None:
    message = wa_message("wamid.GRP", "text", {"body": "does it come in blue?"})
    message["group_id"] = "120363000000000001@g.us"
    [event] = parse(whatsapp(messages=[message]))
    assert isinstance(event, NewMessage)
    meta = event.message.metadata
    assert event.message.author.id == "5511987654321"  # the member who wrote it
    assert (meta["kind"], meta["group_id"]) == ("group", "120363000000000001@g.us")
    assert meta["conversation"] == f"whatsapp:{PHONE}:group:120363000000000001@g.us"


def test_a_receipt_with_only_its_watermark_is_recorded_at_the_watermark() -> None:
    """Messenger's documented delivery receipt has no ``timestamp``: everything up to the
    watermark was delivered. It is a receipt, never a quarantined payload."""
    event = receipt(PAGE, "p", "delivery")
    del event["timestamp"]
    event["delivery"]["watermark"] = 1758448800000  # ms
    [recorded] = parse(page_batch(messaging_entry(PAGE, event)))
    assert isinstance(recorded, Recorded) and recorded.kind is EventKind.receipt
    assert recorded.occurred_at.isoformat() == "2025-09-21T10:00:00+00:00"
