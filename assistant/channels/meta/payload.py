"""The envelope every Meta webhook shares (``object`` and ``entry[]``), and small readers that
turn a missing or mistyped field into a ``PayloadError`` naming it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.channels.meta.events import PayloadError


class Change(BaseModel):
    model_config = ConfigDict(extra="ignore")
    field: str
    value: dict[str, Any] = Field(default_factory=dict)


class Entry(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    time: int | str | None = None  # epoch seconds or ms; ISO 8601 text in some captures
    messaging: list[dict[str, Any]] = Field(default_factory=list)
    standby: list[dict[str, Any]] = Field(default_factory=list)
    changes: list[Change] = Field(default_factory=list)

    @field_validator("id", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value


class Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")
    object: str | None = None  # always sent by Meta; some relays and captures drop it
    entry: list[Entry] = Field(min_length=1)


def read_envelope(body: bytes) -> Envelope:
    try:
        return Envelope.model_validate(json.loads(body))
    except (ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, ValidationError):
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "payload"
            raise PayloadError(f"{where}: {first['msg']}") from None
        raise PayloadError(f"not JSON: {exc}") from None


def text(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if isinstance(value, int | str) and str(value):
        return str(value)
    raise PayloadError(f"{where}.{key}: missing or not text")


def optional_text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return str(value) if isinstance(value, int | str) and str(value) else None


def mapping(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def moment(value: object, where: str) -> datetime:
    """Meta's times: epoch milliseconds (Messenger), epoch seconds as a string (WhatsApp), or
    ISO 8601 (feed ``created_time`` on some versions)."""
    try:
        if isinstance(value, str) and not value.isdigit():
            parsed = datetime.fromisoformat(value.replace("+0000", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise PayloadError(f"{where}: time {value!r} is not a timestamp") from None
    seconds = number / 1000 if number > 10**11 else number
    return datetime.fromtimestamp(seconds, UTC)
