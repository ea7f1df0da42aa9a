"""Split markdown files into YAML front-matter blocks and bodies, keeping line numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from assistant.knowledge import safe_yaml
from assistant.knowledge.yaml_lines import compose, line_of


@dataclass(frozen=True)
class Block:
    meta_text: str
    meta_line: int  # line of the opening '---'
    body: str
    body_line: int


def split_blocks(text: str) -> list[Block]:
    """Each block is ``---``, YAML, ``---``, then a body up to the next ``---``."""
    # splitlines() would also cut at U+2028 and friends, shifting every line number after.
    lines = text.replace("\r\n", "\n").split("\n")
    blocks: list[Block] = []
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines):
        return []
    if lines[i].strip() != "---":
        raise FrontMatterError(i + 1, "expected a '---' line that opens the front matter")
    while i < len(lines):
        start = i
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "---"), None)
        if end is None:
            raise FrontMatterError(start + 1, "front matter opened here is never closed by '---'")
        body_end = next(
            (j for j in range(end + 1, len(lines)) if lines[j].strip() == "---"), len(lines)
        )
        blocks.append(
            Block(
                meta_text="\n".join(lines[start + 1 : end]),
                meta_line=start + 1,
                body="\n".join(lines[end + 1 : body_end]).strip(),
                body_line=end + 2,
            )
        )
        i = body_end
    return blocks


class FrontMatterError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


M = TypeVar("M", bound=BaseModel)


def parse_meta(block: Block, model: type[M], where: str) -> tuple[M | None, list[str]]:
    """Validate one block's YAML against ``model``; problems carry ``file:line: field``."""
    try:
        data: Any = safe_yaml.load(block.meta_text, offset=block.meta_line) or {}
    except safe_yaml.YamlError as exc:
        return None, [f"{where}:{exc.line or block.meta_line}: front matter: {exc.message}"]
    if not isinstance(data, dict):
        return None, [f"{where}:{block.meta_line}: front matter must be 'key: value' lines"]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        root = compose(block.meta_text)
        problems = []
        for err in exc.errors():
            loc = list(err["loc"])
            line = line_of(root, loc, offset=block.meta_line) or block.meta_line
            field = ".".join(str(p) for p in loc) or "front matter"
            problems.append(f"{where}:{line}: {field}: {err['msg']}")
        return None, problems
