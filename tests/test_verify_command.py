"""``assistant verify FILE --json``: drafts checked without running the pipeline."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.settings import Settings

SHIPPING = (
    "We ship to Canada, Mexico, the UK, the EU, Australia and Japan with DHL Express for a "
    "flat $25 per order."
)


def _verify(tmp_path: Path, *lines: str) -> tuple[int, list[dict[str, object]], str]:
    path = tmp_path / "drafts.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["verify", str(path), "--json"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    return result.exit_code, rows, result.stderr


def test_each_draft_gets_its_problems_against_its_context(
    settings: Settings, tmp_path: Path
) -> None:
    code, rows, _ = _verify(
        tmp_path,
        json.dumps(
            {"id": "ok", "draft": "We ship to Japan with DHL Express.", "context": SHIPPING}
        ),
        json.dumps({"id": "br", "draft": "We ship to Brazil for $25.", "context": SHIPPING}),
        json.dumps({"id": 7, "draft": "It's a flat $30 per order.", "context": SHIPPING}),
    )

    assert code == 0
    assert [r["id"] for r in rows] == ["ok", "br", 7]
    assert rows[0]["problems"] == []
    assert any("'brazil' is not in the knowledge" in p for p in rows[1]["problems"])  # type: ignore[union-attr]
    assert any("'$30'" in p for p in rows[2]["problems"])  # type: ignore[union-attr]


def test_a_question_is_checked_against_what_retrieval_finds(
    ingested: Settings, tmp_path: Path
) -> None:
    question = "Do you ship internationally?"
    code, rows, _ = _verify(
        tmp_path,
        json.dumps(
            {"id": "a", "draft": "We ship to Japan with DHL Express.", "question": question}
        ),
        json.dumps(
            {"id": "b", "draft": "We ship to Brazil with DHL Express.", "question": question}
        ),
    )

    assert code == 0
    assert rows[0] == {"id": "a", "problems": []}
    assert rows[1]["problems"]


def test_bad_lines_are_reported_with_their_number_and_the_rest_still_run(
    settings: Settings, tmp_path: Path
) -> None:
    code, rows, stderr = _verify(
        tmp_path,
        "{not json",
        json.dumps({"id": "x", "draft": "Hi"}),
        json.dumps({"id": "y", "draft": "We ship to Japan.", "context": SHIPPING}),
    )

    assert code == 3
    assert "drafts.jsonl:1: not JSON" in stderr
    assert "drafts.jsonl:2: give either 'context' or 'question'" in stderr
    assert "Traceback" not in stderr
    assert rows[0]["line"] == 1 and rows[1] == {
        "id": "x",
        "line": 2,
        "error": "give either 'context' or 'question', not both or neither",
    }
    assert rows[2] == {"id": "y", "problems": []}


def test_a_bad_byte_costs_only_its_line_and_a_bom_none(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "drafts.jsonl"
    good = json.dumps({"id": "y", "draft": "We ship to Japan.", "context": SHIPPING})
    path.write_bytes(
        b"\xef\xbb\xbf" + good.encode() + b"\r\n" + b'{"id": "z", "draft": "caf\xe9"}\n'
    )

    result = CliRunner().invoke(app, ["verify", str(path), "--json"])

    assert result.exit_code == 3
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0] == {"id": "y", "problems": []}
    assert rows[1]["line"] == 2 and "not UTF-8" in str(rows[1]["error"])
    assert "Traceback" not in result.stderr
