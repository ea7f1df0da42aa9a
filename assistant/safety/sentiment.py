"""The sentiment detector: VADER (a lexicon and rules made for social-media text, MIT
licence) scores how negative a message sounds. Unhappy customers who never write
"terrible" still sound negative ("3 weeks and nothing, thanks a lot"); they go to a person
as a complaint, with the words that carried the score."""

from __future__ import annotations

from functools import cache
from typing import Any

from assistant.safety.detectors import Hit
from assistant.safety.social import social_normalise
from assistant.safety.topics import Topic

# Chosen on the development set (see bench/routing.py): below this compound score a
# message counts as a complaint.
NEGATIVE = -0.5


@cache
def _analyser() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # type: ignore[import-untyped]

    return SentimentIntensityAnalyzer()


def compound(text: str) -> float:
    """VADER's compound score, -1 (very negative) to 1 (very positive)."""
    return float(_analyser().polarity_scores(text)["compound"])


def negative_words(text: str) -> list[str]:
    lexicon: dict[str, float] = _analyser().lexicon
    words = [w.strip(".,!?;:'\"()").lower() for w in text.split()]
    return list(dict.fromkeys(w for w in words if lexicon.get(w, 0.0) < 0))


class SentimentDetector:
    name = "sentiment"

    def __init__(self, threshold: float = NEGATIVE) -> None:
        self.threshold = threshold

    async def detect(self, text: str) -> list[Hit]:
        return self.detect_sync(text)

    def detect_sync(self, text: str) -> list[Hit]:
        cleaned = social_normalise(text)
        score = compound(cleaned)
        if score > self.threshold:
            return []
        words = ", ".join(f"'{w}'" for w in negative_words(cleaned)[:3]) or "its tone"
        return [
            Hit(Topic.complaint, f"sounds negative (sentiment {score:.2f}: {words})", self.name)
        ]
