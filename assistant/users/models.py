"""The ``users`` table. Names are stored lowercased: ``Alice`` and ``alice`` are one user."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from assistant.dbtypes import EnumText, UtcDateTime
from assistant.review.models import utcnow
from assistant.users.roles import Role


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    # The sign-in handle and the actor name in audit events: lowercase, unique.
    name: str = Field(index=True, unique=True)
    display_name: str | None = None
    role: Role = Field(default=Role.agent, sa_type=EnumText(Role))
    # scrypt$n$r$p$salt$key; left out of repr() and model_dump() so it cannot leak by accident.
    password_hash: str = Field(repr=False, exclude=True)
    disabled_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    last_sign_in_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    failed_attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    @property
    def label(self) -> str:
        """How the console shows the user: the display name, else the handle."""
        return self.display_name or self.name
