"""Per-message pipeline time on Postgres + a Chroma server against the embedded default
(SQLite + PersistentClient), in the same run. Called by ``bench/pipeline.py
--database-url URL --chroma-url URL``; target ratio <= 1.3.

Both assistants stay open side by side and process the same varied messages in
alternating blocks, so load from other processes hits both alike. The server database
must be empty (it is migrated here); the Chroma collection is a fresh one, deleted after.
"""

from __future__ import annotations

import argparse
import uuid
from typing import Any

from _common import machine, stats_ms, time_pipeline, varied_messages, workspace

from assistant.app import open_assistant
from assistant.checkpoints import setup_postgres_checkpoints
from assistant.db import make_engine
from assistant.migrations import upgrade
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR

TARGET = 1.3


async def compare(args: argparse.Namespace) -> dict[str, Any]:
    upgrade(make_engine(args.database_url, auto_upgrade=False))
    setup_postgres_checkpoints(args.database_url)
    with workspace("backends") as base:
        embedded = Settings(data_dir=base / "embedded", knowledge_dir=base / "knowledge")
        server = Settings(
            data_dir=base / "server",
            knowledge_dir=base / "knowledge",
            database_url=args.database_url,
            chroma_url=args.chroma_url,
            chroma_collection=f"bench-{uuid.uuid4().hex[:8]}",
        )
        async with open_assistant(embedded) as local, open_assistant(server) as remote:
            local.library.ingest(SYSTEM_ACTOR)
            remote.library.ingest(SYSTEM_ACTOR)
            for assistant in (local, remote):
                await time_pipeline(assistant, varied_messages(args.warmup, prefix="warm"))
            local_s: list[float] = []
            remote_s: list[float] = []
            messages = varied_messages(args.messages, prefix="timed")
            for b in range(0, len(messages), args.block):
                block = messages[b : b + args.block]
                local_s.extend(await time_pipeline(local, block))
                remote_s.extend(await time_pipeline(remote, block))
        _drop_collection(server)
    local_stats, remote_stats = stats_ms(local_s), stats_ms(remote_s)
    ratio = remote_stats["p50_ms"] / local_stats["p50_ms"]
    print(f"{len(messages)} messages each, one at a time, alternating blocks of {args.block}")
    print(f"  embedded (SQLite + PersistentClient)  p50 {local_stats['p50_ms']:7.2f} ms")
    print(f"  Postgres + Chroma server              p50 {remote_stats['p50_ms']:7.2f} ms")
    print(f"  ratio {ratio:.2f} (target <= {TARGET})")
    return {
        "bench": "pipeline-backends",
        "messages": len(messages),
        "embedded": local_stats,
        "server": remote_stats,
        "server_ratio": round(ratio, 3),
        "target": TARGET,
        "machine": machine(),
    }


def _drop_collection(settings: Settings) -> None:
    from assistant.knowledge.index import open_chroma

    open_chroma(settings.chroma_dir, settings.chroma_url).delete_collection(
        settings.chroma_collection
    )
