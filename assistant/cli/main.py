"""``assistant``: ingest knowledge, process messages, work the queue, run the demo."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from assistant.app import Assistant, ProcessResult
from assistant.cli import (
    ask_command,
    audit_commands,
    consent_commands,
    customer_commands,
    db_commands,
    eval_commands,
    knowledge_commands,
    queue_commands,
    reengage_command,
    retention_commands,
    service_commands,
    simulate_command,
    user_commands,
    verify_command,
    webhook_commands,
)
from assistant.cli.common import (
    emit_json,
    handle_errors,
    operator,
    run,
    run_with_assistant,
    settings,
)
from assistant.cli.explain import explain_stored, policy_change, print_explanation, replay
from assistant.errors import ConfigError
from assistant.governance import log_redaction
from assistant.intake.jsonl import read_jsonl
from assistant.knowledge.embeddings import shared_embedder
from assistant.knowledge.index import SyncReport
from assistant.knowledge.retrieval import Calibration
from assistant.safety.topics import Topic
from assistant.users.actor import SYSTEM_ACTOR

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
app.add_typer(queue_commands.app, name="queue")
app.add_typer(user_commands.app, name="users")
app.add_typer(audit_commands.app, name="audit")
app.add_typer(eval_commands.app, name="eval")
app.add_typer(knowledge_commands.app, name="knowledge")
app.command()(ask_command.ask)
app.command(name="verify")(verify_command.verify)
app.command(name="simulate")(simulate_command.simulate)
app.add_typer(db_commands.app, name="db")
app.command()(service_commands.serve)
app.command()(service_commands.worker)
app.add_typer(service_commands.jobs_app, name="jobs")
app.add_typer(webhook_commands.app, name="webhooks")
app.add_typer(retention_commands.app, name="retention")
app.add_typer(customer_commands.app, name="customer")
app.add_typer(consent_commands.app, name="consent")
app.command(name="reengage")(reengage_command.reengage_command)
console = Console(stderr=True)


@app.callback()
def _start() -> None:
    # Before any command logs: no e-mail, phone, card number or token reaches a log.
    log_redaction.install()


ROOT = Path(__file__).resolve().parents[2]
JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON object per line, for scripts.")]


def _ingest(assistant: Assistant, quiet: bool) -> SyncReport:
    if quiet:
        return assistant.library.ingest(operator())
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("Embedding knowledge", total=None)
        report = assistant.library.ingest(
            operator(), lambda done, total: bar.update(task, completed=done, total=total)
        )
    return report


def _report_dict(report: SyncReport, assistant: Assistant) -> dict[str, object]:
    orders, customers = assistant.orders.counts()
    return {
        "added": len(report.added),
        "updated": len(report.updated),
        "removed": len(report.removed),
        "unchanged": report.unchanged,
        "chunks": assistant.index.count(),
        "orders": orders,
        "customers": customers,
        "answer_rule": asdict(rule) if (rule := assistant.index.calibration()) else None,
    }


@app.command()
@handle_errors
def ingest(
    json_out: JsonOpt = False,
    rebuild: Annotated[
        bool, typer.Option(help="Delete the index and embed everything again.")
    ] = False,
) -> None:
    """Sync knowledge/ into the index: only new or changed entries are embedded."""
    if rebuild:
        shutil.rmtree(settings().chroma_dir, ignore_errors=True)

    async def work(assistant: Assistant) -> dict[str, object]:
        return _report_dict(_ingest(assistant, json_out), assistant)

    summary = run_with_assistant(work)
    if json_out:
        emit_json(summary)
    else:
        line = "Knowledge synced: {added} added, {updated} updated, {removed} removed, "
        line += "{unchanged} unchanged ({chunks} chunks, {orders} orders, {customers} customers)"
        typer.echo(line.format(**summary))
        if isinstance(rule := summary["answer_rule"], dict):
            typer.echo(f"Answer rule: {Calibration(**rule).describe()}")


def _print_result(result: ProcessResult) -> None:
    flag = " [needs attention]" if result.needs_attention else ""
    dup = " (already processed)" if result.duplicate else ""
    typer.echo(f"{result.message_id}: {result.route}{flag}{dup} → item #{result.item_id}")
    for reason in result.reasons[:4]:
        typer.echo(f"    - {reason}")


@app.command()
@handle_errors
def process(
    file: Annotated[str, typer.Argument(help="JSONL file of inbound messages, or - for stdin.")],
    json_out: JsonOpt = False,
    concurrency: Annotated[
        int | None, typer.Option(help="Model requests in flight at once (default: settings).")
    ] = None,
) -> None:
    """Run inbound messages through the pipeline. Bad lines are reported and still queued."""
    if file == "-":
        data, source = sys.stdin.buffer.read(), "stdin"
    else:
        path = Path(file)
        if not path.is_file():
            raise ConfigError(f"{file}: no such file. Pass a JSONL file or - for stdin.")
        data, source = path.read_bytes(), path.name
    messages = list(read_jsonl(data, source))
    for message in messages:
        if message.intake_problem:
            typer.secho(f"warning: {message.intake_problem}", fg=typer.colors.YELLOW, err=True)

    def show(result: ProcessResult) -> None:
        if json_out:
            emit_json({k: v for k, v in result.as_json().items()})
        else:
            _print_result(result)

    async def work(assistant: Assistant) -> list[ProcessResult]:
        # Knowledge is synced by 'assistant ingest' (and the demo), not on every batch.
        await assistant.inbox.recover(SYSTEM_ACTOR)
        return await assistant.inbox.process_many(
            SYSTEM_ACTOR, messages, concurrency, on_result=show
        )

    run_with_assistant(work)


def _read_for_triage(path: Path) -> list[tuple[str, str]]:
    """(id, text) pairs from a JSONL inbox or a CSV with ``id,text`` columns."""
    if path.suffix.lower() == ".csv":
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            where = f"{path}: not UTF-8 text (byte {exc.start + 1})"
            raise ConfigError(f"{where}; save it as UTF-8") from None
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            if not {"id", "text"} <= set(reader.fieldnames or []):
                raise ConfigError(f"{path}:1: a CSV for triage needs 'id' and 'text' columns")
            return [(row["id"] or "", row["text"] or "") for row in reader]
        except csv.Error as exc:
            raise ConfigError(f"{path}:{reader.line_num}: {exc}") from None
    return [(m.id, m.text) for m in read_jsonl(path.read_bytes(), path.name)]


@app.command()
@handle_errors
def triage(
    file: Annotated[
        Path | None,
        typer.Argument(help="JSONL inbox (as for process) or CSV id,text; none: the stored ones."),
    ] = None,
    json_out: JsonOpt = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="End with, per topic, messages sent by each detector.")
    ] = False,
    days: Annotated[int, typer.Option(help="Without FILE: stored messages of these days.")] = 30,
    automate: Annotated[
        list[Topic], typer.Option(help="What if this risk topic no longer went to a person.")
    ] = [],  # noqa: B006 (typer reads the default, never mutates it)
    hold: Annotated[
        list[Topic], typer.Option(help="What if this safe topic went to a person.")
    ] = [],  # noqa: B006
    without: Annotated[
        list[str], typer.Option(help="What if this detector were switched off.")
    ] = [],  # noqa: B006
    threshold: Annotated[
        list[str], typer.Option(help="What if DETECTOR=VALUE (similar-examples, sentiment).")
    ] = [],  # noqa: B006
) -> None:
    """Classify messages without drafting or sending: topics, must_review and why. With
    --explain and no FILE: what each detector cost over the stored messages of the last
    --days days; --automate/--hold/--without/--threshold replay them with a change."""
    from assistant.knowledge.loader import load_knowledge
    from assistant.safety.triage import build_detectors
    from assistant.safety.triage import triage as classify_one

    if file is not None and not file.is_file():
        raise ConfigError(f"{file}: no such file.")
    if file is None and not explain:
        raise ConfigError("give a FILE to classify, or --explain for the stored messages.")
    config = settings()
    knowledge = load_knowledge(config.knowledge_dir)
    detectors = build_detectors(knowledge, shared_embedder(), config)
    max_chars = knowledge.policy.max_analysed_chars
    change = policy_change(detectors, automate, hold, without, threshold)
    if file is None:
        messages, total = explain_stored(days, json_out)
        if not change.empty:
            replay(messages, detectors, change, total, max_chars, json_out)
        return

    results = []
    rows = _read_for_triage(file)

    async def work() -> None:
        for id_, text in rows:
            result = await classify_one(text[:max_chars], detectors)
            results.append(result)
            topics = [t.value for t in result.topics]
            row = {
                "id": id_,
                "topics": topics,
                "must_review": result.must_review,
                "reasons": result.reasons,
            }
            if json_out:
                emit_json(row)
            else:
                verdict = "REVIEW" if result.must_review else "auto-eligible"
                typer.echo(f"{id_}: {verdict} [{', '.join(topics)}]")
                for reason in result.reasons:
                    typer.echo(f"    - {reason}")

    run(work())
    if explain:
        print_explanation(results, len(results), json_out)
    if not change.empty:
        replay(rows, detectors, change, len(rows), max_chars, json_out)


@app.command()
@handle_errors
def outbox(json_out: JsonOpt = False) -> None:
    """Every outbound reply with its delivery state (pending, sending, delivered, failed)."""

    async def work(assistant: Assistant) -> None:
        for sent in assistant.queue.outbox():
            row = {
                "id": sent.id,
                "message_id": sent.message_id,
                "item_id": sent.item_id,
                "text": sent.text,
                "state": sent.state,
                "sent_at": sent.sent_at.isoformat() if sent.sent_at else None,
                "requested_at": sent.requested_at.isoformat(),
                "attempts": sent.attempts,
                "next_attempt_at": (
                    sent.next_attempt_at.isoformat() if sent.next_attempt_at else None
                ),
                "platform_id": sent.platform_id,
                "last_error": sent.last_error,
                "channel": sent.channel,
                "automated": sent.automated,
                "sent_by": sent.sent_by,
                "kind": sent.kind,
            }
            if json_out:
                emit_json(row)
            else:
                who = "auto" if sent.automated else "approved"
                typer.echo(
                    f"[{sent.sent_at or sent.requested_at:%Y-%m-%d %H:%M}] {sent.state} "
                    f"{sent.channel} {sent.message_id} ({who}, {sent.kind}): {sent.text}"
                )

    run_with_assistant(work)


@app.command()
@handle_errors
def recover(json_out: JsonOpt = False) -> None:
    """Finish work a crash interrupted (unsent approvals, half-processed messages)."""
    done = run_with_assistant(lambda a: a.inbox.recover(SYSTEM_ACTOR))
    if json_out:
        emit_json({"recovered": done})
    else:
        typer.echo(f"Recovered {len(done)} item(s)" + (f": {done}" if done else ""))


def console_command(port: int) -> list[str]:
    """``streamlit run`` for the console, on 127.0.0.1 only (also used by the browser test)."""
    script = ROOT / "ui" / "app.py"
    if not script.is_file():
        raise ConfigError(f"{script} not found: run the console from a checkout of the project.")
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",  # agents get no developer menu or deploy button
    ]


def _start_ui(port: int) -> None:
    command = console_command(port)
    typer.echo(f"Review console: http://127.0.0.1:{port}  (Ctrl+C to stop)")
    subprocess.run(command, check=False)


@app.command()
@handle_errors
def ui(port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8501) -> None:
    """Start the review console (Streamlit)."""
    _start_ui(port)


@app.command()
@handle_errors
def demo(
    no_ui: Annotated[bool, typer.Option("--no-ui", help="Do not start the console.")] = False,
    inbox: Annotated[
        Path,
        typer.Option(help="Inbound messages to process.", show_default="samples/inbox.jsonl"),
    ] = ROOT / "samples" / "inbox.jsonl",
    port: int = 8501,
    no_webhooks: Annotated[
        bool, typer.Option("--no-webhooks", help="Skip the Meta webhook loop (simulator).")
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Ingest the sample brand, process the sample inbox, print a summary, run the webhook
    loop against the Meta simulator, open the console."""
    from assistant.cli.summary import print_summary
    from assistant.cli.webhook_demo import webhook_demo

    if not inbox.is_file():
        raise ConfigError(f"{inbox}: sample inbox not found; pass --inbox FILE.")
    messages = list(read_jsonl(inbox.read_bytes(), inbox.name))

    async def work(assistant: Assistant) -> tuple[dict[str, object], list[ProcessResult]]:
        summary = _report_dict(_ingest(assistant, json_out), assistant)
        await assistant.inbox.recover(SYSTEM_ACTOR)
        return summary, await assistant.inbox.process_many(SYSTEM_ACTOR, messages)

    report, results = run_with_assistant(work)
    if not json_out:
        print_summary(report, results)
    say = (lambda _: None) if json_out else typer.echo
    loop = None if no_webhooks else webhook_demo(settings(), say)
    accounts = user_commands.demo_accounts()  # on a fresh data folder only
    if json_out:
        emit_json(
            {
                "ingest": report,
                "results": [r.as_json() for r in results],
                "demo_users": accounts,
                "webhooks": loop,
            }
        )
    else:
        user_commands.print_demo_accounts(accounts)
    if not no_ui:
        _start_ui(port)


if __name__ == "__main__":
    app()
