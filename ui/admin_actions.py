"""The Users page's door (admins): list, add, enable / disable and change roles."""

from __future__ import annotations

from actions import current_actor, load_settings

from assistant.app import open_records
from assistant.services.users import UserAdmin
from assistant.users import User, UserStore


def users(name: str) -> list[User]:
    actor = current_actor(name)
    with open_records(load_settings()) as records:
        return UserAdmin(UserStore(records.queue.engine)).list(actor)


def add_user(name: str, new: str, role: str, password: str) -> User:
    actor = current_actor(name)
    with open_records(load_settings()) as records:
        return UserAdmin(UserStore(records.queue.engine)).add(actor, new, role, password)


def set_active(name: str, who: str, active: bool) -> User:
    actor = current_actor(name)
    with open_records(load_settings()) as records:
        return UserAdmin(UserStore(records.queue.engine)).set_active(actor, who, active)


def set_role(name: str, who: str, role: str) -> User:
    actor = current_actor(name)
    with open_records(load_settings()) as records:
        return UserAdmin(UserStore(records.queue.engine)).set_role(actor, who, role)
