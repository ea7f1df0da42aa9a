"""Checking drafts outside the pipeline (``assistant verify``): each JSONL line gives a draft
and either its context or a question whose retrieved knowledge is the context. Lines are
validated one by one so a bad line is reported with its number and the rest still run."""

from __future__ import annotations

import json
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from assistant.intake.jsonl import split_lines
from assistant.intake.messages import Channel


class DraftLine(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | int
    draft: str
    context: str | None = None
    question: str | None = None
    channel: Channel = Channel.web_chat

    @model_validator(mode="after")
    def _one_source(self) -> DraftLine:
        if (self.context is None) == (self.question is None):
            raise ValueError("give either 'context' or 'question', not both or neither")
        return self


@dataclass(frozen=True)
class BadLine:
    number: int
    id: str | int | None
    error: str


def parse_draft_lines(data: bytes) -> list[DraftLine | BadLine]:
    """One draft per non-blank line; lines split as inbound files are (``split_lines``), and
    each decoded on its own, so one bad byte costs only its line."""
    out: list[DraftLine | BadLine] = []
    for number, encoded in enumerate(split_lines(data), start=1):
        try:
            line = encoded.decode("utf-8")
        except UnicodeDecodeError as exc:
            out.append(BadLine(number, None, f"not UTF-8 (byte {exc.start}); save it as UTF-8"))
            continue
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append(BadLine(number, None, f"not JSON ({exc.msg})"))
            continue
        except (ValueError, RecursionError):  # a huge number or nesting past the bounds
            out.append(BadLine(number, None, "too deeply nested or a number too long"))
            continue
        try:
            out.append(DraftLine.model_validate(raw))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            text = str(first["msg"]).removeprefix("Value error, ")
            message = f"{where}: {text}" if where else text
            id_ = raw.get("id") if isinstance(raw, dict) else None
            out.append(BadLine(number, id_ if isinstance(id_, str | int) else None, message))
    return out
