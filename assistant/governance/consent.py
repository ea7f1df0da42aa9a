"""Consent to marketing messages: each change recorded with when, where, how and the
wording; ``customer_state.consent_at`` says whether consent is current."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from assistant.dbtypes import upsert
from assistant.errors import ConfigError
from assistant.governance import events
from assistant.governance.csv_input import read_csv
from assistant.governance.identities import parse_key
from assistant.governance.models import ConsentKind, ConsentRecord, ConsentSource
from assistant.intake.messages import Channel
from assistant.review.models import AuditAction, CustomerState

ACTIONS = {
    ConsentKind.given: AuditAction.consent_given,
    ConsentKind.withdrawn: AuditAction.consent_withdrawn,
}


def record_consent(
    bind: Engine | Connection,
    customer_key: str,
    kind: ConsentKind,
    source: ConsentSource,
    wording: str,
    *,
    actor: str,
    at: datetime,
    evidence: str | None = None,
) -> int:
    """Store one consent change, set ``consent_at`` (given) or clear it (withdrawn), and
    audit it; returns the record's id."""
    channel = Channel(customer_key.split(":", 1)[0])
    values = {
        "customer_key": customer_key,
        "channel": channel,
        "kind": kind,
        "source": source,
        "wording": wording,
        "at": at,
        "recorded_by": actor,
        "evidence": evidence,
    }
    table = ConsentRecord.__table__  # type: ignore[attr-defined]
    with _transaction(bind) as conn:
        inserted = conn.execute(insert(table).values(values)).inserted_primary_key
        assert inserted is not None
        record_id = inserted[0]
        state = {
            "customer_key": customer_key,
            "consent_at": at if kind is ConsentKind.given else None,
        }
        upsert(conn, CustomerState.__table__, state, ("customer_key",))  # type: ignore[attr-defined]
        summary = {"record": record_id, "source": source.value}
        events.record(conn, actor, ACTIONS[kind], summary=summary, subject=customer_key)
    return int(record_id)


@contextmanager
def _transaction(bind: Engine | Connection) -> Iterator[Connection]:
    """The caller's transaction when given a connection, else one of our own."""
    if isinstance(bind, Connection):
        yield bind
        return
    with bind.begin() as conn:
        yield conn


def current_consent(engine: Engine, customer_key: str) -> ConsentRecord | None:
    """The consent record relied on, if consent is current (given, not withdrawn since,
    and the customer has not opted out)."""
    with Session(engine) as session:
        state = session.get(CustomerState, customer_key)
        if state is None or state.consent_at is None or state.opted_out_at is not None:
            return None
        return session.exec(
            select(ConsentRecord)
            .where(ConsentRecord.customer_key == customer_key)
            .order_by(col(ConsentRecord.at).desc(), col(ConsentRecord.id).desc())
            .limit(1)
        ).first()


def history(engine: Engine, customer_key: str) -> list[ConsentRecord]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(ConsentRecord)
                .where(ConsentRecord.customer_key == customer_key)
                .order_by(col(ConsentRecord.at), col(ConsentRecord.id))
            ).all()
        )


def import_consent(engine: Engine, path: Path, actor: str) -> int:
    """A CSV from the brand's CRM: customer_key, kind (given|withdrawn), at (ISO 8601),
    wording, and optionally source (import|platform). Returns the rows recorded."""
    reader = read_csv(path, {"customer_key", "kind", "at", "wording"})
    rows = []
    for row in reader:
        where = f"{path}:{reader.line_num}:"
        try:
            kind = ConsentKind((row["kind"] or "").strip())
            source = ConsentSource((row.get("source") or "import").strip())
            at = datetime.fromisoformat((row["at"] or "").strip())
        except ValueError as exc:
            raise ConfigError(f"{where} {exc}") from None
        if at.tzinfo is None:
            raise ConfigError(f"{where} 'at' needs a zone (e.g. 2026-03-01T10:00:00+00:00)")
        wording = (row["wording"] or "").strip()
        if not wording:
            raise ConfigError(f"{where} 'wording' is empty: record what they agreed to")
        rows.append((parse_key(row["customer_key"] or "", where), kind, source, wording, at))
    with engine.begin() as conn:
        for key, kind, source, wording, at in rows:
            record_consent(conn, key, kind, source, wording, actor=actor, at=at)
    return len(rows)
