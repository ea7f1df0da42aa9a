"""Conversations: a customer's messages on one channel (per post for comments), with our
replies, replies sent from another tool and reactions, as the item view shows them; and the
last few turns a model draft reads. Webhooks over real HTTP, the real pipeline, the Graph
API simulator for our replies; respx fakes only the model's wire."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import respx

from assistant.app import open_assistant
from assistant.channels.conversations import TurnKind, conversation_of, recent_turns
from assistant.channels.meta.simulator.graph_api import GraphSimulator
from assistant.channels.meta.simulator.payloads import (
    IG,
    PAGE,
    dm,
    echo,
    ig_comment,
    messaging_entry,
    page_batch,
    reaction,
)
from assistant.channels.meta.simulator.serving import serving
from assistant.db import database_url, make_engine
from assistant.review.decisions import Approve
from assistant.review.models import ItemStatus, ReviewItem
from assistant.review.queue import Queue
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.meta_service import Service, running_service
from tests.support import FAKE_API, completion, draft_json, message, process, run

CHANNELS = f"""
pages:
  "{PAGE}": {{token_env: PAGE_TOKEN}}
instagram:
  "{IG}": {{token_env: IG_TOKEN}}
"""
TOKENS = {"PAGE_TOKEN": "page-token", "IG_TOKEN": "ig-token"}


@pytest.fixture
def service(ingested: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Service]:
    for name, value in TOKENS.items():
        monkeypatch.setenv(name, value)
    (ingested.knowledge_dir / "channels.yaml").write_text(CHANNELS)
    sim = GraphSimulator(tokens={PAGE: "page-token", IG: "ig-token"})
    sim.customer_wrote(PAGE, "psid-1")  # the simulator's side of the 24 h window
    with serving(sim.app()) as graph_url:
        settings = ingested.model_copy(update={"meta_graph_url": graph_url})
        with running_service(settings, env=TOKENS) as running:
            yield running


def item(settings: Settings, message_id: str) -> ReviewItem:
    found = Queue(make_engine(database_url(settings))).by_message(message_id)
    assert found is not None
    return found


def ms(offset_s: float) -> int:
    return int((time.time() + offset_s) * 1000)


def approve(settings: Settings, found: ReviewItem) -> None:
    async def go() -> None:
        async with open_assistant(settings) as assistant:
            assert found.id is not None
            await assistant.review.decide(SYSTEM_ACTOR, found.id, Approve(actor="ann"))

    asyncio.run(go())


def test_a_dm_conversation_holds_messages_our_reply_another_tools_reply_and_a_reaction(
    service: Service,
) -> None:
    s = service.settings
    first = dm(PAGE, "psid-1", "m_1", "Hi, do you sell gift cards?", ts=ms(-600))
    service.meta(page_batch(messaging_entry(PAGE, first)))
    if item(s, "m_1").status.open:
        approve(s, item(s, "m_1"))
    assert item(s, "m_1").status is ItemStatus.sent
    elsewhere = echo(PAGE, "psid-1", "m_e", "They come in 25 and 50!", ts=ms(60))
    liked = {**reaction(PAGE, "psid-1", "m_e"), "timestamp": ms(120)}
    second = dm(PAGE, "psid-1", "m_2", "Can I send one by e-mail?", ts=ms(180))
    other = dm(PAGE, "psid-2", "m_x", "Somebody else entirely", ts=ms(150))
    service.meta(page_batch(messaging_entry(PAGE, elsewhere, liked, other, second)))

    engine = make_engine(database_url(s))
    latest = item(s, "m_2")
    talk = conversation_of(engine, latest)

    assert talk.key == f"facebook:{PAGE}:psid-1"
    assert [t.kind for t in talk.turns] == [
        TurnKind.customer,
        TurnKind.reply,
        TurnKind.elsewhere,
        TurnKind.reaction,
        TurnKind.customer,
    ]
    texts = [t.text for t in talk.turns]
    assert texts[0] == "Hi, do you sell gift cards?" and texts[2] == "They come in 25 and 50!"
    assert texts[-1] == "Can I send one by e-mail?"
    assert talk.turns[1].note.split(" · ")[0] in ("sent by ann", "automated")
    assert talk.turns[1].item_id == item(s, "m_1").id
    assert talk.turns[3].note == "reacted"
    assert all("Somebody else" not in t for t in texts)
    # What a reply to the newest message follows: everything before it, no reaction.
    history = recent_turns(engine, int(latest.id or 0))
    assert [t.kind for t in history] == [TurnKind.customer, TurnKind.reply, TurnKind.elsewhere]


def test_a_comment_conversation_is_one_post_and_shows_the_page_answering_elsewhere(
    service: Service,
) -> None:
    s = service.settings
    asked = ig_comment("c_1", "Is this in green?", media="m_post_1")
    again = ig_comment("c_2", "And in blue?", media="m_post_1")
    elsewhere_post = ig_comment("c_3", "Love this one", media="m_post_2")
    someone = ig_comment("c_4", "Price?", media="m_post_1", user="1785000000009", username="x")
    answered = ig_comment("c_5", "Yes, green too!", media="m_post_1", user=IG, parent="c_1")
    to_other = ig_comment("c_6", "DM us", media="m_post_1", user=IG, parent="c_4")
    batch = [asked, again, elsewhere_post, someone, answered, to_other]
    service.meta({"object": "instagram", "entry": batch})

    talk = conversation_of(make_engine(database_url(s)), item(s, "c_2"))

    assert talk.key.endswith(":post:m_post_1:17850000000000001")
    assert [(t.kind, t.text) for t in talk.turns if t.kind is not TurnKind.reply] == [
        (TurnKind.customer, "Is this in green?"),
        (TurnKind.customer, "And in blue?"),
        (TurnKind.elsewhere, "Yes, green too!"),
    ]
    assert item(s, "c_1").status is ItemStatus.closed  # answered from another tool


def test_a_model_draft_reads_the_earlier_turns_redacted_and_bounded(
    model_settings: Settings, respx_mock: respx.MockRouter
) -> None:
    respx_mock.route(host="127.0.0.1").pass_through()  # the Chroma server, on Postgres runs
    route = respx_mock.post(f"{FAKE_API}/chat/completions").mock(
        return_value=completion(draft_json("Happy to help with that!"))
    )
    first = message(
        "My card 4111 1111 1111 1111 was charged twice, mail me at jo@example.com",
        id="w-1",
        received_at="2026-11-20T10:00:00Z",
    )
    other = message("A different customer", id="w-x", author_id="web_other")
    done, _ = run(process(model_settings, first, other))
    assert done.item_id is not None

    async def answer() -> None:
        async with open_assistant(model_settings) as assistant:
            item_id = int(done.item_id)
            if assistant.queue.get(item_id).status.open:
                await assistant.review.decide(SYSTEM_ACTOR, item_id, Approve(actor="ann"))

    run(answer())
    second = message("Any news on that?", id="w-2", received_at="2026-11-20T11:00:00Z")
    run(process(model_settings, second))

    payload: dict[str, Any] = json.loads(route.calls[-1].request.content)
    turns = json.loads(payload["messages"][1]["content"])["EARLIER_TURNS"]
    assert [t["from"] for t in turns] == ["customer", "brand"]
    assert "[card]" in turns[0]["text"] and "[email]" in turns[0]["text"]
    assert "4111" not in json.dumps(turns) and "jo@example.com" not in json.dumps(turns)
    assert turns[1]["text"].endswith("Happy to help with that!")  # as the customer saw it
    assert "A different customer" not in json.dumps(payload)
    first_request = json.loads(route.calls[0].request.content)
    assert "EARLIER_TURNS" not in first_request["messages"][1]["content"]  # nothing before it


def test_recent_turns_are_bounded_by_count_and_characters(
    ingested: Settings,
) -> None:
    messages = [
        message(f"question {n} " + "x" * 400, id=f"b-{n}", received_at=f"2026-11-20T1{n}:00:00Z")
        for n in range(8)
    ]
    results = run(process(ingested, *messages))
    engine = make_engine(database_url(ingested))
    last = results[-1].item_id
    assert last is not None
    assert len(recent_turns(engine, last, chars=10_000)) == 6  # six of the seven before it
    assert sum(len(t.text) for t in recent_turns(engine, last)) == 1_500  # the default bound
    short = recent_turns(engine, last, chars=500)
    assert sum(len(t.text) for t in short) <= 500
    assert short[-1].text.startswith("question 6")  # the newest kept first
