"""Eval data: approvals become redacted cases, hand-written files are validated with their
file and line, and PII never reaches the dataset."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from assistant.app import open_assistant
from assistant.evals.cases import EvalDataError
from assistant.evals.dataset import load_cases
from assistant.evals.learn import learn
from assistant.evals.learned import export, unexported
from assistant.evals.redact import Redactor
from assistant.evals.runner import index_cache_dir, run_eval
from assistant.review.decisions import Approve, Edit, Reject
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.support import message, run

PATTERN = r"\bFH-\d{5}\b"
EDITED = "Thanks for asking! A teammate will look into your refund today."
BRAND = "Email help@fernhillgoods.example or call (503) 555-0100."


def test_redaction_removes_contact_details_and_keeps_order_ids_consistent() -> None:
    redactor = Redactor("case-1", PATTERN, names=["Maya Chen"], keep=[BRAND])
    customer = (
        "Hi, this is Maya Chen (maya.chen@example.com, +1 503-555-0142). My card "
        "4111 1111 1111 1111 was charged for FH-10299; ship to 12 Oak Street, Apt 4, "
        "Portland, OR 97214. @maya.designs Or try my other card 5500 0000 0000 0005."
    )
    reply = "Hi Maya, order fh-10299 is on its way. Questions? help@fernhillgoods.example"

    redacted, answer = redactor.text(customer), redactor.text(reply)

    secrets = ("Maya", "Chen", "maya.chen@", "555-0142", "4111", "5500", "Oak Street", "97214")
    for secret in secrets:
        assert secret not in redacted + answer
    assert "@maya.designs" not in redacted
    fake = re.search(PATTERN, redacted)
    assert fake and fake.group(0) != "FH-10299"
    assert fake.group(0) in answer  # the same stand-in in every text of the case
    pseudonym = redactor.names["Maya"]
    assert f"Hi {pseudonym}," in answer
    assert "help@fernhillgoods.example" in answer  # the brand's own address is kept
    assert "[card]" in redacted and "[email]" in redacted and "[address]" in redacted
    assert "[number]" in redacted  # the second card fails the Luhn check: still redacted


def _with_sample_rate(settings: Settings, rate: float) -> None:
    policy = settings.knowledge_dir / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("eval_sample_rate: 0.2", f"eval_sample_rate: {rate}"))


def test_approved_and_edited_replies_grow_the_dataset_redacted(
    ingested: Settings, tmp_path: Path
) -> None:
    _with_sample_rate(ingested, 0.0)  # only what is always kept: new strata and edits
    settings = ingested.model_copy(update={"evals_dir": tmp_path / "evals"})
    shutil.copytree(ingested.chroma_dir, index_cache_dir(settings))  # already synced
    personal = (
        "Hi, this is Maya Chen, maya.chen@example.com / 503-555-0142. Can I get a refund "
        "for order FH-10299? Send anything to 12 Oak Street, Portland, OR 97214."
    )
    messages = [
        message(personal, id="ig", channel="instagram", author_id="maya.designs", name="Maya Chen"),
        *(
            message(f"I want a refund for my sweater, try {n}", id=f"w-{n}", author_id=f"w{n}")
            for n in range(2, 8)
        ),
    ]

    async def go() -> list[object]:
        async with open_assistant(settings) as assistant:
            items = [await assistant.inbox.process(SYSTEM_ACTOR, m) for m in messages]
            assert all(i.route == "human_review" for i in items)
            decided = [
                await assistant.review.decide(SYSTEM_ACTOR, items[0].item_id, Approve(actor="ann"))
            ]
            for item in items[1:5]:  # one stratum (refund, web_chat): 3 kept, then sampled
                decided.append(
                    await assistant.review.decide(SYSTEM_ACTOR, item.item_id, Approve(actor="ann"))
                )
            decided.append(
                await assistant.review.decide(
                    SYSTEM_ACTOR, items[5].item_id, Edit(actor="ann", text=EDITED)
                )
            )
            await assistant.review.decide(
                SYSTEM_ACTOR, items[6].item_id, Reject(actor="ann", reason="spam")
            )
            # Learning the same message again adds nothing.
            again = learn(settings, assistant.knowledge, assistant.orders, decided[0])
            assert again is None
            return decided

    run(go())

    # Approving writes nothing into the source tree: the cases wait in the database for
    # `assistant eval export`, which writes the reviewable JSONL.
    assert not (settings.evals_dir / "datasets").exists()
    assert len(unexported(settings)) == 5
    assert sum(export(settings).values()) == 5
    assert unexported(settings) == [] and export(settings) == {}
    [month_file] = (settings.evals_dir / "datasets").glob("approved-*.jsonl")
    raw = month_file.read_text(encoding="utf-8")
    for secret in ("Maya", "Chen", "maya.chen@", "555-0142", "Oak Street", "97214", "FH-10299"):
        assert secret not in raw
    cases = {c.message.channel.value + c.origin.value: c for c in load_cases(month_file.parent)}
    # The Maya case, 3 refund approvals on web chat (the stratum floor), 1 edit; not the 4th
    # approval (sample rate 0) and not the rejection.
    assert len(raw.splitlines()) == 5
    maya = cases["instagramapproved"]
    fake_id = maya.context.order.order_id if maya.context.order else ""
    assert re.fullmatch(PATTERN, fake_id)
    assert fake_id in maya.message.text and fake_id in (maya.context.order_facts or "")
    assert maya.expected_route.value == "human_review"
    assert maya.golden_reply and maya.draft and maya.topic == "refund"
    assert maya.context.customer and maya.context.customer.first_name != "Maya"
    assert cases["web_chatedited"].golden_reply == EDITED

    # A learned case is a working case: the current pipeline runs it as it ran then.
    result = run(run_eval(settings, [maya]))
    [graded] = result.results
    assert graded.scores["route"].passed, graded.scores["route"].explanation
    assert fake_id in (graded.outcome.body or ""), graded.outcome.body


def test_a_corrupted_dataset_line_is_reported_with_file_line_and_reason(tmp_path: Path) -> None:
    folder = tmp_path / "datasets"
    folder.mkdir()
    good = {
        "id": "ok",
        "topic": "shipping",
        "message": {"channel": "web_chat", "text": "How long does shipping take?"},
        "expected_route": "auto_send",
    }
    (folder / "learned.jsonl").write_text(
        "\n".join(
            [
                json.dumps(good),
                '{"id": "broken", "topic": "x", ',
                json.dumps({**good, "id": "no-route", "expected_route": None}),
            ]
        )
        + "\n"
    )
    (folder / "hand.yaml").write_text(
        "cases:\n"
        "  - id: hand-1\n"
        "    topic: shipping\n"
        "    message: {channel: carrier-pigeon, text: hi}\n"
        "    expected_route: auto_send\n"
    )

    with pytest.raises(EvalDataError) as caught:
        load_cases(folder)

    problems = caught.value.problems
    where = folder.as_posix()
    assert any(p.startswith(f"{where}/learned.jsonl:2: not valid JSON") for p in problems)
    assert any(p.startswith(f"{where}/learned.jsonl:3: expected_route:") for p in problems)
    assert any(p.startswith(f"{where}/hand.yaml:4: message.channel:") for p in problems), problems
