"""Embedding similarity of the draft and the golden reply (the offline MiniLM the index
uses). When a model drafts, each case's texts are embedded off the event loop as soon as
it is drafted, while others wait on the model; whatever is left (all of it in template
mode) is embedded in one batch at the end, each distinct text once."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import numpy as np

from assistant.evals.cases import EvalCase
from assistant.evals.graders.base import Grader, GraderConfig, Outcome, Score
from assistant.knowledge.embeddings import Embedder


class Similarity(Grader):
    name = "similarity"
    description = "cosine similarity of draft and golden reply (MiniLM)"
    defaults = GraderConfig(pass_at=0.6, max_drop=0.03, hard=False)
    batched = True

    def __init__(self, embedder: Embedder, config: GraderConfig | None = None) -> None:
        super().__init__(config)
        self.embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}

    async def observe(self, case: EvalCase, outcome: Outcome) -> None:
        if self.applies(case, outcome):
            texts = [
                t for t in (outcome.body or "", case.golden_reply or "") if t not in self._vectors
            ]
            for text in texts:  # one at a time: the single-thread session leaves a core free
                vectors = await asyncio.to_thread(self.embedder.embed, [text])
                self._vectors[text] = vectors[0]

    @staticmethod
    def applies(case: EvalCase, outcome: Outcome) -> bool:
        return not case.routing_only and bool(outcome.body)

    def grade(self, case: EvalCase, outcome: Outcome) -> Score | None:
        if not self.applies(case, outcome):
            return None
        assert case.golden_reply is not None and outcome.body is not None
        vectors = self.embedder.embed([outcome.body, case.golden_reply])
        return self._score(float(vectors[0] @ vectors[1]))

    async def grade_all(self, pairs: Sequence[tuple[EvalCase, Outcome]]) -> list[Score | None]:
        missing: dict[str, None] = {}
        for case, outcome in pairs:
            if self.applies(case, outcome):
                for text in (outcome.body or "", case.golden_reply or ""):
                    if text not in self._vectors:
                        missing[text] = None
        if missing:
            vectors = await asyncio.to_thread(self.embedder.embed, list(missing))
            self._vectors.update(zip(missing, vectors, strict=True))
        scores: list[Score | None] = []
        for case, outcome in pairs:
            if not self.applies(case, outcome):
                scores.append(None)
                continue
            a, b = self._vectors[outcome.body or ""], self._vectors[case.golden_reply or ""]
            scores.append(self._score(float(np.dot(a, b))))
        return scores

    def _score(self, cosine: float) -> Score:
        return self.scored(cosine, f"cosine similarity {cosine:.3f} to the golden reply")
