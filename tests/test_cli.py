"""The ``assistant`` command line, as a script or a person uses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.settings import Settings
from tests.support import ROOT

runner = CliRunner()


def _commands() -> list[list[str]]:
    """Every command the CLI registers, so a new one cannot ship without help."""
    from assistant.cli import queue_commands

    top = [[c.name or c.callback.__name__] for c in app.registered_commands if c.callback]
    queue = [
        ["queue", c.name or c.callback.__name__.rstrip("_")]
        for c in queue_commands.app.registered_commands
        if c.callback
    ]
    return [[], ["queue"], *top, *queue]


COMMANDS = _commands()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "assistant")
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])

    assert result.exit_code == 0
    assert "Usage" in result.output


def _jsonl(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_process_json_prints_one_line_per_message_and_queues_bad_lines(
    ingested: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox.jsonl"
    inbox.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "id": "a1",
                        "channel": "web_chat",
                        "author": {"id": "web_7731"},
                        "text": "Can I get a refund?",
                    }
                ),
                '{"id": "a2", "channel": "web_chat", "author": ',
                json.dumps({"id": "a3", "channel": "fax", "author": {"id": "f1"}, "text": "Hello"}),
                json.dumps({"id": "a4", "channel": "instagram", "author": {"id": "x"}}),
            ]
        )
        + "\n"
    )

    result = runner.invoke(app, ["process", str(inbox), "--json"])

    assert result.exit_code == 0, result.output
    lines = _jsonl(result.stdout)
    assert len(lines) == 4
    for line in lines:
        assert {
            "message_id",
            "route",
            "topics",
            "reasons",
            "draft",
            "item_id",
            "thread_id",
        } <= line.keys()
    by_id = {line["message_id"]: line for line in lines}
    assert by_id["a1"]["route"] == "human_review"
    malformed = next(v for k, v in by_id.items() if str(k).startswith("malformed-"))
    assert malformed["needs_attention"] and malformed["route"] == "human_review"
    assert "inbox.jsonl:2: not valid JSON" in result.stderr
    assert "inbox.jsonl:3: unknown channel 'fax'" in result.stderr
    assert "inbox.jsonl:4: text: Field required" not in result.stderr  # a missing text is empty
    assert by_id["a3"]["route"] == "human_review"
    assert any("unknown channel" in r for r in by_id["a3"]["reasons"])


def test_queue_commands_approve_and_list_the_outbox(ingested: Settings, tmp_path: Path) -> None:
    inbox = tmp_path / "in.jsonl"
    inbox.write_text(
        json.dumps(
            {
                "id": "q1",
                "channel": "instagram",
                "author": {"id": "u1"},
                "text": "Is the Merino sweater on sale?",
            }
        )
        + "\n"
    )
    [processed] = _jsonl(runner.invoke(app, ["process", str(inbox), "--json"]).stdout)

    listed = _jsonl(runner.invoke(app, ["queue", "list", "--json"]).stdout)
    assert [i["id"] for i in listed] == [processed["item_id"]]
    shown = runner.invoke(app, ["queue", "show", str(processed["item_id"])])
    assert "asks about a price" in shown.stdout

    refused = runner.invoke(app, ["queue", "approve", str(processed["item_id"])])
    assert refused.exit_code == 2
    assert "--actor" in refused.stderr

    approved = runner.invoke(app, ["queue", "approve", str(processed["item_id"]), "--actor", "al"])
    assert approved.exit_code == 0, approved.output
    again = runner.invoke(app, ["queue", "approve", str(processed["item_id"]), "--actor", "bo"])
    assert again.exit_code == 6
    assert "already sent by al" in again.stderr

    [sent] = _jsonl(runner.invoke(app, ["outbox", "--json"]).stdout)
    assert sent["message_id"] == "q1"
    assert str(sent["text"]).startswith("Automated reply: ")
    assert {"message_id", "item_id", "text", "sent_at", "state"} <= sent.keys()
    assert sent["state"] == "delivered" and sent["platform_id"] == f"outbox-{sent['id']}"


def test_a_broken_policy_stops_with_file_line_and_exit_code(settings: Settings) -> None:
    path = settings.knowledge_dir / "policy.yaml"
    path.write_text(path.read_text().replace("rollout_percent: 100", "rollout_percent: 150", 1))

    result = runner.invoke(app, ["ingest"])

    assert result.exit_code == 3
    assert "policy.yaml:" in result.stderr and "rollout_percent" in result.stderr


def test_the_demo_runs_offline_as_a_new_user_would(settings: Settings) -> None:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(settings.data_dir)}
    env.pop("ASSISTANT_KNOWLEDGE_DIR")  # the demo uses the shipped sample brand
    done = subprocess.run(
        [sys.executable, "-m", "assistant.cli.main", "demo", "--no-ui"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stderr
    assert "48 inbound messages" in done.stdout
    assert "auto_send" in done.stdout and "human_review" in done.stdout
    assert "Traceback" not in done.stderr


def test_hidden_spam_is_listed_with_the_false_positive_rate(
    ingested: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "spam.jsonl"
    inbox.write_text(
        "\n".join(
            json.dumps(
                {
                    "id": f"s{n}",
                    "channel": "instagram",
                    "author": {"id": f"u{n}"},
                    "text": f"Get {n}0K real followers now!! http://x.example/{n}",
                }
            )
            for n in range(1, 3)
        )
        + "\n"
    )
    runner.invoke(app, ["process", str(inbox)])
    [first, _] = json.loads(runner.invoke(app, ["queue", "hidden", "--json"]).stdout)["hidden"]

    restored = runner.invoke(app, ["queue", "restore", str(first["id"]), "--actor", "al"])
    assert restored.exit_code == 0, restored.output

    listing = json.loads(runner.invoke(app, ["queue", "hidden", "--json"]).stdout)
    assert listing["hidden_total"] == 2
    assert listing["restored"] == 1
    assert listing["false_positive_rate"] == 0.5
    assert len(listing["hidden"]) == 1
