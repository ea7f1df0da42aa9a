"""Read inbound messages from JSONL. A bad line never stops the batch and is never lost:
it becomes a message flagged with ``intake_problem`` so a person sees it in the queue.

Lines are split on ``\\n`` only: U+2028, U+2029 and U+0085 are valid inside JSON strings,
so ``str.splitlines()`` would cut one message into broken halves."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from assistant.intake.messages import MAX_STORED_CHARS, Author, Channel, InboundMessage

KNOWN_CHANNELS = ", ".join(c.value for c in Channel if c is not Channel.unknown)
BOM = b"\xef\xbb\xbf"
MAX_DEPTH = 32  # nesting of a line's JSON; real payloads stay under 10
MAX_INT = 2**63 - 1  # what every store and the checkpoint serialiser can hold
MAX_FUTURE = timedelta(days=1)  # clock skew tolerated on received_at
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def split_lines(data: bytes) -> list[bytes]:
    """The file's lines, a leading BOM (what Notepad writes) dropped, ``\\r\\n`` accepted."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    return [line.removesuffix(b"\r") for line in data.split(b"\n")]


def read_jsonl(data: bytes, source: str) -> Iterator[InboundMessage]:
    """One message per non-blank line of ``data``; ``source`` names the file in messages."""
    for number, raw in enumerate(split_lines(data), start=1):
        where = f"{source}:{number}"
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            text = raw.decode("utf-8", errors="backslashreplace")  # every byte kept, visibly
            yield _quarantined(text, where, f"not UTF-8 (byte {exc.start + 1} of the line)")
            continue
        if line.strip():
            yield parse_line(line.strip(), where)


def parse_line(line: str, where: str) -> InboundMessage:
    """Never raises: whatever a line holds, it comes back as a message."""
    try:
        return _parse(line, where)
    except Exception as exc:  # the guard: a poison line is quarantined, never fatal
        return _quarantined(line, where, f"could not be read ({type(exc).__name__})")


def _parse(line: str, where: str) -> InboundMessage:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return _quarantined(line, where, f"not valid JSON ({exc.msg} at column {exc.colno})")
    except RecursionError:
        return _quarantined(line, where, f"nested more than {MAX_DEPTH} levels deep")
    except ValueError as exc:  # e.g. an integer of thousands of digits
        return _quarantined(line, where, f"not valid JSON ({exc})")
    if not isinstance(data, dict):
        return _quarantined(line, where, f"expected a JSON object, got {type(data).__name__}")
    if _depth(data) > MAX_DEPTH:
        return _quarantined(line, where, f"nested more than {MAX_DEPTH} levels deep")
    problems: list[str] = []
    data = _tolerate(data, problems)
    try:
        message = InboundMessage.model_validate(data)
    except ValidationError as exc:
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'line'}: {err['msg']}"
            for err in exc.errors()
        )
        return _quarantined(line, where, reasons)
    message = _bounded_date(message, problems)
    if problems:
        message = message.model_copy(update={"intake_problem": f"{where}: " + "; ".join(problems)})
    return message


def _depth(value: Any, limit: int = MAX_DEPTH + 1) -> int:
    """Nesting depth, counted without recursion and only up to ``limit``."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        node, level = todo.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            if level >= limit:
                return level
            children = node.values() if isinstance(node, dict) else node
            todo.extend((child, level + 1) for child in children)
    return deepest


def _bounded(value: Any, path: str, problems: list[str]) -> Any:
    """Numbers no store can hold (2**70, 1e999, NaN) are kept as text, with a note."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) > MAX_INT:
        problems.append(f"{path}: number too large, kept as text")
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        problems.append(f"{path}: {value} is not a number, kept as text")
        return str(value)
    if isinstance(value, dict):
        return {k: _bounded(v, f"{path}.{k}", problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_bounded(v, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    return value


def _bounded_date(message: InboundMessage, problems: list[str]) -> InboundMessage:
    """A received_at far in the future (9999-12-31) would overflow the reply deadline."""
    now = datetime.now(UTC)
    if EARLIEST <= message.received_at <= now + MAX_FUTURE:
        return message
    problems.append(
        f"received_at {message.received_at.isoformat()} is out of range; "
        "the time it was read is used"
    )
    return message.model_copy(update={"received_at": now})


def _tolerate(data: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """Fix what can be fixed without guessing, noting each fix for the agent."""
    data = {k: _bounded(v, k, problems) for k, v in data.items()}
    channel = data.get("channel")
    if isinstance(channel, str) and channel not in Channel.__members__:
        problems.append(f"unknown channel {channel!r} (known: {KNOWN_CHANNELS})")
        data["channel"] = Channel.unknown.value
    text = data.get("text")
    if text is None and "text" in data:
        data["text"] = ""
    elif isinstance(text, str) and len(text) > MAX_STORED_CHARS:
        problems.append(f"text cut from {len(text):,} to {MAX_STORED_CHARS:,} characters")
        data["text"] = text[:MAX_STORED_CHARS]
    return data


def _quarantined(line: str, where: str, reason: str) -> InboundMessage:
    """A message a person must look at; its id is stable so re-running the file is a no-op."""
    digest = hashlib.sha256(line.encode("utf-8", errors="replace")).hexdigest()[:16]
    return InboundMessage(
        id=f"malformed-{digest}",
        channel=Channel.unknown,
        author=Author(id="unknown"),
        text=line[:MAX_STORED_CHARS],
        intake_problem=f"{where}: {reason}",
    )


def quarantine(message: InboundMessage, reason: str) -> InboundMessage:
    """A message that passed intake but could not be stored as it is: kept as plain text,
    without its metadata, for a person."""
    digest = hashlib.sha256(f"{message.channel}:{message.id}".encode()).hexdigest()[:16]
    return InboundMessage(
        id=f"malformed-{digest}",
        channel=message.channel,
        author=message.author,
        text=message.text,
        intake_problem=f"message {message.id[:80]!r} could not be queued as it is: {reason}",
    )
