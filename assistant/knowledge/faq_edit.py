"""Add an ``also_asked`` phrasing to one FAQ entry (or take phrasings out), changing only
the lines it needs: the file stays the lead's (comments, order, answers untouched) and the
change reads as a one-line diff in review."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from assistant.errors import KnowledgeError
from assistant.knowledge.front_matter import split_blocks

PLAIN = re.compile(r"^[A-Za-z0-9][^:#{}\[\],&*!|>'\"%@`]*$")


def _scalar(text: str) -> str:
    text = " ".join(text.split())
    return text if PLAIN.match(text) else json.dumps(text, ensure_ascii=False)


def add_also_asked(path: Path, where: str, faq_id: str, phrasing: str) -> None:
    """Append ``phrasing`` to the ``also_asked`` list of entry ``faq_id`` (``where`` is the
    path shown in errors)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    for block in split_blocks(text):
        meta = yaml.safe_load(block.meta_text) or {}
        if not isinstance(meta, dict) or meta.get("id") != faq_id:
            continue
        first = block.meta_line  # 0-based index of the first front-matter line
        last = first + len(block.meta_text.splitlines())
        keys = {
            m.group(1): n
            for n in range(first, last)
            if (m := re.match(r"^([A-Za-z_]+):", lines[n])) is not None
        }
        item = f"  - {_scalar(phrasing)}"
        if "also_asked" not in keys:
            at = keys.get("question", first) + 1
            lines[at:at] = ["also_asked:", item]
        elif lines[keys["also_asked"]].split(":", 1)[1].strip():
            raise KnowledgeError(
                [
                    f"{where}:{keys['also_asked'] + 1}: write also_asked as a '- ' list, one "
                    "phrasing a line, so accepted proposals can be added to it"
                ]
            )
        else:
            at = keys["also_asked"] + 1
            while at < last and lines[at].startswith((" ", "\t")):
                at += 1
            lines[at:at] = [item]
        ending = "\n" if text.endswith("\n") else ""
        path.write_text("\n".join(lines) + ending, encoding="utf-8")
        return
    raise KnowledgeError([f"{where}: no FAQ entry with id {faq_id!r}"])


def remove_also_asked(knowledge_dir: Path, phrasings: Iterable[str]) -> int:
    """Take these phrasings (case and spacing aside) out of every FAQ's ``also_asked``
    list; how many lines went. Benchmarks measure a question set as unseen this way when
    the brand's FAQ has learned some of its questions."""
    wanted = {_key(p) for p in phrasings}
    removed = 0
    for path in sorted((knowledge_dir / "faq").rglob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        kept, listing = [], False
        for line in lines:
            if listing and line.startswith("  - "):
                value = yaml.safe_load(line[4:])
                if isinstance(value, str) and _key(value) in wanted:
                    removed += 1
                    continue
            else:
                listing = line.rstrip() == "also_asked:"
            kept.append(line)
        if len(kept) < len(lines):
            path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return removed


def _key(phrasing: str) -> str:
    return " ".join(phrasing.lower().split())
