"""Grounding of words: claims a model changes in words go to a person, quoted; faithful
rewordings do not."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
import respx

from assistant.safety.claims import ClaimKind, check_claims
from assistant.settings import Settings
from tests.support import (
    FAKE_API,
    completion,
    draft_json,
    knowledge_text,
    message,
    process,
    run,
)


def _knowledge(*names: str) -> str:
    return knowledge_text(*(f"policies/{name}" for name in names))


CONTEXT = _knowledge("shipping", "refunds", "returns")


@pytest.mark.parametrize(
    ("draft", "kind", "quoted"),
    [
        ("We ship to Brazil with DHL Express.", ClaimKind.entity, "brazil"),
        ("You can track it in our mobile app.", ClaimKind.entity, "mobile app"),
        ("Express shipping takes 1–2 business days with DHL.", ClaimKind.entity, "dhl"),
        ("Items marked Final Sale can be returned or exchanged.", ClaimKind.polarity, ""),
        ("Import duties and taxes are included in our prices.", ClaimKind.polarity, ""),
        ("You always pay return shipping for a damaged or wrong item.", ClaimKind.policy_term, ""),
        (
            "Refunds go to a gift card within 5–7 business days of your return arriving.",
            ClaimKind.policy_term,
            "gift card",
        ),
        (
            "Clothing can be worn, as long as the original tags are attached.",
            ClaimKind.policy_term,
            "worn",
        ),
        ("We can hold your order at the warehouse for pickup.", ClaimKind.capability, "pickup"),
        # the clause about where the refund goes, not the one about how it was paid
        (
            "If you paid with a Fernhill gift card, the refund goes to your original card.",
            ClaimKind.policy_term,
            "original payment method",
        ),
        # a term the knowledge never uses where it uses its opposite
        ("You can return worn clothing within 30 days of delivery.", ClaimKind.policy_term, "worn"),
    ],
)
def test_a_changed_claim_is_found_with_the_claim_and_closest_sentence_quoted(
    draft: str, kind: ClaimKind, quoted: str
) -> None:
    [finding] = check_claims(f"Hi Sam! {draft} Anything else?", CONTEXT)

    assert finding.kind is kind
    assert finding.claim == draft
    assert quoted in finding.reason().lower()
    assert f"'{draft}'" in finding.reason()
    assert "closest in the knowledge" in finding.reason()


@pytest.mark.parametrize(
    "draft",
    [
        "We send orders to Canada, Mexico, the UK and Japan using DHL Express.",
        "Final Sale items and gift cards can't be refunded.",
        "Your refund goes back to your original payment method within 5–7 business days.",
        "You can cancel at no cost until the order ships.",
        "You don't pay return shipping for a damaged or wrong item.",
        "We only refund original shipping charges when an item arrived damaged, faulty or wrong.",
        "Import duties and taxes are not part of our prices, and DHL may collect them.",
        "Clothing needs to be unworn and unwashed with the tags still on.",
        "Is there anything else we can help with?",
        "Clothing that hasn't been worn or washed, with its tags, can be returned in 30 days.",
        "Your refund goes back to the card you used, within 5–7 business days.",
        "Returns inside the US cost you nothing, so no label fee comes off your refund.",
    ],
)
def test_a_faithful_rewording_is_not_flagged(draft: str) -> None:
    assert check_claims(draft, CONTEXT) == []


def test_a_claim_backed_by_the_order_record_passes() -> None:
    record = "Order FH-10234: 1 × Merino Crew Sweater, shipped with UPS to Toronto, Canada."

    assert check_claims("Your sweater is on its way with UPS to Toronto.", record) == []
    assert check_claims("Your sweater is on its way with FedEx.", record)


def test_a_model_draft_that_invents_a_destination_goes_to_a_person_with_the_claim_quoted(
    model_settings: Settings, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(f"{FAKE_API}/chat/completions").mock(
        return_value=completion(
            draft_json("Good news: we ship to Brazil, so your order can go there.", confidence=0.99)
        )
    )

    [result] = run(process(model_settings, message("Do you ship internationally?")))

    assert result.route == "human_review"
    assert any(
        "we ship to Brazil" in r and "'brazil' is not in the knowledge" in r for r in result.reasons
    ), result.reasons


def _by_model(verifier_answer: str) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["model"] == "verifier":
            return completion(verifier_answer)
        return completion(draft_json("Standard shipping takes 3–5 business days.", confidence=0.99))

    return answer


def _with_verifier(model_settings: Settings) -> Settings:
    return model_settings.model_copy(update={"verifier_model": "openai/verifier"})


def test_the_verifier_model_adds_the_claims_it_finds_unsupported(
    model_settings: Settings, respx_mock: respx.MockRouter
) -> None:
    found = {"unsupported": [{"claim": "3–5 business days", "why": "not for this order"}]}
    route = respx_mock.post(f"{FAKE_API}/chat/completions").mock(
        side_effect=_by_model(json.dumps(found))
    )

    [result] = run(process(_with_verifier(model_settings), message("How long does shipping take?")))

    assert result.route == "human_review"
    assert (
        "the verifier model says this claim is unsupported: '3–5 business days' "
        "(not for this order)" in result.reasons
    )
    checked = json.loads(route.calls[-1].request.content)
    assert checked["model"] == "verifier"
    assert "Standard shipping takes 3–5" in json.loads(checked["messages"][1]["content"])["draft"]


def test_a_verifier_model_that_finds_nothing_lets_a_good_draft_through(
    model_settings: Settings, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(f"{FAKE_API}/chat/completions").mock(
        side_effect=_by_model(json.dumps({"unsupported": []}))
    )

    [result] = run(process(_with_verifier(model_settings), message("How long does shipping take?")))

    assert result.route == "auto_send", result.reasons


def test_a_verifier_model_answering_garbage_sends_the_draft_to_a_person(
    model_settings: Settings, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(f"{FAKE_API}/chat/completions").mock(side_effect=_by_model("looks fine!"))

    [result] = run(process(_with_verifier(model_settings), message("How long does shipping take?")))

    assert result.route == "human_review"
    assert "the verifier model could not check the draft (malformed output)" in result.reasons


def test_a_template_sentence_backs_its_claim_beside_a_terse_order_record() -> None:
    context = (
        "Order FH-10227: cancelled\nItems: Organic Twill Trousers\n"
        "Hi {first_name}, your order {order_id} has been cancelled and won't be shipped."
    )
    draft = "Hi Marcus, your order FH-10227 has been cancelled and won't be shipped."

    assert check_claims(draft, context) == []
