"""Accepting messages: validate, then store each message as a queue item and defer its job
in ONE transaction (the item and its job exist together or not at all). Shared by the API
and the webhook routers: call ``accept_messages`` and never write items another way."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Table, select
from sqlalchemy.engine import Connection, Engine

from assistant.dbtypes import DbNow, ignoring_conflicts
from assistant.intake.jsonl import EARLIEST, MAX_DEPTH, MAX_FUTURE, _depth
from assistant.intake.messages import InboundMessage
from assistant.jobs.queue import JobQueue
from assistant.knowledge.policy import Policy
from assistant.review.models import ReviewItem
from assistant.services.inbox import new_item


@dataclass(frozen=True)
class Accepted:
    message_id: str
    item_id: int
    duplicate: bool

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Problem:
    """Why a request was refused: ``field`` names the place, e.g. ``[2].channel``."""

    field: str
    message: str


class InvalidBatchError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def parse_messages(body: bytes, max_batch: int) -> list[InboundMessage]:
    """One message (a JSON object in the JSONL schema) or a batch (an array of them). Every
    problem in the batch is reported; nothing is stored unless all of it is valid."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, bad UTF-8, deep nesting
        raise InvalidBatchError([Problem("body", f"not valid JSON ({_short(exc)})")]) from None
    batch = data if isinstance(data, list) else [data]
    if not batch:
        raise InvalidBatchError([Problem("body", "an empty batch: send at least one message")])
    if len(batch) > max_batch:
        raise InvalidBatchError(
            [Problem("body", f"{len(batch):,} messages; at most {max_batch:,} per request")]
        )
    problems: list[Problem] = []
    messages = []
    for index, raw in enumerate(batch):
        where = f"[{index}]" if isinstance(data, list) else ""
        message = _one(raw, where, problems)
        if message is not None:
            messages.append(message)
    if problems:
        raise InvalidBatchError(problems)
    return messages


def _one(raw: Any, where: str, problems: list[Problem]) -> InboundMessage | None:
    if not isinstance(raw, dict):
        problems.append(Problem(where or "body", f"expected an object, got {type(raw).__name__}"))
        return None
    if _depth(raw) > MAX_DEPTH:
        problems.append(Problem(where or "body", f"nested more than {MAX_DEPTH} levels deep"))
        return None
    try:
        message = InboundMessage.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            path = ".".join(str(p) for p in err["loc"])
            problems.append(Problem(f"{where}.{path}" if where else path, err["msg"]))
        return None
    if not EARLIEST <= message.received_at <= datetime.now(UTC) + MAX_FUTURE:
        problems.append(Problem(f"{where}.received_at".lstrip("."), "out of range"))
        return None
    return message


def _short(exc: BaseException) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)[:200]


def accept_messages(
    engine: Engine, jobs: JobQueue, policy: Policy, messages: list[InboundMessage]
) -> list[Accepted]:
    """Store each new message as a ``processing`` item with no lease and defer its
    ``process_message`` job, all in one transaction; a message seen before (same channel,
    id and text) answers its existing item. Returns one ``Accepted`` per message, in order."""
    with engine.begin() as conn:
        accepted = accept_in(conn, jobs, policy, messages)
    jobs.committed()
    return accepted


def accept_in(
    conn: Connection, jobs: JobQueue, policy: Policy, messages: Sequence[InboundMessage]
) -> list[Accepted]:
    """``accept_messages`` inside the caller's transaction (a webhook stores its payload, its
    items and their jobs together); the caller calls ``jobs.committed()`` after the commit."""
    table: Table = ReviewItem.__table__  # type: ignore[attr-defined]
    # One cached statement, the row as parameters: not a statement built per message.
    statement = ignoring_conflicts(conn, table).values(updated_at=DbNow()).returning(table.c.id)
    columns = [c.key for c in table.columns if c.key not in ("id", "updated_at")]
    accepted: list[Accepted] = []
    for message in messages:
        item = new_item(message, policy)
        params = {key: getattr(item, key) for key in columns}
        # The row that came back, not a row count: only the insert that made it defers a job.
        item_id = conn.execute(statement, params).scalar()
        created = item_id is not None
        if item_id is None:
            key = (
                table.c.channel == item.channel,
                table.c.message_id == item.message_id,
                table.c.content_hash == item.content_hash,
            )
            item_id = conn.execute(select(table.c.id).where(*key)).scalar_one()
        if created:
            jobs.defer_process(conn, item_id, item.thread_id)
        accepted.append(Accepted(message.id, item_id, duplicate=not created))
    return accepted
