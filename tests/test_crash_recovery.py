"""A process killed between approve and send must not lose the reply or send it twice."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from assistant.app import open_assistant
from assistant.review.decisions import Approve
from assistant.review.models import ItemStatus
from assistant.settings import Settings
from tests.support import ROOT, message, process, run

# Approves item ITEM in a fresh process whose channel adapter records the send and then
# kills the whole process with SIGKILL, before the graph can checkpoint the send.
KILLED_DURING_SEND = textwrap.dedent("""
    import asyncio, os, signal, sys
    from assistant.app import open_assistant
    from assistant.review.decisions import Approve
    from assistant.settings import load_settings

    class DiesMidSend:
        async def deliver(self, message):
            os.kill(os.getpid(), signal.SIGKILL)

    async def main():
        async with open_assistant(load_settings(), channel=DiesMidSend()) as assistant:
            await assistant.decide(int(sys.argv[1]), Approve(actor="alice"))

    asyncio.run(main())
""")

# Records the approval and dies before resuming the graph at all.
KILLED_BEFORE_SEND = textwrap.dedent("""
    import asyncio, os, signal, sys
    from assistant.app import open_assistant
    from assistant.review.decisions import Approve
    from assistant.settings import load_settings

    async def main():
        async with open_assistant(load_settings()) as assistant:
            assistant.queue.decide(int(sys.argv[1]), Approve(actor="alice"), None)
            os.kill(os.getpid(), signal.SIGKILL)

    asyncio.run(main())
""")


def _kill_during(script: str, item_id: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", script, str(item_id)],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -9, done.stderr  # it really was killed


def _recover_and_read(settings: Settings, item_id: int) -> tuple[str, int, list[int]]:
    async def go() -> tuple[str, int, list[int]]:
        async with open_assistant(settings) as assistant:
            recovered = await assistant.recover()
            await assistant.recover()  # running it twice changes nothing
            outbox = [o for o in assistant.queue.outbox() if o.item_id == item_id]
            return assistant.queue.get(item_id).status, len(outbox), recovered

    return run(go())


def test_killed_while_sending_then_restarted_sends_exactly_once(ingested: Settings) -> None:
    [result] = run(process(ingested, message("Can I get a refund?")))

    _kill_during(KILLED_DURING_SEND, result.item_id)
    status, sends, recovered = _recover_and_read(ingested, result.item_id)

    assert recovered == [result.item_id]
    assert status == ItemStatus.sent
    assert sends == 1


def test_killed_right_after_approve_then_restarted_still_sends_once(ingested: Settings) -> None:
    [result] = run(process(ingested, message("Can I get a refund?")))

    _kill_during(KILLED_BEFORE_SEND, result.item_id)
    status, sends, _ = _recover_and_read(ingested, result.item_id)

    assert status == ItemStatus.sent
    assert sends == 1


def test_approving_again_after_a_crash_is_refused_not_resent(ingested: Settings) -> None:
    [result] = run(process(ingested, message("Can I get a refund?")))
    _kill_during(KILLED_DURING_SEND, result.item_id)

    async def approve_again() -> str:
        async with open_assistant(ingested) as assistant:
            try:
                await assistant.decide(result.item_id, Approve(actor="bob"))
            except Exception as exc:  # ConflictError expected
                return type(exc).__name__
            return "accepted"

    assert run(approve_again()) == "ConflictError"
    _, sends, _ = _recover_and_read(ingested, result.item_id)
    assert sends == 1


# Processes an order question that is auto-sent, dying inside the send.
KILLED_DURING_AUTO_SEND = textwrap.dedent("""
    import asyncio, json, os, signal, sys
    from assistant.app import open_assistant
    from assistant.intake.jsonl import parse_line
    from assistant.settings import load_settings

    class DiesMidSend:
        async def deliver(self, message):
            os.kill(os.getpid(), signal.SIGKILL)

    async def main():
        async with open_assistant(load_settings(), channel=DiesMidSend()) as assistant:
            await assistant.process(parse_line(sys.argv[1], "test"))

    asyncio.run(main())
""")


def test_killed_while_auto_sending_then_restarted_sends_exactly_once(ingested: Settings) -> None:
    line = message("Where is my order FH-10293?", id="auto-1").model_dump_json()
    done = subprocess.run(
        [sys.executable, "-c", KILLED_DURING_AUTO_SEND, line],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -9, done.stderr

    async def go() -> tuple[str, int]:
        async with open_assistant(ingested) as assistant:
            await assistant.recover()
            item = assistant.queue.by_message("auto-1")
            assert item is not None
            return item.status, len(assistant.queue.outbox())

    assert run(go()) == (ItemStatus.sent, 1)
