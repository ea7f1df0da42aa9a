"""Proposed knowledge changes learnt from agents' approvals, waiting for a lead.

Two kinds: a customer question that an FAQ answered well (proposed as an ``also_asked``
phrasing of that FAQ), and a group of questions that no FAQ answered (a gap, with how
many times it was asked). Nothing here touches the knowledge folder: ``learning`` does,
only when a lead accepts, and only if the eval gate passes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from assistant.dbtypes import EnumText, UtcDateTime
from assistant.errors import ConflictError, NotFoundError
from assistant.review.models import utcnow


class ProposalKind(StrEnum):
    phrasing = "phrasing"  # add ``text`` to ``faq_id``'s also_asked
    gap = "gap"  # questions no FAQ answers: a new entry to write


class ProposalStatus(StrEnum):
    open = "open"
    accepted = "accepted"  # written to the FAQ file and the eval gate passed
    rejected = "rejected"
    reverted = "reverted"  # accepted, but the eval gate failed: the file was restored


class FaqProposal(SQLModel, table=True):
    __tablename__ = "faq_proposals"

    id: int | None = Field(default=None, primary_key=True)
    kind: ProposalKind = Field(index=True, sa_type=EnumText(ProposalKind))
    status: ProposalStatus = Field(
        default=ProposalStatus.open, index=True, sa_type=EnumText(ProposalStatus)
    )
    faq_id: str | None = None  # e.g. "faq:shipping-times"; None for a gap
    text: str  # the phrasing, or a gap's first question
    examples: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    item_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    count: int = 1  # times asked
    vector: list[float] | None = Field(default=None, sa_column=Column(JSON))  # a gap's centre
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    decided_by: str | None = None
    decided_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    note: str | None = None  # the eval gate's verdict, or why it was reverted

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "status": self.status.value,
            "faq_id": self.faq_id,
            "text": self.text,
            "count": self.count,
            "examples": self.examples,
            "item_ids": self.item_ids,
            "decided_by": self.decided_by,
            "note": self.note,
        }


class ProposalStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def list(self, statuses: tuple[ProposalStatus, ...] = ()) -> list[FaqProposal]:
        query = select(FaqProposal).order_by(col(FaqProposal.count).desc(), col(FaqProposal.id))
        if statuses:
            query = query.where(col(FaqProposal.status).in_(statuses))
        with Session(self.engine) as session:
            return list(session.exec(query))

    def get(self, proposal_id: int) -> FaqProposal:
        with Session(self.engine) as session:
            found = session.get(FaqProposal, proposal_id)
        if found is None:
            raise NotFoundError(
                f"No proposal #{proposal_id}; 'assistant knowledge proposals' lists them."
            )
        return found

    def add(self, proposal: FaqProposal) -> FaqProposal:
        with Session(self.engine) as session:
            session.add(proposal)
            session.commit()
            session.refresh(proposal)
            return proposal

    def seen(self, proposal: FaqProposal, item_id: int, text: str) -> None:
        """One more question joins an open proposal (a repeat phrasing, or a gap's group)."""
        with Session(self.engine) as session:
            row = session.get(FaqProposal, proposal.id)
            if row is None or item_id in row.item_ids:
                return
            row.count += 1
            row.item_ids = [*row.item_ids, item_id]
            if text not in row.examples and len(row.examples) < 10:
                row.examples = [*row.examples, text]
            session.add(row)
            session.commit()

    def decide(
        self, proposal_id: int, status: ProposalStatus, actor: str, note: str | None = None
    ) -> FaqProposal:
        """Close an open proposal (accept/reject), or revert an accepted one."""
        with Session(self.engine) as session:
            row = session.get(FaqProposal, proposal_id)
            if row is None:
                raise NotFoundError(f"No proposal #{proposal_id}.")
            allowed = ProposalStatus.accepted if status is ProposalStatus.reverted else None
            if row.status is not ProposalStatus.open and row.status is not allowed:
                raise ConflictError(f"Proposal #{proposal_id} is already {row.status.value}.")
            row.status, row.decided_by, row.decided_at = status, actor, utcnow()
            row.note = note
            session.add(row)
            session.commit()
            session.refresh(row)
            return row
