"""Governance tables: consent history and the brand's links between channel identities."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from assistant.dbtypes import EnumText, UtcDateTime
from assistant.intake.messages import Channel
from assistant.review.models import utcnow


class ConsentKind(StrEnum):
    given = "given"
    withdrawn = "withdrawn"


class ConsentSource(StrEnum):
    keyword = "keyword"  # the customer replied a keyword (YES / START, STOP and its variants)
    platform = "platform"  # the platform's own opt-in (e.g. a WhatsApp opt-in flow)
    imported = "import"  # a CSV from the brand's CRM: `assistant consent import`
    console = "console"  # a person recorded it in the console


class ConsentRecord(SQLModel, table=True):
    """One consent change, never edited: the history is the evidence."""

    __tablename__ = "consent_records"

    id: int | None = Field(default=None, primary_key=True)
    customer_key: str = Field(index=True)
    channel: Channel = Field(sa_type=EnumText(Channel))
    kind: ConsentKind = Field(sa_type=EnumText(ConsentKind))
    source: ConsentSource = Field(sa_type=EnumText(ConsentSource))
    wording: str  # what the customer agreed to, or the words they withdrew with
    at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    recorded_by: str
    evidence: str | None = None  # e.g. the inbound message id of the keyword reply


class IdentityLink(SQLModel, table=True):
    """The brand says these channel identities are one person (``person`` is its own id)."""

    __tablename__ = "identity_links"

    customer_key: str = Field(primary_key=True)
    person: str = Field(index=True)
    linked_by: str
    linked_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
