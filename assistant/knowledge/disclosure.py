"""What every reply carries (the brand's disclosure) and what no reply may quote (the
routing policy as written)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.knowledge.loader import Knowledge


def with_disclosure(disclosure: str, body: str) -> str:
    """Every reply carries the brand's disclosure, added here and never by a model."""
    body = body.strip()
    return body if body.startswith(disclosure) else f"{disclosure} {body}"


def policy_text(knowledge: Knowledge) -> str:
    """The routing policy as written: a draft must never quote it to a customer."""
    path = knowledge.root / "policy.yaml"
    return path.read_text(encoding="utf-8") if path.is_file() else ""
