"""When to try a transient failure again: exponential backoff with full jitter, never sooner
than the platform asked (``Retry-After``)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

MAX_ATTEMPTS = 8  # then the reply fails and a person is told
BASE_DELAY_S = 0.5
MAX_DELAY_S = 300.0
# Credentials refused: the channel is probed again after this, without counting an attempt.
RECONNECT_PROBE = timedelta(minutes=5)


def retry_delay(
    attempts: int, retry_after: float | None, rng: random.Random | None = None
) -> float:
    """Seconds to wait after the ``attempts``-th failed try. Full jitter (uniform over the
    exponential ceiling) spreads workers that failed together; Retry-After is a floor."""
    ceiling = min(MAX_DELAY_S, BASE_DELAY_S * 2 ** max(attempts - 1, 0))
    delay = (rng or random).uniform(0, ceiling)
    return max(delay, retry_after or 0.0)


def retry_at(now: datetime, attempts: int, retry_after: float | None) -> datetime:
    return now + timedelta(seconds=retry_delay(attempts, retry_after))
