"""The platform reply windows of the items ``queue list`` prints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from assistant.channels.reply_deadlines import ItemWindow, windows_by_id
from assistant.knowledge.policy import load_policy
from assistant.settings import Settings


def reply_windows(
    engine: Engine, ids: Sequence[int | None], settings: Settings
) -> dict[int, ItemWindow]:
    policy = load_policy(settings.knowledge_dir / "policy.yaml", "policy.yaml")
    known = [i for i in ids if i is not None]
    return windows_by_id(engine, known, datetime.now(UTC), settings, policy)
