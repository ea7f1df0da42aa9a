"""The service under load, on loopback (``assistant serve`` and ``assistant worker`` as real
processes, template drafting, no keys).

- ``intake``: POST /v1/messages (one message, with the API-key check) at ``--rate`` requests/s
  for ``--seconds``, open loop: p50/p99 latency (target p99 <= 50 ms). SQLite by default (the
  one-machine service, whose runner process drafts meanwhile); ``--database-url`` measures
  the API alone on Postgres.
- ``throughput``: ``--messages`` (2,000) queued on Postgres, drained by 1 and then 2 ``worker
  --burst`` processes: messages/s each and the 2-vs-1 ratio; then the SQLite ``serve``.
- ``delivery``: part A's delivery benchmark (bench/delivery.py: 1,000 replies to the fake
  channel, wall over ideal, duplicates).

The last line is one JSON object. Postgres URLs are an admin URL: a database is created per
run and dropped after."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

# Read before _common clears every ASSISTANT_* variable (what .ci/services.sh exports).
SERVERS = (
    os.environ.get("ASSISTANT_TEST_DATABASE_URL"),
    os.environ.get("ASSISTANT_TEST_CHROMA_URL"),
)

from _common import ROOT, emit, machine, percentile, varied_messages, workspace  # noqa: E402
from _load import Request, open_loop  # noqa: E402
from _serve import KEY, fresh_database, prepare, serve_env  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

sys.path.insert(0, str(ROOT))
from tests.service_support import serving, start_worker, wait_until  # noqa: E402

TARGET_P99_MS = 50.0


def _wire(count: int, prefix: str) -> list[dict[str, Any]]:
    return [m.model_dump(mode="json") for m in varied_messages(count, prefix)]


def _posts(rate: float, seconds: float) -> list[Request]:
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    bodies = _wire(int(rate * seconds), "intake")
    return [Request("POST", "/v1/messages", json.dumps(b).encode(), headers) for b in bodies]


def intake(args: argparse.Namespace) -> dict[str, Any]:
    """POST /v1/messages against the same server's bare ``GET /healthz`` at the same rate, in
    the same run: the floor this machine and generator give any answer."""
    bare = [Request("GET", "/healthz")] * int(args.rate * args.seconds)
    with workspace("intake") as base, fresh_database(args.database_url) as db:
        env = serve_env(base, **db)
        prepare(env)
        with serving(base / "serve.log", env) as url:
            floor = asyncio.run(open_loop(url, bare, args.rate))
            posted = asyncio.run(open_loop(url, _posts(args.rate, args.seconds), args.rate))
    ms = [s * 1000 for s in posted.latencies_s]
    floor_ms = [s * 1000 for s in floor.latencies_s]
    errors = sum(n for status, n in posted.statuses.items() if status not in (200, 202))
    result = {
        "backend": "postgres" if db else "sqlite",
        "requests": sum(posted.statuses.values()),
        "rate": args.rate,
        "errors": errors,
        "statuses": {str(k): v for k, v in sorted(posted.statuses.items())},  # 0: no answer
        "p50_ms": round(percentile(ms, 50), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2),
        "bare_p50_ms": round(percentile(floor_ms, 50), 2),
        "bare_p99_ms": round(percentile(floor_ms, 99), 2),
        "target": f"p99 <= {TARGET_P99_MS:.0f} ms",
        "meets_target": percentile(ms, 99) <= TARGET_P99_MS,
    }
    print(
        f"intake ({result['backend']}): {result['requests']} requests at {args.rate}/s: p50 "
        f"{result['p50_ms']} ms, p99 {result['p99_ms']} ms, {errors} errors "
        f"(bare GET /healthz, same run: p50 {result['bare_p50_ms']} ms, "
        f"p99 {result['bare_p99_ms']} ms)"
    )
    return result


def _queue(url: str, messages: list[dict[str, Any]]) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}) as client:
        for k in range(0, len(messages), 100):
            response = client.post("/v1/messages", json=messages[k : k + 100], timeout=60)
            response.raise_for_status()


def _drain(base: Path, env: dict[str, str], workers: int, count: int, prefix: str) -> float:
    with serving(base / "serve.log", env) as url:
        _queue(url, _wire(count, prefix))
    started = time.perf_counter()
    procs = [
        start_worker(base / "workers.log", "--burst", "--concurrency", "4", env=env)
        for _ in range(workers)
    ]
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit((base / "workers.log").read_text()[-3000:])
    return count / (time.perf_counter() - started)


def _processing(env: dict[str, str]) -> int:
    engine = create_engine(f"sqlite:///{env['ASSISTANT_DATA_DIR']}/assistant.db")
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM review_items WHERE status = 'processing'"))
        left = int(n.scalar_one())
    engine.dispose()
    return left


def throughput(args: argparse.Namespace) -> dict[str, Any]:
    rates: dict[str, float] = {}
    if args.database_url:
        for workers in (1, 2):
            with workspace(f"workers{workers}") as base, fresh_database(args.database_url) as db:
                server = {"ASSISTANT_CHROMA_URL": args.chroma_url} if args.chroma_url else {}
                collection = {"ASSISTANT_CHROMA_COLLECTION": f"bench-{uuid.uuid4().hex[:8]}"}
                env = serve_env(base, **db, **server, **collection)
                prepare(env)
                rates[f"postgres_{workers}_workers"] = _drain(
                    base, env, workers, args.messages, f"w{workers}"
                )
                rate = rates[f"postgres_{workers}_workers"]
                print(f"postgres, {workers} worker(s): {rate:.1f} msg/s")
    with workspace("serve") as base:
        env = serve_env(base)
        prepare(env)
        with serving(base / "serve.log", env) as url:
            started = time.perf_counter()
            _queue(url, _wire(args.messages, "serve"))
            wait_until(lambda: _processing(env) == 0, 3600, "serve to drain")
            rates["sqlite_serve"] = args.messages / (time.perf_counter() - started)
        print(f"sqlite serve (its runner process): {rates['sqlite_serve']:.1f} msg/s")
    result: dict[str, Any] = {
        "messages": args.messages,
        **{k: round(v, 2) for k, v in rates.items()},
    }
    if "postgres_1_workers" in rates:
        result["ratio_2_vs_1"] = round(rates["postgres_2_workers"] / rates["postgres_1_workers"], 2)
        print(f"2 workers vs 1: {result['ratio_2_vs_1']}x")
    return result


def delivery(args: argparse.Namespace) -> dict[str, Any]:
    """Part A's delivery benchmark (bench/delivery.py), with its defaults."""
    from delivery import run_delivery_bench

    result: dict[str, Any] = run_delivery_bench(
        args.replies, args.in_flight, database_url=args.database_url
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("intake")
    p.add_argument("--rate", type=float, default=200.0)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--database-url", default=None)
    p = sub.add_parser("throughput")
    p.add_argument("--messages", type=int, default=2000)
    p.add_argument("--database-url", default=SERVERS[0])
    p.add_argument("--chroma-url", default=SERVERS[1])
    p = sub.add_parser("delivery")
    p.add_argument("--replies", type=int, default=1000)
    p.add_argument("--in-flight", type=int, default=16)
    p.add_argument("--database-url", default=None)
    args = parser.parse_args()
    run = {"intake": intake, "throughput": throughput, "delivery": delivery}[args.command]
    emit({"bench": f"service.{args.command}", **run(args), "machine": machine()})


if __name__ == "__main__":
    main()
