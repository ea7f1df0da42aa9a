"""The stored baseline (``<evals_dir>/baseline.json``) and the comparison that gates a run.

A run fails when, over the cases both runs graded:
- a grader's mean drops by more than its ``max_drop`` (thresholds.yaml);
- a case that passed a hard grader (route, grounding, ...) in the baseline fails it now;
- or any case could not be graded (pipeline or judge error): that is never a pass.
Cases new since the baseline are graded and shown, but cannot regress."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.evals.cases import EvalDataError
from assistant.evals.results import CaseResult, RunResult

EPSILON = 1e-6  # scores are rounded to 4 places; a drop must be more than rounding


class BaselineCase(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    route: str | None = None
    draft: str | None = None
    scores: dict[str, float] = Field(default_factory=dict)
    passed: dict[str, bool] = Field(default_factory=dict)


class Baseline(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    version: int = 1
    run_id: str
    created_at: str
    mode: str
    judge_model: str | None = None
    means: dict[str, float | None] = Field(default_factory=dict)
    cases: dict[str, BaselineCase] = Field(default_factory=dict)


def load_baseline(path: Path) -> Baseline | None:
    if not path.is_file():
        return None
    try:
        return Baseline.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "file"
        raise EvalDataError(
            [
                f"{path.as_posix()}: {where}: {err['msg']}. Regenerate it with "
                "'assistant eval --update-baseline'."
            ]
        ) from None


def baseline_from(run: RunResult) -> Baseline:
    return Baseline(
        run_id=run.run_id,
        created_at=run.started_at.isoformat(timespec="seconds"),
        mode=run.mode,
        judge_model=run.judge_model,
        means=run.means(),
        cases={
            r.case.id: BaselineCase(
                route=r.outcome.route,
                draft=r.outcome.body,
                scores={name: s.score for name, s in r.scores.items() if s.error is None},
                passed={name: s.passed for name, s in r.scores.items()},
            )
            for r in sorted(run.results, key=lambda r: r.case.id)
        },
    )


def save_baseline(path: Path, run: RunResult) -> Baseline:
    """Sorted and indented: a changed baseline reads as a small diff in a pull request."""
    baseline = baseline_from(run)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = baseline.model_dump(mode="json")
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return baseline


class RegressionKind(StrEnum):
    mean_drop = "mean_drop"
    hard_check = "hard_check"
    error = "error"


@dataclass(frozen=True)
class Regression:
    kind: RegressionKind
    grader: str
    detail: str
    case_id: str | None = None
    baseline: float | None = None
    current: float | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "grader": self.grader,
            "case_id": self.case_id,
            "baseline": self.baseline,
            "current": self.current,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class GraderDelta:
    grader: str
    baseline: float | None
    current: float | None
    cases: int  # graded in both runs

    @property
    def delta(self) -> float | None:
        if self.baseline is None or self.current is None:
            return None
        return round(self.current - self.baseline, 4)


@dataclass(frozen=True)
class CaseChange:
    """A case whose scores fell since the baseline, for the side-by-side view."""

    result: CaseResult
    drop: float  # summed over graders
    baseline_draft: str | None
    graders: list[str]  # the graders that fell


@dataclass
class Comparison:
    baseline: Baseline | None
    regressions: list[Regression] = field(default_factory=list)
    deltas: dict[str, GraderDelta] = field(default_factory=dict)
    new_cases: list[str] = field(default_factory=list)
    missing_cases: list[str] = field(default_factory=list)
    worst: list[CaseChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.regressions


def compare(run: RunResult, baseline: Baseline | None, worst: int = 10) -> Comparison:
    out = Comparison(baseline)
    for result in run.results:
        for error in result.errors:
            grader, _, detail = error.partition(": ")
            out.regressions.append(
                Regression(RegressionKind.error, grader, detail, case_id=result.case.id)
            )
    if baseline is None:
        return out
    current = {r.case.id: r for r in run.results}
    out.new_cases = sorted(set(current) - set(baseline.cases))
    out.missing_cases = sorted(set(baseline.cases) - set(current))
    common = [current[i] for i in sorted(set(current) & set(baseline.cases))]
    for info in run.graders:
        name, config = info.name, info.config
        pairs = [
            (baseline.cases[r.case.id].scores[name], r.scores[name].score, r)
            for r in common
            if name in baseline.cases[r.case.id].scores
            and name in r.scores
            and r.scores[name].error is None
        ]
        base = round(sum(p[0] for p in pairs) / len(pairs), 4) if pairs else None
        now = round(sum(p[1] for p in pairs) / len(pairs), 4) if pairs else None
        out.deltas[name] = GraderDelta(name, base, now, len(pairs))
        if base is not None and now is not None and base - now > config.max_drop + EPSILON:
            fell = sorted((p for p in pairs if p[1] < p[0]), key=lambda p: p[1] - p[0])[:5]
            named = "; ".join(f"{r.case.id}: {r.scores[name].explanation}" for _, _, r in fell)
            out.regressions.append(
                Regression(
                    RegressionKind.mean_drop,
                    name,
                    f"mean {now:.3f}, baseline {base:.3f} (drop {base - now:.3f}, allowed "
                    f"{config.max_drop:.3f}) over {len(pairs)} cases. Fell most: {named}",
                    baseline=base,
                    current=now,
                )
            )
        if config.hard:
            out.regressions.extend(_hard_failures(name, common, baseline))
    out.worst = _worst(common, baseline, worst)
    return out


def _hard_failures(name: str, common: list[CaseResult], baseline: Baseline) -> list[Regression]:
    found = []
    for r in common:
        before = baseline.cases[r.case.id]
        if not before.passed.get(name):
            continue
        score = r.scores.get(name)
        if score is not None and (score.passed or score.error):
            continue  # errors are reported as errors
        detail = score.explanation if score else "not graded any more (no reply to grade)"
        found.append(
            Regression(
                RegressionKind.hard_check,
                name,
                detail,
                case_id=r.case.id,
                baseline=before.scores.get(name),
                current=score.score if score else None,
            )
        )
    return found


def _worst(common: list[CaseResult], baseline: Baseline, limit: int) -> list[CaseChange]:
    changes = []
    for r in common:
        before = baseline.cases[r.case.id]
        fell = {
            name: before.scores[name] - s.score
            for name, s in r.scores.items()
            if name in before.scores and s.error is None and before.scores[name] - s.score > EPSILON
        }
        lost = [n for n, ok in before.passed.items() if ok and n not in r.scores]
        if fell or lost:
            drop = sum(fell.values()) + len(lost)
            changes.append(CaseChange(r, round(drop, 4), before.draft, sorted([*fell, *lost])))
    return sorted(changes, key=lambda c: -c.drop)[:limit]
