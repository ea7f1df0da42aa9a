"""Per-page / per-number and per-recipient pacing, in process. A send that would go too soon
is not delayed here: it comes back as ``retry`` with how long to wait, so the delivery worker
stays free for other replies."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

WHATSAPP_PER_RECIPIENT_S = 6.0  # Meta: about one message every 6 s to the same person
PER_ACCOUNT_S = 0.01  # at most 100 sends a second per page or number, under Meta's limits
PAIR_LIMIT_MAX_S = 4**5  # 131056 backs off 4^X seconds; capped at about 17 minutes


@dataclass
class Pacer:
    per_account_s: float = PER_ACCOUNT_S
    per_recipient_s: float = WHATSAPP_PER_RECIPIENT_S
    clock: Callable[[], float] = time.monotonic
    _next_account: dict[str, float] = field(default_factory=dict)
    _next_recipient: dict[tuple[str, str], float] = field(default_factory=dict)
    _pair_hits: dict[tuple[str, str], int] = field(default_factory=dict)

    def wait_for(self, account: str, recipient: str | None) -> float:
        """Seconds until a send may go (0: now, and the slot is taken)."""
        now = self.clock()
        ready = self._next_account.get(account, 0.0)
        if recipient is not None:
            ready = max(ready, self._next_recipient.get((account, recipient), 0.0))
        if ready > now:
            return ready - now
        self._next_account[account] = now + self.per_account_s
        if recipient is not None:
            self._next_recipient[(account, recipient)] = now + self.per_recipient_s
        return 0.0

    def pair_limited(self, account: str, recipient: str) -> float:
        """Meta's 131056 rule: wait 4^X seconds, X the number of hits in a row."""
        hits = self._pair_hits.get((account, recipient), 0)
        self._pair_hits[(account, recipient)] = hits + 1
        wait = float(min(4**hits, PAIR_LIMIT_MAX_S))
        self._next_recipient[(account, recipient)] = self.clock() + wait
        return wait

    def sent(self, account: str, recipient: str) -> None:
        self._pair_hits.pop((account, recipient), None)
