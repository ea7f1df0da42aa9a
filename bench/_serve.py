"""Running ``assistant serve`` for a benchmark: its environment in a workspace, a fresh
Postgres database when one is asked for, the knowledge ingested. Nothing here measures."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import _common  # noqa: F401  (the project on sys.path, ASSISTANT_* cleared)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.service_support import ASSISTANT, KEY


def serve_env(base: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(base / "data"),
        "ASSISTANT_KNOWLEDGE_DIR": str(base / "knowledge"),
        "ASSISTANT_INTAKE_API_KEY": KEY,
        "ASSISTANT_INGEST_CRON": "0 0 1 1 *",
        "ASSISTANT_EVAL_CRON": "0 0 1 1 *",
        **extra,
    }


@contextmanager
def fresh_database(admin_url: str | None) -> Iterator[dict[str, str]]:
    """Env for a fresh Postgres database (migrated, job tables), or {} for SQLite."""
    if admin_url is None:
        yield {}
        return
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield {"ASSISTANT_DATABASE_URL": url}
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(env: dict[str, str]) -> None:
    if "ASSISTANT_DATABASE_URL" in env:
        subprocess.run([*ASSISTANT, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*ASSISTANT, "ingest"], env=env, check=True, capture_output=True)
