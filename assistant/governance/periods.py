"""Retention periods ('6 months') as cutoff moments."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from assistant.knowledge.policy import PERIOD


def cutoff(period: str, now: datetime) -> datetime:
    """The moment ``period`` before ``now`` (calendar months and years: 6 months before
    31 August is 28 or 29 February)."""
    match = PERIOD.match(period)
    if match is None:
        raise ValueError(f"{period!r} is not a period")
    n, unit = int(match.group(1)), match.group(2).lower()
    if unit == "day":
        return now - timedelta(days=n)
    if unit == "week":
        return now - timedelta(weeks=n)
    months = n if unit == "month" else 12 * n
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)
