"""What a person decides about a draft: a discriminated union, matched exhaustively."""

from __future__ import annotations

from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from assistant.review.models import ItemStatus
from assistant.users.roles import Role


class _Decision(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    actor: str = Field(min_length=1, max_length=200)


class Approve(_Decision):
    kind: Literal["approve"] = "approve"


class Edit(_Decision):
    kind: Literal["edit"] = "edit"
    text: str = Field(min_length=1, max_length=10_000)


class Reject(_Decision):
    kind: Literal["reject"] = "reject"
    reason: str = Field(min_length=1, max_length=2_000)


EscalationRole = Literal["lead", "admin"]
ESCALATION_ROLES: tuple[EscalationRole, ...] = ("lead", "admin")


class Escalate(_Decision):
    """Hand the item to a more senior role; only that role (or above) may then decide it."""

    kind: Literal["escalate"] = "escalate"
    to: EscalationRole
    note: str = Field("", max_length=2_000)


class Routed(Protocol):
    """What the rule reads: a queue row or a whole item."""

    @property
    def status(self) -> str: ...
    @property
    def escalated_to(self) -> str | None: ...


def may_decide(role: Role, item: Routed) -> bool:
    """An escalated item belongs to the role it went to, and to admins."""
    if item.status != ItemStatus.escalated or not item.escalated_to:
        return True
    return role is Role.admin or role.value == item.escalated_to


Decision = Annotated[Approve | Edit | Reject | Escalate, Field(discriminator="kind")]
DECISION = TypeAdapter[Decision](Decision)
