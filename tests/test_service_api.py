"""``assistant serve`` on the embedded default, as a client meets it: a real uvicorn process
on 127.0.0.1, real HTTP, and the same process running the jobs."""

from __future__ import annotations

import os
import signal
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from assistant.app import open_records
from assistant.review.models import ItemStatus, ReviewItem
from assistant.settings import Settings
from tests.service_support import post, service_env, serving, wait_until, wire
from tests.support import in_flight


def _statuses(settings: Settings) -> dict[str, ItemStatus]:
    with open_records(settings) as records:
        return {i.message_id: i.status for i in records.queue.items(limit=10_000)}


def test_a_posted_message_is_stored_at_once_and_drafted_in_the_background(
    ingested: Settings, tmp_path: Path
) -> None:
    with serving(tmp_path / "serve.log") as base:
        first = post(base, wire("ig-1"))
        assert first.status_code == 202
        [item] = first.json()["items"]
        assert item["message_id"] == "ig-1" and item["duplicate"] is False

        again = post(base, wire("ig-1"))
        assert again.status_code == 200
        assert again.json()["items"] == [{**item, "duplicate": True}]

        batch = post(base, [wire("ig-2", author="c2"), wire("ig-3", "Where is my refund?")])
        assert batch.status_code == 202
        assert [i["message_id"] for i in batch.json()["items"]] == ["ig-2", "ig-3"]

        done = wait_until(
            lambda: (
                (s := _statuses(ingested))
                # approved: its reply is recorded and the runner's delivery is under way
                and all(v not in {ItemStatus.processing, ItemStatus.approved} for v in s.values())
                and s
            ),
            60,
            "the runner to process the three messages and send the answer",
        )
        assert done["ig-1"] == ItemStatus.sent  # shipping FAQ: answered automatically
        assert done["ig-3"] == ItemStatus.pending  # refunds: a person decides
        metrics = httpx.get(f"{base}/metrics").text
        assert 'assistant_queue_items{status="sent"}' in metrics
        assert 'assistant_request_seconds_count{route="/v1/messages"} 3' in metrics
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"database": "ok", "index": "ok", "engine": "ok"}
    log = (tmp_path / "serve.log").read_text()
    assert "Do you ship" not in log and "test-intake-key" not in log  # no text, no key


def test_bad_requests_get_a_clear_error_and_store_nothing(
    ingested: Settings, tmp_path: Path
) -> None:
    with serving(tmp_path / "serve.log") as base:
        cases = {
            "no key": post(base, wire("x-1"), key=None),
            "wrong key": post(base, wire("x-2"), key="guess"),
            "malformed JSON": post(base, b'{"id": "x-3", "channel": '),
            "missing field": post(base, {"id": "x-4", "channel": "instagram", "text": "hi"}),
            "unknown channel": post(base, [wire("x-5"), {**wire("x-6"), "channel": "myspace"}]),
            "10 MB body": post(base, b"[" + b" " * 10_000_000 + b"]"),
            "empty batch": post(base, []),
        }
        statuses = {name: r.status_code for name, r in cases.items()}
        assert statuses == {
            "no key": 401,
            "wrong key": 401,
            "malformed JSON": 422,
            "missing field": 422,
            "unknown channel": 422,
            "10 MB body": 413,
            "empty batch": 422,
        }
        assert cases["no key"].headers["www-authenticate"] == "Bearer"
        problems = cases["missing field"].json()["problems"]
        assert {"field": "author", "message": "Field required"} in problems
        unknown = cases["unknown channel"].json()
        assert [p["field"] for p in unknown["problems"]] == ["[1].channel"]
        assert "Nothing was stored" in unknown["detail"]
        assert "not valid JSON" in cases["malformed JSON"].json()["detail"]
        assert "larger than 1,000,000 bytes" in cases["10 MB body"].json()["detail"]
    # The valid message beside the unknown channel was not stored either: all or nothing.
    assert _statuses(ingested) == {}


def test_a_full_backlog_is_answered_429_and_nothing_more_is_stored(
    ingested: Settings, tmp_path: Path
) -> None:
    # Two messages another live process is drafting: the backlog the API counts.
    in_flight(ingested, 2, datetime.now(UTC) + timedelta(minutes=10), "busy-host:1:bbbbbb")
    env = service_env(ASSISTANT_MAX_BACKLOG="2")
    with serving(tmp_path / "serve.log", env) as base:
        full = post(base, wire("late-1"))
        assert full.status_code == 429
        assert full.json()["detail"] == "The backlog is full; retry later."
        assert full.headers["retry-after"] == "1"
    assert "late-1" not in _statuses(ingested)


def test_work_a_crash_left_behind_is_picked_up_on_start(ingested: Settings, tmp_path: Path) -> None:
    """A message stored, then the process died mid-pipeline: the next start finishes it."""
    dead = f"{os.uname().nodename}:999999:dead00"  # this host, a pid that is not running
    now = datetime.now(UTC)
    with open_records(ingested) as records:
        records.queue.enqueue(
            ReviewItem(
                message_id="crashed-1",
                thread_id=uuid.uuid4().hex,
                channel="instagram",
                customer_key="instagram:c9",
                text="Do you ship to Canada?",
                message=wire("crashed-1", author="c9"),
                received_at=now,
                due_at=now + timedelta(hours=1),
                lease_owner=dead,
                lease_expires_at=now + timedelta(minutes=10),
            )
        )
    with serving(tmp_path / "serve.log"):
        wait_until(
            lambda: _statuses(ingested)["crashed-1"] == ItemStatus.sent,
            60,
            "the crashed message to be finished",
        )


def _serve_pid(base: str) -> int:
    port = base.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0") if proc.name.isdigit() else []
        except OSError:  # it ended while we looked
            continue
        if b"serve" in args and port.encode() in args:
            return int(proc.name)
    raise AssertionError(f"no 'assistant serve' process on port {port}")


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    found: list[int] = []
    for task in tasks.iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def test_the_job_runner_is_a_process_of_its_own_and_is_started_again_if_it_dies(
    ingested: Settings, tmp_path: Path
) -> None:
    """Drafting runs beside the API, not in it (it would hold the interpreter lock intake
    answers need); a runner killed mid-service is replaced and nothing posted is lost."""
    with serving(tmp_path / "serve.log") as base:
        serve_pid = _serve_pid(base)
        [runner] = wait_until(lambda: _children(serve_pid), 30, "the job runner to start")
        # Below the API for the CPU: intake is answered first, drafting takes what is left.
        wait_until(
            lambda: (
                os.getpriority(os.PRIO_PROCESS, runner) > os.getpriority(os.PRIO_PROCESS, serve_pid)
            ),
            30,
            "the runner to lower its priority",
        )
        os.kill(runner, signal.SIGKILL)
        assert post(base, wire("after-kill", author="c7")).status_code == 202
        wait_until(
            lambda: _statuses(ingested).get("after-kill") == ItemStatus.sent,
            90,
            "a new runner to draft and send the message",
        )
        [again] = _children(serve_pid)
        assert again != runner
        assert httpx.get(f"{base}/readyz").status_code == 200
    assert not Path(f"/proc/{again}").exists()  # stopping serve stops its runner too
