"""``classify``: every detector's hits, in the detectors' order, one per (topic, detector);
the local detectors run together in one worker thread, off the event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from assistant.safety.detectors import Detector, Hit, LocalDetector, classify
from assistant.safety.topics import Topic
from assistant.safety.triage import LazyDetector


class Local:
    def __init__(self, name: str, topic: Topic, threads: list[int]) -> None:
        self.name, self.topic, self.threads = name, topic, threads

    async def detect(self, text: str) -> list[Hit]:
        return await asyncio.to_thread(self.detect_sync, text)

    def detect_sync(self, text: str) -> list[Hit]:
        self.threads.append(threading.get_ident())
        return [Hit(self.topic, f"{self.name} saw '{text}'", self.name)] * 2  # a repeat


class Remote:
    """Like the model classifier: only async."""

    name = "model"

    async def detect(self, text: str) -> list[Hit]:
        await asyncio.sleep(0)
        return [Hit(Topic.legal, "the model says legal", self.name)]


def test_all_hits_in_order_and_local_detectors_in_one_worker_thread() -> None:
    threads: list[int] = []
    detectors: list[Detector] = [
        Local("patterns", Topic.refund, threads),
        Remote(),
        Local("similar", Topic.refund, threads),
    ]
    assert [isinstance(d, LocalDetector) for d in detectors] == [True, False, True]

    async def run() -> tuple[list[Hit], int]:
        return await classify("refund now", detectors), threading.get_ident()

    hits, loop_thread = asyncio.run(run())
    assert [(h.detector, h.topic) for h in hits] == [
        ("patterns", Topic.refund),
        ("model", Topic.legal),
        ("similar", Topic.refund),
    ]
    assert len(set(threads)) == 1 and loop_thread not in threads


def test_a_lazy_detector_used_from_several_threads_at_once_is_built_once() -> None:
    builds: list[int] = []

    def build() -> Local:
        builds.append(threading.get_ident())
        time.sleep(0.05)  # long enough for the other threads to ask meanwhile
        return Local("similar", Topic.refund, [])

    lazy = LazyDetector("similar", build)
    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lazy.detect_sync, ["a", "b", "c", "d"]))
    assert len(builds) == 1
    assert [hits[0].reason for hits in found] == [f"similar saw '{t}'" for t in "abcd"]
