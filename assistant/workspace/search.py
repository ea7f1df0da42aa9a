"""Search the queue by customer (name, handle, key), order id and words of the message.
Every word must match one of those fields, case-insensitively; plain SQL ``LIKE`` on
lower-cased text, the same on SQLite and Postgres."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Engine

from assistant.review.models import ItemStatus, ReviewItem
from assistant.users.actor import Actor
from assistant.users.roles import Permission

MAX_TERMS = 8
_T = ReviewItem.__table__  # type: ignore[attr-defined]
_FIELDS = (_T.c.author_name, _T.c.author_handle, _T.c.customer_key, _T.c.order_id, _T.c.text)
_OPEN = [ItemStatus.pending.value, ItemStatus.escalated.value]


def search_terms(query: str) -> list[str]:
    """The words searched for: "@marcus" finds the handle "marcus" too."""
    words = [w.lstrip("@").lower() for w in query.split()]
    return list(dict.fromkeys(w for w in words if w))[:MAX_TERMS]


def search_queue(engine: Engine, actor: Actor, query: str, open_only: bool = True) -> set[int]:
    """Ids of the items matching every word of ``query`` (open ones unless told)."""
    actor.require(Permission.decide)
    terms = search_terms(query)
    if not terms:
        return set()
    each = [
        or_(*(func.lower(field).contains(term, autoescape=True) for field in _FIELDS))
        for term in terms
    ]
    where = and_(*each, _T.c.status.in_(_OPEN)) if open_only else and_(*each)
    with engine.connect() as conn:
        return set(conn.execute(select(_T.c.id).where(where)).scalars())
