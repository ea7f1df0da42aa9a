"""The queue as agents see it: open items, most urgent first, narrowed by filters, with a
count per filter value so an agent sees where the work is before filtering.

Reads only the columns a list needs (never the message JSON or sources), so a queue of
thousands of items stays fast to draw."""

from __future__ import annotations

import json
from collections import Counter, OrderedDict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import String, case, func, select, type_coerce
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select

from assistant.review.models import ItemStatus, ReviewItem

OPEN_STATUSES = (ItemStatus.pending, ItemStatus.escalated)
UNASSIGNED = "(unassigned)"
PREVIEW_CHARS = 120

# Read as plain values and converted here: SQLAlchemy's per-value type processing
# (datetime parsing, JSON, enums) was four fifths of the time for a long queue.
_T = ReviewItem.__table__  # type: ignore[attr-defined]


def _plain(column: Any) -> Any:
    return type_coerce(column, String())  # same SQL, no result processing


_COLUMNS = (
    _T.c.id,
    _plain(_T.c.channel),
    _plain(_T.c.status),
    _plain(_T.c.topics),
    _plain(_T.c.reasons),
    _T.c.author_name,
    _T.c.author_handle,
    _T.c.customer_key,
    func.substr(_T.c.text, 1, PREVIEW_CHARS),
    _plain(_T.c.received_at),
    _plain(_T.c.due_at),
    _T.c.priority,
    _T.c.assignee,
    _T.c.escalated_to,
    _plain(_T.c.draft_kind),
    _T.c.needs_attention,
    _T.c.version,
    _T.c.message_id,
    _plain(_T.c.route),
)
_OPEN_VALUES = frozenset(s.value for s in OPEN_STATUSES)
_IS_OPEN = _plain(_T.c.status).in_(sorted(_OPEN_VALUES))
_QUERY = (
    select(*_COLUMNS)
    .where(_IS_OPEN)
    .order_by(_T.c.priority, _T.c.due_at, _T.c.received_at, _T.c.id)
)
# Changes whenever any item is added or changed: every write bumps ``version`` and sets
# ``updated_at``. The open count checks an incremental refresh.
_FINGERPRINT = select(
    func.count(),
    func.max(_T.c.id),
    func.coalesce(func.sum(_T.c.version), 0),
    func.max(_plain(_T.c.updated_at)),
    func.count(case((_IS_OPEN, 1))),
).select_from(_T)
# A write stamps updated_at before it commits: re-read a margin before the newest stamp
# seen, so a slow transaction that committed late is not missed.
_MARGIN = timedelta(seconds=30)
_CACHE_SIZE = 32
K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True)
class Filters:
    """Empty tuples mean "any". ``assignees`` may include ``UNASSIGNED``."""

    channels: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # any open status
    assignees: tuple[str, ...] = ()
    draft_kinds: tuple[str, ...] = ()
    attention_only: bool = False


@dataclass(frozen=True)
class QueueRow:
    id: int
    channel: str
    status: str
    topics: list[str]
    reasons: list[str]
    who: str
    preview: str
    received_at: datetime
    due_at: datetime
    priority: int
    assignee: str | None
    escalated_to: str | None
    draft_kind: str
    needs_attention: bool
    version: int
    message_id: str  # the platform's id
    route: str | None
    customer_key: str

    @property
    def has_draft(self) -> bool:
        return self.draft_kind != "none"

    def minutes_left(self, now: datetime) -> int:
        """Minutes before the channel's reply deadline; negative once it is breached."""
        return int((self.due_at.timestamp() - now.timestamp()) // 60)

    def breached(self, now: datetime) -> bool:
        return self.due_at < now


@dataclass(frozen=True)
class Worklist:
    rows: tuple[QueueRow, ...]  # shared between callers: never mutated
    total: int  # open items before filtering
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # facet → value → items
    key: tuple[Any, ...] = ()  # the same key means the same answer (for callers' caches)


def _moment(value: str | datetime) -> datetime:
    """A stored UTC moment: text on SQLite (written without a zone), a datetime on Postgres."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _facets(row: QueueRow) -> dict[str, list[str]]:
    return {
        "channel": [row.channel],
        "topic": row.topics or ["(none)"],
        "status": [row.status],
        "assignee": [row.assignee or UNASSIGNED],
        "draft": [row.draft_kind],
    }


def _wanted(filters: Filters) -> dict[str, tuple[str, ...]]:
    return {
        "channel": filters.channels,
        "topic": filters.topics,
        "status": filters.statuses,
        "assignee": filters.assignees,
        "draft": filters.draft_kinds,
    }


def worklist(engine: Engine, filters: Filters = Filters()) -> Worklist:
    """Open items matching ``filters``, most urgent first (risk rank, deadline, age).

    Counts are faceted: the count next to a channel is how many items would show if that
    channel were picked, with every other filter kept.

    The console redraws the page on every click; while no item changed (one cheap query
    says so) the last answer for the same filters is reused, so it is always current."""
    url = str(engine.url)
    with engine.connect() as conn:
        fingerprint = (url, *conn.execute(_FINGERPRINT).one())
    key = (fingerprint, filters)
    if (found := _RECENT.get(key)) is None:
        found = _RECENT.put(key, replace(_build(_rows_now(engine, fingerprint), filters), key=key))
    return found


def _rows_now(engine: Engine, fingerprint: tuple[Any, ...]) -> tuple[QueueRow, ...]:
    """The open rows at ``fingerprint``: the last snapshot of this database with the
    changed items read again, or everything read when there is no usable snapshot."""
    url, newest, open_count = fingerprint[0], fingerprint[4], fingerprint[5]
    previous = _SNAPSHOTS.get(url)
    if previous is not None and previous[0] == fingerprint:
        return previous[1]
    rows: tuple[QueueRow, ...] | None = None
    if previous is not None and previous[2]:
        since = _moment(previous[2]) - _MARGIN
        changed = _read(engine, select(*_COLUMNS).where(_T.c.updated_at >= since))
        merged = {row.id: row for row in previous[1]}
        for row in changed:
            merged.pop(row.id, None)
            if row.status in _OPEN_VALUES:
                merged[row.id] = row
        if len(merged) == open_count:  # else something else changed: read everything
            rows = tuple(sorted(merged.values(), key=_urgency))
    if rows is None:
        rows = _read(engine, _QUERY)
    _SNAPSHOTS.put(url, (fingerprint, rows, newest))
    return rows


def _urgency(row: QueueRow) -> tuple[int, datetime, datetime, int]:
    """The queue's order, as the SQL query sorts it."""
    return row.priority, row.due_at, row.received_at, row.id


class _Recent(Generic[K, V]):
    """A small least-recently-used map, safe enough for Streamlit's script threads (a race
    only costs a recomputation)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key, last=True)
        return value

    def put(self, key: K, value: V) -> V:
        self._items[key] = value
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return value


# Per database: (fingerprint, open rows, newest updated_at) of the last read.
_SNAPSHOTS: _Recent[str, tuple[tuple[Any, ...], tuple[QueueRow, ...], Any]] = _Recent(8)
_RECENT: _Recent[tuple[tuple[Any, ...], Filters], Worklist] = _Recent(_CACHE_SIZE)


def _read(engine: Engine, query: Select[Any]) -> tuple[QueueRow, ...]:
    with engine.connect() as conn:
        records = conn.execute(query).all()
    parsed: dict[str, list[str]] = {}  # topic and reason lists repeat across items

    def listed(value: str | list[str]) -> list[str]:
        if isinstance(value, list):  # Postgres' driver decodes JSON itself
            return value
        found = parsed.get(value)
        if found is None:
            found = parsed[value] = json.loads(value)
        return found

    return tuple(
        QueueRow(
            id=r[0],
            channel=r[1],
            status=r[2],
            topics=listed(r[3]),
            reasons=listed(r[4]),
            who=r[5] or r[6] or r[7],
            preview=" ".join(r[8].split()),
            received_at=_moment(r[9]),
            due_at=_moment(r[10]),
            priority=r[11],
            assignee=r[12],
            escalated_to=r[13],
            draft_kind=r[14],
            needs_attention=bool(r[15]),
            version=r[16],
            message_id=r[17],
            route=r[18],
            customer_key=r[7],
        )
        for r in records
    )


def _build(rows: tuple[QueueRow, ...], filters: Filters) -> Worklist:
    wanted = _wanted(filters)
    counts: dict[str, Counter[str]] = {facet: Counter() for facet in wanted}
    shown: list[QueueRow] = []
    if not any(wanted.values()) and not filters.attention_only:  # the usual view: no filter
        for row in rows:
            for facet, values in _facets(row).items():
                counts[facet].update(values)
        return Worklist(rows, len(rows), {f: dict(c.most_common()) for f, c in counts.items()})
    for row in rows:
        if filters.attention_only and not row.needs_attention:
            continue
        facets = _facets(row)
        misses = [f for f, picked in wanted.items() if picked and not set(picked) & set(facets[f])]
        if not misses:
            shown.append(row)
        for facet, values in facets.items():
            if not misses or misses == [facet]:  # would show if this facet were changed
                counts[facet].update(values)
    return Worklist(
        rows=tuple(shown),
        total=len(rows),
        counts={facet: dict(c.most_common()) for facet, c in counts.items()},
    )
