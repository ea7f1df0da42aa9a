"""What a run produced: each case's outcome and scores, and the means the tables show."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean

from assistant.evals.cases import EvalCase
from assistant.evals.graders import GraderConfig, Outcome, Score


@dataclass(frozen=True)
class GraderInfo:
    name: str
    description: str
    config: GraderConfig


@dataclass(frozen=True)
class CaseResult:
    case: EvalCase
    outcome: Outcome
    scores: dict[str, Score]

    @property
    def errors(self) -> list[str]:
        found = [f"pipeline: {self.outcome.error}"] if self.outcome.error else []
        return found + [f"{name}: {s.error}" for name, s in self.scores.items() if s.error]

    @property
    def failed_graders(self) -> list[str]:
        return [name for name, s in self.scores.items() if not s.passed]

    @property
    def passed(self) -> bool:
        return not self.errors and not self.failed_graders


@dataclass
class RunResult:
    run_id: str
    started_at: datetime
    finished_at: datetime
    mode: str  # "template" or the drafting model
    judge_model: str | None
    graders: list[GraderInfo]
    results: list[CaseResult] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def errors(self) -> int:
        return sum(bool(r.errors) for r in self.results)

    def means(self, results: Iterable[CaseResult] | None = None) -> dict[str, float | None]:
        """Mean score per grader over the cases it applied to (errors left out)."""
        chosen = list(self.results if results is None else results)
        return {g.name: mean_of(chosen, g.name) for g in self.graders}

    def by_topic(self) -> dict[str, list[CaseResult]]:
        groups: dict[str, list[CaseResult]] = defaultdict(list)
        for result in self.results:
            groups[result.case.topic].append(result)
        return dict(sorted(groups.items()))


def mean_of(results: Iterable[CaseResult], grader: str) -> float | None:
    values = [
        r.scores[grader].score
        for r in results
        if grader in r.scores and r.scores[grader].error is None
    ]
    return round(fmean(values), 4) if values else None
