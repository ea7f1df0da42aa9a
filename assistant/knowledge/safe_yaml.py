"""The one YAML loader for the knowledge folder. Stricter than ``yaml.safe_load`` where
leniency is dangerous: a duplicate key is refused (YAML keeps the last, so a second
``kill_switch: false`` would silently win), dates stay text for pydantic to check with a
clear message, numbers are bounded, and nesting is capped."""

from __future__ import annotations

from typing import Any

import yaml

try:  # libyaml ships in PyYAML's wheels; a source build without it has the Python parser
    from yaml import CSafeLoader as _Parser
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

MAX_DIGITS = 30  # no setting needs more; int() refuses over 4,300 with a traceback
MAX_DEPTH = 50


class YamlError(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class StrictLoader(_Parser):
    """SafeLoader minus implicit timestamps, plus duplicate-key and number checks. It parses
    with libyaml (PyYAML's C parser: the same nodes; a lone CR, NEL or U+2028 moves its line
    marks by one); the pure-Python parser took three quarters of reading the brand's folder."""

    line_offset = 0  # lines above the parsed text in its file (front matter's "---")

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
            except TypeError:  # a list or mapping as a key
                raise YamlError(line, "a key must be plain text") from None
            if first is not None:
                raise YamlError(
                    line,
                    f"key {key!r} is repeated (first on line {first + self.line_offset}); "
                    "keep only one",
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _construct_int(loader: StrictLoader, node: yaml.ScalarNode) -> int:
    if sum(c.isdigit() for c in str(node.value)) > MAX_DIGITS:
        line = node.start_mark.line + 1
        raise YamlError(line, f"number has more than {MAX_DIGITS} digits")
    return yaml.SafeLoader.construct_yaml_int(loader, node)


StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
# Dates and times stay strings: pydantic parses the fields that are dates and reports an
# impossible one ("2026-02-30") with its field; elsewhere (a title, a tag) it is just text.
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str, offset: int = 0) -> Any:
    """Parse ``text``; YamlError carries the line (plus ``offset``) and plain words."""
    try:
        node = yaml.compose(text, Loader=StrictLoader)
        _check_depth(node)
        if node is None:
            return None
        loader = StrictLoader(text)
        loader.line_offset = offset
        return loader.construct_document(node)
    except YamlError as exc:
        raise YamlError(None if exc.line is None else exc.line + offset, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = None if mark is None else mark.line + 1 + offset
        raise YamlError(line, f"not valid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise YamlError(None, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise YamlError(None, f"nested more than {MAX_DEPTH} levels deep") from None
    except UnicodeEncodeError:  # libyaml reads UTF-8: a lone surrogate cannot be encoded
        raise YamlError(None, "not valid YAML: the text is not valid UTF-8") from None


def compose(text: str) -> yaml.Node | None:
    """The node tree, for mapping an error back to a line; None when it does not parse."""
    try:
        return yaml.compose(text, Loader=StrictLoader)
    except (yaml.YAMLError, RecursionError, UnicodeEncodeError):
        return None


def _check_depth(root: yaml.Node | None) -> None:
    todo = [(root, 1)] if root is not None else []
    while todo:
        node, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise YamlError(node.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels")
        if isinstance(node, yaml.MappingNode):
            todo.extend((part, depth + 1) for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            todo.extend((child, depth + 1) for child in node.value)
