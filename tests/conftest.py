"""Fixtures: every test gets its own data folder and its own copy of the sample brand."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_profile

from assistant.app import open_assistant
from assistant.settings import Settings
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
]


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", target)
    return target


@pytest.fixture
def settings(tmp_path: Path, knowledge_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for this test only; the environment matches, so CLI subprocesses agree."""
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ASSISTANT_KNOWLEDGE_DIR", str(knowledge_dir))
    return Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge_dir)


@pytest.fixture(scope="session")
def ingested_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample brand ingested once per session; tests get a copy of its data folder."""
    root = tmp_path_factory.mktemp("ingested")
    shutil.copytree(ROOT / "knowledge", root / "knowledge")
    settings = Settings(data_dir=root / "data", knowledge_dir=root / "knowledge")

    async def go() -> None:
        async with open_assistant(settings) as assistant:
            assistant.ingest()

    run(go())
    return root / "data"


@pytest.fixture
def ingested(settings: Settings, ingested_template: Path) -> Settings:
    """Settings whose knowledge is already synced into Chroma and the order store."""
    shutil.copytree(ingested_template, settings.data_dir)
    return settings


@pytest.fixture
def model_settings(ingested: Settings) -> Settings:
    """Settings that draft through litellm against a fake API (respx fakes the wire)."""
    return Settings(
        data_dir=ingested.data_dir,
        knowledge_dir=ingested.knowledge_dir,
        model="openai/test-model",
        api_base=FAKE_API,
        api_key="sk-test-secret",
        model_retries=0,
        model_timeout_s=2.0,
    )
