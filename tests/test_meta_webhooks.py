"""The webhook endpoints over real HTTP: handshake, signatures, storage, dedupe, quarantine."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlmodel import Session, select

from assistant.channels.meta.records import PayloadState, WebhookPayload
from assistant.channels.meta.signature import meta_json, sign
from assistant.channels.meta.simulator.payloads import IG, PAGE, dm, messaging_entry, page_batch
from assistant.db import database_url, make_engine
from assistant.review.models import ItemStatus, ReviewItem
from assistant.settings import Settings
from tests.meta_service import SECRET, VERIFY, Service, running_service


@pytest.fixture
def service(settings: Settings) -> Iterator[Service]:
    with running_service(settings) as running:
        yield running


def items(settings: Settings) -> list[ReviewItem]:
    with Session(make_engine(database_url(settings))) as session:
        return list(session.exec(select(ReviewItem).order_by(ReviewItem.id)).all())


def payloads(settings: Settings) -> list[WebhookPayload]:
    with Session(make_engine(database_url(settings))) as session:
        return list(session.exec(select(WebhookPayload)).all())


def test_handshake_answers_the_challenge_only_with_the_right_token(service: Service) -> None:
    url = service.url + "/webhooks/meta"
    good = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    answer = httpx.get(url, params=good)
    assert (answer.status_code, answer.text) == (200, "1158201444")
    wrong = httpx.get(url, params={**good, "hub.verify_token": "guess"})
    assert wrong.status_code == 403
    assert httpx.get(service.url + "/webhooks/whatsapp", params=good).text == "1158201444"


def test_handshake_is_refused_when_no_verify_token_is_configured(settings: Settings) -> None:
    from assistant.channels.meta.config import load_channels
    from assistant.channels.meta.simulator.serving import serving
    from tests.meta_service import service_app

    with serving(service_app(settings, load_channels(settings, env={}), [])) as url:
        params = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "5"}
        answer = httpx.get(url + "/webhooks/meta", params=params)
        posted = httpx.post(url + "/webhooks/meta", content=b"{}")
    assert answer.status_code == 403
    assert "ASSISTANT_META_VERIFY_TOKEN" in answer.json()["error"]
    assert posted.status_code == 503  # no secret: Meta keeps retrying until it is set


def test_a_signed_dm_becomes_one_item_with_the_platform_id(service: Service) -> None:
    body = page_batch(messaging_entry(PAGE, dm(PAGE, "psid-1", "m_abc", "Where is my order?")))
    answer = service.meta(body)
    assert answer.status_code == 200
    assert answer.json()["queued"] == 1
    [item] = items(service.settings)
    assert (item.message_id, item.channel.value, item.customer_key) == (
        "m_abc",
        "facebook",
        "facebook:psid-1",
    )
    assert item.message["metadata"]["account_id"] == PAGE
    assert item.status != ItemStatus.processing


def test_missing_forged_and_wrong_key_signatures_get_401_and_nothing_is_stored(
    service: Service,
) -> None:
    body = page_batch(messaging_entry(PAGE, dm(PAGE, "psid-1", "m_x", "hello")))
    raw = meta_json(body)
    assert service.meta(body, secret=None).status_code == 401
    assert service.meta(body, secret="not-the-secret").status_code == 401
    assert service.meta(body, signature="sha256=" + "0" * 64).status_code == 401
    assert service.meta(body, signature=sign(raw, SECRET)[7:]).status_code == 401  # no prefix
    tampered = raw.replace(b"hello", b"HELLO")
    assert service.meta(None, body=tampered, signature=sign(raw, SECRET)).status_code == 401
    assert payloads(service.settings) == []
    assert items(service.settings) == []


def test_signature_is_checked_on_the_escaped_unicode_bytes_meta_sends(service: Service) -> None:
    text = "Größe für äöå? https://shop.example/a/b"
    raw = meta_json(
        page_batch(messaging_entry(IG, dm(IG, "igsid-9", "aWdf1", text)), object="instagram")
    )
    assert b"\\u00e4" in raw and b"\\/" in raw
    answer = service.meta(None, body=raw, signature=sign(raw, SECRET))
    assert answer.status_code == 200
    [item] = items(service.settings)
    assert item.text == text
    assert payloads(service.settings)[0].body == raw  # kept exactly as signed, for replay


def test_a_replayed_or_duplicated_delivery_never_makes_a_second_item(service: Service) -> None:
    first = page_batch(messaging_entry(PAGE, dm(PAGE, "psid-1", "m_1", "Do you ship to Oslo?")))
    # Meta re-batches retries: the same event again, now beside a new one.
    second = page_batch(
        messaging_entry(PAGE, dm(PAGE, "psid-2", "m_2", "Is the blue one back?")),
        messaging_entry(PAGE, dm(PAGE, "psid-1", "m_1", "Do you ship to Oslo?")),
    )
    assert service.meta(first).json()["queued"] == 1
    assert service.meta(first).json() == {
        "state": "processed",
        "events": 1,
        "duplicates": 1,
        "queued": 0,
    }
    assert service.meta(second).json()["duplicates"] == 1
    assert sorted(i.message_id for i in items(service.settings)) == ["m_1", "m_2"]
    assert len(payloads(service.settings)) == 3  # every delivery kept for audit


def test_signed_but_unreadable_payload_is_quarantined_and_answered_200(service: Service) -> None:
    answer = service.meta(None, body=b'{"object": "page", "entry": "nope"}')
    assert answer.status_code == 200
    assert answer.json()["state"] == "quarantined"
    bad_event = page_batch(
        messaging_entry(PAGE, {"sender": {}, "timestamp": 1}),
        messaging_entry(PAGE, dm(PAGE, "psid-3", "m_ok", "still here?")),
    )
    assert service.meta(bad_event).json()["state"] == "quarantined"
    stored = payloads(service.settings)
    assert [p.state for p in stored] == [PayloadState.quarantined] * 2
    assert "sender.id" in (stored[1].problem or "")
    assert [i.message_id for i in items(service.settings)] == ["m_ok"]  # the rest still queued
    wrong_endpoint = service.whatsapp(bad_event)
    assert wrong_endpoint.json()["state"] == "quarantined"


def test_a_body_over_3_mb_is_refused(service: Service) -> None:
    raw = b'{"object":"page","entry":[' + b" " * (3 * 1024 * 1024) + b"]}"
    answer = service.meta(None, body=raw, signature=sign(raw, SECRET))
    assert answer.status_code == 413
    assert payloads(service.settings) == []
