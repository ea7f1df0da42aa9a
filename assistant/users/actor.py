"""Who is acting: a name and a role. Every service action takes one and checks it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from assistant.errors import ForbiddenError
from assistant.users.roles import Permission, Role, require
from assistant.users.store import UserStore


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role

    def require(self, permission: Permission) -> None:
        """Raise ForbiddenError unless this actor's role has ``permission``."""
        require(self.role, permission)


# The assistant's own automation (process, recover, evals, benchmarks): runs the pipeline
# with every permission, under the reserved name "system" no account can take.
SYSTEM_ACTOR = Actor("system", Role.admin)


def cli_actor(engine: Engine, name: str) -> Actor:
    """The role behind a CLI ``--actor``. A console account acts with its own role (a
    disabled one is refused). Any other name is the operator at the shell, who already holds
    the database and the knowledge folder, so acts as admin: the console, not the CLI, is
    where roles are a boundary."""
    user = UserStore(engine).find(name)
    if user is None:
        return Actor(name, Role.admin)
    if not user.active:
        raise ForbiddenError(
            f"The account {user.name!r} is disabled; an admin can enable it with "
            f"'assistant users enable {user.name}'."
        )
    return Actor(user.name, Role(user.role))
