"""Consent given or withdrawn by a keyword reply (START / YES, STOP and its local variants),
recorded by the pipeline's opt-in/opt-out step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant.governance.consent import record_consent
from assistant.governance.models import ConsentKind, ConsentRecord, ConsentSource
from assistant.intake.messages import InboundMessage


def record_keyword_consent(
    engine: Engine, message: InboundMessage, opted_out: bool, wording: str, at: datetime
) -> None:
    """Withdrawal keeps the customer's own words; consent keeps the wording they agreed to.
    Once per message: a pipeline step re-run after a crash records nothing twice."""
    with Session(engine) as session:
        seen = session.exec(
            select(ConsentRecord.id).where(
                ConsentRecord.customer_key == message.customer_key,
                ConsentRecord.evidence == message.id,
            )
        ).first()
    if seen is not None:
        return
    record_consent(
        engine,
        message.customer_key,
        ConsentKind.withdrawn if opted_out else ConsentKind.given,
        ConsentSource.keyword,
        message.text.strip()[:500] if opted_out else wording,
        actor="auto",
        at=at,
        evidence=message.id,
    )
