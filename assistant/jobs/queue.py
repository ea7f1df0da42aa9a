"""How the intake hands a stored message to whatever runs the jobs. ``defer_process`` is
called inside the transaction that stores the item, so the item and its job are committed
together or not at all (the transactional outbox)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sqlalchemy.engine import Connection


class JobQueue(Protocol):
    def defer_process(self, conn: Connection, item_id: int, thread_id: str) -> None:
        """Queue the ``process_message`` job for ``item_id`` inside ``conn``'s transaction."""
        ...

    def committed(self) -> None:
        """Called after the transaction committed (wakes an in-process runner)."""
        ...


class RowsAreTheQueue:
    """The embedded default: the stored item (``processing``, no lease) is the job itself;
    ``LocalRunner`` finds it. ``wake`` tells the runner not to wait for its next poll."""

    def __init__(self, wake: Callable[[], None] = lambda: None) -> None:
        self.wake = wake

    def defer_process(self, conn: Connection, item_id: int, thread_id: str) -> None:
        return None

    def committed(self) -> None:
        self.wake()
