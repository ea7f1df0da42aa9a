"""Account administration (``Permission.manage_users``): list, add, enable or disable,
change a role, reset a password. The store keeps its own rules (one active admin)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.users.actor import Actor
from assistant.users.models import User
from assistant.users.roles import Permission, Role
from assistant.users.store import UserStore


@dataclass
class UserAdmin:
    store: UserStore

    def list(self, actor: Actor) -> list[User]:
        actor.require(Permission.manage_users)
        return self.store.list()

    def add(
        self,
        actor: Actor,
        name: str,
        role: Role | str,
        password: str,
        display_name: str | None = None,
    ) -> User:
        actor.require(Permission.manage_users)
        return self.store.add(name, role, password, by=actor.name, display_name=display_name)

    def set_active(self, actor: Actor, name: str, active: bool) -> User:
        actor.require(Permission.manage_users)
        if active:
            return self.store.enable(name, by=actor.name)
        return self.store.disable(name, by=actor.name)

    def set_role(self, actor: Actor, name: str, role: Role | str) -> User:
        actor.require(Permission.manage_users)
        return self.store.set_role(name, role, by=actor.name)

    def set_password(self, actor: Actor, name: str, password: str) -> User:
        actor.require(Permission.manage_users)
        return self.store.set_password(name, password, by=actor.name)
