"""Working the queue one item after another: which item "next" opens."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.review.decisions import may_decide
from assistant.review.models import ItemStatus
from assistant.review.worklist import QueueRow
from assistant.users.roles import Role


def actionable(row: QueueRow, user: str, role: Role) -> bool:
    """Open, not held by someone else, and not escalated past this person's role."""
    if not ItemStatus(row.status).open:
        return False
    if row.assignee not in (None, user):
        return False
    return may_decide(role, row)


def next_item(
    rows: Sequence[QueueRow], user: str, role: Role, current: int | None, step: int = 1
) -> int | None:
    """The first item after ``current`` in queue order (most urgent first; ``step`` -1:
    before it) that ``user`` can decide; wraps around, and never returns ``current``."""
    ordered = list(rows) if step > 0 else list(reversed(rows))
    ids = [r.id for r in ordered]
    start = ids.index(current) + 1 if current in ids else 0
    for row in [*ordered[start:], *ordered[:start]]:
        if row.id != current and actionable(row, user, role):
            return row.id
    return None
