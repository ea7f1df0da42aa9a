"""Structured logs for the service and workers: one JSON object per line on stderr.

Message text and drafts stay out unless ``ASSISTANT_LOG_TEXT=true`` (a developer's own
machine); secrets (keys, tokens, the Authorization header) never go in at all."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

TEXT_FIELDS = frozenset({"text", "draft", "final_text", "body", "reply"})
SECRET_FIELDS = frozenset({"authorization", "api_key", "intake_api_key", "token", "password"})
# Attributes every LogRecord has: everything else was passed as ``extra``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message"}


class JsonLines(logging.Formatter):
    def __init__(self, log_text: bool = False) -> None:
        super().__init__()
        self.log_text = log_text

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key in _STANDARD or key.startswith("_"):
                continue
            entry[key] = self._clean(key, value)
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__  # the type only: values may hold text
        return json.dumps(entry, default=str, ensure_ascii=False)

    def _clean(self, key: str, value: Any) -> Any:
        if key.lower() in SECRET_FIELDS:
            return "[secret]"
        if key.lower() in TEXT_FIELDS and not self.log_text:
            return "[text hidden: ASSISTANT_LOG_TEXT=true shows it]"
        if isinstance(value, dict):
            return {k: self._clean(str(k), v) for k, v in value.items()}
        return value


def configure_json_logging(log_text: bool = False, level: int = logging.INFO) -> None:
    """Route every logger (ours, uvicorn's, procrastinate's) through one JSON handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines(log_text))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "procrastinate"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # One line per request comes from our middleware (with latency), not uvicorn's access log.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # httpx logs every request's URL at INFO: the delivery records say what was sent, and
    # URLs carry comment and account ids that do not belong in every log line.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Alembic ≥ 1.17 logs each of its own plugins at INFO on every start: six lines of noise
    # before the demo's summary. Its migration lines ("Running upgrade …") stay.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
