"""An item reaches people only once its graph waits for them: an agent who approves the moment
an item appears gets their reply sent, however slowly the pipeline writes its checkpoint."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from assistant.app import open_assistant
from assistant.errors import ConflictError
from assistant.review.decisions import Approve
from assistant.review.models import ItemStatus
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.support import message, run

HOLD_S = 1.0  # how long the pipeline's checkpoint write is held back


def test_an_approval_the_moment_an_item_appears_is_sent(ingested: Settings) -> None:
    seen: list[str] = []
    decided = threading.Event()

    def agent() -> None:
        """Polls the queue the way a console does and approves as soon as it may."""

        async def go() -> None:
            async with open_assistant(ingested) as assistant:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    item = assistant.queue.by_message("early-1")
                    if item is None or item.id is None:
                        await asyncio.sleep(0.01)
                        continue
                    item_id, status = item.id, item.status
                    seen.append(status)
                    if status == ItemStatus.pending:
                        try:
                            await assistant.review.decide(
                                SYSTEM_ACTOR, item_id, Approve(actor="alice")
                            )
                        except ConflictError:
                            continue
                        decided.set()
                        return
                    await asyncio.sleep(0.01)

        run(go())

    async def main() -> tuple[str, int]:
        async with open_assistant(ingested) as assistant:
            saver = assistant.graph.checkpointer
            write = saver.aput

            async def slow_write(*args: Any, **kwargs: Any) -> Any:
                # The item's route is already stored: the agent may see it now.
                until = time.monotonic() + HOLD_S
                while time.monotonic() < until and not decided.is_set():
                    await asyncio.sleep(0.01)
                return await write(*args, **kwargs)

            saver.aput = slow_write
            watcher = threading.Thread(target=agent)
            watcher.start()
            msg = message("Can I get a refund for my sweater?", id="early-1")
            result = await assistant.inbox.process(SYSTEM_ACTOR, msg)
            await asyncio.to_thread(watcher.join, 40)
            sends = [o for o in assistant.queue.outbox() if o.item_id == result.item_id]
            return assistant.queue.get(result.item_id).status, len(sends)

    assert run(main()) == (ItemStatus.sent, 1)
    assert decided.is_set()
    # While the checkpoint was held back the item was still being processed, not offered.
    assert seen[0] == ItemStatus.processing and seen.count(ItemStatus.processing) > 10
