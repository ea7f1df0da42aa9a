"""Dashboard figures: a read-only pass over the queue, the outbox and the audit trail.

Every figure is about the messages **received** between ``start`` and ``end`` (UTC dates,
both included): what happened to them since, up to ``now``. So a range's figures settle once
its messages are answered, and every rate is over one set of messages. docs/console.md
defines each metric.

Only narrow columns are read (no message bodies, no JSON blobs but the reasons list), and
durations, dates and deadline checks are computed by the database, so 50,000 messages take
a fraction of a second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from assistant.review.models import (
    AuditAction,
    AuditEvent,
    CustomerState,
    ItemStatus,
    OutboxMessage,
    ReviewItem,
)
from assistant.review.text_metrics import levenshtein, normalise_reason

# Audit actions: the ``kind`` of each review decision (assistant/review/decisions.py), and
# what the pipeline (hidden) and a person (restore) write for the spam folder.
DECISIONS = (AuditAction.approve, AuditAction.edit, AuditAction.reject, AuditAction.escalate)
MODERATION = (AuditAction.hidden, AuditAction.restore)
# Not answered yet: a reply may still come (and be late).
UNANSWERED = (ItemStatus.processing, ItemStatus.pending, ItemStatus.escalated, ItemStatus.approved)
TOP_REASONS = 10
ALL = "all"  # the channel name of the whole-inbox rows


@dataclass(frozen=True)
class Durations:
    """Minutes from receipt, over ``count`` messages; None when there are none."""

    count: int
    p50_minutes: float | None
    p90_minutes: float | None


@dataclass(frozen=True)
class Decisions:
    """Decisions people made (the pipeline's automatic sends are not decisions). An item
    escalated and then approved counts once in each."""

    total: int
    approved: int
    edited: int
    rejected: int
    escalated: int
    approve_rate: float | None
    edit_rate: float | None
    reject_rate: float | None
    escalate_rate: float | None


@dataclass(frozen=True)
class Edits:
    """How much people changed drafts they edited before sending (edits with no draft to
    start from are left out)."""

    count: int
    mean_distance: float | None  # Levenshtein distance / length of the longer text, 0..1
    mean_chars_changed: float | None  # characters inserted, deleted or replaced


@dataclass(frozen=True)
class SlaBreaches:
    replied_late: int  # the reply went out after the item's due_at
    open_overdue: int  # no reply yet, still waiting for one, and due_at has passed at ``now``
    total: int


@dataclass(frozen=True)
class Moderation:
    hidden: int  # messages hidden as spam
    restored: int  # of those, brought back by a person: the false positives
    false_positive_rate: float | None


@dataclass(frozen=True)
class Metrics:
    received: int
    replies: int  # replies sent (opt-out confirmations are not replies)
    automated_replies: int
    automation_rate: float | None  # automated_replies / replies
    first_response: Durations  # reply sent_at - received_at, automated replies included
    time_to_approve: Durations  # approve or edit by a person - received_at
    decisions: Decisions
    edits: Edits
    sla: SlaBreaches
    opt_outs: int  # opt-out keyword messages ("STOP")
    opt_ins: int  # opt-in keyword messages ("START")
    moderation: Moderation


@dataclass(frozen=True)
class ReasonCount:
    reason: str  # normalised: quotes, numbers and names taken out so alike reasons group
    count: int  # messages that carried it


@dataclass(frozen=True)
class Dashboard:
    start: date
    end: date
    now: datetime
    totals: Metrics
    by_channel: Mapping[str, Metrics]
    top_reasons: list[ReasonCount]
    opted_out_customers: int  # customers whose opt-out began in the range and still holds
    # One plain row per day x channel, and per day for the whole inbox (channel "all"),
    # zero-filled, oldest first: see DAILY_COLUMNS.
    daily: list[dict[str, Any]] = field(default_factory=list)
    daily_totals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def channels(self) -> list[str]:
        return sorted(self.by_channel)


def dashboard(engine: Engine, start: date, end: date, now: datetime | None = None) -> Dashboard:
    """The dashboard for messages received from ``start`` to ``end`` (inclusive, UTC)."""
    if end < start:
        start, end = end, start
    moment = now or datetime.now(UTC)
    now_utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    low, high = day_bounds(start, end)
    in_range = and_(col(ReviewItem.received_at) >= low, col(ReviewItem.received_at) < high)
    dialect = engine.dialect.name
    received = col(ReviewItem.received_at)

    tallies: dict[tuple[str, str], _Tally] = {}
    where: dict[int | None, tuple[_Tally, ...]] = {}  # item id -> the tallies it counts in

    def tally(day: str, channel: str) -> _Tally:
        key = (day, channel)
        found = tallies.get(key)
        if found is None:
            found = tallies[key] = _Tally()
        return found

    with engine.connect() as conn:
        items = conn.execute(
            select(
                col(ReviewItem.id),
                col(ReviewItem.channel),
                _day(dialect, received),
                col(ReviewItem.status),
                col(ReviewItem.route),
                col(ReviewItem.due_at) < now_utc,
            ).where(in_range)
        ).all()
        replies = conn.execute(
            select(
                col(OutboxMessage.item_id),
                col(OutboxMessage.automated),
                _minutes(dialect, col(OutboxMessage.sent_at), received),
                col(OutboxMessage.sent_at) > col(ReviewItem.due_at),
            )
            .join(ReviewItem, col(OutboxMessage.item_id) == col(ReviewItem.id))
            .where(
                in_range,
                col(OutboxMessage.kind) == "reply",
                col(OutboxMessage.sent_at).is_not(None),  # delivered
            )
        ).all()
        events = conn.execute(
            select(
                col(AuditEvent.item_id),
                col(AuditEvent.action),
                _minutes(dialect, col(AuditEvent.at), received),
            )
            .join(ReviewItem, col(AuditEvent.item_id) == col(ReviewItem.id))
            .where(
                in_range,
                or_(
                    col(AuditEvent.action).in_(MODERATION),
                    and_(col(AuditEvent.action).in_(DECISIONS), col(AuditEvent.actor) != "auto"),
                ),
            )
        ).all()
        edits = conn.execute(
            select(col(AuditEvent.item_id), col(AuditEvent.before_text), col(AuditEvent.after_text))
            .join(ReviewItem, col(AuditEvent.item_id) == col(ReviewItem.id))
            .where(
                in_range,
                col(AuditEvent.action) == AuditAction.edit,
                col(AuditEvent.actor) != "auto",
            )
        ).all()
        reasons = conn.execute(
            select(col(ReviewItem.reasons)).where(
                in_range, cast(ReviewItem.reasons, String) != "[]"
            )
        ).all()
        opted_out = conn.execute(
            select(func.count())
            .select_from(CustomerState)
            .where(col(CustomerState.opted_out_at) >= low, col(CustomerState.opted_out_at) < high)
        ).scalar_one()

    answered = {row[0] for row in replies}

    unanswered = {s.value for s in UNANSWERED}
    groups: dict[tuple[str, str], tuple[_Tally, ...]] = {}
    for item_id, channel, day, status, route, overdue in items:
        targets = groups.get((day, channel))
        if targets is None:
            targets = groups[(day, channel)] = (
                tally(day, channel),
                tally(day, ALL),
                tally("", channel),
                tally("", ALL),
            )
        where[item_id] = targets
        open_overdue = bool(overdue) and status in unanswered and item_id not in answered
        for t in targets:
            t.received += 1
            t.open_overdue += open_overdue
            t.opt_outs += route == "opted_out"
            t.opt_ins += route == "opted_in"

    for item_id, automated, minutes, late in replies:
        for t in where.get(item_id, ()):
            t.replies += 1
            t.automated += bool(automated)
            t.first_response.append(float(minutes))
            t.replied_late += bool(late)

    hidden: set[int] = set()
    restored: set[int] = set()
    for item_id, action, minutes in events:
        if action == AuditAction.hidden:
            hidden.add(item_id)
            continue
        if action == AuditAction.restore:
            restored.add(item_id)
            continue
        for t in where.get(item_id, ()):
            t.decisions[action] += 1
            if action in (AuditAction.approve, AuditAction.edit):
                t.to_approve.append(float(minutes))
    for ids, attr in ((hidden, "hidden"), (restored & hidden, "restored")):
        for item_id in ids:
            for t in where.get(item_id, ()):
                setattr(t, attr, getattr(t, attr) + 1)

    for item_id, before, after in edits:
        if not (before or "").strip():
            continue
        a, b = (before or "").strip(), (after or "").strip()
        changed = levenshtein(a, b)
        for t in where.get(item_id, ()):
            t.chars_changed.append(changed)
            t.distances.append(changed / max(len(a), len(b), 1))

    counted: Counter[str] = Counter()
    normalised: dict[str, str] = {}  # the same reasons recur: normalise each text once
    for (reason_list,) in reasons:
        keys = set()
        for reason in reason_list or ():
            key = normalised.get(reason)
            if key is None:
                key = normalised[reason] = normalise_reason(reason)
            keys.add(key)
        counted.update(keys)

    channels = sorted({channel for _, channel in tallies if channel != ALL})
    days = [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]
    return Dashboard(
        start=start,
        end=end,
        now=now_utc,
        totals=tally("", ALL).metrics(),
        by_channel={c: tallies[("", c)].metrics() for c in channels},
        top_reasons=[
            ReasonCount(reason, count)
            for reason, count in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0]))[
                :TOP_REASONS
            ]
        ],
        opted_out_customers=int(opted_out),
        daily=[tally(d, c).row(d, c) for d in days for c in channels],
        daily_totals=[tally(d, ALL).row(d, ALL) for d in days],
    )


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start's midnight, the midnight after end), UTC: a range of whole days."""
    return datetime.combine(start, time(), UTC), datetime.combine(
        end + timedelta(days=1), time(), UTC
    )


# -- SQL expressions the database evaluates (no datetime parsing in Python) -----------------


def _day(dialect: str, column: Any) -> ColumnElement[Any]:
    if dialect == "sqlite":
        return func.date(column)
    return func.to_char(column, "YYYY-MM-DD")


def _minutes(dialect: str, later: Any, earlier: Any) -> ColumnElement[Any]:
    if dialect == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 1440.0
    return func.extract("epoch", later - earlier) / 60.0


# -- accumulation ---------------------------------------------------------------------------


class _Tally:
    """Running counts for one day x channel (or a whole channel, or everything)."""

    def __init__(self) -> None:
        self.received = 0
        self.replies = 0
        self.automated = 0
        self.first_response: list[float] = []
        self.to_approve: list[float] = []
        self.decisions: Counter[str] = Counter()
        self.distances: list[float] = []
        self.chars_changed: list[int] = []
        self.replied_late = 0
        self.open_overdue = 0
        self.opt_outs = 0
        self.opt_ins = 0
        self.hidden = 0
        self.restored = 0

    def metrics(self) -> Metrics:
        d = self.decisions
        total = sum(d[k] for k in DECISIONS)
        return Metrics(
            received=self.received,
            replies=self.replies,
            automated_replies=self.automated,
            automation_rate=_ratio(self.automated, self.replies),
            first_response=_durations(self.first_response),
            time_to_approve=_durations(self.to_approve),
            decisions=Decisions(
                total=total,
                approved=d[AuditAction.approve],
                edited=d[AuditAction.edit],
                rejected=d[AuditAction.reject],
                escalated=d[AuditAction.escalate],
                approve_rate=_ratio(d[AuditAction.approve], total),
                edit_rate=_ratio(d[AuditAction.edit], total),
                reject_rate=_ratio(d[AuditAction.reject], total),
                escalate_rate=_ratio(d[AuditAction.escalate], total),
            ),
            edits=Edits(
                count=len(self.distances),
                mean_distance=_mean(self.distances),
                mean_chars_changed=_mean(self.chars_changed),
            ),
            sla=SlaBreaches(
                replied_late=self.replied_late,
                open_overdue=self.open_overdue,
                total=self.replied_late + self.open_overdue,
            ),
            opt_outs=self.opt_outs,
            opt_ins=self.opt_ins,
            moderation=Moderation(
                hidden=self.hidden,
                restored=self.restored,
                false_positive_rate=_ratio(self.restored, self.hidden),
            ),
        )

    def row(self, day: str, channel: str) -> dict[str, Any]:
        m = self.metrics()
        row = {
            "date": day,
            "channel": channel,
            "received": m.received,
            "replies": m.replies,
            "automated_replies": m.automated_replies,
            "automation_rate": m.automation_rate,
            "first_response_p50_min": m.first_response.p50_minutes,
            "first_response_p90_min": m.first_response.p90_minutes,
            "time_to_approve_p50_min": m.time_to_approve.p50_minutes,
            "time_to_approve_p90_min": m.time_to_approve.p90_minutes,
            "decisions": m.decisions.total,
            "approved": m.decisions.approved,
            "edited": m.decisions.edited,
            "rejected": m.decisions.rejected,
            "escalated": m.decisions.escalated,
            "approve_rate": m.decisions.approve_rate,
            "edit_rate": m.decisions.edit_rate,
            "reject_rate": m.decisions.reject_rate,
            "escalate_rate": m.decisions.escalate_rate,
            "edits_measured": m.edits.count,
            "edit_distance_mean": m.edits.mean_distance,
            "chars_changed_mean": m.edits.mean_chars_changed,
            "sla_breaches": m.sla.total,
            "opt_outs": m.opt_outs,
            "opt_ins": m.opt_ins,
            "hidden": m.moderation.hidden,
            "restored": m.moderation.restored,
            "false_positive_rate": m.moderation.false_positive_rate,
        }
        return row


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _durations(minutes: list[float]) -> Durations:
    ordered = sorted(minutes)
    return Durations(len(ordered), _percentile(ordered, 50), _percentile(ordered, 90))


def _percentile(ordered: Sequence[float], pct: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None if empty."""
    if not ordered:
        return None
    pos = (len(ordered) - 1) * pct / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


# The keys of every daily row, in order (for a table header or a chart's field list).
DAILY_COLUMNS: tuple[str, ...] = tuple(_Tally().row("", ""))
