"""Retention: closed conversations past their period lose their texts and checkpoints,
figures stay, open items are untouched, the dry run counts, the real run is audited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select
from typer.testing import CliRunner

from assistant.channels.meta.records import PayloadState, WebhookEndpoint, WebhookPayload
from assistant.checkpoints import open_checkpointer
from assistant.cli.main import app
from assistant.db import make_engine, records_engine
from assistant.governance.audit_chain import verify
from assistant.jobs.engine import apply_schema
from assistant.review.models import AuditAction, AuditEvent, utcnow
from assistant.review.queue import Queue
from assistant.settings import Settings
from assistant.users.actor import Actor
from assistant.users.roles import Role
from assistant.workspace.notes import NoteService
from tests.service_support import service_env, serving, start_worker, stop, wait_until
from tests.support import message, process, run

runner = CliRunner()
DAYS = {"general_8m": 245, "order_8m": 245, "order_13m": 400, "open_13m": 400, "new": 1}


async def _checkpoint(settings: Settings, thread_id: str) -> Any:
    async with open_checkpointer(settings) as saver:
        return await saver.aget_tuple({"configurable": {"thread_id": thread_id}})


def _seed(settings: Settings) -> dict[str, Any]:
    """Five conversations of different ages and kinds; all closed but one."""
    texts = {
        "general_8m": "Do you have a store in Portland? My email is old.general@example.com",
        "order_8m": "Any news on order FH-10299 please?",
        "order_13m": "Where is my order FH-10293? Call me on 555-201-7788",
        "open_13m": "I want a refund for order FH-10290, this is unacceptable",
        "new": "Do you ship to Canada?",
    }
    msgs = [
        message(body, id=f"m-{name}", author_id=f"web_{n}", name=f"Person {n}")
        for n, (name, body) in enumerate(texts.items())
    ]
    results = run(process(settings, *msgs))
    queue = Queue(records_engine(settings))
    items = {name: queue.get(r.item_id) for name, r in zip(texts, results, strict=True)}
    now = utcnow()
    with queue.engine.begin() as conn:
        for name, item in items.items():
            status = "pending" if name == "open_13m" else "sent"
            order = None if name == "general_8m" else item.order_id
            conn.execute(
                text(
                    "UPDATE review_items SET received_at = :at, status = :s, order_id = :o, "
                    "draft = :d WHERE id = :id"
                ),
                {
                    "at": (now - timedelta(days=DAYS[name])).replace(tzinfo=None)
                    if conn.dialect.name == "sqlite"
                    else now - timedelta(days=DAYS[name]),
                    "s": status,
                    "o": order or ("FH-10299" if name != "general_8m" else None),
                    "d": f"draft for {name}",
                    "id": item.id,
                },
            )
    for item in items.values():
        queue.audit(item.id, "maya", AuditAction.edit, before="old draft", after=item.text)
    return {name: queue.get(item.id) for name, item in items.items() if item.id}


def test_dry_run_counts_per_kind_and_changes_nothing(ingested: Settings) -> None:
    items = _seed(ingested)

    result = runner.invoke(app, ["retention", "run", "--dry-run", "--json"])

    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)["counts"]
    assert counts["messages"] == 2  # general past 6 months, order past 12 months
    assert counts["open_items_kept"] == 1
    assert counts["checkpoint_threads"] == 2 and counts["audit_texts"] >= 2
    queue = Queue(records_engine(ingested))
    assert queue.get(items["general_8m"].id).text == items["general_8m"].text
    assert not queue.last_event(AuditAction.retention_purge)


def test_the_run_purges_past_retention_keeps_open_and_recent_items_and_figures(
    ingested: Settings,
) -> None:
    items = _seed(ingested)
    queue = Queue(records_engine(ingested))
    before = len(queue.items(limit=100))
    assert run(_checkpoint(ingested, items["order_13m"].thread_id)) is not None
    note = "she asked us to call 555-201-7788"  # an agent's note holds personal data too
    NoteService(queue).add(Actor("ann", Role.agent), items["general_8m"].id, note, utcnow())

    result = runner.invoke(app, ["retention", "run"])

    assert result.exit_code == 0, result.output
    assert "Retention run done" in result.stdout
    for name in ("general_8m", "order_13m"):
        purged = queue.get(items[name].id)
        assert purged.text == "" and purged.draft is None and purged.author_name is None
        assert purged.purged_at is not None and purged.status == "sent"  # the figures stay
        assert run(_checkpoint(ingested, items[name].thread_id)) is None
        for event in queue.audit_log(items[name].id):
            assert event.after_text is None and event.actor and event.action  # who/what stay
    for name in ("order_8m", "open_13m", "new"):
        kept = queue.get(items[name].id)
        assert kept.text == items[name].text and kept.purged_at is None
        assert run(_checkpoint(ingested, items[name].thread_id)) is not None
    assert len(queue.items(limit=100)) == before
    with queue.engine.connect() as conn:
        dump = " ".join(str(r) for r in conn.execute(text("SELECT * FROM review_items")))
        dump += " ".join(str(r) for r in conn.execute(text("SELECT * FROM audit_events")))
        dump += " ".join(str(r) for r in conn.execute(text("SELECT * FROM outbox")))
        dump += " ".join(str(r) for r in conn.execute(text("SELECT * FROM item_notes")))
    assert "old.general@example.com" not in dump and "555-201-7788" not in dump
    finished = queue.last_event(AuditAction.retention_purge)
    assert finished is not None
    counts = json.loads(finished.reason or "")["counts"]
    assert counts["messages"] == 2 and counts["internal_notes"] == 1
    assert verify(queue.engine).intact  # the redactions are events in the chain

    again = runner.invoke(app, ["retention", "run", "--json"])
    assert json.loads(again.stdout)["counts"]["messages"] == 0


def test_old_audit_events_keep_who_what_when_but_lose_their_text(ingested: Settings) -> None:
    queue = Queue(records_engine(ingested))
    with Session(queue.engine) as session:
        session.add(
            AuditEvent(
                actor="lena",
                action=AuditAction.faq_proposal,
                at=utcnow() - timedelta(days=800),
                after_text="Ask ann@example.com",
            )
        )
        session.commit()

    result = runner.invoke(app, ["retention", "run", "--json"])

    assert json.loads(result.stdout)["counts"]["audit_texts"] == 1
    [event] = [e for e in queue.audit_log() if e.action == AuditAction.faq_proposal]
    assert event.actor == "lena" and event.after_text is None and event.redacted_at
    assert verify(queue.engine).intact


def test_webhook_bodies_past_their_period_go_and_received_ones_stay(ingested: Settings) -> None:
    engine = records_engine(ingested)
    old, recent = utcnow() - timedelta(days=40), utcnow()
    rows = [
        (PayloadState.processed, old),
        (PayloadState.quarantined, old),
        (PayloadState.received, old),
        (PayloadState.processed, recent),
    ]
    with Session(engine) as session:
        for state, at in rows:
            session.add(
                WebhookPayload(
                    endpoint=WebhookEndpoint.meta, body=b"{}", state=state, received_at=at
                )
            )
        session.commit()

    result = runner.invoke(app, ["retention", "run", "--json"])

    counts = json.loads(result.stdout)["counts"]
    assert counts["raw_payloads"] == 1 and counts["quarantined_payloads"] == 1
    with Session(engine) as session:
        left = session.exec(select(WebhookPayload)).all()
    # 'received' is not yet applied (a crash or a failed sink): never purged
    assert sorted(p.state for p in left) == [PayloadState.processed, PayloadState.received]


def test_a_bad_retention_period_is_reported_with_file_and_line(settings: Settings) -> None:
    policy = settings.knowledge_dir / "policy.yaml"
    lines = policy.read_text(encoding="utf-8").splitlines()
    at = next(n for n, line in enumerate(lines) if line.strip().startswith("general:"))
    lines[at] = "  general: six months"
    policy.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = runner.invoke(app, ["retention", "run", "--dry-run"])

    assert result.exit_code == 3
    assert f"policy.yaml:{at + 1}: retention.general:" in result.stderr
    assert "write e.g. '30 days', '6 months'" in result.stderr


@contextmanager
def jobs_running(settings: Settings, log: Path, env: dict[str, str]) -> Iterator[None]:
    """What runs the periodic jobs: a procrastinate worker on Postgres, ``serve``'s
    in-process runner on the embedded default."""
    if not settings.database_url:
        with serving(log, env):
            yield
        return
    apply_schema(make_engine(settings.database_url))  # what 'assistant db upgrade' adds
    worker = start_worker(log, env=env)
    try:
        yield
    finally:
        stop(worker)


def test_retention_runs_on_its_schedule_with_nobody_typing_the_command(
    ingested: Settings, tmp_path: Path
) -> None:
    items = _seed(ingested)
    queue = Queue(records_engine(ingested))
    env = service_env(ASSISTANT_RETENTION_CRON="* * * * * */2")  # every 2 s

    with jobs_running(ingested, tmp_path / "jobs.log", env):
        purged = wait_until(
            lambda: queue.get(items["general_8m"].id).purged_at is not None,
            90,
            "the scheduled retention run",
        )

    assert purged
    assert queue.get(items["order_13m"].id).text == ""
    assert queue.get(items["open_13m"].id).text == items["open_13m"].text  # open: never
    assert queue.get(items["new"].id).purged_at is None
    finished = queue.last_event(AuditAction.retention_purge)
    assert finished is not None and finished.actor == "system"
    assert verify(queue.engine).intact


def test_a_schedule_that_is_not_cron_is_refused_naming_the_variable(settings: Settings) -> None:
    result = runner.invoke(
        app, ["retention", "run", "--dry-run"], env={"ASSISTANT_RETENTION_CRON": "nightly"}
    )

    assert result.exit_code != 0
    assert "ASSISTANT_RETENTION_CRON: " in result.stderr and "'30 2 * * *'" in result.stderr
    assert "Traceback" not in result.output
