"""The inbound message schema, shared by every channel."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Longer texts are kept whole in the queue but only this much is analysed.
MAX_STORED_CHARS = 100_000


class Channel(StrEnum):
    instagram = "instagram"
    facebook = "facebook"
    whatsapp = "whatsapp"
    tiktok = "tiktok"
    x = "x"
    web_chat = "web_chat"
    email = "email"
    unknown = "unknown"


class Author(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1, max_length=200)
    name: str | None = Field(None, max_length=200)
    handle: str | None = Field(None, max_length=200)

    @property
    def first_name(self) -> str | None:
        if not self.name or not self.name.strip():
            return None
        return self.name.strip().split()[0]


class InboundMessage(BaseModel):
    """One message from a customer. ``intake_problem`` is set when the input was malformed:
    such a message still goes through the pipeline and lands in the queue for a person."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(min_length=1, max_length=300)
    channel: Channel
    author: Author
    text: str = Field("", max_length=MAX_STORED_CHARS)
    received_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    order_id: str | None = Field(None, max_length=100)
    metadata: dict[str, Any] = Field(default_factory=dict)
    intake_problem: str | None = None

    @field_validator("received_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @property
    def customer_key(self) -> str:
        """The customer's identity on this channel."""
        return f"{self.channel.value}:{self.author.id}"
