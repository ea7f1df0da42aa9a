"""What is held about one person, found once for both export and erasure: every row keyed
by one of their identities, or hanging off one of their queue items."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assistant.evals.cases import case_id_for
from assistant.evals.learned import LearnedCase
from assistant.governance.identities import linked_keys, links_of
from assistant.governance.models import ConsentRecord, IdentityLink
from assistant.governance.subject_meta import MetaHoldings, find_meta
from assistant.knowledge.order_store import CustomerHandle, CustomerRecord, OrderRecord
from assistant.knowledge.proposals import FaqProposal
from assistant.review.models import AuditEvent, CustomerState, OutboxMessage, ReviewItem
from assistant.workspace.models import ItemNote


@dataclass
class SubjectData:
    keys: list[str]
    links: list[IdentityLink]
    items: list[ReviewItem]
    replies: list[OutboxMessage]
    audit: list[AuditEvent]
    states: list[CustomerState]
    consent: list[ConsentRecord]
    customers: list[CustomerRecord]
    handles: list[CustomerHandle]
    orders: list[OrderRecord]
    learned: list[LearnedCase]
    proposals: list[FaqProposal]
    meta: MetaHoldings = field(default_factory=MetaHoldings)  # Meta webhook events, payloads
    notes: list[ItemNote] = field(default_factory=list)  # agents' internal notes on their items
    dataset_files: dict[Path, list[str]] = field(default_factory=dict)  # file -> case ids

    @property
    def item_ids(self) -> list[int]:
        return [i.id for i in self.items if i.id is not None]

    @property
    def thread_ids(self) -> list[str]:
        return sorted({i.thread_id for i in self.items})

    @property
    def persons(self) -> list[str]:
        return sorted({link.person for link in self.links})

    def counts(self) -> dict[str, int]:
        return {
            "identities": len(self.keys),
            "messages": len(self.items),
            "replies": len(self.replies),
            "audit_events": len(self.audit),
            "consent_records": len(self.consent),
            "customer_records": len(self.customers),
            "orders": len(self.orders),
            "learned_eval_cases": len(self.learned),
            "eval_file_cases": sum(len(ids) for ids in self.dataset_files.values()),
            "faq_proposals": len(self.proposals),
            "internal_notes": len(self.notes),
            "checkpoint_threads": len(self.thread_ids),
            "meta_events": len(self.meta.events),
            "webhook_payloads": len(self.meta.payloads) + len(self.meta.shared),
        }


def find(engine: Engine, key: str, evals_dir: Path) -> SubjectData:
    keys = linked_keys(engine, key)
    with Session(engine) as session:
        items = list(
            session.exec(
                select(ReviewItem)
                .where(col(ReviewItem.customer_key).in_(keys))
                .order_by(col(ReviewItem.received_at))
            ).all()
        )
        ids = [i.id for i in items if i.id is not None]
        links = links_of(engine, keys)
        subjects = keys + sorted({link.person for link in links})
        replies = session.exec(
            select(OutboxMessage)
            .where(
                or_(
                    col(OutboxMessage.customer_key).in_(keys),
                    col(OutboxMessage.item_id).in_(ids),
                )
            )
            .order_by(col(OutboxMessage.sent_at))
        ).all()
        audit = session.exec(
            select(AuditEvent)
            .where(or_(col(AuditEvent.item_id).in_(ids), col(AuditEvent.subject).in_(subjects)))
            .order_by(col(AuditEvent.id))
        ).all()
        states = session.exec(
            select(CustomerState).where(col(CustomerState.customer_key).in_(keys))
        ).all()
        consent = session.exec(
            select(ConsentRecord)
            .where(col(ConsentRecord.customer_key).in_(keys))
            .order_by(col(ConsentRecord.at))
        ).all()
        customer_ids = sorted({i.customer_id for i in items if i.customer_id})
        customers = session.exec(
            select(CustomerRecord).where(col(CustomerRecord.customer_id).in_(customer_ids))
        ).all()
        handles = session.exec(
            select(CustomerHandle).where(col(CustomerHandle.customer_id).in_(customer_ids))
        ).all()
        order_ids = sorted({i.order_id for i in items if i.order_id})
        orders = session.exec(
            select(OrderRecord).where(
                or_(
                    col(OrderRecord.customer_id).in_(customer_ids),
                    col(OrderRecord.order_id).in_(order_ids),
                )
            )
        ).all()
        case_ids = {case_id_for(i.message_id) for i in items}
        learned = session.exec(
            select(LearnedCase).where(col(LearnedCase.case_id).in_(case_ids))
        ).all()
        proposals = [
            p for p in session.exec(select(FaqProposal)).all() if set(p.item_ids) & set(ids)
        ]
        meta = find_meta(session, keys)
        notes = session.exec(
            select(ItemNote).where(col(ItemNote.item_id).in_(ids)).order_by(col(ItemNote.id))
        ).all()
    return SubjectData(
        keys=keys,
        links=links,
        items=items,
        replies=list(replies),
        audit=list(audit),
        states=list(states),
        consent=list(consent),
        customers=list(customers),
        handles=list(handles),
        orders=list(orders),
        learned=list(learned),
        proposals=proposals,
        meta=meta,
        notes=list(notes),
        dataset_files=_in_dataset_files(evals_dir / "datasets", case_ids),
    )


def _in_dataset_files(folder: Path, case_ids: set[str]) -> dict[Path, list[str]]:
    """Learned cases exported to JSONL files (``assistant eval export``)."""
    found: dict[Path, list[str]] = {}
    if not case_ids or not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.jsonl")):
        ids = [line_id for line_id in _ids_in(path) if line_id in case_ids]
        if ids:
            found[path] = ids
    return found


def _ids_in(path: Path) -> list[str]:
    ids = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            data: Any = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            ids.append(data["id"])
    return ids
