"""Classify messages without drafting or sending: the detectors the pipeline uses, wired
once, and the ``must_review`` verdict the routing benchmark measures."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.knowledge.embeddings import Embedder
from assistant.knowledge.loader import Knowledge
from assistant.safety.detectors import (
    Detector,
    Hit,
    LocalDetector,
    ModerationDetector,
    PatternDetector,
    classify,
)
from assistant.safety.examples import Examples, brand_examples, shipped_examples, social_examples
from assistant.safety.llm_classifier import LLMDetector
from assistant.safety.sentiment import SentimentDetector
from assistant.safety.similarity import SimilarityDetector
from assistant.safety.topics import Topic
from assistant.settings import Settings


class LazyDetector:
    """Builds an expensive detector on first use (console actions never classify)."""

    def __init__(self, name: str, build: Callable[[], LocalDetector]) -> None:
        self.name = name
        self._build = build
        self._detector: LocalDetector | None = None
        self._building = threading.Lock()

    def built(self) -> LocalDetector:
        # First use is in a worker thread (``classify``), maybe in several at once: build once.
        with self._building:
            if self._detector is None:
                self._detector = self._build()
            return self._detector

    async def detect(self, text: str) -> list[Hit]:
        return await self.built().detect(text)

    def detect_sync(self, text: str) -> list[Hit]:
        return self.built().detect_sync(text)


def router_examples(knowledge: Knowledge, embedder: Embedder) -> Examples:
    rows = [(e.text, e.topic) for e in knowledge.routing_examples]
    return shipped_examples(embedder) + social_examples(embedder) + brand_examples(rows, embedder)


def build_detectors(knowledge: Knowledge, embedder: Embedder, settings: Settings) -> list[Detector]:
    detectors: list[Detector] = [
        PatternDetector(knowledge.policy),
        ModerationDetector(knowledge.policy),
        SentimentDetector(),
        LazyDetector(
            "similar examples",
            lambda: SimilarityDetector(embedder, router_examples(knowledge, embedder)),
        ),
    ]
    if settings.classifier_model:
        detectors.append(LLMDetector(settings, settings.classifier_model))
    return detectors


@dataclass(frozen=True)
class Triage:
    topics: list[Topic]
    must_review: bool
    reasons: list[str]
    hits: list[Hit] = field(default_factory=list)  # the risky ones, for --explain


async def triage(text: str, detectors: Sequence[Detector]) -> Triage:
    hits = await classify(text, detectors)
    topics = list(dict.fromkeys(h.topic for h in hits)) or [Topic.general]
    risky = [h for h in hits if h.topic.is_risk and h.topic is not Topic.spam]
    return Triage(
        topics=topics, must_review=bool(risky), reasons=[h.reason for h in risky], hits=risky
    )


def explain(results: Sequence[Triage]) -> dict[Topic, dict[str, int]]:
    """Per topic, how many messages each detector sent to a person: what a lead weighs
    before changing a pattern or a threshold."""
    counts: dict[Topic, dict[str, int]] = {}
    for result in results:
        for topic, detector in dict.fromkeys((h.topic, h.detector) for h in result.hits):
            per = counts.setdefault(topic, {})
            per[detector] = per.get(detector, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: kv[0].rank))
