"""``assistant triage --explain``: per topic, how many messages each detector sent to a
person, so a lead sees what a policy change would cost or save before making it; with a
change (--automate, --hold, --without, --threshold) it also replays the messages with it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import typer

from assistant.app import open_records
from assistant.cli.common import emit_json, run, settings
from assistant.errors import ConfigError
from assistant.review.routing_cost import RoutingCost, recent_messages, routing_cost
from assistant.safety.detectors import Detector
from assistant.safety.topics import Topic
from assistant.safety.triage import Triage, explain
from assistant.safety.whatif import REPLAY_LIMIT, PolicyChange, WhatIf, detector_name, what_if


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


def policy_change(
    detectors: Sequence[Detector],
    automate: Sequence[Topic],
    hold: Sequence[Topic],
    without: Sequence[str],
    thresholds: Sequence[str],
) -> PolicyChange:
    """The change the options describe; ``--threshold NAME=VALUE`` names a detector."""
    moved = []
    for given in thresholds:
        name, sep, value = given.rpartition("=")
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not sep or number != number:
            raise ConfigError(f"--threshold '{given}': write DETECTOR=NUMBER, e.g. sentiment=-0.6")
        moved.append((detector_name(name, detectors), number))
    return PolicyChange(
        automate=frozenset(automate),
        hold=frozenset(hold),
        off=frozenset(detector_name(n, detectors) for n in without),
        thresholds=tuple(moved),
    )


def replay(
    messages: Sequence[tuple[str, str]],
    detectors: Sequence[Detector],
    change: PolicyChange,
    total: int,
    max_chars: int,
    json_out: bool,
) -> None:
    report = run(what_if(messages, detectors, change, total, max_chars))
    print_what_if(report, json_out)


def explain_stored(days: int, json_out: bool) -> tuple[list[tuple[str, str]], int]:
    """Prints what each detector cost over the last ``days`` days, from the stored items;
    returns the period's newest messages for a what-if, and how many there were."""
    if days < 1:
        raise ConfigError("--days must be 1 or more")
    config = settings()
    end = datetime.now(UTC)
    start = end - timedelta(days=days)
    with open_records(config) as records:
        cost = routing_cost(records.queue.engine, start, end)
        messages, total = recent_messages(records.queue.engine, start, end, REPLAY_LIMIT)
    print_cost(cost, days, json_out)
    return messages, total


def print_cost(cost: RoutingCost, days: int, json_out: bool) -> None:
    if json_out:
        emit_json({"days": days} | asdict(cost))
        return
    typer.echo(f"Last {days} days: {cost.to_person} messages went to a person.")
    if cost.detectors:
        typer.echo("Per topic and detector (messages; only this detector):")
    for c in cost.detectors:
        typer.echo(f"  {c.topic.value:18} {c.detector:18} {c.messages:6} {c.alone:6}")
    if cost.checks:
        other = ", ".join(f"{source} {n}" for source, n in cost.checks.items())
        typer.echo(f"Other reasons: {other}")
    if cost.not_recorded:
        typer.echo(f"{cost.not_recorded} were routed before detectors were recorded.")


def print_what_if(report: WhatIf, json_out: bool) -> None:
    if json_out:
        emit_json({"what_if": asdict(report)})
        return
    typer.echo(f"\nWhat if: {report.change}")
    scope = f"{report.checked}"
    if report.checked < report.total:
        scope = f"the newest {report.checked} of {report.total}"
    typer.echo(
        f"Of {scope} messages, triage sends {report.to_person_now} to a person now and "
        f"would send {report.to_person_after} with the change "
        f"({report.freed_count} fewer, {report.held_count} more)."
    )
    for topic, (now, after) in report.per_topic.items():
        if now != after:
            typer.echo(f"  {topic.value:18} {now:6} -> {after}")
    lists = (("No longer to a person", report.freed), ("Newly to a person", report.held))
    for title, flips in lists:
        if flips:
            typer.echo(f"{title}:")
        for flip in flips:
            typer.echo(f"  {flip.message_id}: {flip.text}")
            for reason in flip.reasons[:3]:
                typer.echo(f"      - {reason}")
    typer.echo(
        "Triage only: a freed message is still sent only with a draft that passes its checks "
        "on a channel whose automation is on."
    )
