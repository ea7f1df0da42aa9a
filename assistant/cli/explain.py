"""``assistant triage --explain``: per topic, how many messages each detector sent to a
person, so a lead sees what a policy change would cost or save before making it."""

from __future__ import annotations

from collections.abc import Sequence

import typer

from assistant.cli.common import emit_json
from assistant.safety.triage import Triage, explain


def print_explanation(results: Sequence[Triage], total: int, json_out: bool) -> None:
    counts = explain(results)
    to_person = sum(r.must_review for r in results)
    if json_out:
        emit_json(
            {
                "explain": {t.value: per for t, per in counts.items()},
                "messages": total,
                "to_a_person": to_person,
            }
        )
        return
    typer.echo(f"\n{to_person} of {total} messages go to a person. Per topic, by detector:")
    for topic, per in counts.items():
        detail = ", ".join(f"{name} {n}" for name, n in sorted(per.items(), key=lambda kv: -kv[1]))
        typer.echo(f"  {topic.value:18} {detail}")
