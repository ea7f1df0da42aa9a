"""docs/cli.md is the CLI's own --help: a command or option added without regenerating it
fails here, with the command that fixes it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "cli_reference.py"


def test_the_command_reference_is_the_current_help() -> None:
    spec = importlib.util.spec_from_file_location("cli_reference", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.DOC.read_text(encoding="utf-8")
    assert written == module.reference(), (
        "docs/cli.md is stale: run python scripts/cli_reference.py"
    )
    assert "## `assistant serve`" in written and "## `assistant customer erase`" in written
