"""Reports of a run: ``report.json`` (everything), ``junit.xml`` (for CI: one test per case,
failing exactly when the gate does), ``report.md`` and ``report.html`` (for people)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from assistant.evals.baseline import Comparison, RegressionKind
from assistant.evals.history import RunSummary
from assistant.evals.html import render_html
from assistant.evals.results import CaseResult, RunResult, mean_of


def write_reports(
    out: Path, run: RunResult, comparison: Comparison, history: list[RunSummary]
) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    data = report_data(run, comparison)
    paths = {
        "json": out / "report.json",
        "junit": out / "junit.xml",
        "markdown": out / "report.md",
        "html": out / "report.html",
    }
    paths["json"].write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    ET.ElementTree(junit(run, comparison)).write(
        paths["junit"], encoding="utf-8", xml_declaration=True
    )
    paths["markdown"].write_text(markdown(data), encoding="utf-8")
    paths["html"].write_text(render_html(data, history), encoding="utf-8")
    return paths


def _case_json(r: CaseResult) -> dict[str, Any]:
    return {
        "id": r.case.id,
        "topic": r.case.topic,
        "channel": r.case.message.channel.value,
        "origin": r.case.origin.value,
        "tags": r.case.tags,
        "passed": r.passed,
        "errors": r.errors,
        "expected_route": r.case.expected_route.value,
        "route": r.outcome.route,
        "message": r.case.message.text,
        "golden_reply": r.case.golden_reply,
        "draft": r.outcome.body,
        "reply": r.outcome.reply,
        "reasons": r.outcome.reasons,
        "scores": {
            name: {
                "score": s.score,
                "passed": s.passed,
                "hard": s.hard,
                "explanation": s.explanation,
                "error": s.error,
            }
            for name, s in r.scores.items()
        },
    }


def report_data(run: RunResult, comparison: Comparison) -> dict[str, Any]:
    base = comparison.baseline
    graders = []
    for info in run.graders:
        applied = [r for r in run.results if info.name in r.scores]
        delta = comparison.deltas.get(info.name)
        graders.append(
            {
                "name": info.name,
                "description": info.description,
                "pass_at": info.config.pass_at,
                "max_drop": info.config.max_drop,
                "hard": info.config.hard,
                "cases": len(applied),
                "mean": mean_of(applied, info.name),
                "pass_rate": (
                    round(sum(r.scores[info.name].passed for r in applied) / len(applied), 4)
                    if applied
                    else None
                ),
                "errors": sum(bool(r.scores[info.name].error) for r in applied),
                "compared_cases": delta.cases if delta else 0,
                "baseline_mean": delta.baseline if delta else None,
                "compared_mean": delta.current if delta else None,
                "delta": delta.delta if delta else None,
            }
        )
    return {
        "run": {
            "run_id": run.run_id,
            "started_at": run.started_at.isoformat(timespec="seconds"),
            "seconds": round(run.seconds, 2),
            "mode": run.mode,
            "judge_model": run.judge_model,
            "cases": len(run.results),
            "passed": run.passed,
            "failed": len(run.results) - run.passed,
            "errors": run.errors,
            "ok": comparison.ok,
        },
        "baseline": {
            "run_id": base.run_id,
            "created_at": base.created_at,
            "mode": base.mode,
            "cases": len(base.cases),
        }
        if base
        else None,
        "graders": graders,
        "topics": {
            topic: {
                "cases": len(results),
                "passed": sum(r.passed for r in results),
                "means": run.means(results),
            }
            for topic, results in run.by_topic().items()
        },
        "regressions": [r.as_json() for r in comparison.regressions],
        "new_cases": comparison.new_cases,
        "missing_cases": comparison.missing_cases,
        "worst": [
            {
                "case_id": c.result.case.id,
                "drop": c.drop,
                "graders": c.graders,
                "message": c.result.case.message.text,
                "golden_reply": c.result.case.golden_reply,
                "draft": c.result.outcome.body,
                "baseline_draft": c.baseline_draft,
                "explanations": {
                    g: c.result.scores[g].explanation for g in c.graders if g in c.result.scores
                },
            }
            for c in comparison.worst
        ],
        "cases": [_case_json(r) for r in run.results],
    }


def junit(run: RunResult, comparison: Comparison) -> ET.Element:
    """Failures are the gate's regressions and errors; cases that fail as they did in the
    baseline (or that are new) are reported as skipped, so CI is red exactly when the run
    fails."""
    case_regressions: dict[str, list[str]] = {}
    errors: dict[str, list[str]] = {}
    for reg in comparison.regressions:
        if reg.case_id is None:
            continue
        target = errors if reg.kind is RegressionKind.error else case_regressions
        target.setdefault(reg.case_id, []).append(f"{reg.grader}: {reg.detail}")
    suite = ET.Element("testsuite", name="assistant-eval", timestamp=run.started_at.isoformat())
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for r in run.results:
        counts["tests"] += 1
        case = ET.SubElement(suite, "testcase", classname=f"evals.{r.case.topic}", name=r.case.id)
        if r.case.id in errors:
            counts["errors"] += 1
            ET.SubElement(case, "error", message="could not be graded").text = "\n".join(
                errors[r.case.id]
            )
        elif r.case.id in case_regressions:
            counts["failures"] += 1
            ET.SubElement(case, "failure", message="regression").text = "\n".join(
                case_regressions[r.case.id]
            )
        elif not r.passed:
            counts["skipped"] += 1
            why = "new case" if r.case.id in comparison.new_cases else "failed in the baseline too"
            ET.SubElement(case, "skipped", message=f"fails {', '.join(r.failed_graders)} ({why})")
    for reg in comparison.regressions:
        if reg.kind is RegressionKind.mean_drop:
            counts["tests"] += 1
            counts["failures"] += 1
            case = ET.SubElement(suite, "testcase", classname="evals.graders", name=reg.grader)
            ET.SubElement(case, "failure", message="mean dropped").text = reg.detail
    for key, value in counts.items():
        suite.set(key, str(value))
    suite.set("time", f"{run.seconds:.2f}")
    return suite


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def _quote(text: str | None) -> str:
    if not text:
        return "> _(none)_"
    return "\n".join(f"> {line}" for line in text.splitlines() or [""])


def markdown(data: dict[str, Any]) -> str:
    run, base = data["run"], data["baseline"]
    verdict = "PASSED" if run["ok"] else "FAILED"
    lines = [
        f"# Eval run {run['run_id']}: {verdict}",
        "",
        f"{run['cases']} cases in {run['seconds']} s, drafts by **{run['mode']}**"
        + (f", judge **{run['judge_model']}**" if run["judge_model"] else "")
        + f": {run['passed']} passed, {run['failed']} failed, {run['errors']} errors.",
        (
            f"Baseline: run {base['run_id']} ({base['created_at']}, {base['mode']}, "
            f"{base['cases']} cases)."
            if base
            else "No baseline yet: accept this run with `assistant eval --update-baseline`."
        ),
    ]
    if base and base["mode"] != run["mode"]:
        lines.append(
            f"**Note:** the baseline drafts came from {base['mode']}, this run's from "
            f"{run['mode']}: compare like with like (`--baseline`)."
        )
    if data["new_cases"]:
        lines.append(f"New since the baseline: {len(data['new_cases'])} cases.")
    if data["missing_cases"]:
        lines.append(f"Gone since the baseline: {', '.join(data['missing_cases'])}.")
    lines += ["", "## Regressions", ""]
    if not data["regressions"]:
        lines.append("None.")
    for reg in data["regressions"]:
        where = f" — case `{reg['case_id']}`" if reg["case_id"] else ""
        lines.append(f"- **{reg['kind']}** `{reg['grader']}`{where}: {reg['detail']}")
    lines += [
        "",
        "## Graders",
        "",
        "| grader | cases | mean | pass rate | baseline | now (same cases) | Δ | max drop | hard |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for g in data["graders"]:
        lines.append(
            f"| {g['name']} | {g['cases']} | {_num(g['mean'])} | {_num(g['pass_rate'])} | "
            f"{_num(g['baseline_mean'])} | {_num(g['compared_mean'])} | "
            f"{_num(g['delta'], True)} | {g['max_drop']:.3f} | {'yes' if g['hard'] else ''} |"
        )
    names = [g["name"] for g in data["graders"]]
    lines += [
        "",
        "## Topics",
        "",
        "| topic | cases | passed | " + " | ".join(names) + " |",
        "|---|---|---|" + "---|" * len(names),
    ]
    for topic, t in data["topics"].items():
        means = " | ".join(_num(t["means"].get(n)) for n in names)
        lines.append(f"| {topic} | {t['cases']} | {t['passed']} | {means} |")
    if data["worst"]:
        lines += ["", "## Worst regressions: golden reply vs draft", ""]
    for w in data["worst"]:
        lines += [
            f"### `{w['case_id']}` — fell on {', '.join(w['graders'])} (by {w['drop']:.3f})",
            "",
            *(f"- {g}: {e}" for g, e in w["explanations"].items()),
            "",
            "**Customer:**",
            _quote(w["message"]),
            "",
            "**Golden reply:**",
            _quote(w["golden_reply"]),
            "",
            "**Draft now:**",
            _quote(w["draft"]),
            "",
            "**Draft in the baseline:**",
            _quote(w["baseline_draft"]),
            "",
        ]
    failing = [c for c in data["cases"] if not c["passed"]]
    lines += ["", "## Failing cases", ""]
    if not failing:
        lines.append("None.")
    for c in failing:
        bad = [f"{n} ({s['explanation']})" for n, s in c["scores"].items() if not s["passed"]]
        lines.append(f"- `{c['id']}` ({c['topic']}): " + "; ".join(bad + c["errors"]))
    return "\n".join(lines) + "\n"
