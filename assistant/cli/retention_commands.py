"""``assistant retention``: apply policy.yaml's retention periods."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.checkpoints import open_checkpointer
from assistant.cli.common import emit_json, handle_errors, run, settings
from assistant.cli.privacy import privacy_officer
from assistant.db import records_engine
from assistant.governance.retention import RetentionReport, run_retention
from assistant.knowledge.policy import load_policy
from assistant.review.models import utcnow

app = typer.Typer(help="Retention: remove what is past its period.", no_args_is_help=True)


@app.command(name="run")
@handle_errors
def run_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would go; change nothing.")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """Anonymise closed conversations past their period (texts, drafts, replies,
    checkpoints, audit texts); open items are never touched. The run is audited."""
    config = settings()
    policy = load_policy(config.knowledge_dir / "policy.yaml", "policy.yaml", config.knowledge_dir)
    actor = privacy_officer().name

    async def work() -> RetentionReport:
        async with open_checkpointer(config) as saver:
            return await run_retention(
                records_engine(config),
                policy.retention,
                saver,
                actor=actor,
                now=utcnow(),
                dry_run=dry_run,
            )

    report = run(work())
    if json_out:
        emit_json(report.as_json())
        return
    typer.echo("Dry run: nothing changed." if dry_run else "Retention run done (audited).")
    for name, moment in report.cutoffs.items():
        typer.echo(f"  {name:<14} before {moment[:10]}")
    for kind, count in report.counts.items():
        typer.echo(f"  {count:>9}  {kind.value.replace('_', ' ')}")
