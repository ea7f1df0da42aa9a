"""Retries for jobs: exponential backoff with jitter, capped, for as long as a fault lasts
(a restarted database, a busy lease). A job that gives up would leave its item stuck."""

from __future__ import annotations

import random

from procrastinate.jobs import Job
from procrastinate.retry import BaseRetryStrategy, RetryDecision

FIRST_WAIT_S = 1.0
MAX_WAIT_S = 300.0


def backoff_seconds(attempts: int) -> float:
    """1 s, 2 s, 4 s ... up to 5 min, each with ±25% jitter so retries do not arrive as one."""
    base = min(MAX_WAIT_S, FIRST_WAIT_S * 2.0 ** min(attempts, 20))
    return base * random.uniform(0.75, 1.25)


class Backoff(BaseRetryStrategy):
    def __init__(self, max_attempts: int | None = None) -> None:
        self.max_attempts = max_attempts

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if self.max_attempts is not None and job.attempts + 1 >= self.max_attempts:
            return None
        return RetryDecision(retry_in={"seconds": round(backoff_seconds(job.attempts))})
