"""The recording fake channel: a small HTTP server on 127.0.0.1 that plays a platform's send
API and counts what each customer actually received. Tests, benchmarks and the fault runs
point one or several worker processes at it (``ASSISTANT_CHANNEL_URL``); it can be slow,
fail (500), rate-limit (429 with Retry-After), time out after delivering, and refuse to say
whether a reply went out.

    python -m assistant.channels.recording_server --port 8765 --rate-limited 0.05

prints its URL on the first line and serves until stopped."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import threading
import time
from collections import Counter
from typing import Any

import uvicorn
from fastapi import FastAPI, Response
from pydantic import BaseModel, Field


class Faults(BaseModel):
    """How the fake misbehaves; each send draws once against the fractions, in this order."""

    latency_s: float = Field(0.0, ge=0)
    failing: float = Field(0.0, ge=0, le=1)  # 500, nothing delivered
    rate_limited: float = Field(0.0, ge=0, le=1)  # 429 + Retry-After, nothing delivered
    retry_after_s: float = Field(1.0, ge=0)
    timing_out: float = Field(0.0, ge=0, le=1)  # delivered, then no answer for hang_s
    hang_s: float = Field(30.0, ge=0)
    rejecting: float = Field(0.0, ge=0, le=1)  # 400: a permanent error
    revoked: bool = False  # 401: the token was revoked (reconnect)
    can_look_up: bool = True  # False: GET /sent answers 501 (the channel cannot tell)
    seed: int = 7


class Send(BaseModel):
    idempotency_key: str = Field(min_length=1)
    customer_key: str = Field(min_length=1)
    text: str
    reply_id: int | None = None


class Ledger:
    """What customers received: one entry per delivery, duplicates included."""

    def __init__(self, faults: Faults) -> None:
        self.configure(faults)

    def configure(self, faults: Faults, *, fresh: bool = True) -> None:
        """New faults; ``fresh`` also forgets what was received."""
        self.faults = faults
        self.random = random.Random(faults.seed)
        if not fresh:
            return
        self.received: list[tuple[str, str]] = []  # (idempotency key, customer)
        self.ids: dict[str, str] = {}
        self.requests = Counter[str]()
        self.at_once = 0
        self.most_at_once = 0  # the most sends open together: what a sender's limit allowed

    def opened(self) -> None:
        self.at_once += 1
        self.most_at_once = max(self.most_at_once, self.at_once)

    def closed(self) -> None:
        self.at_once -= 1

    def deliver(self, send: Send) -> str:
        self.received.append((send.idempotency_key, send.customer_key))
        platform_id = self.ids.setdefault(send.idempotency_key, f"fake-{len(self.ids) + 1}")
        return platform_id

    def stats(self) -> dict[str, Any]:
        per_key = Counter(key for key, _ in self.received)
        return {
            "received": len(self.received),
            "replies": len(per_key),
            "duplicates": sum(n - 1 for n in per_key.values()),
            "per_customer": dict(Counter(customer for _, customer in self.received)),
            "requests": dict(self.requests),
            "most_at_once": self.most_at_once,
        }


def build_app(faults: Faults | None = None) -> FastAPI:
    ledger = Ledger(faults or Faults())
    app = FastAPI(title="recording fake channel")
    app.state.ledger = ledger

    @app.post("/send")
    async def send(body: Send, response: Response) -> dict[str, Any]:
        ledger.opened()
        try:
            return await _answer(body, response)
        finally:
            ledger.closed()

    async def _answer(body: Send, response: Response) -> dict[str, Any]:
        f = ledger.faults
        if f.latency_s:
            await asyncio.sleep(f.latency_s)
        draw = ledger.random.random()
        outcome = _outcome(f, draw)
        ledger.requests[outcome] += 1
        match outcome:
            case "revoked":
                response.status_code = 401
                return {"error": "the access token was revoked"}
            case "failing":
                response.status_code = 500
                return {"error": "internal error"}
            case "rate_limited":
                response.status_code = 429
                response.headers["Retry-After"] = f"{f.retry_after_s:g}"
                return {"error": "too many requests"}
            case "rejecting":
                response.status_code = 400
                return {"error": "the recipient cannot receive messages"}
        platform_id = ledger.deliver(body)
        if outcome == "timing_out":
            await asyncio.sleep(f.hang_s)
        return {"id": platform_id}

    @app.get("/sent/{key}")
    async def sent(key: str, response: Response) -> dict[str, Any]:
        if not ledger.faults.can_look_up:
            response.status_code = 501
            return {"error": "this channel cannot look up sends"}
        if key not in ledger.ids:
            response.status_code = 404
            return {"error": "not sent"}
        return {"id": ledger.ids[key]}

    @app.get("/stats")
    async def stats() -> dict[str, Any]:
        return ledger.stats()

    @app.post("/faults")
    async def configure(faults: Faults, keep: bool = False) -> dict[str, Any]:
        """Replace the faults; the ledger starts afresh unless ``keep``."""
        ledger.configure(faults, fresh=not keep)
        return ledger.stats()

    return app


def _outcome(f: Faults, draw: float) -> str:
    if f.revoked:
        return "revoked"
    edge = 0.0
    for name in ("failing", "rate_limited", "timing_out", "rejecting"):
        edge += getattr(f, name)
        if draw < edge:
            return name
    return "delivered"


class FakeChannelServer:
    """The fake in a background thread of this process (tests): ``url`` once started."""

    def __init__(self, faults: Faults | None = None, port: int = 0) -> None:
        self.app = build_app(faults)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def ledger(self) -> Ledger:
        ledger: Ledger = self.app.state.ledger
        return ledger

    @property
    def url(self) -> str:
        [sock] = self.server.servers[0].sockets
        host, port = sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeChannelServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the fake channel did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    for name, field in Faults.model_fields.items():
        flag = "--" + name.replace("_", "-")
        if field.annotation is bool:
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=field.default)
        else:
            parser.add_argument(flag, type=field.annotation, default=field.default)  # type: ignore[arg-type]
    args = vars(parser.parse_args())
    port = args.pop("port")
    with FakeChannelServer(Faults(**args), port) as server:
        print(server.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.thread.join()


if __name__ == "__main__":
    main()
