"""One logging filter that removes personal data and secrets from every log record before
any handler writes it: e-mail addresses, phone numbers, card numbers and tokens.

``install()`` puts it in the log record factory, so it applies to every record from every
logger (ours, litellm's, httpx's, Streamlit's) whatever handlers exist now or are added
later. The CLI, the console and the service call it once at start."""

from __future__ import annotations

import logging
import re
from typing import Any

from assistant.evals.redact import CARD, luhn_ok
from assistant.safety.facts import EMAIL, PHONE

TOKEN = re.compile(
    r"(?i:\bbearer\s+)[A-Za-z0-9._~+/-]{8,}=*"  # Authorization: Bearer ...
    r"|(?i:\b(?:access_token|token|api[_-]?key|secret|password|passwd)\b[\"']?\s*[:=]\s*[\"']?)"
    r"[^\s\"',;&]{4,}"  # key=value and "key": "value"
    r"|\b(?:sk|pk|rk)-[A-Za-z0-9_-]{12,}"  # API keys (OpenAI style)
    r"|\bEAA[A-Za-z0-9]{20,}"  # Meta Graph API access tokens
    r"|\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"  # JWTs
    r"|\b(?=[A-Za-z0-9+/_-]*\d)(?=[A-Za-z0-9+/_-]*[A-Za-z])[A-Za-z0-9+/_-]{32,}={0,2}"  # long keys
)


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[card]" if luhn_ok(digits) else match.group(0)


def redact(text: str) -> str:
    """``text`` with secrets, e-mails, card numbers and phone numbers replaced by labels."""
    text = TOKEN.sub("[token]", text)
    text = EMAIL.sub("[email]", text)
    text = CARD.sub(_card, text)
    return PHONE.sub("[phone]", text)


class PersonalDataFilter(logging.Filter):
    """Rewrites the record in place: the message (arguments merged in) and any traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "redacted", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what there is, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        record.redacted = True
        return True


_FILTER = PersonalDataFilter()


def install() -> None:
    """Redact every log record at creation (idempotent: installing twice wraps once)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        _FILTER.filter(record)
        return record

    factory.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
