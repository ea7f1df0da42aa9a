"""What a person decides about a draft: a discriminated union, matched exhaustively."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


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


class Escalate(_Decision):
    kind: Literal["escalate"] = "escalate"
    to: str = Field(min_length=1, max_length=200)
    note: str = Field("", max_length=2_000)


Decision = Annotated[Approve | Edit | Reject | Escalate, Field(discriminator="kind")]
DECISION = TypeAdapter[Decision](Decision)
