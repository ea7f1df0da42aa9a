"""An open-loop HTTP/1.1 load generator on plain asyncio streams, for the intake benchmarks.

One request is due every 1/rate s whatever the answers do, and each latency is counted from
when its request was due, not from when it went out (no coordinated omission: a stalled
server shows as latency, not as fewer requests). It keeps a pool of keep-alive connections
and does no more than write bytes and read one answer, so on a 2-core machine the server,
not the generator, is what gets measured (an HTTP client library cost about a core at
200 requests/s here). Nothing here measures anything by itself."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

TIMEOUT_S = 30.0
# uvicorn closes a keep-alive connection idle for 5 s; one idle longer is not reused (an HTTP
# client would reconnect too), so a server's own keep-alive timeout never counts as an error.
IDLE_S = 4.0


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def wire(self, host: str) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}"]
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


@dataclass
class Outcome:
    latencies_s: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)  # 0: no answer (error, timeout)


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter, float]  # and last used at


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """The status and whether the connection may be reused; the body is read and dropped."""
    status = int((await reader.readline()).split()[1])
    length, reusable = 0, True
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
        elif name.strip().lower() == "connection" and "close" in value.lower():
            reusable = False
    await reader.readexactly(length)
    return status, reusable


async def open_loop(base_url: str, requests: Sequence[Request], rate: float) -> Outcome:
    """Send ``requests`` in order, one every 1/``rate`` s, on as many connections as the
    answers' delays need."""
    url = urlsplit(base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    idle: list[Connection] = []
    outcome = Outcome()

    async def connection() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while idle:
            reader, writer, used = idle.pop()
            if time.perf_counter() - used < IDLE_S:
                return reader, writer
            writer.close()
        return await asyncio.open_connection(host, port)

    async def one(request: Request, due: float) -> None:
        reader, writer = await connection()
        try:
            writer.write(request.wire(host))
            status, reusable = await asyncio.wait_for(_answer(reader), TIMEOUT_S)
        except (OSError, TimeoutError, ValueError, IndexError, asyncio.IncompleteReadError):
            outcome.statuses[0] += 1
            writer.close()
            return
        outcome.latencies_s.append(time.perf_counter() - due)
        outcome.statuses[status] += 1
        if reusable:
            idle.append((reader, writer, time.perf_counter()))
        else:
            writer.close()

    start = time.perf_counter() + 0.05
    tasks = []
    for n, request in enumerate(requests):
        due = start + n / rate
        if (pause := due - time.perf_counter()) > 0:
            await asyncio.sleep(pause)
        tasks.append(asyncio.create_task(one(request, due)))
    await asyncio.gather(*tasks)
    for _, writer, _ in idle:
        writer.close()
    return outcome
