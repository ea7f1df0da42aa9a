"""``assistant eval``: grade the current pipeline on the eval datasets against the baseline.

Exit codes: 0 no regression, 1 regression (or a case that could not be graded),
2 bad settings or options, 3 an invalid dataset, thresholds or baseline file (file:line)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from assistant.cli.common import emit_json, handle_errors, run, settings
from assistant.errors import ConfigError
from assistant.evals import learned as learned_cases
from assistant.evals.baseline import Comparison, compare, load_baseline, save_baseline
from assistant.evals.history import load_history, record_run
from assistant.evals.learn import datasets_dir
from assistant.evals.report import report_data, write_reports
from assistant.evals.results import RunResult
from assistant.evals.runner import run_eval
from assistant.evals.thresholds import load_thresholds
from assistant.settings import Settings

app = typer.Typer(
    help="Run the current pipeline on the eval cases, grade every draft and compare with the "
    "baseline (docs/evals.md).\n\nExit codes: 0 no regression, 1 a regression or a case that "
    "could not be graded, 2 bad settings or options, 3 an invalid dataset, thresholds or "
    "baseline file.",
    add_completion=False,
)
console = Console(stderr=True)

# Column headings for the per-topic table, which has one column per grader.
SHORT = {
    "disclosure": "disclosed",
    "required_facts": "facts",
    "forbidden_phrases": "phrases",
    "similarity": "similar",
    "judge_tone": "j.tone",
    "judge_facts": "j.facts",
}

JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON object, for scripts.")]


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.3f}" if signed else f"{value:.3f}"


def _print_tables(data: dict[str, Any]) -> None:
    out = Console(width=max(Console().width, 110))
    graders = Table(title="Graders (Δ: on the cases the baseline also graded)")
    for column in ("grader", "cases", "mean", "pass rate", "baseline", "Δ", "hard"):
        graders.add_column(column, justify="left" if column == "grader" else "right")
    for g in data["graders"]:
        delta = g["delta"]
        style = "red" if delta is not None and -delta > g["max_drop"] + 1e-6 else ""
        graders.add_row(
            g["name"],
            str(g["cases"]),
            _num(g["mean"]),
            _num(g["pass_rate"]),
            _num(g["baseline_mean"]),
            f"[{style}]{_num(delta, True)}[/]" if style else _num(delta, True),
            "yes" if g["hard"] else "",
        )
    out.print(graders)
    names = [g["name"] for g in data["graders"]]
    topics = Table(title="Topics (mean per grader)")
    topics.add_column("topic", no_wrap=True)
    topics.add_column("passed", justify="right")
    for name in names:
        topics.add_column(SHORT.get(name, name), justify="right")
    for topic, t in data["topics"].items():
        topics.add_row(
            topic, f"{t['passed']}/{t['cases']}", *(_num(t["means"].get(n)) for n in names)
        )
    run_ = data["run"]
    topics.add_row(
        "overall",
        f"{run_['passed']}/{run_['cases']}",
        *(_num(g["mean"]) for g in data["graders"]),
        style="bold",
    )
    out.print(topics)


def _progress_bar(bar: Progress) -> Callable[[str, int, int], None]:
    tasks: dict[str, TaskID] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            label = "Drafting cases" if stage == "pipeline" else "Grading"
            tasks[stage] = bar.add_task(label, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    return update


def _run(tags: list[str], concurrency: int | None, quiet: bool) -> tuple[RunResult, Settings]:
    config = settings()
    folder = datasets_dir(config)
    cases = learned_cases.all_cases(config, tags)
    if not cases:
        tagged = f" tagged {', '.join(tags)}" if tags else ""
        raise ConfigError(
            f"No eval cases{tagged} in {folder}. Add hand-written cases (see docs/evals.md) "
            "or approve replies in the console to learn some."
        )
    thresholds = load_thresholds(config.evals_dir / "thresholds.yaml")
    if quiet:
        return run(run_eval(config, cases, thresholds, concurrency=concurrency)), config
    with Progress(console=console, transient=True) as bar:
        result = run(
            run_eval(
                config, cases, thresholds, concurrency=concurrency, progress=_progress_bar(bar)
            )
        )
    return result, config


@app.callback(invoke_without_command=True)
@handle_errors
def evaluate(
    ctx: typer.Context,
    filter_: Annotated[
        list[str] | None,
        typer.Option(
            "--filter",
            help="Only cases with this tag (topic, channel and origin count); repeat to "
            "require several.",
        ),
    ] = None,
    update_baseline: Annotated[
        bool, typer.Option("--update-baseline", help="Accept this run as the new baseline.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the reports (default: <data dir>/evals/<run id>/)."),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            help="Baseline file (default: <evals dir>/baseline.json); keep one per drafting "
            "mode, e.g. evals/baseline-gpt-4.1-mini.json for nightly runs with a model."
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(help="Model requests in flight at once (default ASSISTANT_CONCURRENCY)."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Run the current pipeline on every eval case, grade it, compare with the baseline.

    Writes report.json, junit.xml, report.md and report.html; exits 1 on a regression."""
    if ctx.invoked_subcommand is not None:
        return
    tags = filter_ or []
    if update_baseline and tags:
        raise ConfigError("--update-baseline needs every case: run it without --filter.")
    result, config = _run(tags, concurrency, json_out)
    baseline_path = baseline or config.evals_dir / "baseline.json"
    comparison: Comparison = compare(result, load_baseline(baseline_path))
    if tags:
        comparison.missing_cases = []  # filtered out, not gone
    folder = out or config.data_dir / "evals" / result.run_id
    record_run(config, result, comparison, folder)
    paths = write_reports(folder, result, comparison, load_history(config))
    data = report_data(result, comparison)
    if update_baseline:
        save_baseline(baseline_path, result)
    if json_out:
        emit_json(
            {
                "run": data["run"],
                "graders": {g["name"]: g["mean"] for g in data["graders"]},
                "regressions": data["regressions"],
                "reports": {k: str(v) for k, v in paths.items()},
                "baseline_updated": update_baseline,
            }
        )
    else:
        _print_tables(data)
        for reg in data["regressions"]:
            where = f" [{reg['case_id']}]" if reg["case_id"] else ""
            typer.secho(f"{reg['kind']} {reg['grader']}{where}: {reg['detail']}", fg="red")
        typer.echo(f"Reports: {paths['html']} (also report.md, report.json, junit.xml)")
        if update_baseline:
            typer.echo(f"Baseline updated: {baseline_path} ({len(result.results)} cases).")
            if result.errors:
                typer.secho(
                    f"{result.errors} case(s) could not be graded; their failed scores are not "
                    "in the baseline. Fix the cause and update it again.",
                    fg="yellow",
                )
        elif comparison.baseline is None:
            typer.echo(f"No baseline at {baseline_path}: accept this run with --update-baseline.")
        elif comparison.baseline.mode != result.mode:
            typer.secho(
                f"Note: the baseline was taken with {comparison.baseline.mode} drafts, this run "
                f"used {result.mode}; pass --baseline for a baseline of this mode.",
                fg="yellow",
            )
        verdict = (
            "PASSED"
            if comparison.ok
            else f"FAILED: {len(comparison.regressions)} regression(s) against the baseline"
        )
        typer.secho(verdict, fg="green" if comparison.ok else "red", bold=True)
    if not comparison.ok and not update_baseline:
        raise typer.Exit(1)


@app.command("export")
@handle_errors
def export(
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Write learned cases (stored when replies are approved) to datasets/approved-*.jsonl,
    for review in a pull request; cases already on disk are skipped."""
    written = learned_cases.export(settings())
    if json_out:
        emit_json({"written": written})
    elif not written:
        typer.echo("No learned cases to export.")
    else:
        for name, count in sorted(written.items()):
            typer.echo(f"{count} case(s) → {datasets_dir(settings()) / name}")


@app.command("history")
@handle_errors
def history(
    limit: Annotated[int, typer.Option(help="How many runs, newest first.")] = 20,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per run.")] = False,
) -> None:
    """Past eval runs: when, mode, cases passed, regressions and the main means."""
    runs = load_history(settings(), limit)
    if json_out:
        for r in runs:
            emit_json(
                {
                    "run_id": r.run_id,
                    "started_at": r.started_at.isoformat(),
                    "mode": r.mode,
                    "cases": r.cases,
                    "passed": r.passed,
                    "errors": r.errors,
                    "regressions": r.regressions,
                    "ok": r.ok,
                    "means": r.means,
                    "report_path": r.report_path,
                }
            )
        return
    if not runs:
        typer.echo("No eval runs recorded yet: run 'assistant eval'.")
        return
    shown = ["route", "grounded", "required_facts", "similarity"]
    table = Table(title=f"Last {len(runs)} eval runs (newest first)")
    for column in ("started, UTC", "run", "mode", "passed", "regr.", "status"):
        table.add_column(column, no_wrap=True)
    for name in shown:
        table.add_column(SHORT.get(name, name), justify="right")
    for r in runs:
        table.add_row(
            f"{r.started_at:%m-%d %H:%M}",
            r.run_id,
            r.mode,
            f"{r.passed}/{r.cases}",
            str(r.regressions),
            "[green]ok[/]" if r.ok else "[red]FAILED[/]",
            *(_num(r.means.get(n)) for n in shown),
        )
    Console(width=max(Console().width, 120)).print(table)
