"""Hostile knowledge folders: every problem is reported as file:line with exit code 3, never
a traceback or a hang; dangerous settings are refused; nothing outside the folder is read or
echoed."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.errors import KnowledgeError
from assistant.knowledge.loader import load_knowledge, read_knowledge
from assistant.settings import Settings

runner = CliRunner()
SECRET = "ASSISTANT_API_KEY=sk-live-0123456789"


def _problems(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root)
    return caught.value.problems


def _edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(root: Path, name: str, needle: str) -> int:
    lines = (root / name).read_text(encoding="utf-8").split("\n")
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def test_a_repeated_kill_switch_is_refused_naming_both_lines(knowledge_dir: Path) -> None:
    _edit(
        knowledge_dir,
        "policy.yaml",
        "  kill_switch: false",
        "  kill_switch: true\n  kill_switch: false",
    )
    first = _line_of(knowledge_dir, "policy.yaml", "kill_switch: true")

    [problem] = _problems(knowledge_dir)

    assert problem.startswith(f"policy.yaml:{first + 1}: key 'kill_switch' is repeated")
    assert f"first on line {first}" in problem


def test_a_second_automation_block_is_refused(knowledge_dir: Path) -> None:
    path = knowledge_dir / "policy.yaml"
    path.write_text(path.read_text() + "\nautomation:\n  kill_switch: false\n")

    [problem] = _problems(knowledge_dir)

    assert "key 'automation' is repeated" in problem


MUTATIONS: dict[str, tuple[Callable[[Path], None], str]] = {
    "impossible valid_until": (
        lambda r: _edit(
            r,
            "faq/shipping.md",
            "id: shipping-times",
            "id: shipping-times\nvalid_until: 2026-02-30",
        ),
        "faq/shipping.md:3: valid_until:",
    ),
    "5,000-digit int": (
        lambda r: _edit(r, "policy.yaml", "min_confidence: 0.8", "min_confidence: " + "9" * 5000),
        "policy.yaml:",
    ),
    "nesting 1,000 deep": (
        lambda r: (r / "policy.yaml").write_text("brand_name: x\nx: " + "[" * 1000 + "]" * 1000),
        "policy.yaml:",
    ),
    "latin-1 policy.yaml": (
        lambda r: (r / "policy.yaml").write_bytes(b"brand_name: Caf\xe9\n"),
        "policy.yaml:1: not UTF-8",
    ),
    "latin-1 tone.md": (
        lambda r: (r / "tone.md").write_bytes(b"# Tone\n\ncaf\xe9\n"),
        "tone.md:3: not UTF-8",
    ),
    "latin-1 customers.csv": (
        lambda r: (r / "orders/customers.csv").write_bytes(
            (r / "orders/customers.csv").read_bytes() + b"C9999,Jos\xe9,,,,false\n"
        ),
        "orders/customers.csv:",
    ),
    "a 200 KiB csv cell": (
        lambda r: (r / "routing/examples.csv").write_text(
            'text,topic\n"' + "x" * 200_000 + '",refund\n'
        ),
        "routing/examples.csv:2: not a readable CSV row",
    ),
    "NUL byte in a csv": (
        lambda r: (r / "routing/examples.csv").write_text("text,topic\nhello\x00there,refund\n"),
        "routing/examples.csv:2: contains a NUL",
    ),
    "dangling link as an FAQ": (
        lambda r: (r / "faq/gone.md").symlink_to(r / "nowhere.md"),
        "faq/gone.md:1: is a broken link",
    ),
    "looping link as a template": (
        lambda r: (r / "templates/loop.md").symlink_to(r / "templates/loop.md"),
        "templates/loop.md:1: is a broken link",
    ),
    "a folder named like an FAQ": (
        lambda r: (r / "faq/folder.md").mkdir(),
        "faq/folder.md:1: is a folder",
    ),
    "a FIFO as an FAQ": (
        lambda r: os.mkfifo(r / "faq/pipe.md"),
        "faq/pipe.md:1: is not a regular file",
    ),
    "/dev/zero linked as a template": (
        lambda r: (r / "templates/zero.md").symlink_to("/dev/zero"),
        "templates/zero.md:1: links outside the knowledge folder",
    ),
    "orders.csv a dangling link": (
        lambda r: _replace(r / "orders/orders.csv", lambda p: p.symlink_to(r / "x")),
        "orders/orders.csv:1: is a broken link",
    ),
    "customers.csv a folder": (
        lambda r: _replace(r / "orders/customers.csv", Path.mkdir),
        "orders/customers.csv:1: is a folder",
    ),
    "duplicate customer id": (
        lambda r: _append(r, "orders/customers.csv", "C1001,Mia,Chen,,,false"),
        "orders/customers.csv:2, orders/customers.csv:",
    ),
    "duplicate customer handle": (
        lambda r: _append(
            r, "orders/customers.csv", "C9001,Mia,Chen,,instagram:@Maya.Designs,false"
        ),
        "handle 'instagram:maya.designs' is used 2 times",
    ),
    "order ids differing only in case": (
        lambda r: _append(
            r,
            "orders/orders.csv",
            "fh-10190,C1018,Linen Throw Blanket x2,delivered,UPS,1Z8F,2026-10-01,,,,248.00,USD",
        ),
        "orders/orders.csv:2, orders/orders.csv:",
    ),
    "wrong header never echoes the cell": (
        lambda r: (r / "routing/examples.csv").write_text(f"{SECRET}\nx\n"),
        "routing/examples.csv:1: header must be text,topic",
    ),
}


def _replace(path: Path, make: Callable[[Path], object]) -> None:
    path.unlink()
    make(path)


def _append(root: Path, name: str, row: str) -> None:
    path = root / name
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + row + "\n")


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_broken_file_is_reported_with_file_and_line(knowledge_dir: Path, name: str) -> None:
    mutate, expected = MUTATIONS[name]
    mutate(knowledge_dir)

    problems = _problems(knowledge_dir)

    assert any(p.startswith(expected) or expected in p for p in problems), problems
    assert not any(SECRET in p for p in problems)


def test_a_link_to_a_secret_outside_the_folder_is_refused_and_never_echoed(
    settings: Settings, tmp_path: Path
) -> None:
    env = tmp_path / ".env"
    env.write_text(SECRET + "\n")
    examples = settings.knowledge_dir / "routing" / "examples.csv"
    examples.unlink()
    examples.symlink_to(env)

    result = runner.invoke(app, ["ingest"])

    assert result.exit_code == 3, result.output
    assert "routing/examples.csv:1: links outside the knowledge folder" in result.stderr
    assert "sk-live" not in result.output
    assert "Traceback" not in result.output


def test_a_bom_is_accepted_in_faq_files_and_customers_csv(knowledge_dir: Path) -> None:
    for name in ("faq/shipping.md", "orders/customers.csv", "policy.yaml", "tone.md"):
        path = knowledge_dir / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    kb = load_knowledge(knowledge_dir)

    assert any(c.source == "faq/shipping.md" for c in kb.chunks)
    assert kb.customers[0].customer_id == "C1001"


def test_dotfiles_are_neither_embedded_nor_listed(knowledge_dir: Path) -> None:
    hidden = knowledge_dir / "faq" / ".hidden.md"
    hidden.write_text("---\nid: hidden-entry\nquestion: Is this hidden?\n---\nYes.\n")

    kb = load_knowledge(knowledge_dir)

    assert "faq:hidden-entry" not in {c.id for c in kb.chunks}


def test_a_date_looking_title_or_tag_is_just_text(knowledge_dir: Path) -> None:
    _edit(knowledge_dir, "faq/shipping.md", "tags: [shipping, delivery]", "tags: [2026-02-30]")

    kb = load_knowledge(knowledge_dir)

    assert ("2026-02-30",) in {c.tags for c in kb.chunks}


# -- policy and template safety ----------------------------------------------------------

DANGEROUS_POLICY = {
    "nested quantifier (a+)+$": ("'\\brefund\\w*'", "'(a+)+$'", "exponential time"),
    "nested quantifier (x+x+)+y": ("'\\brefund\\w*'", "'(x+x+)+y'", "exponential time"),
    "nested quantifier (\\w+\\s?)+$": ("'\\brefund\\w*'", "'(\\w+\\s?)+$'", "exponential time"),
    "spam pattern .*": ("spam_patterns:\n", "spam_patterns:\n    - '.*'\n", "matches an empty"),
    "empty order_id_pattern": (
        "order_id_pattern: '\\bFH-\\d{5}\\b'",
        "order_id_pattern: ''",
        "matches an empty",
    ),
    "blank disclosure": (
        'disclosure: "Automated reply:"',
        'disclosure: "   "',
        "must not be blank",
    ),
    "blank brand name": ("brand_name: Fernhill Goods", "brand_name: '  '", "must not be blank"),
}


@pytest.mark.parametrize("name", sorted(DANGEROUS_POLICY))
def test_a_dangerous_policy_is_refused_with_its_line(knowledge_dir: Path, name: str) -> None:
    old, new, why = DANGEROUS_POLICY[name]
    _edit(knowledge_dir, "policy.yaml", old, new)
    needle = new.strip().split("\n")[-1].strip()
    line = _line_of(knowledge_dir, "policy.yaml", needle)

    problems = _problems(knowledge_dir)

    assert len(problems) == 1 and why in problems[0], problems
    assert problems[0].startswith(f"policy.yaml:{line}:") or problems[0].startswith(
        f"policy.yaml:{line - 1}:"
    ), problems


@pytest.mark.parametrize(
    "token", ["{first_name:>100000000}", "{first_name:d}", "{first_name!r}", "{x!r}"]
)
def test_a_template_token_with_a_format_is_refused(knowledge_dir: Path, token: str) -> None:
    _edit(knowledge_dir, "templates/welcome.md", "Hi {first_name},", f"Hi {token},")
    line = _line_of(knowledge_dir, "templates/welcome.md", "Hi {")

    [problem] = _problems(knowledge_dir)

    assert problem.startswith(f"templates/welcome.md:{line}: ")


def test_ingest_reports_every_problem_with_exit_code_3(settings: Settings) -> None:
    for name in ("impossible valid_until", "a FIFO as an FAQ", "duplicate customer id"):
        MUTATIONS[name][0](settings.knowledge_dir)

    result = runner.invoke(app, ["ingest"])

    assert result.exit_code == 3, result.output
    assert "3 problems in the knowledge folder" in result.stderr
    assert "Traceback" not in result.output


def test_reading_a_broken_folder_still_lists_what_it_can(knowledge_dir: Path) -> None:
    os.mkfifo(knowledge_dir / "faq" / "pipe.md")

    reading = read_knowledge(knowledge_dir)

    assert reading.knowledge is None and reading.chunks
    assert reading.problems == [
        "faq/pipe.md:1: is not a regular file; knowledge files are plain text files"
    ]
