"""Governance events in the audit chain (purges, erasures, exports, consent changes)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from assistant.review.models import AuditAction, AuditEvent


def record(
    bind: Engine | Connection,
    actor: str,
    action: AuditAction,
    *,
    summary: dict[str, Any] | str | None = None,
    subject: str | None = None,
    item_id: int | None = None,
) -> int:
    """Append one event (linked into the chain) and return its id. ``bind`` may be a
    connection inside a caller's transaction (then the caller commits)."""
    reason = summary if isinstance(summary, str) or summary is None else json.dumps(summary)
    event = AuditEvent(item_id=item_id, actor=actor, action=action, reason=reason, subject=subject)
    with Session(bind) as session:
        session.add(event)
        session.flush()
        assert event.id is not None
        event_id = event.id
        session.commit()  # on a caller's connection this leaves its transaction to it
    return event_id
