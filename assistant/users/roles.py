"""Roles and what each may do. The table below is the one place permissions are defined."""

from __future__ import annotations

from enum import StrEnum

from assistant.errors import ForbiddenError


class Role(StrEnum):
    """Ordered: agent < lead < admin (compare with ``rank`` or ``at_least``, not ``<``,
    which would compare the strings)."""

    agent = "agent"
    lead = "lead"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


class Permission(StrEnum):
    decide = "decide"  # approve / edit / reject / escalate one item
    bulk_decide = "bulk_decide"  # approve or reject many low-risk items at once
    view_dashboard = "view_dashboard"
    manage_knowledge = "manage_knowledge"  # knowledge page: re-sync, playground
    view_audit = "view_audit"  # audit search and export
    manage_users = "manage_users"
    take_over = "take_over"  # claim an item someone else holds, or release it for them
    process_messages = "process_messages"  # run the pipeline: process, recover (automation)
    manage_privacy = "manage_privacy"  # retention runs, customer export/erasure, consent, reengage


_AGENT = frozenset({Permission.decide, Permission.bulk_decide, Permission.view_dashboard})
_LEAD = _AGENT | {Permission.manage_knowledge, Permission.view_audit, Permission.take_over}

# Each role has everything the role below it has.
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.agent: _AGENT,
    Role.lead: _LEAD,
    Role.admin: frozenset(Permission),
}


def role_can(role: Role | str, permission: Permission) -> bool:
    return permission in PERMISSIONS[Role(role)]


def require(role: Role | str, permission: Permission) -> None:
    """Raise ForbiddenError unless ``role`` has ``permission`` (for the console and services)."""
    if not role_can(role, permission):
        allowed = [r.value for r in Role if role_can(r, permission)]
        raise ForbiddenError(
            f"Your role ({Role(role).value}) cannot {permission.value.replace('_', ' ')}; "
            f"ask someone with the {' or '.join(allowed)} role."
        )
