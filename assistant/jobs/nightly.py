"""The nightly eval as a job: the same run as ``assistant eval``, recorded in the history."""

from __future__ import annotations

from typing import Any

from assistant.evals import learned as learned_cases
from assistant.evals.baseline import compare, load_baseline
from assistant.evals.history import load_history, record_run
from assistant.evals.report import report_data, write_reports
from assistant.evals.runner import run_eval
from assistant.evals.thresholds import load_thresholds
from assistant.settings import Settings


async def nightly_eval_run(settings: Settings) -> dict[str, Any]:
    cases = learned_cases.all_cases(settings, [])
    if not cases:
        return {"cases": 0}
    thresholds = load_thresholds(settings.evals_dir / "thresholds.yaml")
    result = await run_eval(settings, cases, thresholds)
    comparison = compare(result, load_baseline(settings.evals_dir / "baseline.json"))
    folder = settings.data_dir / "evals" / result.run_id
    record_run(settings, result, comparison, folder)
    write_reports(folder, result, comparison, load_history(settings))
    data = report_data(result, comparison)
    return {"cases": len(cases), "regressions": len(data["regressions"])}
