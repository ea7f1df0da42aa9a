"""Routing real social messages: tweets are compared by their words, unhappy customers who
use no keyword still reach a person, and the chosen thresholds keep their recall."""

from __future__ import annotations

import asyncio
import csv
import json
import random
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.knowledge.embeddings import shared_embedder
from assistant.knowledge.loader import load_knowledge
from assistant.safety.detectors import PatternDetector
from assistant.safety.examples import shipped_examples
from assistant.safety.sentiment import SentimentDetector
from assistant.safety.similarity import SimilarityDetector
from assistant.safety.social import social_normalise
from assistant.safety.topics import Topic
from assistant.safety.triage import router_examples
from assistant.settings import Settings
from tests.support import ROOT

KNOWLEDGE = load_knowledge(ROOT / "knowledge")
SENTIMENT = SentimentDetector()


def test_a_tweet_is_compared_without_handles_links_entities_or_stretching() -> None:
    tweet = "@FernhillGoods sooooo slow!!!!! &amp; still nothing #WorstServiceEver https://t.co/x1"

    assert social_normalise(tweet) == "soo slow!! & still nothing Worst Service Ever"
    assert social_normalise("How long does shipping take?") == "How long does shipping take?"
    assert social_normalise("@FernhillGoods") == "@FernhillGoods"  # never an empty text
    # Only letters are stretched: order numbers and amounts stay as written.
    assert social_normalise("FH-99999 for $5,000!!!") == "FH-99999 for $5,000!!"


@pytest.mark.parametrize(
    "text",
    [
        "@fernhill this is so sad, my gift arrived ruined and I am hurt",
        "honestly the worst week, lost parcel and no answers",
        "So sad and angry about how this was handled",
    ],
)
def test_a_negative_message_without_keywords_is_a_complaint_with_its_words(text: str) -> None:
    [hit] = SENTIMENT.detect_sync(text)

    assert hit.topic is Topic.complaint
    assert hit.reason.startswith("sounds negative (sentiment -")


@pytest.mark.parametrize(
    "text",
    [
        "Thank you @fernhill, the tote is lovely!",
        "Do you ship to Canada?",
        "Happy Halloween from the whole family 🎃",
        "I have a problem logging in, can you help?",  # a plain support question
    ],
)
def test_a_neutral_or_happy_message_is_not_a_complaint(text: str) -> None:
    assert SENTIMENT.detect_sync(text) == []


@pytest.fixture(scope="module")
def similarity() -> SimilarityDetector:
    embedder = shared_embedder()
    return SimilarityDetector(embedder, router_examples(KNOWLEDGE, embedder))


def test_praise_and_chatter_on_social_media_are_left_to_automation(
    similarity: SimilarityDetector,
) -> None:
    for text in (
        "Thanks for the lovely chat today @fernhill, you made my week 😍",
        "Happy Halloween @fernhill! 🎃 https://t.co/abc",
    ):
        assert not [h for h in asyncio.run(similarity.detect(text)) if h.topic.is_risk], text


def test_a_frustrated_tweet_without_keywords_reaches_a_person(
    similarity: SimilarityDetector,
) -> None:
    text = "@fernhill day 5 and the app still won't let me log in. every single time 🙄"

    assert {h.topic for h in PatternDetector(KNOWLEDGE.policy).detect_sync(text)} & {
        Topic.complaint
    } or [h for h in asyncio.run(similarity.detect(text)) if h.topic.is_risk]


def test_the_similarity_threshold_reproduces_its_recall_on_the_shipped_examples() -> None:
    """Calibration: 600 shipped examples, each judged by a detector that has never seen
    them, keep the recall the threshold (0.2) was chosen for: at least 0.98 from similarity
    alone (with the other detectors, 5-fold CV recall on the dev set is 0.996; see
    bench/routing.py)."""
    embedder = shared_embedder()
    examples = shipped_examples(embedder)
    sample = random.Random(13).sample(range(len(examples)), 600)
    held_out = {examples.ids[i] for i in sample}
    detector = SimilarityDetector(embedder, examples.without(held_out))

    risky = [i for i in sample if examples.topics[i].is_risk]
    caught = [
        i
        for i in risky
        if any(h.topic.is_risk for h in detector.detect_vector(examples.vectors[i]))
    ]
    safe = [i for i in sample if not examples.topics[i].is_risk]
    passed = [
        i
        for i in safe
        if not any(h.topic.is_risk for h in detector.detect_vector(examples.vectors[i]))
    ]

    assert len(caught) / len(risky) >= 0.98
    assert len(passed) / len(safe) >= 0.85  # and it still leaves most safe messages alone
    assert np.isfinite(examples.vectors[sample]).all()


def test_triage_explain_counts_per_topic_the_messages_each_detector_sent_to_a_person(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "messages.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        writer.writerows(
            [
                ["1", "Where is my refund?"],
                ["2", "I want a refund for the mug"],
                ["3", "So sad and angry about how this was handled"],
                ["4", "Do you ship to Canada?"],
            ]
        )

    result = CliRunner().invoke(app, ["triage", str(path), "--explain"])
    as_json = CliRunner().invoke(app, ["triage", str(path), "--json", "--explain"])

    assert result.exit_code == 0, result.output
    assert "3 of 4 messages go to a person" in result.stdout
    summary = json.loads(as_json.stdout.splitlines()[-1])
    assert summary["to_a_person"] == 3
    assert summary["explain"]["refund"]["policy patterns"] == 2
    assert summary["explain"]["complaint"]["sentiment"] == 1
