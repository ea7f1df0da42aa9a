"""The knowledge folder: validation with file and line, and incremental sync."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.app import open_assistant
from assistant.errors import KnowledgeError, SearchIndexError
from assistant.knowledge.index import SyncReport
from assistant.knowledge.loader import load_knowledge
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.support import ROOT, run


def test_the_sample_brand_is_complete_and_valid() -> None:
    kb = load_knowledge(ROOT / "knowledge")

    faqs = [c for c in kb.chunks if c.kind == "faq"]
    assert len(faqs) >= 30
    assert {c.source for c in kb.chunks if c.kind == "policy"} == {
        f"policies/{n}.md" for n in ("refunds", "shipping", "returns", "warranty", "privacy")
    }
    assert len(kb.orders) >= 50
    assert kb.tone.sign_off == "— The Fernhill team"
    assert kb.policy.brand_name == "Fernhill Goods"


def _problems(root: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root)
    return caught.value.problems


def test_an_faq_without_an_id_is_reported_with_file_and_line(knowledge_dir: Path) -> None:
    path = knowledge_dir / "faq" / "shipping.md"
    lines = path.read_text().splitlines()
    first = lines.index("id: shipping-costs") + 1  # the entry's first front-matter line
    path.write_text(path.read_text().replace("id: shipping-costs\n", "", 1))

    problems = _problems(knowledge_dir)

    assert problems == [f"faq/shipping.md:{first}: id: Field required"]


def test_an_unknown_front_matter_key_names_its_line(knowledge_dir: Path) -> None:
    path = knowledge_dir / "faq" / "shipping.md"
    added = path.read_text().splitlines().index("tags: [shipping, delivery]") + 2
    path.write_text(
        path.read_text().replace(
            "tags: [shipping, delivery]", "tags: [shipping, delivery]\nauthor: sam", 1
        )
    )

    assert _problems(knowledge_dir) == [
        f"faq/shipping.md:{added}: author: Extra inputs are not permitted"
    ]


def test_a_bad_value_in_policy_yaml_names_line_and_field(knowledge_dir: Path) -> None:
    path = knowledge_dir / "policy.yaml"
    path.write_text(path.read_text().replace("min_confidence: 0.8", "min_confidence: high"))

    [problem] = _problems(knowledge_dir)

    line = next(
        n for n, text in enumerate(path.read_text().splitlines(), 1) if "min_confidence" in text
    )
    assert problem.startswith(f"policy.yaml:{line}: automation.min_confidence:")


def test_invalid_yaml_in_policy_names_the_line(knowledge_dir: Path) -> None:
    path = knowledge_dir / "policy.yaml"
    path.write_text("brand_name: Fernhill\nautomation: [unclosed\n")

    [problem] = _problems(knowledge_dir)

    assert "policy.yaml:" in problem and "not valid YAML" in problem


@pytest.mark.parametrize(
    ("front_matter", "line", "reason"),
    [
        ("id: x\nquestion: " + "[" * 60 + "]" * 60, 3, "nested more than 50 levels"),
        ("id: x\nid: y", 3, "key 'id' is repeated (first on line 2)"),
        ("id: x\nquestion: a: b", 3, "not valid YAML"),
    ],
)
def test_unreadable_front_matter_names_its_line(
    knowledge_dir: Path, front_matter: str, line: int, reason: str
) -> None:
    (knowledge_dir / "faq" / "broken.md").write_text(f"---\n{front_matter}\n---\nAnswer.\n")

    [problem] = _problems(knowledge_dir)

    assert problem.startswith(f"faq/broken.md:{line}:") and reason in problem, problem


def test_a_broken_regex_in_policy_is_reported(knowledge_dir: Path) -> None:
    path = knowledge_dir / "policy.yaml"
    path.write_text(path.read_text().replace("'\\brefund\\w*'", "'refund(('", 1))

    [problem] = _problems(knowledge_dir)

    assert "topics.refund.patterns" in problem and "not a valid regex" in problem


def test_an_unknown_template_token_is_reported_with_its_line(knowledge_dir: Path) -> None:
    (knowledge_dir / "templates" / "welcome.md").write_text(
        "---\nid: welcome\npurpose: welcome\n---\nHi {first_name}!\nYour code is {coupon}.\n"
    )

    [problem] = _problems(knowledge_dir)

    assert problem.startswith("templates/welcome.md:6: unknown token {coupon}")


def test_a_bad_order_row_names_the_csv_line_and_column(knowledge_dir: Path) -> None:
    path = knowledge_dir / "orders" / "orders.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[3].replace(",USD", ",USD").replace(lines[3].split(",")[-2], "lots")
    path.write_text("\n".join(lines) + "\n")

    [problem] = _problems(knowledge_dir)

    assert problem.startswith("orders/orders.csv:4: total:")


def test_a_missing_knowledge_folder_says_how_to_fix_it(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path / "nope")

    assert "ASSISTANT_KNOWLEDGE_DIR" in problem


def _ingest(settings: Settings) -> SyncReport:
    async def go() -> SyncReport:
        async with open_assistant(settings) as assistant:
            return assistant.library.ingest(SYSTEM_ACTOR)

    return run(go())


def test_a_second_ingest_embeds_only_the_changed_files_chunks(settings: Settings) -> None:
    first = _ingest(settings)
    assert first.embedded == len(load_knowledge(settings.knowledge_dir).chunks)

    path = settings.knowledge_dir / "faq" / "sizing.md"
    path.write_text(path.read_text().replace("---\n", "---\n", 1) + "\nUpdated for winter.\n")
    (settings.knowledge_dir / "policies" / "warranty.md").unlink()
    second = _ingest(settings)

    changed = [
        c.id for c in load_knowledge(settings.knowledge_dir).chunks if c.source == "faq/sizing.md"
    ]
    assert second.updated == [changed[-1]]  # only the last entry's text changed
    assert second.added == []
    assert second.removed and all(r.startswith("policy:warranty#") for r in second.removed)
    assert _ingest(settings).embedded == 0


def test_a_damaged_index_folder_gives_a_message_with_the_fix(settings: Settings) -> None:
    settings.chroma_dir.mkdir(parents=True)
    (settings.chroma_dir / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)

    with pytest.raises(SearchIndexError, match="assistant ingest --rebuild"):
        _ingest(settings)


def test_status_tracks_changed_new_deleted_and_broken_files(ingested: Settings) -> None:
    from assistant.services.knowledge import inspect_knowledge
    from assistant.users.actor import SYSTEM_ACTOR

    root = ingested.knowledge_dir
    (root / "faq" / "sizing.md").unlink()  # a whole file gone
    shipping = root / "faq" / "shipping.md"
    shipping.write_text(shipping.read_text().replace("business days", "working days", 1))
    returns = root / "policies" / "returns.md"
    returns.write_text(returns.read_text().replace("title:", "titel:", 1))  # broken
    status = inspect_knowledge(ingested, SYSTEM_ACTOR)
    states = {f.path: f for f in status.files}
    assert states["faq/sizing.md"].state == "deleted"
    assert states["faq/shipping.md"].state == "changed"
    assert states["policies/returns.md"].state == "errors"
    assert states["policies/returns.md"].problems[0].startswith("policies/returns.md:")
    assert states["faq/payments.md"].state == "synced"
    assert states["tone.md"].state == "read live"
    assert not status.in_sync and status.to_embed == 1
