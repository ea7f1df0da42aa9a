"""Per-message pipeline time in template mode (no model), against the floor.

    python bench/pipeline.py [--messages 600] [--breakdown 100] [--whatif 100] [--profile]
    python bench/pipeline.py --database-url postgresql+psycopg://... --chroma-url http://...
        (Postgres + Chroma server against the embedded default instead: bench/backends.py)

1. Ingest the sample brand into a fresh data folder; warm up (model load, first queries).
2. Pipeline: ``await assistant.inbox.process(actor, m)``, one message at a time; p50/p95/mean.
3. Floor: per message, one embedding + one Chroma query (``search_vector``) + one
   committed SQLite insert into a scratch WAL file; p50/p95. The embedding is
   ``embed([text])``: ``embed_one`` caches recent texts, and the pipeline has just embedded
   the same text, so it would measure a dictionary lookup.
   Pipeline and floor alternate in blocks of ``--block`` messages so that load from other
   processes (this is a 2-core machine) hits both alike.
4. ``overhead_ratio = pipeline p50 / floor p50`` (target <= 2.0).
5. Breakdown (a second pass on fresh messages; the timed pass stays uninstrumented):
   time per service call (queue, order store, Chroma, embedder, checkpointer, detectors,
   drafter), the rest being LangGraph, pydantic and glue. The knowledge search runs beside
   the detectors, so the rows can add up to more than the total (then no rest is shown).
6. What-if (diagnostic): the pipeline with one part swapped (checkpoints in memory, ONNX
   on all cores without spinning),
   interleaved with the unchanged pipeline, to size each possible fix.
7. ``--profile``: cProfile one more pass; top 15 entries by cumulative and by own time.

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import cProfile
import functools
import inspect
import os
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from assistant.users.actor import SYSTEM_ACTOR

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    embedder_session,
    emit,
    machine,
    print_profile,
    stats_ms,
    time_pipeline,
    varied_messages,
    workspace,
)
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy import event

from assistant.app import Assistant, open_assistant
from assistant.intake.messages import InboundMessage
from assistant.pipeline.graph import build_graph
from assistant.settings import Settings

TARGET = 2.0


# -- the breakdown: exclusive time per wrapped call ------------------------------------


class Frame:
    __slots__ = ("children",)

    def __init__(self) -> None:
        self.children = 0.0


_frame: contextvars.ContextVar[Frame | None] = contextvars.ContextVar("frame", default=None)


class Stages:
    """Wraps methods on live objects (instance attributes: nothing in assistant/ changes).

    Synchronous calls block the event loop, so their exclusive time (own time minus wrapped
    calls inside) adds up exactly. Asynchronous calls (the checkpointer) overlap each other
    and wait on a lock, so for them the wall time during which at least one was in flight
    is recorded instead (the union of their intervals)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.intervals: dict[str, list[tuple[float, float]]] = defaultdict(list)

    def wrap(self, obj: Any, method: str, name: str, group: str | None = None) -> None:
        """Exclusive time for ``name``; with ``group`` (async only), in-flight wall time."""
        original = getattr(obj, method, None)
        if original is None:  # the code changed: measure what is there
            return
        if group is not None and inspect.iscoroutinefunction(original):
            bucket = self.intervals[group]

            @functools.wraps(original)
            async def overlapping(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    bucket.append((start, time.perf_counter()))
                    self.calls[name] += 1

            setattr(obj, method, overlapping)
            return

        def enter() -> tuple[Frame, contextvars.Token[Frame | None], float]:
            frame = Frame()
            return frame, _frame.set(frame), time.perf_counter()

        def leave(frame: Frame, token: contextvars.Token[Frame | None], start: float) -> None:
            elapsed = time.perf_counter() - start
            _frame.reset(token)
            self.seconds[name] += elapsed - frame.children
            self.calls[name] += 1
            parent = _frame.get()
            if parent is not None:
                parent.children += elapsed

        if inspect.iscoroutinefunction(original):

            @functools.wraps(original)
            async def sequential(*args: Any, **kwargs: Any) -> Any:
                frame, token, start = enter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    leave(frame, token, start)

            setattr(obj, method, sequential)
            return

        @functools.wraps(original)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            frame, token, start = enter()
            try:
                return original(*args, **kwargs)
            finally:
                leave(frame, token, start)

        setattr(obj, method, wrapper)

    def in_flight(self, group: str) -> float:
        total, end = 0.0, float("-inf")
        for lo, hi in sorted(self.intervals[group]):
            if hi <= end:
                continue
            total += hi - max(lo, end)
            end = hi
        return total

    @staticmethod
    def restore(*objs: Any) -> None:
        for obj in objs:
            for name in list(vars(obj)):
                if hasattr(getattr(obj, name), "__wrapped__"):
                    delattr(obj, name)


CHECKPOINTER = "checkpointer in flight (union)"


def instrument(assistant: Assistant, stages: Stages) -> list[Any]:
    svc = assistant.services
    queue_methods = [
        "claim",
        "get",
        "update",
        "customer_state",
        "routing_state",
        "audit",
    ]
    for method in queue_methods:
        stages.wrap(svc.queue, method, f"queue.{method} (SQLModel)")
    for method in ["customer_for", "order", "orders_for", "customer"]:
        stages.wrap(svc.orders, method, f"orders.{method} (SQLModel)")
    stages.wrap(svc.index, "count", "index.count (Chroma)")
    stages.wrap(svc.index, "search_vector", "index.search_vector (Chroma query)")
    stages.wrap(svc.index, "search", "index.search (glue)")
    stages.wrap(svc.index.embedder, "embed", "embedder.embed (ONNX)")
    stages.wrap(svc.drafter, "draft", "drafter.draft (template)")
    for detector in svc.detectors:
        # classify runs the local detectors through detect_sync, the others through detect
        method = "detect_sync" if hasattr(detector, "detect_sync") else "detect"
        stages.wrap(detector, method, f"detect: {detector.name}")
    saver = assistant.graph.checkpointer
    for method in ["aget_tuple", "aput", "aput_writes"]:
        stages.wrap(saver, method, f"checkpointer.{method}", group=CHECKPOINTER)
    return [svc.queue, svc.orders, svc.index, svc.index.embedder, svc.drafter, saver]


# -- the runs ----------------------------------------------------------------------------


def time_floor(
    assistant: Assistant, messages: list[InboundMessage], db: Path
) -> tuple[list[float], dict[str, list[float]]]:
    """Per message: embed_one + search_vector + one committed insert; also each part."""
    index = assistant.index
    k = assistant.knowledge.policy.retrieval.top_k
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")  # as the app's engine; synchronous left default
    conn.execute(
        "CREATE TABLE IF NOT EXISTS scratch (id INTEGER PRIMARY KEY, message_id TEXT UNIQUE, "
        "text TEXT, top_hit TEXT, created_at REAL)"
    )
    conn.commit()
    times: list[float] = []
    parts: dict[str, list[float]] = {"embed": [], "query": [], "insert": []}
    try:
        for message in messages:
            t0 = time.perf_counter()
            # embed([text]), not embed_one: embed_one keeps a cache of recent texts, and the
            # pipeline has just embedded this one.
            vector = index.embedder.embed([message.text])[0]
            t1 = time.perf_counter()
            hits = index.search_vector(vector.tolist(), k)
            t2 = time.perf_counter()
            conn.execute(
                "INSERT INTO scratch (message_id, text, top_hit, created_at) VALUES (?,?,?,?)",
                (message.id, message.text, hits[0].id if hits else None, time.time()),
            )
            conn.commit()
            t3 = time.perf_counter()
            times.append(t3 - t0)
            parts["embed"].append(t1 - t0)
            parts["query"].append(t2 - t1)
            parts["insert"].append(t3 - t2)
    finally:
        conn.close()
    return times, parts


def count_commits(assistant: Assistant) -> dict[str, int]:
    counter = {"commits": 0}

    @event.listens_for(assistant.queue.engine, "commit")
    def _on_commit(_conn: Any) -> None:
        counter["commits"] += 1

    return counter


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with workspace("pipeline") as base:
        settings = Settings(data_dir=base / "data", knowledge_dir=base / "knowledge")
        async with open_assistant(settings) as assistant:
            start = time.perf_counter()
            report = assistant.library.ingest(SYSTEM_ACTOR)
            ingest_s = time.perf_counter() - start
            print(
                f"ingest: {report.embedded} chunks embedded in {ingest_s:.2f}s "
                "(includes loading the embedding model)"
            )

            warm = varied_messages(args.warmup, prefix="warm")
            await time_pipeline(assistant, warm)
            time_floor(assistant, warm, base / "floor-warm.db")
            load_before = os.getloadavg()[0]

            # Pipeline and floor alternate in blocks, so load from other processes (2 cores
            # here) hits both alike; the ratio is what matters.
            messages = varied_messages(args.messages, prefix="timed")
            commits = count_commits(assistant)
            pipe: list[float] = []
            floor: list[float] = []
            floor_parts: dict[str, list[float]] = defaultdict(list)
            pipeline_s = 0.0
            for b in range(0, len(messages), args.block):
                block = messages[b : b + args.block]
                start = time.perf_counter()
                pipe.extend(await time_pipeline(assistant, block))
                pipeline_s += time.perf_counter() - start
                times, parts = time_floor(assistant, block, base / "floor.db")
                floor.extend(times)
                for name, values in parts.items():
                    floor_parts[name].extend(values)
            commits_per_msg = commits["commits"] / len(messages)
            load_after = os.getloadavg()[0]

            pipe_stats, floor_stats = stats_ms(pipe), stats_ms(floor)
            ratio = pipe_stats["p50_ms"] / floor_stats["p50_ms"]
            routes = defaultdict(int)
            for item in assistant.queue.items(limit=100_000):
                if item.message_id.startswith("timed-"):
                    routes[item.route or "none"] += 1

            print(f"\nmessages: {len(messages)} (cycled from samples/inbox.jsonl), one at a time")
            print(f"routes: { {str(k): v for k, v in sorted(routes.items())} }")
            rate = len(messages) / pipeline_s
            print(
                f"pipeline  p50 {pipe_stats['p50_ms']:7.2f} ms  p95 {pipe_stats['p95_ms']:7.2f} ms"
                f"  mean {pipe_stats['mean_ms']:7.2f} ms  ({rate:.1f} msg/s)"
            )
            print(
                f"floor     p50 {floor_stats['p50_ms']:7.2f} ms  p95 {floor_stats['p95_ms']:7.2f}"
                " ms"
                f"  mean {floor_stats['mean_ms']:7.2f} ms  (embed + Chroma query + SQLite insert)"
            )
            part_stats = {name: stats_ms(values) for name, values in floor_parts.items()}
            print(
                "  floor parts p50: "
                + ", ".join(f"{name} {st['p50_ms']:.2f} ms" for name, st in part_stats.items())
            )
            print(f"load average (1 min) before/after: {load_before:.2f} / {load_after:.2f}")
            print(f"queue-db commits per message: {commits_per_msg:.1f}")
            verdict = "meets" if ratio <= TARGET else "MISSES"
            print(f"overhead_ratio = {ratio:.2f} (target <= {TARGET}: {verdict})")

            breakdown: dict[str, dict[str, float]] = {}
            if args.breakdown:
                breakdown = await run_breakdown(assistant, args.breakdown)

            whatif: dict[str, float] = {}
            if args.whatif:
                whatif = await run_whatif(assistant, args.whatif)

            profile_top: dict[str, list[str]] = {}
            if args.profile:
                profile_top = await run_profile(assistant, args.profile_messages)

    return {
        "benchmark": "pipeline",
        "mode": "template (no model)",
        "messages": len(messages),
        "pipeline_p50_ms": pipe_stats["p50_ms"],
        "pipeline_p95_ms": pipe_stats["p95_ms"],
        "pipeline_mean_ms": pipe_stats["mean_ms"],
        "pipeline_max_ms": pipe_stats["max_ms"],
        "pipeline_msgs_per_s": round(len(messages) / pipeline_s, 2),
        "floor_p50_ms": floor_stats["p50_ms"],
        "floor_p95_ms": floor_stats["p95_ms"],
        "floor_mean_ms": floor_stats["mean_ms"],
        "floor_parts_p50_ms": {name: st["p50_ms"] for name, st in part_stats.items()},
        "overhead_ratio": round(ratio, 3),
        "queue_db_commits_per_message": round(commits_per_msg, 2),
        "routes": dict(sorted(routes.items())),
        "breakdown_ms_per_message": breakdown,
        "whatif_p50_ms": whatif,
        "profile_top": profile_top,
        "target": f"overhead_ratio <= {TARGET}",
        "meets_target": ratio <= TARGET,
        "load_avg_1m": [round(load_before, 2), round(load_after, 2)],
        "machine": machine(),
    }


async def run_breakdown(assistant: Assistant, count: int) -> dict[str, dict[str, float]]:
    stages = Stages()
    patched = instrument(assistant, stages)
    messages = varied_messages(count, prefix="stages")
    total = 0.0
    try:
        for message in messages:
            start = time.perf_counter()
            await assistant.inbox.process(SYSTEM_ACTOR, message)
            total += time.perf_counter() - start
    finally:
        stages.restore(*patched, *assistant.services.detectors)
    n = len(messages)
    rows = dict(stages.seconds)
    rows[CHECKPOINTER] = stages.in_flight(CHECKPOINTER)
    checkpoint_calls = sum(v for k, v in stages.calls.items() if k.startswith("checkpointer."))
    stages.calls[CHECKPOINTER] = checkpoint_calls
    accounted = sum(rows.values())
    out: dict[str, dict[str, float]] = {}
    print(f"\nbreakdown over {n} more messages (ms per message; sync calls: exclusive time):")
    print(f"  {'total (process)':46s} {total / n * 1000:8.2f}")
    for name, secs in sorted(rows.items(), key=lambda kv: -kv[1]):
        per = secs / n * 1000
        calls = stages.calls[name] / n
        out[name] = {"ms": round(per, 3), "calls": round(calls, 2)}
        print(f"  {name:46s} {per:8.2f}  ({calls:4.1f} calls, {100 * secs / total:4.1f}%)")
    out["total (process)"] = {"ms": round(total / n * 1000, 3), "calls": 1.0}
    rest = (total - accounted) / n * 1000
    if rest < 0:
        # The knowledge search runs beside the detectors (two threads), so their times
        # overlap and add up to more than the wall time: no "rest" to show.
        print("  (the knowledge search and the detectors overlap: the rows add up to more)")
        return out
    out["other (LangGraph, pydantic, glue)"] = {"ms": round(rest, 3), "calls": 1.0}
    print(
        f"  {'other (LangGraph, pydantic, glue)':46s} {rest:8.2f}"
        f"  ({'':10s}{100 * (total - accounted) / total:4.1f}%)"
    )
    return out


async def run_whatif(assistant: Assistant, count: int, block: int = 10) -> dict[str, float]:
    """Diagnostics only (the headline figures are untouched): the same pipeline with one
    part swapped, alternating with the unchanged one in small blocks so that load from
    other processes hits all alike. Each variant is switched on and off around its block."""
    real_graph = assistant.graph
    index = assistant.index
    embedder = index.embedder
    real_session = embedder._session  # private, but this is a diagnostic
    quiet_session = embedder_session(spinning=False)
    memory_graph = build_graph(InMemorySaver())

    async def shipped(on: bool) -> None:
        pass

    async def in_memory(on: bool) -> None:
        assistant.graph = memory_graph if on else real_graph

    async def no_spin(on: bool) -> None:
        embedder._session = quiet_session if on else real_session

    variants = {
        "as shipped": shipped,
        "checkpoints in memory (InMemorySaver)": in_memory,
        "ONNX intra-op spinning off": no_spin,
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    rounds = max(1, count // block)
    for r in range(rounds):
        for v, (name, switch) in enumerate(variants.items()):
            await switch(True)
            try:
                messages = varied_messages(block, prefix=f"whatif-{r}-{v}")
                times[name].extend(await time_pipeline(assistant, messages))
            finally:
                await switch(False)
    print(
        f"\nwhat-if (diagnostic; {block * rounds} messages each, interleaved in {rounds} "
        "rounds), ms:"
    )
    print(f"  {'variant':44s} {'p50':>8s} {'p95':>8s} {'mean':>8s}")
    out = {}
    for name, values in times.items():
        st = stats_ms(values)
        out[name] = st["p50_ms"]
        print(f"  {name:44s} {st['p50_ms']:8.2f} {st['p95_ms']:8.2f} {st['mean_ms']:8.2f}")
    return out


async def run_profile(assistant: Assistant, count: int) -> dict[str, list[str]]:
    messages = varied_messages(count, prefix="profile")
    profiler = cProfile.Profile()
    profiler.enable()
    for message in messages:
        await assistant.inbox.process(SYSTEM_ACTOR, message)
    profiler.disable()
    return print_profile(profiler, count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=600, help="timed messages (>= 500)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed messages first")
    parser.add_argument(
        "--block", type=int, default=20, help="pipeline and floor alternate in blocks of this"
    )
    parser.add_argument(
        "--breakdown", type=int, default=100, help="messages in the instrumented pass (0: skip)"
    )
    parser.add_argument(
        "--whatif", type=int, default=100, help="messages per what-if variant (0: skip)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one more pass")
    parser.add_argument("--profile-messages", type=int, default=100)
    parser.add_argument("--database-url", help="compare this Postgres database (empty) ...")
    parser.add_argument("--chroma-url", help="... and this Chroma server with the default")
    args = parser.parse_args()
    if args.database_url:
        if not args.chroma_url:
            parser.error("--database-url needs --chroma-url (the at-scale pair)")
        from backends import compare

        emit(asyncio.run(compare(args)))
        return
    emit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
