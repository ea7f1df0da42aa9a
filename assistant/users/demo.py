"""Demo accounts for a fresh local data folder: one per role, random passwords shown once."""

from __future__ import annotations

import secrets

from sqlalchemy.engine import Engine

from assistant.users.roles import Role
from assistant.users.store import UserStore


def create_demo_users(engine: Engine) -> list[dict[str, str]]:
    """Create ``agent``, ``lead`` and ``admin`` if there are no users yet; returns their
    names, roles and passwords (the only place the passwords ever appear), or [] if the
    folder already has users."""
    store = UserStore(engine)
    if store.count():
        return []
    created = []
    for role in Role:
        password = secrets.token_urlsafe(12)  # 16 characters, ~96 bits
        store.add(role.value, role, password, by="demo", display_name=f"Demo {role.value}")
        created.append({"name": role.value, "role": role.value, "password": password})
    return created
