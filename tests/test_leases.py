"""Several processes at once: recover takes only work whose lease expired, each item once."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.app import open_records
from assistant.review.models import ItemStatus
from assistant.settings import Settings
from tests.support import ROOT, in_flight, message

PROCESS_ONLY = """
import asyncio, sys
from assistant.app import open_assistant
from assistant.intake.jsonl import read_jsonl
from assistant.settings import load_settings
from assistant.users.actor import SYSTEM_ACTOR

async def main():
    data = open(sys.argv[1], "rb").read()
    async with open_assistant(load_settings()) as assistant:
        await assistant.inbox.process_many(SYSTEM_ACTOR, list(read_jsonl(data, "inbox")))

asyncio.run(main())
"""


def test_two_recovers_and_a_worker_run_each_item_once(ingested: Settings, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    crashed = in_flight(ingested, 6, now - timedelta(minutes=1), "gone-host:1:aaaaaa")
    busy = in_flight(ingested, 2, now + timedelta(minutes=10), "busy-host:1:bbbbbb")
    inbox = tmp_path / "inbox.jsonl"
    inbox.write_text(
        "\n".join(
            message("Where is my order?", id=f"new-{k}", author_id=f"n{k}").model_dump_json()
            for k in range(8)
        ),
        encoding="utf-8",
    )
    assistant = [str(Path(sys.executable).parent / "assistant"), "recover", "--json"]
    worker = subprocess.Popen(
        [sys.executable, "-c", PROCESS_ONLY, str(inbox)], cwd=ROOT, stderr=subprocess.PIPE
    )
    recovers = [
        subprocess.Popen(assistant, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in recovers]
    _, worker_err = worker.communicate(timeout=300)
    assert worker.returncode == 0, worker_err.decode()
    assert all(p.returncode == 0 for p in recovers), [e.decode() for _, e in outputs]
    first, second = (set(json.loads(out)["recovered"]) for out, _ in outputs)

    assert first.isdisjoint(second)  # nothing re-run twice
    assert first | second == set(crashed)  # nothing lost, nothing still leased taken
    with open_records(ingested) as records:
        items = {item.id: item for item in records.queue.items(limit=100)}
        sends = [sent.item_id for sent in records.queue.outbox()]
    assert all(items[i].status not in {ItemStatus.processing} for i in crashed)
    assert all(items[i].status == ItemStatus.processing for i in busy)
    new = [i for i in items.values() if i.message_id.startswith("new-")]
    assert len(new) == 8 and all(i.status != ItemStatus.processing for i in new)
    assert len(sends) == len(set(sends))
