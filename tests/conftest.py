"""Fixtures: every test gets its own data folder and its own copy of the sample brand."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_profile
from pydantic import SecretStr
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from assistant.app import open_assistant
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.browser_support import console_url  # noqa: F401 (the browser tests' fixture)
from tests.support import FAKE_API, ROOT, message, process, run, sample_inbox

__all__ = ["message", "process", "run", "sample_inbox"]

# The fuzz suite: a few examples on a laptop, many more in CI (HYPOTHESIS_PROFILE=ci).
_FUZZ = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.too_slow]}
hypothesis_profile.register_profile("fast", max_examples=15, **_FUZZ)
hypothesis_profile.register_profile("ci", max_examples=150, **_FUZZ)
hypothesis_profile.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))

ENV_VARS = [
    "ASSISTANT_MODEL",
    "ASSISTANT_FALLBACK_MODEL",
    "ASSISTANT_API_BASE",
    "ASSISTANT_API_KEY",
    "ASSISTANT_ACTOR",
    "ASSISTANT_MODEL_RETRIES",
    "ASSISTANT_MODEL_TIMEOUT_S",
    "ASSISTANT_CONCURRENCY",
    "ASSISTANT_DATABASE_URL",
    "ASSISTANT_CHROMA_URL",
    "ASSISTANT_CHROMA_COLLECTION",
    "ASSISTANT_CHANNEL_URL",
    "ASSISTANT_API_WORKERS",
]

# Modules whose tests run on SQLite + embedded Chroma and again on Postgres + Chroma server.
BOTH_BACKENDS = {
    "test_migrations",
    "test_pipeline",
    "test_pipeline_pause",
    "test_worklist",
    "test_console_queue",
    "test_metrics",
    "test_evals_run",
    "test_storage",
    "test_leases",
    "test_delivery",
    "test_delivery_limits",
    "test_routing_cost",
    "test_meta_webhooks",
    "test_meta_item_effects",
    "test_webhook_intake_at_once",
    "test_audit_chain",
    "test_governance",
    "test_governance_subjects",
    "test_reengage",
    "test_console_sessions",
    "test_meta_serve",
    "test_console_privacy",
    "test_conversations",
    "test_reply_deadlines",
    "test_console_conversation",
    "test_agent_tools",
    "test_console_agent_tools",
}
# Modules that only make sense on Postgres + Chroma server (the job engine, its faults).
POSTGRES_ONLY = {
    "test_jobs_postgres",
    "test_service_faults",
    "test_delivery_faults",
    "test_serve_api_workers",
}
HOW_TO_RUN_SERVERS = (
    "Postgres + Chroma server variant: set ASSISTANT_TEST_DATABASE_URL (a postgresql+psycopg:// "
    "URL whose user may CREATE DATABASE) and ASSISTANT_TEST_CHROMA_URL; .ci/run starts both."
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        module = metafunc.module.__name__.rsplit(".", 1)[-1]
        backends = ["sqlite", "postgres"] if module in BOTH_BACKENDS else ["sqlite"]
        backends = ["postgres"] if module in POSTGRES_ONLY else backends
        metafunc.parametrize("backend", backends)


@pytest.fixture
def servers(backend: str) -> Iterator[tuple[str | None, str | None]]:
    """(database URL, Chroma URL) for this test: (None, None) on the embedded default, else a
    fresh, migrated Postgres database of its own and the test Chroma server."""
    if backend == "sqlite":
        yield None, None
        return
    admin_url = os.environ.get("ASSISTANT_TEST_DATABASE_URL")
    chroma_url = os.environ.get("ASSISTANT_TEST_CHROMA_URL")
    if not admin_url or not chroma_url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the Postgres variants: " + HOW_TO_RUN_SERVERS)
        pytest.skip(HOW_TO_RUN_SERVERS)
    name = f"t_{uuid.uuid4().hex[:12]}"
    # pre_ping: the fault tests restart the cluster, which closes pooled connections.
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    from assistant.checkpoints import setup_postgres_checkpoints
    from assistant.db import make_engine
    from assistant.migrations import upgrade

    engine = make_engine(url, auto_upgrade=False)
    upgrade(engine)
    engine.dispose()
    setup_postgres_checkpoints(url)
    try:
        yield url, chroma_url
    finally:
        from assistant.db import _cached_engine

        _cached_engine.cache_clear()  # lets the test's pooled connections go
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", target)
    return target


def _drop_collections(chroma_url: str, *names: str) -> None:
    """Removes a test's knowledge collections (and their phrasings) from the Chroma server:
    left there, each test's vectors stay in the server's memory for the rest of the run."""
    from assistant.knowledge.index import PHRASINGS, open_chroma

    try:
        client = open_chroma(Path("unused"), chroma_url)
    except Exception:  # the server is down: the run's own end removes its data
        return
    for name in names:
        for collection in (name, f"{name}-{PHRASINGS}"):
            with contextlib.suppress(Exception):  # never created: the index was not opened
                client.delete_collection(collection)


@pytest.fixture
def settings(
    tmp_path: Path,
    knowledge_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    servers: tuple[str | None, str | None],
) -> Iterator[Settings]:
    """Settings for this test only; the environment matches, so CLI subprocesses agree."""
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(knowledge_dir))
    database_url, chroma_url = servers
    collection = f"t-{uuid.uuid4().hex[:12]}"
    if database_url and chroma_url:
        monkeypatch.setenv("ASSISTANT_DATABASE_URL", database_url)
        monkeypatch.setenv("ASSISTANT_CHROMA_URL", chroma_url)
        monkeypatch.setenv("ASSISTANT_CHROMA_COLLECTION", collection)
    yield Settings(
        data_dir=tmp_path / "data",
        knowledge_dir=knowledge_dir,
        database_url=database_url,
        chroma_url=chroma_url,
        chroma_collection=collection if chroma_url else "knowledge",
    )
    if chroma_url:
        _drop_collections(chroma_url, collection)


@pytest.fixture(scope="session")
def ingested_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample brand ingested once per session; tests get a copy of its data folder."""
    root = tmp_path_factory.mktemp("ingested")
    shutil.copytree(ROOT / "knowledge", root / "knowledge")
    settings = Settings(data_dir=root / "data", knowledge_dir=root / "knowledge")

    async def go() -> None:
        async with open_assistant(settings) as assistant:
            assistant.library.ingest(SYSTEM_ACTOR)

    run(go())
    return root / "data"


@pytest.fixture(scope="session")
def server_knowledge_collection() -> Iterator[str]:
    """One knowledge collection on the test Chroma server for this test process, which every
    ``ingested`` test syncs to its own folder: sync embeds and writes only what differs, so a
    test pays for its own edits, not for the whole sample brand (the server stores ~1 ms a
    vector: about 4 s an ingest of 3,600 phrasings, on each of ~170 tests)."""
    name = f"t-kb-{uuid.uuid4().hex[:12]}"
    yield name
    chroma_url = os.environ.get("ASSISTANT_TEST_CHROMA_URL")
    if chroma_url:
        _drop_collections(chroma_url, name)


@pytest.fixture
def ingested(
    request: pytest.FixtureRequest,
    settings: Settings,
    ingested_template: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    """Settings whose knowledge is already synced into Chroma and the order store."""
    if settings.database_url:  # a server: ingest into this test's database
        collection = request.getfixturevalue("server_knowledge_collection")
        monkeypatch.setenv("ASSISTANT_CHROMA_COLLECTION", collection)
        settings = settings.model_copy(update={"chroma_collection": collection})

        async def go() -> None:
            async with open_assistant(settings) as assistant:
                assistant.library.ingest(SYSTEM_ACTOR)

        run(go())
        return settings
    shutil.copytree(ingested_template, settings.data_dir)
    return settings


@pytest.fixture
def model_settings(ingested: Settings) -> Settings:
    """Settings that draft through litellm against a fake API (respx fakes the wire)."""
    return ingested.model_copy(
        update=dict(
            model="openai/test-model",
            api_base=FAKE_API,
            api_key=SecretStr("sk-test-secret"),
            model_retries=0,
            model_timeout_s=2.0,
        )
    )
