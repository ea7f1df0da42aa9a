"""The eval gate a knowledge change must pass: ``assistant eval`` on every case, compared
with the stored baseline (the same run and comparison as the command)."""

from __future__ import annotations

from assistant.evals.baseline import compare, load_baseline
from assistant.evals.learn import datasets_dir
from assistant.evals.learned import all_cases
from assistant.evals.runner import run_eval
from assistant.evals.thresholds import load_thresholds
from assistant.knowledge.learning import GateVerdict
from assistant.settings import Settings


async def eval_gate(settings: Settings) -> GateVerdict:
    cases = all_cases(settings)
    if not cases:
        return GateVerdict(False, f"no eval cases in {datasets_dir(settings)}: nothing to check")
    thresholds = load_thresholds(settings.evals_dir / "thresholds.yaml")
    result = await run_eval(settings, cases, thresholds)
    comparison = compare(result, load_baseline(settings.evals_dir / "baseline.json"))
    summary = f"{result.passed}/{len(result.results)} cases passed"
    if comparison.ok:
        return GateVerdict(True, f"{summary}, no regression against the baseline")
    worst = "; ".join(f"{r.grader}: {r.detail}" for r in comparison.regressions[:3])
    return GateVerdict(False, f"{summary}, {len(comparison.regressions)} regression(s): {worst}")
