"""No personal data in logs: e-mails, phone numbers, card numbers and tokens are gone from
a log line before any handler writes it, whichever logger it came from."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from collections.abc import Iterator

import pytest

from assistant.governance.log_redaction import install


@pytest.fixture
def log_file() -> Iterator[io.StringIO]:
    previous = logging.getLogRecordFactory()
    install()
    out = io.StringIO()
    handler = logging.StreamHandler(out)  # added after install: still covered
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        logging.setLogRecordFactory(previous)


def test_a_log_line_with_an_email_phone_card_and_token_is_redacted(log_file: io.StringIO) -> None:
    log = logging.getLogger("reply_assistant.pipeline")
    log.warning(
        "send failed for %s / %s, card %s, header Authorization: Bearer %s, order %s",
        "maya.j@example.com",
        "+44 7700 900123",
        "4111 1111 1111 1111",
        "abcDEF123456ghiJKL7890",
        "FH-10234",
    )

    line = log_file.getvalue()
    assert line.startswith("reply_assistant.pipeline WARNING send failed for [email] / [phone],")
    for secret in ("maya.j@example.com", "7700 900123", "4111", "abcDEF123456ghiJKL7890"):
        assert secret not in line
    assert "[card]" in line and "[token]" in line
    assert "order FH-10234" in line  # order ids are not personal data: kept for debugging


def test_a_third_party_logger_and_a_traceback_are_redacted_too(log_file: io.StringIO) -> None:
    try:
        raise ValueError("no account for sam@example.org, key sk-live1234567890abcdef")
    except ValueError:
        logging.getLogger("httpx").exception("request failed for 555-123-4567")

    written = log_file.getvalue()
    assert "request failed for [phone]" in written
    assert "Traceback" in written and "no account for [email], key [token]" in written
    assert "sam@example.org" not in written and "sk-live" not in written


def test_the_cli_installs_it_at_start(tmp_path: object) -> None:
    code = (
        "import logging, sys\n"
        "from typer.testing import CliRunner\n"
        "from assistant.cli.main import app\n"
        "CliRunner().invoke(app, ['audit', '--help'])\n"
        "logging.basicConfig(stream=sys.stdout)\n"
        "logging.getLogger('x').warning('from ann@example.com')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "WARNING:x:from [email]" in result.stdout
