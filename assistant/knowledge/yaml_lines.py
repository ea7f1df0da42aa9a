"""Map a pydantic error location in a YAML document back to a line number."""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from assistant.knowledge.safe_yaml import compose

__all__ = ["compose", "line_of", "yaml_error_line"]


def line_of(root: yaml.Node | None, loc: Sequence[str | int], offset: int = 0) -> int | None:
    """1-based line of the deepest node on ``loc`` that exists (``offset`` lines are added)."""
    node = root
    line = None if node is None else node.start_mark.line + 1
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(key)), None)
            key_node = next((k for k, _ in node.value if k.value == str(key)), None)
            if match is None or key_node is None:
                break
            line, node = key_node.start_mark.line + 1, match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            if key >= len(node.value):
                break
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            break
    return None if line is None else line + offset


def yaml_error_line(exc: yaml.YAMLError, offset: int = 0) -> int | None:
    mark = getattr(exc, "problem_mark", None)
    return None if mark is None else mark.line + 1 + offset
