"""``assistant serve --api-workers N`` on Postgres: N API processes share the port, and
webhooks posted to them at once, each twice, land exactly once. On SQLite it is refused."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import httpx
from sqlalchemy import text

from assistant.channels.meta.signature import HEADER, meta_json, sign
from assistant.channels.meta.simulator.payloads import PAGE, dm, messaging_entry, page_batch
from assistant.db import database_url, make_engine
from assistant.jobs.engine import apply_schema
from assistant.settings import Settings
from tests.service_support import ASSISTANT, service_env, serving

SECRET = "workers-secret"


def children(pid: int) -> list[tuple[int, bytes]]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [(int(child), Path(f"/proc/{child}/cmdline").read_bytes()) for child in found]


def api_processes() -> int:
    """uvicorn's worker processes under this test's ``serve`` (spawned by multiprocessing)."""
    [serve] = [pid for pid, line in children(os.getpid()) if b"serve" in line]
    return sum(b"spawn_main" in line for _, line in children(serve))


def test_two_api_processes_take_webhooks_posted_twice_at_once_exactly_once(
    ingested: Settings, tmp_path: Path
) -> None:
    channels = f'pages:\n  "{PAGE}": {{token_env: T}}\n'
    (ingested.knowledge_dir / "channels.yaml").write_text(channels)
    engine = make_engine(database_url(ingested))
    apply_schema(engine)
    env = service_env(ASSISTANT_META_APP_SECRET=SECRET, ASSISTANT_API_WORKERS="2")
    bodies = [
        meta_json(page_batch(messaging_entry(PAGE, dm(PAGE, f"p{n}", f"m_w{n:02}", f"Hi {n}?"))))
        for n in range(30)
    ]

    async def post_all(url: str) -> list[int]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            posts = [
                http.post("/webhooks/meta", content=b, headers={HEADER: sign(b, SECRET)})
                for b in bodies + bodies  # Meta's duplicate deliveries, concurrently
            ]
            return [r.status_code for r in await asyncio.gather(*posts)]

    with serving(tmp_path / "serve.log", env) as url:
        statuses = asyncio.run(post_all(url))
        processes = api_processes()
    assert statuses == [200] * 60
    with engine.connect() as conn:
        query = text("SELECT message_id FROM review_items WHERE message_id LIKE 'm_w%'")
        ids = sorted(conn.execute(query).scalars())
        # Every item has exactly one job: two deliveries of one payload racing in two
        # processes once deferred a second (the insert's row count, not the row it returned).
        query = text(
            "SELECT count(*) FROM review_items i WHERE i.message_id LIKE 'm_w%' AND NOT EXISTS "
            "(SELECT 1 FROM procrastinate_jobs j WHERE (j.args->>'item_id')::int = i.id)"
        )
        without_job = conn.execute(query).scalar_one()
        jobs = conn.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar_one()
    assert ids == [f"m_w{n:02}" for n in range(30)]
    assert without_job == 0
    assert jobs == 30
    assert processes == 2


def test_several_api_processes_are_refused_on_sqlite(tmp_path: Path) -> None:
    env = service_env(ASSISTANT_DATA_DIR=str(tmp_path / "data"))
    env.pop("ASSISTANT_DATABASE_URL", None)
    started = subprocess.run(
        [*ASSISTANT, "serve", "--port", "9", "--api-workers", "2"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
    )
    error = started.stderr.decode()
    assert started.returncode != 0
    assert "--api-workers 2 needs Postgres" in error and "Traceback" not in error, error
