"""Leases on in-flight work: the process running an item's pipeline (or its send) holds it
until ``lease_expires_at``; ``recover`` takes only items whose lease ran out, so a second
process never re-runs what the first is still doing."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

# Longer than any one pipeline run (model timeouts and retries included).
LEASE = timedelta(minutes=10)
# This process, as a lease owner: host, pid, and a nonce in case a pid is reused.
OWNER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def lease_fields(now: datetime) -> dict[str, object]:
    return {"lease_owner": OWNER, "lease_expires_at": now + LEASE}


def owner_alive(owner: str) -> bool:
    """False only for a process on this host that has exited: its leases need not be
    waited out. Other hosts' leases are trusted until they expire."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True
