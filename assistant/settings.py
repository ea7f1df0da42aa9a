"""Settings from the environment (prefix ``ASSISTANT_``) or a ``.env`` file."""

from __future__ import annotations

from pathlib import Path

from croniter import croniter
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import ConfigError


class Settings(BaseSettings):
    """Every variable is listed, with its default, in ``.env.example``."""

    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_", env_file=".env", extra="ignore", frozen=True
    )

    data_dir: Path = Field(Path("data"), description="SQLite files, Chroma index, checkpoints.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; unset = sqlite:///<data dir>/assistant.db. At scale: "
        "postgresql+psycopg://user:password@host/db (then run 'assistant db upgrade').",
    )
    chroma_url: str | None = Field(
        None, description="Chroma server, e.g. http://127.0.0.1:8000; unset = embedded index."
    )
    channel_url: str | None = Field(
        None,
        description="The recording fake channel's URL (tests, benchmarks, fault runs); "
        "unset = the local outbox.",
    )
    chroma_collection: str = Field(
        "knowledge", pattern=r"^[a-zA-Z0-9._-]{3,512}$", description="Chroma collection name."
    )
    knowledge_dir: Path = Field(Path("knowledge"), description="The brand's knowledge folder.")
    model: str | None = Field(None, description="litellm model string; unset = template drafts.")
    fallback_model: str | None = None
    api_base: str | None = None
    api_key: SecretStr | None = None
    model_timeout_s: float = Field(30.0, gt=0)
    model_retries: int = Field(2, ge=0, le=10)
    classifier_model: str | None = Field(
        None, description="litellm model for the optional LLM risk classifier; unset = off."
    )
    verifier_model: str | None = Field(
        None, description="litellm model that double-checks a draft's claims; unset = off."
    )
    concurrency: int = Field(
        8, ge=1, le=256, description="Model requests in flight at once (2x messages in flight)."
    )
    actor: str | None = Field(None, description="Default --actor for queue commands.")
    evals_dir: Path = Field(Path("evals"), description="Eval datasets and the stored baseline.")
    judge_model: str | None = Field(
        None, description="litellm model for the LLM-as-judge graders; unset = judges off."
    )
    meta_app_secret: SecretStr | None = Field(
        None,
        description="Meta app secret: checks every webhook's signature (channels.yaml "
        "may name other secrets per page, account or number).",
    )
    meta_verify_token: SecretStr | None = Field(
        None, description="The verify token typed into Meta's webhook set-up; unset = refused."
    )
    meta_graph_url: str = Field(
        "https://graph.facebook.com/v21.0",
        description="Graph API base URL (the simulator's in tests).",
    )
    channels_file: Path | None = Field(
        None, description="channels.yaml elsewhere than the knowledge folder or beside it."
    )

    # The service (assistant serve / worker): see docs/deploy.md.
    intake_api_key: SecretStr | None = Field(
        None, description="Bearer key for POST /v1/messages; unset = the API refuses every post."
    )
    max_body_bytes: int = Field(1_000_000, ge=1_000, description="Largest request body.")
    api_workers: int = Field(
        1, ge=1, le=64, description="API processes 'assistant serve' runs (Postgres; SQLite: 1)."
    )
    max_batch: int = Field(500, ge=1, description="Most messages in one POST.")
    max_backlog: int = Field(
        50_000, ge=1, description="Messages waiting to be processed before the API answers 429."
    )
    log_text: bool = Field(False, description="Put message text in the logs (never in prod).")
    stalled_jobs_cron: str = Field("* * * * *", description="Retry jobs of dead workers.")
    delivery_sweep_cron: str = Field(
        "* * * * *", description="Give due replies whose delivery job was lost a job."
    )
    ingest_cron: str = Field("*/15 * * * *", description="Sync knowledge into the index.")
    eval_cron: str = Field("0 3 * * *", description="The nightly eval run.")
    retention_cron: str = Field(
        "30 2 * * *", description="Apply policy.yaml's retention periods (nightly)."
    )

    @field_validator(
        "stalled_jobs_cron", "delivery_sweep_cron", "ingest_cron", "eval_cron", "retention_cron"
    )
    @classmethod
    def _cron(cls, value: str) -> str:
        if not croniter.is_valid(value):
            raise ValueError(
                "not a cron expression: five fields 'minute hour day month weekday' "
                "(a sixth is seconds), e.g. '30 2 * * *' for 02:30 every day"
            )
        return value

    @property
    def database_path(self) -> Path:
        return self.data_dir / "assistant.db"

    @property
    def checkpoint_path(self) -> Path:
        return self.data_dir / "checkpoints.db"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation errors into one message naming each variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = "ASSISTANT_" + "_".join(str(p) for p in err["loc"]).upper()
            lines.append(f"{name}: {err['msg']} (got {err.get('input')!r})")
        raise ConfigError(
            "Invalid settings:\n  " + "\n  ".join(lines) + "\nFix them in the environment or "
            ".env; .env.example lists every variable."
        ) from None
