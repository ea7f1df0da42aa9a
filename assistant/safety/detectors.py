"""Risk detectors. Each returns hits with a reason an agent can read; the classifier
unions them, so any one detector's hit sends the message to a person."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol

from assistant.knowledge.policy import Policy
from assistant.safety.topics import Topic


@dataclass(frozen=True)
class Hit:
    topic: Topic
    reason: str
    detector: str


class Detector(Protocol):
    name: str

    def detect(self, text: str) -> list[Hit]: ...


def normalise(text: str) -> str:
    """NFKC folds look-alike characters (full-width letters, ligatures) before matching."""
    return unicodedata.normalize("NFKC", text)


class PatternDetector:
    """Words, phrases and regexes per topic from ``policy.yaml``."""

    name = "policy patterns"

    def __init__(self, policy: Policy) -> None:
        self._rules = [
            (topic, rule.reason, rule.compiled()) for topic, rule in policy.topics.items()
        ]

    def detect(self, text: str) -> list[Hit]:
        text = normalise(text)
        hits = []
        for topic, reason, patterns in self._rules:
            for pattern in patterns:
                match = pattern.search(text)
                if match:
                    hits.append(Hit(topic, f"{reason}: '{_snippet(match)}'", self.name))
                    break
        return hits


class ModerationDetector:
    """Spam and abuse patterns from the policy's ``moderation`` section."""

    name = "moderation"

    def __init__(self, policy: Policy) -> None:
        flags = re.IGNORECASE
        self._spam = [re.compile(p, flags) for p in policy.moderation.spam_patterns]
        self._abuse = [re.compile(p, flags) for p in policy.moderation.abuse_patterns]

    def detect(self, text: str) -> list[Hit]:
        text = normalise(text)
        hits = []
        for topic, patterns, reason in (
            (Topic.spam, self._spam, "looks like spam"),
            (Topic.abuse, self._abuse, "abusive or threatening"),
        ):
            match = next((m for p in patterns if (m := p.search(text))), None)
            if match:
                hits.append(Hit(topic, f"{reason}: '{_snippet(match)}'", self.name))
        return hits


def _snippet(match: re.Match[str]) -> str:
    return match.group(0).strip()[:60]


def classify(text: str, detectors: list[Detector]) -> list[Hit]:
    """All hits from all detectors, one per (topic, detector); ``general`` when none."""
    seen: set[tuple[Topic, str]] = set()
    hits = []
    for detector in detectors:
        for hit in detector.detect(text):
            if (hit.topic, hit.detector) not in seen:
                seen.add((hit.topic, hit.detector))
                hits.append(hit)
    return hits
