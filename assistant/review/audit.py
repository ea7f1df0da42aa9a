"""Search the audit trail and export it as CSV or JSON (the console's audit page and
``assistant audit export`` share these)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assistant.review.models import AuditEvent

# Export columns, in this order, for CSV and JSON alike.
# The chain's fields let anyone re-check the export (see assistant/governance/audit_chain.py).
FIELDS = (
    "id",
    "at",
    "actor",
    "action",
    "item_id",
    "reason",
    "before_text",
    "after_text",
    "subject",
    "redacted_at",
    "text_salt",
    "text_digest",
    "prev_hash",
    "hash",
)
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def search_audit(
    engine: Engine,
    *,
    actor: str | Sequence[str] | None = None,
    action: str | Sequence[str] | None = None,
    item_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    text: str | None = None,
    limit: int | None = None,
) -> list[AuditEvent]:
    """Events newest first. ``actor``/``action``: one value or several (any of them);
    ``start`` inclusive, ``end`` exclusive (a datetime without a zone is UTC); ``text``: a
    case-insensitive substring of the reason, the before text or the after text."""
    query = select(AuditEvent)
    if actor:
        query = query.where(col(AuditEvent.actor).in_(_values(actor)))
    if action:
        query = query.where(col(AuditEvent.action).in_(_values(action)))
    if item_id is not None:
        query = query.where(AuditEvent.item_id == item_id)
    if start is not None:
        query = query.where(col(AuditEvent.at) >= _utc(start))
    if end is not None:
        query = query.where(col(AuditEvent.at) < _utc(end))
    if text and text.strip():
        pattern = "%" + _escape_like(text.strip().lower()) + "%"
        query = query.where(
            or_(
                *(
                    col(column).ilike(pattern, escape="\\")
                    for column in (AuditEvent.reason, AuditEvent.before_text, AuditEvent.after_text)
                )
            )
        )
    query = query.order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    if limit is not None:
        query = query.limit(limit)
    with Session(engine) as session:
        return list(session.exec(query).all())


def audit_actions(engine: Engine) -> list[str]:
    """Every action that occurs in the trail, sorted (for a filter widget)."""
    with Session(engine) as session:
        return sorted(session.exec(select(AuditEvent.action).distinct()).all())


def audit_actors(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.exec(select(AuditEvent.actor).distinct()).all())


def event_row(event: AuditEvent) -> dict[str, Any]:
    """One event as a plain dict in export order, the time as ISO 8601 in UTC."""
    return {
        "id": event.id,
        "at": _utc(event.at).isoformat(),
        "actor": event.actor,
        "action": event.action.value,
        "item_id": event.item_id,
        "reason": event.reason,
        "before_text": event.before_text,
        "after_text": event.after_text,
        "subject": event.subject,
        "redacted_at": _utc(event.redacted_at).isoformat() if event.redacted_at else None,
        "text_salt": event.text_salt,
        "text_digest": event.text_digest,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def to_json(events: Iterable[AuditEvent]) -> str:
    """A JSON array of events, fields in export order."""
    return json.dumps([event_row(e) for e in events], ensure_ascii=False, indent=2) + "\n"


def to_csv(events: Iterable[AuditEvent]) -> str:
    """CSV with a header row. A text cell that a spreadsheet would run as a formula
    (starting with = + - @, a tab or a carriage return) gets a leading apostrophe; empty
    values are empty cells."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for event in events:
        row = event_row(event)
        writer.writerow(_safe_cell(row[name]) for name in FIELDS)
    return out.getvalue()


def _safe_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _values(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
