"""The demo's summary table."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from assistant.app import ProcessResult


def print_summary(ingest: dict[str, object], results: list[ProcessResult]) -> None:
    console = Console()
    console.print(
        f"[bold]Knowledge[/bold]: {ingest['chunks']} chunks ({ingest['added']} added, "
        f"{ingest['updated']} updated, {ingest['unchanged']} unchanged), "
        f"{ingest['orders']} orders, {ingest['customers']} customers"
    )
    table = Table(title=f"{len(results)} inbound messages", show_lines=False)
    for column in ("message", "route", "topics", "why / draft"):
        table.add_column(column, overflow="fold")
    for r in results:
        why = "; ".join(r.reasons[:2]) if r.reasons else (r.draft or "")
        flag = " ⚠" if r.needs_attention else ""
        table.add_row(r.message_id, f"{r.route}{flag}", ", ".join(r.topics), why[:160])
    console.print(table)
    routes = Counter(r.route for r in results)
    console.print(
        "[bold]Routes[/bold]: "
        + ", ".join(f"{k}: {v}" for k, v in sorted(routes.items(), key=lambda kv: str(kv[0])))
    )
    attention = sum(r.needs_attention for r in results)
    if attention:
        console.print(
            f"[yellow]{attention} item(s) need attention (malformed input or a failed "
            "step); they are in the queue.[/yellow]"
        )
