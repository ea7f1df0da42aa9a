"""What retrieval gives a draft for one question: the hits, and whether the best one is
used as the answer. Shared by ``assistant ask`` and the console's playground."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.knowledge.index import Hit, KnowledgeIndex
from assistant.knowledge.retrieval import Calibration


@dataclass(frozen=True)
class Asked:
    question: str
    hits: list[Hit]
    calibration: Calibration | None  # the answer rule in force; None while nothing is indexed

    @property
    def answered(self) -> bool:
        """The best hit clears the brand's threshold and its margin over other answers."""
        return bool(self.hits) and self.hits[0].answers

    @property
    def reason(self) -> str:
        """Why the best hit answers or not ("best score 0.512 is under 0.547")."""
        return self.hits[0].reason if self.hits else "nothing in the index matches"

    def as_json(self) -> dict[str, Any]:
        return {
            "hits": [
                {"id": h.id, "score": h.score, "source": h.source, "line": h.line}
                for h in self.hits
            ],
            "answered": self.answered,
        }


def ask(index: KnowledgeIndex, question: str, k: int, channel: str | None = None) -> Asked:
    hits = index.search(question, k, channel)
    return Asked(question=question, hits=hits, calibration=index.calibration())
