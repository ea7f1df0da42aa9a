"""Re-engagement (e.g. a restock or saved-cart message): sent only to customers whose
consent is current, never to opted-out customers or possible minors (a minor never gets a
purchase link), within each platform's rules (WhatsApp after 24 hours needs a template Meta
approved), at most once per customer per ``min_days_between``. Each send goes through the
delivery state machine (``assistant.delivery.request``) and is audited with the consent record
it relied on. A plain async function: the CLI calls it, a scheduled job can too."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, func, select

from assistant.delivery import ReplyKind, request
from assistant.governance import events
from assistant.governance.consent import current_consent
from assistant.intake.messages import Channel
from assistant.knowledge.disclosure import with_disclosure
from assistant.knowledge.documents import Template
from assistant.pipeline.context import Services
from assistant.review.models import AuditAction, ItemStatus, OutboxMessage, ReviewItem
from assistant.safety.topics import Topic

KIND = ReplyKind.reengagement.value  # the outbox kind of these sends
WHATSAPP_WINDOW = timedelta(hours=24)


class Skip(StrEnum):
    opted_out = "opted out"
    no_consent = "no current consent to marketing messages"
    minor = "may be a minor (not verified): never sent a purchase link"
    whatsapp_window = "WhatsApp: outside the 24-hour window and the template is not approved"
    rate_limited = "already got a re-engagement message recently"
    missing_field = "the template needs a value this customer has none for"


@dataclass(frozen=True)
class Candidate:
    customer_key: str
    fields: dict[str, str]  # template values from the customers file (e.g. product_name)


@dataclass(frozen=True)
class Outcome:
    customer_key: str
    text: str | None  # what they get (None: skipped)
    skipped: Skip | None
    consent_record: int | None
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "customer_key": self.customer_key,
            "send": self.skipped is None,
            "text": self.text,
            "reason": self.skipped.value if self.skipped else None,
            "detail": self.detail or None,
            "consent_record": self.consent_record,
        }


async def reengage(
    s: Services,
    template: Template,
    candidates: list[Candidate],
    *,
    actor: str,
    dry_run: bool,
) -> list[Outcome]:
    outcomes = []
    for n, candidate in enumerate(candidates):
        outcome = _decide(s, template, candidate)
        if outcome.skipped is None and not dry_run:
            await _send(s, template, outcome, actor, n)
        outcomes.append(outcome)
    return outcomes


def _decide(s: Services, template: Template, candidate: Candidate) -> Outcome:
    key, engine = candidate.customer_key, s.queue.engine
    policy = s.knowledge.policy
    now = s.clock()

    def skip(why: Skip, detail: str = "") -> Outcome:
        return Outcome(key, None, why, None, detail)

    if s.queue.customer_state(key).opted_out_at is not None:
        return skip(Skip.opted_out)
    consent = current_consent(engine, key)
    if consent is None:
        return skip(Skip.no_consent)
    with Session(engine) as session:
        items = session.exec(
            select(ReviewItem)
            .where(ReviewItem.customer_key == key)
            .order_by(col(ReviewItem.received_at).desc())
        ).all()
        since = now - timedelta(days=policy.reengagement.min_days_between)
        recent = session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.customer_key == key,
                OutboxMessage.kind == KIND,
                col(OutboxMessage.sent_at) >= since,
            )
        ).one()
    inbound = [i for i in items if not i.message_id.startswith(f"{KIND}-")]
    if any(Topic.minor.value in i.topics for i in inbound):
        return skip(Skip.minor)
    if recent:
        return skip(Skip.rate_limited, f"within {policy.reengagement.min_days_between} days")
    if key.startswith(f"{Channel.whatsapp.value}:"):
        last = inbound[0].received_at if inbound else None
        in_window = last is not None and now - last < WHATSAPP_WINDOW
        if not in_window and template.id not in policy.reengagement.whatsapp_approved_templates:
            return skip(Skip.whatsapp_window)
    first = next((i.author_name.split()[0] for i in inbound if i.author_name), "there")
    values = {"first_name": first, "sign_off": s.knowledge.tone.sign_off, **candidate.fields}
    try:
        body = template.body.format(**values)
    except KeyError as exc:
        return skip(Skip.missing_field, f"{{{exc.args[0]}}}")
    text = with_disclosure(policy.disclosure, body)
    return Outcome(key, text, None, consent.id)


async def _send(s: Services, template: Template, outcome: Outcome, actor: str, n: int) -> None:
    """An outbound-only item carries the send, so the conversation, retention and erasure
    see it like any other."""
    key, now = outcome.customer_key, s.clock()
    assert outcome.text is not None
    tag = hashlib.sha256(f"{key}|{now.isoformat()}|{n}".encode()).hexdigest()[:16]
    message_id = f"{KIND}-{tag}"
    item, _ = s.queue.enqueue(
        ReviewItem(
            message_id=message_id,
            thread_id=message_id,
            channel=Channel(key.split(":", 1)[0]),
            customer_key=key,
            received_at=now,
            due_at=now,
            status=ItemStatus.approved,
            reasons=[f"re-engagement ({template.id})"],
            draft=outcome.text,
            decided_by="auto",
            decided_at=now,
        )
    )
    assert item.id is not None
    summary = {"template": template.id, "consent_record": outcome.consent_record}
    events.record(
        s.queue.engine,
        actor,
        AuditAction.reengagement_sent,
        summary=summary,
        subject=key,
        item_id=item.id,
    )
    await request(s, item, outcome.text, automated=True, kind=ReplyKind.reengagement)
