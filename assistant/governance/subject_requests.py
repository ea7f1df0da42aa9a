"""Data-subject requests: export everything held about one person (every linked identity)
as one explained JSON document, or erase it everywhere, leaving an audit event that says
an erasure happened, by whom, and how much, without the erased data.

Plain async functions: the CLI (``assistant customer export|erase``) calls them today, the
job engine or an admin page can call them as they are."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy import delete, or_, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel, col

from assistant.db import fold_wal
from assistant.errors import NotFoundError
from assistant.governance import events
from assistant.governance.audit_chain import redact_values
from assistant.governance.models import ConsentRecord, IdentityLink
from assistant.governance.subject_data import SubjectData, find
from assistant.governance.subject_meta import erase_meta, payload_export
from assistant.governance.threads import flush_saver, forget_threads
from assistant.governance.workspace_data import erase_item_extras
from assistant.knowledge.order_store import CustomerHandle, CustomerRecord, OrderRecord
from assistant.knowledge.proposals import FaqProposal
from assistant.review.models import (
    AuditAction,
    AuditEvent,
    CustomerState,
    OutboxMessage,
    ReviewItem,
)

EXPLAINED = {
    "identities": "The channel identities (channel:author-id) this document covers: the one "
    "asked about and every identity the brand linked to it.",
    "identity_links": "Who linked these identities as one person, and when.",
    "messages": "Every message received from them, with what the assistant made of it "
    "(route, topics, reasons), the draft reply and the decision a person took.",
    "replies": "Every reply sent to them, as they received it.",
    "audit_events": "The audit trail entries about their messages or about them (decisions, "
    "sends, consent changes). Texts removed by retention show as null.",
    "consent": "Their opt-out and consent state per identity, and every consent given or "
    "withdrawn: when, where, how, and the wording.",
    "customer_records": "The brand's customer record the assistant matched them to.",
    "orders": "Orders shown to the agents who answered them.",
    "eval_cases": "Quality-test cases derived from their messages (with names and numbers "
    "replaced by stand-ins), in the database and in evals/datasets files.",
    "faq_proposals": "Suggested FAQ wordings that quote their questions.",
    "meta_events": "What Meta's webhooks told us about their conversations: messages, edits, "
    "removals, reactions, receipts and the page's replies to them.",
    "webhook_payloads": "Meta webhook bodies that mention them, as received. A batch that also "
    "holds other people's messages is listed without its body.",
    "internal_notes": "Notes the brand's agents wrote to each other about their messages "
    "(never sent to them).",
    "conversation_threads": "Pipeline thread ids whose saved state (LangGraph checkpoints) "
    "holds copies of their messages and drafts.",
}


def _row(model: SQLModel, *drop: str) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude=set(drop))


def export_document(data: SubjectData, key: str, now: datetime) -> dict[str, Any]:
    return {
        "about": "Everything Reply Assistant holds about one person, across linked identities.",
        "requested_key": key,
        "generated_at": now.astimezone(UTC).isoformat(),
        "sections": EXPLAINED,
        "identities": data.keys,
        "identity_links": [_row(link) for link in data.links],
        "messages": [_row(item, "content_hash", "lease_owner", "version") for item in data.items],
        "replies": [_row(reply) for reply in data.replies],
        "audit_events": [_row(e, "text_salt") for e in data.audit],
        "consent": {
            "state": [_row(s) for s in data.states],
            "history": [_row(r) for r in data.consent],
        },
        "customer_records": [r.data for r in data.customers],
        "orders": [o.data for o in data.orders],
        "eval_cases": {
            "database": [c.data for c in data.learned],
            "files": {str(p): ids for p, ids in data.dataset_files.items()},
        },
        "faq_proposals": [_row(p, "vector") for p in data.proposals],
        "meta_events": [_row(e) for e in data.meta.events],
        "webhook_payloads": payload_export(data.meta),
        "internal_notes": [_row(n) for n in data.notes],
        "conversation_threads": data.thread_ids,
        "counts": data.counts(),
    }


def export_customer(
    engine: Engine, key: str, evals_dir: Path, *, actor: str, now: datetime
) -> dict[str, Any]:
    data = find(engine, key, evals_dir)
    document = export_document(data, key, now)
    # The event names whom it was about; an erasure later removes that name with the rest.
    events.record(engine, actor, AuditAction.customer_export, summary=data.counts(), subject=key)
    return document


async def erase_customer(
    engine: Engine,
    key: str,
    evals_dir: Path,
    saver: BaseCheckpointSaver[Any] | None,
    *,
    actor: str,
    now: datetime,
) -> dict[str, int]:
    data = find(engine, key, evals_dir)
    counts = data.counts()
    if not any(v for k, v in counts.items() if k != "identities"):
        raise NotFoundError(f"Nothing is held about {key} (or any identity linked to it).")
    with engine.begin() as conn:
        _erase_rows(conn, data)
        # The event last: its chain lock is then held only for the last statements, never
        # while waiting on a row a decision holds (which may be waiting on the chain lock).
        event_id = events.record(conn, actor, AuditAction.erasure, summary=counts)
        audit_ids = [e.id for e in data.audit if e.id is not None]
        conn.execute(
            update(AuditEvent)
            .where(col(AuditEvent.id).in_(audit_ids))
            .values(**redact_values(event_id, now))
        )
    if saver is not None:
        await forget_threads(saver, data.thread_ids)
        await flush_saver(saver)
    _erase_from_files(data)
    fold_wal(engine)
    return counts


def _erase_rows(conn: Connection, data: SubjectData) -> None:
    ids, keys = data.item_ids, data.keys
    conn.execute(
        delete(OutboxMessage).where(
            or_(col(OutboxMessage.customer_key).in_(keys), col(OutboxMessage.item_id).in_(ids))
        )
    )
    erase_item_extras(conn, ids)
    conn.execute(delete(ReviewItem).where(col(ReviewItem.id).in_(ids)))
    conn.execute(delete(CustomerState).where(col(CustomerState.customer_key).in_(keys)))
    conn.execute(delete(ConsentRecord).where(col(ConsentRecord.customer_key).in_(keys)))
    conn.execute(delete(IdentityLink).where(col(IdentityLink.customer_key).in_(keys)))
    customer_ids = [c.customer_id for c in data.customers]
    conn.execute(delete(CustomerHandle).where(col(CustomerHandle.customer_id).in_(customer_ids)))
    conn.execute(delete(CustomerRecord).where(col(CustomerRecord.customer_id).in_(customer_ids)))
    conn.execute(
        delete(OrderRecord).where(col(OrderRecord.order_id).in_([o.order_id for o in data.orders]))
    )
    from assistant.evals.learned import LearnedCase

    learned = [c.case_id for c in data.learned]
    conn.execute(delete(LearnedCase).where(col(LearnedCase.case_id).in_(learned)))
    _erase_from_proposals(conn, data)
    erase_meta(conn, data.meta)


def _erase_from_proposals(conn: Connection, data: SubjectData) -> None:
    """A proposal keeps the other customers' questions; one quoting only them goes."""
    ids, texts = set(data.item_ids), {i.text for i in data.items}
    for proposal in data.proposals:
        others = [i for i in proposal.item_ids if i not in ids]
        examples = [e for e in proposal.examples if e not in texts]
        text = proposal.text if proposal.text not in texts else (examples[0] if examples else "")
        where = col(FaqProposal.id) == proposal.id
        if not others or not text:
            conn.execute(delete(FaqProposal).where(where))
        else:
            conn.execute(
                update(FaqProposal)
                .where(where)
                .values(item_ids=others, examples=examples, text=text, count=len(others))
            )


def _erase_from_files(data: SubjectData) -> None:
    """Learned cases exported to JSONL: rewrite each file without their lines."""
    import json

    for path, ids in data.dataset_files.items():
        gone = set(ids)
        kept = []
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            try:
                case_id = json.loads(line).get("id")
            except (ValueError, AttributeError):
                case_id = None
            if case_id not in gone:
                kept.append(line)
        temporary = path.with_suffix(".erasing")
        temporary.write_text("".join(kept), encoding="utf-8")
        temporary.replace(path)
