"""Run history in SQLite (``<data_dir>/evals.db``, separate from the queue database), for
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

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from assistant.evals.baseline import Comparison
from assistant.evals.results import RunResult
from assistant.settings import Settings


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


def _v1(db: sqlite3.Connection) -> None:
    db.executescript(
        """
        CREATE TABLE runs (
            run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT NOT NULL,
            mode TEXT NOT NULL, judge_model TEXT, cases INTEGER NOT NULL,
            passed INTEGER NOT NULL, errors INTEGER NOT NULL, regressions INTEGER NOT NULL,
            ok INTEGER NOT NULL, means TEXT NOT NULL, report_path TEXT
        );
        CREATE INDEX runs_started ON runs (started_at);
        CREATE TABLE regressions (
            run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
            kind TEXT NOT NULL, grader TEXT NOT NULL, detail TEXT NOT NULL, case_id TEXT,
            baseline REAL, current REAL, message TEXT, golden TEXT, draft TEXT,
            baseline_draft TEXT
        );
        CREATE INDEX regressions_run ON regressions (run_id);
        """
    )


# Append only, like the queue's: position n is schema version n + 1 (PRAGMA user_version).
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1]


def history_path(settings: Settings) -> Path:
    return settings.data_dir / "evals.db"


@contextmanager
def _open(path: Path) -> Iterator[sqlite3.Connection]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, timeout=30)) as db:
        db.execute("PRAGMA foreign_keys=ON")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
            with db:
                step(db)
                db.execute(f"PRAGMA user_version={number}")
        with db:
            yield db


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
            (
                reg.kind.value,
                reg.grader,
                reg.detail,
                reg.case_id,
                reg.baseline,
                reg.current,
                result.case.message.text if result else None,
                result.case.golden_reply if result else None,
                result.outcome.body if result else None,
                before.draft if before else None,
            )
        )
    for change in comparison.worst:
        r = change.result
        rows.append(
            (
                "fell",
                ", ".join(change.graders),
                f"scores fell by {change.drop:.3f} in all",
                r.case.id,
                None,
                None,
                r.case.message.text,
                r.case.golden_reply,
                r.outcome.body,
                change.baseline_draft,
            )
        )
    with _open(history_path(settings)) as db:
        db.execute(
            "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run.run_id,
                run.started_at.isoformat(),
                run.finished_at.isoformat(),
                run.mode,
                run.judge_model,
                summary.cases,
                summary.passed,
                summary.errors,
                summary.regressions,
                int(summary.ok),
                json.dumps(summary.means),
                summary.report_path,
            ),
        )
        db.executemany(
            "INSERT INTO regressions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(run.run_id, *row) for row in rows],
        )
    return summary


def load_history(settings: Settings, limit: int = 30) -> list[RunSummary]:
    path = history_path(settings)
    if not path.is_file():
        return []
    with _open(path) as db:
        rows = db.execute(
            "SELECT run_id, started_at, mode, cases, means, passed, errors, regressions, ok, "
            "report_path FROM runs ORDER BY started_at DESC, run_id DESC LIMIT ?",
            (limit,),
        ).fetchall()
    return [
        RunSummary(
            run_id=row[0],
            started_at=datetime.fromisoformat(row[1]),
            mode=row[2],
            cases=row[3],
            means=json.loads(row[4]),
            passed=row[5],
            failed=row[3] - row[5],
            errors=row[6],
            regressions=row[7],
            ok=bool(row[8]),
            report_path=row[9],
        )
        for row in rows
    ]


def latest_regressions(settings: Settings) -> list[RegressionRow]:
    latest = load_history(settings, limit=1)
    if not latest:
        return []
    with _open(history_path(settings)) as db:
        rows = db.execute(
            "SELECT run_id, kind, grader, detail, case_id, baseline, current, message, golden, "
            "draft, baseline_draft FROM regressions WHERE run_id = ? ORDER BY rowid",
            (latest[0].run_id,),
        ).fetchall()
    return [RegressionRow(*row) for row in rows]
