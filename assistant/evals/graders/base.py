"""What every grader shares: the outcome it grades, the score it gives, and its settings
(how a case passes it, whether a newly failing case is a hard regression, how far its mean
may drop)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from assistant.evals.cases import EvalCase
from assistant.intake.messages import Channel


@dataclass(frozen=True)
class Outcome:
    """What the current pipeline did with one case."""

    route: str | None
    reply: str | None  # as the customer would get it, disclosure included; None = no reply
    body: str | None  # the draft without the disclosure
    channel: Channel
    context: str = ""  # what the draft may draw on: retrieved chunks, order record, template
    topics: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    error: str | None = None  # a pipeline step that failed (the item was flagged)


@dataclass(frozen=True)
class Score:
    """A grader's verdict on one case: ``score`` in [0, 1] and why. ``error`` means the case
    could not be graded (e.g. the judge model failed): it counts as failed, never passed."""

    score: float
    explanation: str
    error: str | None = None
    hard: bool = False
    passed: bool = False


@dataclass(frozen=True)
class GraderConfig:
    pass_at: float  # a case passes at or above this score
    max_drop: float  # the run fails if the grader's mean drops by more than this
    hard: bool  # a case that passed in the baseline and fails now fails the run


class Grader(ABC):
    name: ClassVar[str]
    description: ClassVar[str]
    defaults: ClassVar[GraderConfig] = GraderConfig(pass_at=1.0, max_drop=0.0, hard=False)
    batched: ClassVar[bool] = False  # True: grades the whole run at once (``grade_all``)

    def __init__(self, config: GraderConfig | None = None) -> None:
        self.config = config or self.defaults

    @abstractmethod
    def grade(self, case: EvalCase, outcome: Outcome) -> Score | None:
        """None when the grader does not apply (e.g. no golden reply, no draft)."""

    async def grade_all(self, pairs: Sequence[tuple[EvalCase, Outcome]]) -> list[Score | None]:
        return [self.grade(case, outcome) for case, outcome in pairs]

    async def observe(self, case: EvalCase, outcome: Outcome) -> None:  # noqa: B027
        """A batched grader's chance to start on one case as soon as it is drafted, while
        other cases wait on the model (called only when a model drafts). Optional."""

    def scored(self, value: float, explanation: str) -> Score:
        value = round(min(1.0, max(0.0, value)), 4)
        return Score(
            value, explanation, hard=self.config.hard, passed=value >= self.config.pass_at - 1e-9
        )

    def failed(self, error: str) -> Score:
        return Score(0.0, "could not be graded", error=error, hard=self.config.hard)
