"""Run history in the queue's database (tables ``eval_runs`` and ``eval_regressions``), for
``assistant eval history`` and the console's evals page.

For the console:

    load_history(settings: Settings, limit: int = 30) -> list[RunSummary]
        Newest run first: run_id, started_at, mode, cases, means (grader -> mean or None),
        passed, failed, errors, regressions, ok, report_path.
    latest_regressions(settings: Settings) -> list[RegressionRow]
        The newest run's regressions (kind "mean_drop", "hard_check" or "error") and the
        cases whose scores fell most (kind "fell"), case rows with the customer message,
        golden reply, current draft and baseline draft side by side.

Both return an empty list when no run was recorded yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import JSON, Column, delete, insert
from sqlmodel import Field, Session, SQLModel, col, select

from assistant.dbtypes import UtcDateTime
from assistant.evals.baseline import Comparison
from assistant.evals.results import RunResult
from assistant.settings import Settings


class EvalRun(SQLModel, table=True):
    __tablename__ = "eval_runs"

    run_id: str = Field(primary_key=True)
    started_at: datetime = Field(index=True, sa_type=UtcDateTime)
    finished_at: datetime = Field(sa_type=UtcDateTime)
    mode: str
    judge_model: str | None = None
    cases: int
    passed: int
    errors: int
    regressions: int
    ok: bool
    means: dict[str, float | None] = Field(sa_column=Column(JSON, nullable=False))
    report_path: str | None = None


class EvalRegression(SQLModel, table=True):
    __tablename__ = "eval_regressions"

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(foreign_key="eval_runs.run_id", ondelete="CASCADE", index=True)
    kind: str
    grader: str
    detail: str
    case_id: str | None = None
    baseline: float | None = None
    current: float | None = None
    message: str | None = None
    golden: str | None = None
    draft: str | None = None
    baseline_draft: str | None = None


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    started_at: datetime
    mode: str
    cases: int
    means: dict[str, float | None]
    passed: int
    failed: int
    errors: int
    regressions: int
    ok: bool
    report_path: str | None


@dataclass(frozen=True)
class RegressionRow:
    run_id: str
    kind: str  # mean_drop | hard_check | error | fell
    grader: str
    detail: str
    case_id: str | None
    baseline: float | None
    current: float | None
    message: str | None
    golden: str | None
    draft: str | None
    baseline_draft: str | None


def _session(settings: Settings) -> Session:
    from assistant.db import records_engine  # the queue's database: one engine per process

    return Session(records_engine(settings))


def record_run(
    settings: Settings, run: RunResult, comparison: Comparison, report_path: Path | None
) -> RunSummary:
    summary = RunSummary(
        run_id=run.run_id,
        started_at=run.started_at,
        mode=run.mode,
        cases=len(run.results),
        means=run.means(),
        passed=run.passed,
        failed=len(run.results) - run.passed,
        errors=run.errors,
        regressions=len(comparison.regressions),
        ok=comparison.ok,
        report_path=str(report_path) if report_path else None,
    )
    by_id = {r.case.id: r for r in run.results}
    baseline_cases = comparison.baseline.cases if comparison.baseline else {}
    rows = []
    for reg in comparison.regressions:
        result = by_id.get(reg.case_id or "")
        before = baseline_cases.get(reg.case_id or "")
        rows.append(
            {
                "kind": reg.kind.value,
                "grader": reg.grader,
                "detail": reg.detail,
                "case_id": reg.case_id,
                "baseline": reg.baseline,
                "current": reg.current,
                "message": result.case.message.text if result else None,
                "golden": result.case.golden_reply if result else None,
                "draft": result.outcome.body if result else None,
                "baseline_draft": before.draft if before else None,
            }
        )
    for change in comparison.worst:
        r = change.result
        rows.append(
            {
                "kind": "fell",
                "grader": ", ".join(change.graders),
                "detail": f"scores fell by {change.drop:.3f} in all",
                "case_id": r.case.id,
                "baseline": None,
                "current": None,
                "message": r.case.message.text,
                "golden": r.case.golden_reply,
                "draft": r.outcome.body,
                "baseline_draft": change.baseline_draft,
            }
        )
    record = EvalRun(
        run_id=run.run_id,
        started_at=run.started_at,
        finished_at=run.finished_at,
        mode=run.mode,
        judge_model=run.judge_model,
        cases=summary.cases,
        passed=summary.passed,
        errors=summary.errors,
        regressions=summary.regressions,
        ok=summary.ok,
        means=summary.means,
        report_path=summary.report_path,
    )
    with _session(settings) as session:
        # The same run recorded again replaces its earlier record.
        session.execute(delete(EvalRegression).where(col(EvalRegression.run_id) == run.run_id))
        session.execute(delete(EvalRun).where(col(EvalRun.run_id) == run.run_id))
        session.add(record)
        session.flush()
        if rows:
            session.execute(insert(EvalRegression), [{"run_id": run.run_id, **r} for r in rows])
        session.commit()
    return summary


def load_history(settings: Settings, limit: int = 30) -> list[RunSummary]:
    query = (
        select(EvalRun)
        .order_by(col(EvalRun.started_at).desc(), col(EvalRun.run_id).desc())
        .limit(limit)
    )
    with _session(settings) as session:
        runs = session.exec(query).all()
    return [
        RunSummary(
            run_id=run.run_id,
            started_at=run.started_at,
            mode=run.mode,
            cases=run.cases,
            means=dict(run.means),
            passed=run.passed,
            failed=run.cases - run.passed,
            errors=run.errors,
            regressions=run.regressions,
            ok=run.ok,
            report_path=run.report_path,
        )
        for run in runs
    ]


def latest_regressions(settings: Settings) -> list[RegressionRow]:
    latest = load_history(settings, limit=1)
    if not latest:
        return []
    query = (
        select(EvalRegression)
        .where(EvalRegression.run_id == latest[0].run_id)
        .order_by(col(EvalRegression.id))
    )
    with _session(settings) as session:
        found = session.exec(query).all()
    return [
        RegressionRow(**{k: v for k, v in row.model_dump().items() if k != "id"}) for row in found
    ]
