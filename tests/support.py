"""Helpers for tests: build messages, run the pipeline, read the results."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Coroutine
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from assistant.app import open_assistant, open_records
from assistant.intake.jsonl import parse_line
from assistant.intake.messages import InboundMessage
from assistant.knowledge.answered import hit_text
from assistant.knowledge.documents import load_faq, load_policy_doc
from assistant.review.models import ReviewItem
from assistant.safety.claims import ClaimKind, check_claims
from assistant.safety.grounding import Grounding
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR

ROOT = Path(__file__).resolve().parents[1]
FAKE_API = "http://llm.test/v1"  # respx answers here; nothing listens on it
T = TypeVar("T")


def knowledge_text(*documents: str) -> str:
    """The sample brand's documents (``"faq/payments"``; a missing one is skipped) as a
    draft's checks read them: each section's and answer's text, without the front matter
    (an FAQ's ``also_asked`` phrasings are customers' questions, not facts), an answer's
    bare Yes or No said in full with its question, as the pipeline passes its hits."""
    chunks = []
    for document in documents:
        path = ROOT / "knowledge" / f"{document}.md"
        if path.is_file():
            load = load_faq if document.startswith("faq/") else load_policy_doc
            chunks += load(path.read_text(), str(path), [])
    return "\n".join(hit_text(c.id, c.title, c.text) for c in chunks)


def claim_kinds(draft: str, *documents: str) -> list[ClaimKind]:
    """What the claim check finds in a draft against those documents, one kind per finding."""
    return [f.kind for f in check_claims(draft, knowledge_text(*documents))]


def promise_kinds(draft: str, *documents: str) -> list[str]:
    """What the numeric guard finds unsupported in a draft against those documents."""
    return [f.kind for f in Grounding(knowledge_text(*documents), r"FH-\d{5}").unsupported(draft)]


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def message(
    text: str,
    *,
    id: str = "m-1",
    channel: str = "web_chat",
    author_id: str = "web_7731",
    name: str | None = "Marcus Johnson",
    handle: str | None = None,
    **extra: Any,
) -> InboundMessage:
    data = {
        "id": id,
        "channel": channel,
        "author": {"id": author_id, "name": name, "handle": handle},
        "text": text,
        **extra,
    }
    return parse_line(json.dumps(data), "test")


async def process(settings: Settings, *messages: InboundMessage, **kwargs: Any) -> list[Any]:
    async with open_assistant(settings, **kwargs) as assistant:
        return [await assistant.inbox.process(SYSTEM_ACTOR, m) for m in messages]


def sample_inbox() -> list[InboundMessage]:
    lines = (ROOT / "samples" / "inbox.jsonl").read_text(encoding="utf-8").splitlines()
    return [parse_line(line, f"inbox.jsonl:{n}") for n, line in enumerate(lines, 1) if line.strip()]


def completion(content: str) -> Any:
    """An OpenAI-style chat completion whose message is ``content`` (for respx)."""
    import httpx

    return httpx.Response(
        200,
        json={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": "test-model",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": content},
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        },
    )


def draft_json(reply: str, confidence: float = 0.9, **extra: Any) -> str:
    return json.dumps(
        {
            "reply": reply,
            "cited_sources": ["faq:shipping-times"],
            "confidence": confidence,
            "needs_human": False,
            "reason": "",
            **extra,
        }
    )


def in_flight(settings: Settings, n: int, expires: datetime, owner: str) -> list[int]:
    """``n`` messages being processed, leased to ``owner`` until ``expires``."""
    ids = []
    with open_records(settings) as records:
        for k in range(n):
            msg = message("Do you ship to Canada?", id=f"{owner}-{k}", author_id=f"c{k}")
            item, _ = records.queue.enqueue(
                ReviewItem(
                    message_id=msg.id,
                    thread_id=uuid.uuid4().hex,
                    channel=msg.channel,
                    customer_key=msg.customer_key,
                    text=msg.text,
                    message=msg.model_dump(mode="json"),
                    received_at=msg.received_at,
                    due_at=msg.received_at + timedelta(hours=1),
                    lease_owner=owner,
                    lease_expires_at=expires,
                )
            )
            assert item.id is not None
            ids.append(item.id)
    return ids
