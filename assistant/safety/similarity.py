"""The similarity detector: the k nearest labelled examples (MiniLM embeddings, cosine)
vote, weighted by closeness. A fifth of the vote going to risky neighbours is a hit: a
false alarm costs an agent a click, a miss can cost a refund or a lawsuit. Messages are
compared without handles, links and hashtag marks (``social_normalise``). A social post
that sounds calm (``tone.py``) is not sent to a person on this vote alone: for tweets the
nearest examples are far away and their vote is close to a coin toss."""

from __future__ import annotations

import asyncio

import numpy as np

from assistant.knowledge.embeddings import Embedder, Vectors
from assistant.safety.detectors import Hit
from assistant.safety.examples import Examples
from assistant.safety.social import social_normalise
from assistant.safety.tone import tone_head
from assistant.safety.topics import Topic


class SimilarityDetector:
    name = "similar examples"

    def __init__(
        self,
        embedder: Embedder,
        examples: Examples,
        *,
        k: int = 10,
        temperature: float = 0.05,
        threshold: float = 0.2,
        calm_posts: bool = True,
    ) -> None:
        self.embedder = embedder
        self.examples = examples
        self.k = min(k, len(examples))
        self.temperature = temperature
        self.threshold = threshold
        self._risky = np.array([t.is_risk for t in examples.topics])
        self.tone = tone_head(embedder.model_id) if calm_posts else None

    async def detect(self, text: str) -> list[Hit]:
        # Embedding and the nearest-neighbour search both run off the event loop.
        return await asyncio.to_thread(self.detect_sync, text)

    def detect_sync(self, text: str) -> list[Hit]:
        if not text.strip() or self.k == 0:
            return []
        return self.detect_vector(self.embedder.embed_one(social_normalise(text)), text)

    def detect_vector(self, vector: Vectors, text: str = "") -> list[Hit]:
        """``text``: the message as received, to tell a social post from a plain one."""
        # einsum rather than ``@``: one core, no BLAS thread pool to wake per message. For a
        # single query vector the threaded BLAS call burns several times the CPU of this loop
        # and stalls when the embedding model's threads hold the cores.
        sims = np.einsum("ij,j->i", self.examples.vectors, vector)
        nearest = np.argpartition(-sims, self.k - 1)[: self.k]
        nearest = nearest[np.argsort(-sims[nearest])]
        weights = np.exp((sims[nearest] - sims[nearest[0]]) / self.temperature)
        risky = self._risky[nearest]
        share = float(weights[risky].sum() / weights.sum())
        calm = (
            self.tone is not None
            and share >= self.threshold
            and self.tone.sounds_calm(text, vector)
        )
        if share < self.threshold or calm:
            top = self.examples.topics[int(nearest[0])]
            if top is Topic.order_status:  # not a risk, but it tells the drafter what to do
                return [Hit(Topic.order_status, "asks where an order is", self.name)]
            return []
        votes: dict[Topic, float] = {}
        for index, weight in zip(nearest, weights, strict=True):
            topic = self.examples.topics[int(index)]
            if topic.is_risk:
                votes[topic] = votes.get(topic, 0.0) + float(weight)
        topic = max(votes, key=lambda t: votes[t])
        example = next(int(i) for i in nearest if self.examples.topics[int(i)] is topic)
        quoted = " ".join(self.examples.texts[example].split())[:70]
        return [
            Hit(
                topic,
                f"similar to messages about {topic.value.replace('_', ' ')} "
                f"(e.g. '{quoted}', {float(sims[example]):.2f})",
                self.name,
            )
        ]
