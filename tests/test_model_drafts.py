"""Drafting through real litellm code; respx fakes only the HTTP wire."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR, Actor
from assistant.users.roles import Role
from tests.support import FAKE_API, completion, draft_json, message, process, run

API = FAKE_API


def test_model_draft_is_used_with_the_disclosure_added_by_code(
    model_settings: Settings, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(f"{API}/chat/completions").mock(
        return_value=completion(draft_json("Hi Marcus! Standard shipping takes 3–5 business days."))
    )

    [result] = run(process(model_settings, message("How long does shipping take?")))

    assert route.call_count == 1
    assert result.draft == "Automated reply: Hi Marcus! Standard shipping takes 3–5 business days."
    request = json.loads(route.calls[0].request.content)
    assert request["model"] == "test-model"
    assert request["response_format"] == {"type": "json_object"}
    system, user = request["messages"][0]["content"], request["messages"][1]["content"]
    assert "Fernhill Goods" in system and "## Voice" in system  # tone.md is the system prompt
    payload = json.loads(user)  # the customer's text travels as quoted data
    assert payload["customer_message"] == "How long does shipping take?"
    assert any(c["source_id"].startswith("faq:") for c in payload["CONTEXT"])
    assert route.calls[0].request.headers["authorization"] == "Bearer sk-test-secret"


def test_a_model_that_adds_its_own_disclosure_does_not_get_it_twice(
    model_settings: Settings, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(f"{API}/chat/completions").mock(
        return_value=completion(
            draft_json("Automated reply: Hi! Standard shipping takes 3–5 business days.")
        )
    )

    [result] = run(process(model_settings, message("How long does shipping take?")))

    assert result.draft.count("Automated reply:") == 1


def test_a_model_draft_that_invents_a_price_is_blocked_with_the_span_quoted(
    model_settings: Settings, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(f"{API}/chat/completions").mock(
        return_value=completion(
            draft_json("Standard shipping takes 3–5 business days and costs $4.", confidence=0.99)
        )
    )

    [result] = run(process(model_settings, message("How long does shipping take?")))

    assert result.route == "human_review"
    assert any("'$4'" in r and "unsupported" in r for r in result.reasons), result.reasons


def test_malformed_output_is_retried_once_then_used(
    model_settings: Settings, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(f"{API}/chat/completions").mock(
        side_effect=[
            completion("Sure! Here is your reply: shipping is quick"),
            completion(draft_json("Standard shipping takes 3–5 business days.")),
        ]
    )

    [result] = run(process(model_settings, message("How long does shipping take?")))

    assert route.call_count == 2
    assert "not valid" in json.loads(route.calls[1].request.content)["messages"][-1]["content"]
    assert result.draft.endswith("Standard shipping takes 3–5 business days.")
    assert not result.needs_attention


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (httpx.Response(500, json={"error": {"message": "boom"}}), "HTTP 500"),
        (httpx.Response(429, json={"error": {"message": "slow down"}}), "rate-limited"),
        (httpx.ReadTimeout("timed out"), "timed out"),
        ([completion("not json at all"), completion('{"reply": 3}')], "malformed output twice"),
    ],
    ids=["server-error", "rate-limit", "timeout", "garbage-twice"],
)
def test_model_failures_land_in_the_queue_flagged_needs_attention(
    model_settings: Settings, respx_mock: respx.MockRouter, failure: Any, expected: str
) -> None:
    route = respx_mock.post(f"{API}/chat/completions")
    if isinstance(failure, list | Exception):
        route.mock(side_effect=failure)
    else:
        route.mock(return_value=failure)

    [result] = run(process(model_settings, message("How long does shipping take?")))

    assert result.route == "human_review"
    assert result.needs_attention
    assert expected in (result.error or ""), result.error
    assert result.draft is None  # never a draft made from an error text
    assert "sk-test-secret" not in (result.error or "")


def test_a_flagged_item_can_be_retried_once_the_model_is_back(
    model_settings: Settings, respx_mock: respx.MockRouter
) -> None:
    route = respx_mock.post(f"{API}/chat/completions")
    route.mock(return_value=httpx.Response(503, json={"error": {"message": "down"}}))
    [failed] = run(process(model_settings, message("How long does shipping take?")))
    assert failed.needs_attention

    route.mock(return_value=completion(draft_json("Standard shipping takes 3–5 business days.")))

    async def retry() -> Any:
        from assistant.app import open_assistant

        async with open_assistant(model_settings) as assistant:
            return await assistant.review.retry(Actor("alice", Role.agent), failed.item_id)

    result = run(retry())
    assert not result.needs_attention
    assert result.draft.endswith("3–5 business days.")


def test_a_draft_may_mention_the_customers_own_handle_but_no_other(
    model_settings: Settings, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(f"{API}/chat/completions").mock(
        side_effect=[
            completion(draft_json("@marcusj Standard shipping takes 3–5 business days.")),
            completion(draft_json("@someone_else Standard shipping takes 3–5 business days.")),
        ]
    )
    own = message("How long does shipping take?", id="h1", handle="@marcusj")
    other = message("How long does shipping take?", id="h2", handle="@marcusj")

    first, second = run(process(model_settings, own, other))

    assert not [r for r in first.reasons if "unsupported" in r], first.reasons
    assert any("'@someone_else'" in r for r in second.reasons), second.reasons


def test_concurrency_caps_the_model_requests_in_flight(
    model_settings: Settings, respx_mock: respx.MockRouter
) -> None:
    """ASSISTANT_CONCURRENCY is what the provider sees: never more requests at once (twice
    as many messages move through the pipeline meanwhile)."""
    import asyncio
    import contextlib

    from assistant.app import open_assistant

    in_flight, most = 0, 0
    # The first requests wait for each other (up to 5 s), so a slow machine, whose pipeline
    # steps outlast a quick model answer, still shows whether 3 run at once.
    three_at_once = asyncio.Event()

    async def slow_model(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        if in_flight >= 3:
            three_at_once.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(three_at_once.wait(), 5)
        await asyncio.sleep(0.05)
        in_flight -= 1
        return completion(draft_json("Hi! Standard shipping takes 3–5 business days."))

    respx_mock.post(f"{API}/chat/completions").mock(side_effect=slow_model)
    messages = [message(f"How long does shipping take? ({n})", id=f"c{n}") for n in range(12)]

    async def go() -> list[Any]:
        async with open_assistant(model_settings) as assistant:
            return await assistant.inbox.process_many(SYSTEM_ACTOR, messages, concurrency=3)

    results = run(go())
    assert len(results) == 12 and all(r.draft for r in results)
    assert most == 3  # the model was kept busy, and never asked more than 3 things at once
