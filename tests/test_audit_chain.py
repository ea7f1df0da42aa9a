"""The audit trail is a hash chain: an edited, removed or inserted event breaks it at that
event, `assistant audit verify` names it, and concurrent writers never fork it."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.db import database_url, make_engine
from assistant.governance.audit_chain import verify
from assistant.review.audit import search_audit, to_json
from assistant.review.models import AuditAction
from assistant.review.queue import Queue
from assistant.settings import Settings

runner = CliRunner()


def _queue(settings: Settings) -> Queue:
    return Queue(make_engine(database_url(settings)))


def _seed(queue: Queue, n: int = 5) -> None:
    for i in range(n):
        queue.audit(i + 1, "maya", AuditAction.edit, before=f"draft {i}", after=f"reply {i}")


def test_an_untouched_trail_verifies_and_prints_its_head(settings: Settings) -> None:
    _seed(_queue(settings))

    result = runner.invoke(app, ["audit", "verify", "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["intact"] and report["checked"] == 5 and len(report["head"]) == 64
    again = runner.invoke(app, ["audit", "verify", "--anchor", report["head"]])
    assert again.exit_code == 0 and "intact: 5 event(s)" in again.stdout


def test_an_edited_text_makes_verify_fail_and_name_the_event(settings: Settings) -> None:
    queue = _queue(settings)
    _seed(queue)
    third = queue.audit_log()[2].id
    with queue.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET after_text = 'nicer words' WHERE id = :id"), {"id": third}
        )

    result = runner.invoke(app, ["audit", "verify"])

    assert result.exit_code == 1
    assert f"BROKEN at event #{third}" in result.stderr and "texts were changed" in result.stderr
    assert "2 event(s) before it hold" in result.stdout


def test_a_changed_actor_or_a_removed_event_breaks_the_chain_there(settings: Settings) -> None:
    queue = _queue(settings)
    _seed(queue)
    ids = [e.id for e in queue.audit_log()]
    with queue.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'lena' WHERE id = :id"), {"id": ids[1]})
    assert verify(queue.engine).broken_at == ids[1]
    assert "who, what or when" in verify(queue.engine).problem
    with queue.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'maya' WHERE id = :id"), {"id": ids[1]})
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[3]})

    report = verify(queue.engine)

    assert report.broken_at == ids[4] and "removed or inserted" in report.problem


def test_a_rewritten_chain_is_caught_by_an_earlier_anchor(settings: Settings) -> None:
    queue = _queue(settings)
    _seed(queue, 2)
    anchor = verify(queue.engine).head
    with queue.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events"))
    _seed(queue, 2)  # a forger re-writes every event with fresh hashes

    report = verify(queue.engine, anchor)

    assert report.broken_at is None and report.anchor_found is False and not report.intact


def test_concurrent_writers_never_fork_the_chain(settings: Settings) -> None:
    queue = _queue(settings)

    def write(worker: int) -> None:
        for n in range(15):
            queue.audit(None, f"worker-{worker}", AuditAction.claim, reason=str(n))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(4)))

    report = verify(queue.engine)
    assert report.intact and report.checked == 60
    hashes = [e.prev_hash for e in queue.audit_log()]
    assert len(set(hashes)) == 60  # no two events claim the same predecessor


def test_the_export_carries_the_hashes(settings: Settings) -> None:
    queue = _queue(settings)
    _seed(queue, 2)

    rows = json.loads(to_json(search_audit(queue.engine)))

    assert rows[1]["hash"] == rows[0]["prev_hash"]  # newest first
    assert all(len(r["hash"]) == 64 and r["text_digest"] for r in rows)
