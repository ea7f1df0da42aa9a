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
from assistant.users.actor import SYSTEM_ACTOR
from tests.support import ROOT, message, process, run

# Runs one step in a fresh process that kills itself with SIGKILL at a chosen moment:
#   approve-mid-send ITEM   approve; the channel adapter dies after the send was recorded
#   approve-then-die ITEM   record the approval, then die before the graph resumes
#   process-mid-send LINE   process a message that is auto-sent; die inside the send
#   process-then-die LINE   process a message for a person; die once the graph has paused,
#                           before the item is offered to people
CRASHING = textwrap.dedent("""
    import asyncio, os, signal, sys
    from assistant.app import open_assistant
    from assistant.intake.jsonl import parse_line
    from assistant.review.queue import Queue
    from assistant.review.decisions import Approve
    from assistant.settings import load_settings
    from assistant.users.actor import SYSTEM_ACTOR
    from assistant.users.roles import Role

    class DiesMidSend:
        async def send(self, reply):
            os.kill(os.getpid(), signal.SIGKILL)

        async def was_sent(self, reply):
            os.kill(os.getpid(), signal.SIGKILL)

    async def main(step, arg):
        async with open_assistant(load_settings(), channel=DiesMidSend()) as assistant:
            if step == "approve-mid-send":
                await assistant.review.decide(SYSTEM_ACTOR, int(arg), Approve(actor="alice"))
            elif step == "approve-then-die":
                assistant.queue.decide(int(arg), Approve(actor="alice"), None, Role.agent)
                os.kill(os.getpid(), signal.SIGKILL)
            else:
                if step == "process-then-die":
                    Queue.offer_to_people = lambda *_: os.kill(os.getpid(), signal.SIGKILL)
                await assistant.inbox.process(SYSTEM_ACTOR, parse_line(arg, "test"))

    asyncio.run(main(sys.argv[1], sys.argv[2]))
""")


def _kill_during(step: str, arg: object) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CRASHING, step, str(arg)],
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
            recovered = await assistant.inbox.recover(SYSTEM_ACTOR)
            await assistant.inbox.recover(SYSTEM_ACTOR)  # running it twice changes nothing
            outbox = [o for o in assistant.queue.outbox() if o.item_id == item_id]
            return assistant.queue.get(item_id).status, len(outbox), recovered

    return run(go())


def test_killed_while_sending_then_restarted_sends_exactly_once(ingested: Settings) -> None:
    [result] = run(process(ingested, message("Can I get a refund?")))

    _kill_during("approve-mid-send", result.item_id)
    status, sends, recovered = _recover_and_read(ingested, result.item_id)

    assert recovered == [result.item_id]
    assert status == ItemStatus.sent
    assert sends == 1


def test_killed_right_after_approve_then_restarted_still_sends_once(ingested: Settings) -> None:
    [result] = run(process(ingested, message("Can I get a refund?")))

    _kill_during("approve-then-die", result.item_id)
    status, sends, _ = _recover_and_read(ingested, result.item_id)

    assert status == ItemStatus.sent
    assert sends == 1


def test_approving_again_after_a_crash_is_refused_not_resent(ingested: Settings) -> None:
    [result] = run(process(ingested, message("Can I get a refund?")))
    _kill_during("approve-mid-send", result.item_id)

    async def approve_again() -> str:
        async with open_assistant(ingested) as assistant:
            try:
                await assistant.review.decide(SYSTEM_ACTOR, result.item_id, Approve(actor="bob"))
            except Exception as exc:  # ConflictError expected
                return type(exc).__name__
            return "accepted"

    assert run(approve_again()) == "ConflictError"
    _, sends, _ = _recover_and_read(ingested, result.item_id)
    assert sends == 1


def test_killed_while_auto_sending_then_restarted_sends_exactly_once(ingested: Settings) -> None:
    line = message("Where is my order FH-10293?", id="auto-1").model_dump_json()
    _kill_during("process-mid-send", line)

    async def go() -> tuple[str, int]:
        async with open_assistant(ingested) as assistant:
            await assistant.inbox.recover(SYSTEM_ACTOR)
            item = assistant.queue.by_message("auto-1")
            assert item is not None
            return item.status, len(assistant.queue.outbox())

    assert run(go()) == (ItemStatus.sent, 1)


def test_killed_after_the_graph_paused_the_item_reaches_people_on_restart(
    ingested: Settings,
) -> None:
    line = message("Can I get a refund?", id="paused-1").model_dump_json()
    _kill_during("process-then-die", line)

    async def go() -> tuple[str, str, int]:
        async with open_assistant(ingested) as assistant:
            item = assistant.queue.by_message("paused-1")
            assert item is not None and item.id is not None
            before = item.status  # not offered yet: nobody could decide it
            await assistant.inbox.recover(SYSTEM_ACTOR)
            await assistant.review.decide(SYSTEM_ACTOR, item.id, Approve(actor="alice"))
            return before, assistant.queue.get(item.id).status, len(assistant.queue.outbox())

    assert run(go()) == (ItemStatus.processing, ItemStatus.sent, 1)
