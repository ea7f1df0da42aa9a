"""Concurrent model drafts against a fake OpenAI-compatible server with a fixed latency.

    python bench/concurrency.py [--messages 200] [--concurrency 16] [--latency 0.3]

A ``ThreadingHTTPServer`` on 127.0.0.1 (free port, one thread per request) answers
``POST /v1/chat/completions`` after ``--latency`` seconds with a valid completion whose
content is the drafter's JSON object. The assistant runs with
``model="openai/fake-model"``, ``api_base`` pointing at it and ``model_retries=0``;
``process_many(messages, concurrency)`` is timed against the ideal
``messages x latency / concurrency`` (target: wall / ideal <= 1.3). The server counts the
requests it got (must equal the number of messages) and the most it held at once.
What-if runs (diagnostic, ``--no-whatif`` skips them) repeat it on fewer messages with one
part swapped (embeddings precomputed, checkpoints in memory).

The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import os

from assistant.users.actor import SYSTEM_ACTOR

# Before anything imports litellm: use the bundled price map, never download it.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

import argparse
import asyncio
import cProfile
import itertools
import json
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    emit,
    faq_messages,
    machine,
    print_profile,
    stats_ms,
    workspace,
)
from langgraph.checkpoint.memory import InMemorySaver

from assistant.app import Assistant, open_assistant
from assistant.pipeline.graph import build_graph
from assistant.settings import Settings

TARGET = 1.3
REPLY = "Thanks for your message! Standard shipping takes 3–5 business days."
DRAFT = {
    "reply": REPLY,
    "cited_sources": ["faq:shipping-times"],
    "confidence": 0.9,
    "needs_human": False,
    "reason": "answered from the shipping FAQ",
}


class FakeModelServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default listen backlog (5) drops bursts of connections

    def __init__(self, latency: float) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.latency = latency
        self.lock = threading.Lock()
        self.requests = 0
        self.bad_requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.arrivals: list[float] = []
        self.cpu_s = 0.0  # handler CPU time (sleep excluded): the server's share of the GIL

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def reset(self) -> None:
        with self.lock:
            self.requests = self.bad_requests = self.in_flight = self.max_in_flight = 0
            self.arrivals = []
            self.cpu_s = 0.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real API: clients reuse connections
    # Headers and body in separate small writes + Nagle + delayed ACK = a 40 ms stall per
    # response on loopback; a real API server has TCP_NODELAY set.
    disable_nagle_algorithm = True
    server: FakeModelServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        cpu = time.thread_time()
        try:
            self._post()
        finally:
            with self.server.lock:
                self.server.cpu_s += time.thread_time() - cpu

    def _post(self) -> None:
        arrived = time.perf_counter()
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        srv = self.server
        with srv.lock:
            srv.in_flight += 1
            srv.max_in_flight = max(srv.max_in_flight, srv.in_flight)
            srv.arrivals.append(arrived)
        try:
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, {"error": {"message": f"no route {self.path}"}})
                return
            try:
                model = json.loads(raw).get("model", "fake-model")
            except ValueError:
                with srv.lock:
                    srv.bad_requests += 1
                self._send(400, {"error": {"message": "request body is not JSON"}})
                return
            time.sleep(srv.latency)
            with srv.lock:
                srv.requests += 1
            self._send(200, completion(model))
        finally:
            with srv.lock:
                srv.in_flight -= 1

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


async def watch_loop(lags: list[float], tick: float = 0.005) -> None:
    """How late the event loop wakes a 5 ms sleeper: a busy loop delays every request."""
    while True:
        start = time.perf_counter()
        await asyncio.sleep(tick)
        lags.append(time.perf_counter() - start - tick)


class IdleMeter:
    """Time the event loop spends waiting in its selector, i.e. idle; the rest of the wall
    time it is running Python (or blocked in a synchronous call)."""

    def __init__(self) -> None:
        self.idle = 0.0
        self._selector: Any = None

    def start(self) -> None:
        selector = asyncio.get_running_loop()._selector  # type: ignore[attr-defined]
        original = selector.select

        def select(timeout: float | None = None) -> Any:
            t0 = time.perf_counter()
            try:
                return original(timeout)
            finally:
                self.idle += time.perf_counter() - t0

        selector.select = select
        self._selector = selector

    def stop(self) -> None:
        if self._selector is not None:
            del self._selector.select
            self._selector = None


def completion(model: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-bench-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": json.dumps(DRAFT)},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 400, "completion_tokens": 40, "total_tokens": 440},
    }


async def run_whatif(
    assistant: Assistant, server: FakeModelServer, args: argparse.Namespace
) -> dict[str, dict[str, float]]:
    """Diagnostics only: ``--whatif-messages`` more messages per variant, one part of the
    pipeline swapped, to size possible fixes. Reports wall/ideal for each."""
    graph = assistant.graph
    embedder = assistant.index.embedder
    memory_graph = build_graph(InMemorySaver())
    vectors: dict[str, Any] = {}

    async def shipped(on: bool, texts: list[str]) -> None:
        pass

    async def precomputed(on: bool, texts: list[str]) -> None:
        # Embeddings computed before the clock starts: what the event loop would save if
        # embedding ran off it (e.g. asyncio.to_thread), with a core to spare.
        if on:
            vectors.update(zip(texts, embedder.embed(texts), strict=True))
            embedder.embed_one = vectors.__getitem__  # type: ignore[method-assign]
        else:
            del embedder.embed_one

    async def in_memory(on: bool, texts: list[str]) -> None:
        assistant.graph = memory_graph if on else graph

    async def both(on: bool, texts: list[str]) -> None:
        await precomputed(on, texts)
        await in_memory(on, texts)

    variants = {
        "as shipped": shipped,
        "embeddings precomputed (off the event loop)": precomputed,
        "checkpoints in memory (InMemorySaver)": in_memory,
        "embeddings precomputed + checkpoints in memory": both,
    }
    n = args.whatif_messages
    rounds = max(1, args.whatif_rounds)
    block = max(1, n // rounds)
    walls: dict[str, float] = dict.fromkeys(variants, 0.0)
    requests: dict[str, int] = dict.fromkeys(variants, 0)
    for r in range(rounds):  # interleaved, so load from other processes hits all alike
        for v, (name, switch) in enumerate(variants.items()):
            messages = faq_messages(block, prefix=f"whatif-{r}-{v}")
            texts = [m.text[: assistant.knowledge.policy.max_analysed_chars] for m in messages]
            await switch(True, texts)
            try:
                server.reset()
                start = time.perf_counter()
                await assistant.inbox.process_many(
                    SYSTEM_ACTOR, messages, concurrency=args.concurrency
                )
                walls[name] += time.perf_counter() - start
                requests[name] += server.requests
            finally:
                await switch(False, texts)
    ideal = block * rounds * args.latency / args.concurrency
    return {
        name: {
            "wall_s": round(walls[name], 3),
            "ratio": round(walls[name] / ideal, 3),
            "requests": requests[name],
        }
        for name in variants
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    server = FakeModelServer(args.latency)
    thread = threading.Thread(target=server.serve_forever, name="fake-model", daemon=True)
    thread.start()
    try:
        with workspace("concurrency") as base:
            settings = Settings(
                data_dir=base / "data",
                knowledge_dir=base / "knowledge",
                model="openai/fake-model",
                api_base=f"http://127.0.0.1:{server.port}/v1",
                api_key="sk-fake",  # type: ignore[arg-type]
                model_retries=0,
            )
            async with open_assistant(settings) as assistant:
                assistant.library.ingest(SYSTEM_ACTOR)  # also loads the embedding model
                # Warm-up (untimed): imports litellm, opens the HTTP client, first queries.
                warm = faq_messages(args.concurrency, prefix="warm")
                start = time.perf_counter()
                await assistant.inbox.process_many(SYSTEM_ACTOR, warm, concurrency=args.concurrency)
                warm_s = time.perf_counter() - start
                print(f"warm-up: {len(warm)} messages in {warm_s:.2f}s (untimed; imports litellm)")
                server.reset()

                messages = faq_messages(args.messages, prefix="timed")
                finished: list[float] = []
                lags: list[float] = []
                watcher = asyncio.create_task(watch_loop(lags))
                meter = IdleMeter()
                meter.start()
                profiler = cProfile.Profile() if args.profile else None
                cpu = time.process_time()
                start = time.perf_counter()
                if profiler:
                    profiler.enable()
                results = await assistant.inbox.process_many(
                    SYSTEM_ACTOR,
                    messages,
                    concurrency=args.concurrency,
                    on_result=lambda _r: finished.append(time.perf_counter()),
                )
                wall = time.perf_counter() - start
                cpu = time.process_time() - cpu
                watcher.cancel()
                meter.stop()
                if profiler:
                    profiler.disable()
                arrivals = sorted(server.arrivals)
                got = {
                    "requests": server.requests,
                    "bad": server.bad_requests,
                    "max_in_flight": server.max_in_flight,
                    "cpu_ms": server.cpu_s / max(server.requests, 1) * 1000,
                }
                whatif = await run_whatif(assistant, server, args) if args.whatif else {}
    finally:
        server.shutdown()
        server.server_close()

    ideal = args.messages * args.latency / args.concurrency
    ratio = wall / ideal
    errors = Counter(r.error.split(":")[0] for r in results if r.error)
    kinds = Counter(r.route for r in results)
    drafted = sum(1 for r in results if r.draft and REPLY in r.draft)
    first_request = (arrivals[0] - start) * 1000 if arrivals else float("nan")
    last_tail = (finished[-1] - arrivals[-1]) * 1000 if arrivals and finished else float("nan")
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    gap_stats = stats_ms(gaps) if gaps else {}
    complete = got["requests"] == args.messages and not errors
    lag = stats_ms(lags) if lags else {}
    busy = 1 - meter.idle / wall

    print(
        f"\n{args.messages} messages, concurrency {args.concurrency}, model latency "
        f"{args.latency * 1000:.0f} ms (fake server on 127.0.0.1:{server.port})"
    )
    print(f"wall {wall:.2f}s   ideal {ideal:.2f}s   ratio {ratio:.2f} (target <= {TARGET})")
    print(
        f"server: {got['requests']} completions, {got['bad']} bad requests, "
        f"at most {got['max_in_flight']} in flight, "
        f"{got['cpu_ms']:.2f} ms handler CPU per request"
    )
    if got["requests"] != args.messages:
        print(f"!! the server got {got['requests']} requests for {args.messages} messages")
    if errors:
        print(f"!! errors: {dict(errors)}")
    print(f"drafts with the model's reply: {drafted}; routes: {dict(kinds)}")
    print(
        f"process CPU time {cpu:.2f}s over {wall:.2f}s wall "
        f"({cpu / args.messages * 1000:.1f} ms CPU per message, both cores counted)"
    )
    print(
        f"first request {first_request:.0f} ms after start; request arrivals every "
        f"{gap_stats.get('mean_ms', float('nan')):.1f} ms on average "
        f"(ideal {args.latency / args.concurrency * 1000:.1f} ms)"
    )
    print(
        f"event-loop lag (a 5 ms sleeper wakes late by): p50 {lag.get('p50_ms', 0):.1f} ms, "
        f"p95 {lag.get('p95_ms', 0):.1f} ms, max {lag.get('max_ms', 0):.1f} ms; "
        f"the loop was busy {busy:.0%} of the run"
    )
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"ratio wall/ideal = {ratio:.2f}: {verdict} the target")
    if whatif:
        n = args.whatif_messages // args.whatif_rounds * args.whatif_rounds
        ideal_n = n * args.latency / args.concurrency
        print(
            f"\nwhat-if (diagnostic; {n} messages each in {args.whatif_rounds} interleaved "
            f"rounds, ideal {ideal_n:.2f}s):"
        )
        print(f"  {'variant':48s} {'wall':>7s} {'ratio':>6s}")
        for name, fig in whatif.items():
            print(
                f"  {name:48s} {fig['wall_s']:6.2f}s {fig['ratio']:6.2f}"
                f"  ({int(fig['requests'])} requests)"
            )
    profile_top = print_profile(profiler, args.messages) if profiler else {}
    if profiler:
        print("  (with --profile the run is slower: timings above are not comparable)")
    return {
        "benchmark": "concurrency",
        "messages": args.messages,
        "concurrency": args.concurrency,
        "model_latency_s": args.latency,
        "wall_s": round(wall, 3),
        "ideal_s": round(ideal, 3),
        "ratio_wall_to_ideal": round(ratio, 3),
        "throughput_msgs_per_s": round(args.messages / wall, 2),
        "server_requests": got["requests"],
        "server_requests_expected": args.messages,
        "server_bad_requests": got["bad"],
        "server_max_in_flight": got["max_in_flight"],
        "server_cpu_ms_per_request": round(got["cpu_ms"], 3),
        "all_requests_received": got["requests"] == args.messages,
        "errors": dict(errors),
        "drafts_from_model": drafted,
        "routes": dict(kinds),
        "cpu_s": round(cpu, 3),
        "cpu_ms_per_message": round(cpu / args.messages * 1000, 2),
        "first_request_ms": round(first_request, 1),
        "last_response_to_result_ms": round(last_tail, 1),
        "request_interarrival_mean_ms": gap_stats.get("mean_ms"),
        "event_loop_lag_ms": lag,
        "event_loop_busy_fraction": round(busy, 3),
        "warmup_s": round(warm_s, 3),
        "whatif_ratio_wall_to_ideal": whatif,
        "profiled": bool(profiler),
        "profile_top": profile_top,
        "target": f"ratio_wall_to_ideal <= {TARGET} with every request received",
        "meets_target": ratio <= TARGET and complete,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "machine": machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.3, help="fake model latency, s")
    parser.add_argument(
        "--profile", action="store_true", help="cProfile the timed run (slows it down)"
    )
    parser.add_argument(
        "--no-whatif", dest="whatif", action="store_false", help="skip the what-if runs"
    )
    parser.add_argument("--whatif-messages", type=int, default=100)
    parser.add_argument("--whatif-rounds", type=int, default=2)
    args = parser.parse_args()
    emit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()
