"""Who may run the privacy commands: ASSISTANT_ACTOR (else "cli"), with its role."""

from __future__ import annotations

from assistant.cli.common import operator
from assistant.users.actor import Actor
from assistant.users.roles import Permission


def privacy_officer() -> Actor:
    """The operator, refused (exit 8) when it is a console account without the admin role."""
    actor = operator()
    actor.require(Permission.manage_privacy)
    return actor
