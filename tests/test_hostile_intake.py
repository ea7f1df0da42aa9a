"""Hostile inbound files: every line becomes an item, nothing aborts the batch, nothing is
left half-processed, and a broken database is a plain message with an exit code."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.app import open_records
from assistant.cli.main import app
from assistant.intake.jsonl import read_jsonl
from assistant.review.models import ItemStatus
from assistant.settings import Settings

runner = CliRunner()


def _line(id_: str, text: str = "Where is my parcel?", **extra: object) -> str:
    data = {"id": id_, "channel": "web_chat", "author": {"id": f"u-{id_}"}, "text": text}
    return json.dumps({**data, **extra}, ensure_ascii=False)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_separator_characters_inside_strings_and_a_bom_keep_two_messages_two() -> None:
    data = (
        "\ufeff"
        + _line("s1", "line one\u2028still one")
        + "\r\n"
        + _line("s2", "a\u2029b\u0085c")
        + "\n"
    ).encode()

    messages = list(read_jsonl(data, "inbox.jsonl"))

    assert [(m.id, m.intake_problem) for m in messages] == [("s1", None), ("s2", None)]
    assert messages[1].text == "a\u2029b\u0085c"


POISON = [
    _line("future", received_at="9999-12-31T23:59:59Z"),
    '{"id": "deep600", "channel": "web_chat", "author": {"id": "u"}, "text": "hi", '
    f'"metadata": {{"x": {_nested(600)}}}}}',
    '{"id": "deep100k", "channel": "web_chat", "author": {"id": "u"}, "text": "hi", '
    f'"metadata": {{"x": {_nested(100_000)}}}}}',
    '{"id": "digits", "channel": "web_chat", "author": {"id": "u"}, "text": "hi", '
    f'"metadata": {{"n": {"9" * 5000}}}}}',
    _line("huge", metadata={"n": 2**70, "f": 1e308}),
    '{"id": "nan", "channel": "web_chat", "author": {"id": "u"}, "text": "hi", '
    '"metadata": {"f": NaN}}',
]


def test_poison_lines_are_queued_for_a_person_and_never_stop_the_batch(
    ingested: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox.jsonl"
    good_before, good_after = _line("ok-1"), _line("ok-2", "Do you ship to Canada?")
    lines = [good_before, *POISON]
    data = "\n".join(lines).encode() + b"\n" + b'{"id": "bad\xff"}\n' + good_after.encode()
    inbox.write_bytes(data)

    result = runner.invoke(app, ["process", str(inbox), "--json"])

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(rows) == len(lines) + 2  # every line, the bad byte included, is an item
    with open_records(ingested) as records:
        items = records.queue.items()
    assert len(items) == len(rows)
    assert not [i.id for i in items if i.status == ItemStatus.processing]
    by_id = {i.message_id: i for i in items}
    assert by_id["future"].received_at.year < 9999 and by_id["future"].reasons
    assert by_id["huge"].message["metadata"]["n"] == str(2**70)  # kept, as text
    assert "inbox.jsonl:8: not UTF-8" in result.stderr
    assert any(i.text == '{"id": "bad\\xff"}' for i in items)  # the bad byte kept, visibly
    assert "nested more than" in result.stderr and "not valid JSON" in result.stderr


def test_processing_the_same_poisoned_file_again_adds_nothing(
    ingested: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox.jsonl"
    inbox.write_text("\n".join(POISON) + "\n")
    first = runner.invoke(app, ["process", str(inbox), "--json"])
    again = runner.invoke(app, ["process", str(inbox), "--json"])

    assert first.exit_code == again.exit_code == 0, again.output
    assert all(json.loads(x)["duplicate"] for x in again.stdout.splitlines())


def test_a_damaged_database_is_a_plain_message_and_an_exit_code(
    ingested: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox.jsonl"
    inbox.write_text(_line("db-1") + "\n")
    ingested.database_path.write_bytes(b"this is not a database" * 100)

    result = runner.invoke(app, ["process", str(inbox)])

    assert result.exit_code == 9, result.output
    assert "The database could not be used (file is not a database)" in result.stderr
    assert "Traceback" not in result.output
