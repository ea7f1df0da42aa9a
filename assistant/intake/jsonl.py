"""Read inbound messages from JSONL. A bad line never stops the batch and is never lost:
it becomes a message flagged with ``intake_problem`` so a person sees it in the queue."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import ValidationError

from assistant.intake.messages import MAX_STORED_CHARS, Author, Channel, InboundMessage

KNOWN_CHANNELS = ", ".join(c.value for c in Channel if c is not Channel.unknown)


def read_messages(lines: Iterable[str], source: str) -> Iterator[InboundMessage]:
    """Yield one message per non-blank line of ``source`` (a file name, for error messages)."""
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line:
            yield parse_line(line, f"{source}:{number}")


def parse_line(line: str, where: str) -> InboundMessage:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return _quarantined(line, where, f"not valid JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(data, dict):
        return _quarantined(line, where, f"expected a JSON object, got {type(data).__name__}")
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
    if problems:
        message = message.model_copy(update={"intake_problem": f"{where}: " + "; ".join(problems)})
    return message


def _tolerate(data: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    """Fix what can be fixed without guessing, noting each fix for the agent."""
    data = dict(data)
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
    digest = hashlib.sha256(line.encode()).hexdigest()[:16]
    return InboundMessage(
        id=f"malformed-{digest}",
        channel=Channel.unknown,
        author=Author(id="unknown"),
        text=line[:MAX_STORED_CHARS],
        intake_problem=f"{where}: {reason}",
    )
