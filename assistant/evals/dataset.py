"""Eval datasets on disk: ``*.jsonl`` (one case per line; what the learn step appends) and
``*.yaml`` (hand-written: a list of cases, or ``cases:`` holding one). Every problem is
reported with its file and line, and nothing loads until all of them are fixed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.evals.cases import EvalCase, EvalDataError
from assistant.knowledge.yaml_lines import compose, line_of, yaml_error_line

SUFFIXES = (".jsonl", ".yaml", ".yml")


@dataclass(frozen=True)
class Stratum:
    """What sampling balances on: a case's topic and channel."""

    topic: str
    channel: str


def dataset_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in SUFFIXES)


def load_cases(folder: Path, tags: Sequence[str] = ()) -> list[EvalCase]:
    """Every case under ``folder``; with ``tags``, only cases carrying all of them (a case's
    topic, channel and origin count as tags). Raises EvalDataError listing every problem."""
    problems: list[str] = []
    found: list[tuple[EvalCase, str]] = []
    for path in dataset_files(folder):
        where = path.as_posix()
        if path.suffix == ".jsonl":
            found.extend(_read_jsonl(path, where, problems))
        else:
            found.extend(_read_yaml(path, where, problems))
    _check_unique(found, problems)
    if problems:
        raise EvalDataError(problems)
    wanted = set(tags)
    return [case for case, _ in found if wanted <= case_tags(case)]


def case_tags(case: EvalCase) -> set[str]:
    return {*case.tags, case.topic, case.message.channel.value, case.origin.value}


def _problem(
    where: str, exc: ValidationError, line_for: Callable[[list[str | int]], int | None]
) -> list[str]:
    """One problem per validation error: ``where`` is the file, ``line_for`` finds the line
    of a field (JSONL: the case's line)."""
    out = []
    for err in exc.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        field = ".".join(str(p) for p in loc) or "case"
        out.append(f"{where}:{line_for(loc) or '?'}: {field}: {err['msg']}")
    return out


def _same_line(line: int, _loc: list[str | int]) -> int:
    return line


def _yaml_line(root: yaml.Node | None, case: list[str | int], loc: list[str | int]) -> int | None:
    return line_of(root, [*case, *loc])


def _read_jsonl(path: Path, where: str, problems: list[str]) -> list[tuple[EvalCase, str]]:
    cases = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        problems.append(f"{where}:1: not UTF-8 text; save the file as UTF-8")
        return []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        place = f"{where}:{number}"
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(f"{place}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(data, dict):
            problems.append(f"{place}: expected a JSON object, got {type(data).__name__}")
            continue
        try:
            cases.append((EvalCase.model_validate(data), place))
        except ValidationError as exc:
            problems.extend(_problem(where, exc, partial(_same_line, number)))
    return cases


def _read_yaml(path: Path, where: str, problems: list[str]) -> list[tuple[EvalCase, str]]:
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except UnicodeDecodeError:
        problems.append(f"{where}:1: not UTF-8 text; save the file as UTF-8")
        return []
    except yaml.YAMLError as exc:
        problems.append(f"{where}:{yaml_error_line(exc) or '?'}: not valid YAML: {exc}")
        return []
    prefix: list[str | int] = []
    if isinstance(data, dict) and set(data) == {"cases"}:
        data, prefix = data["cases"], ["cases"]
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(f"{where}:1: expected a list of cases (or 'cases:' holding one)")
        return []
    root = compose(text)
    cases = []
    for index, item in enumerate(data):
        line = line_of(root, [*prefix, index])
        place = f"{where}:{line or '?'}"
        if not isinstance(item, dict):
            problems.append(f"{place}: expected a case (a mapping), got {type(item).__name__}")
            continue
        try:
            cases.append((EvalCase.model_validate(item), place))
        except ValidationError as exc:
            problems.extend(_problem(where, exc, partial(_yaml_line, root, [*prefix, index])))
    return cases


def _check_unique(found: list[tuple[EvalCase, str]], problems: list[str]) -> None:
    ids: dict[str, str] = {}
    messages: dict[str, str] = {}
    for case, where in found:
        if case.id in ids:
            problems.append(f"{where}: case id {case.id!r} is already used at {ids[case.id]}")
        ids.setdefault(case.id, where)
        if case.message_id in messages and case.message.id:
            problems.append(
                f"{where}: message.id {case.message_id!r} is already used at "
                f"{messages[case.message_id]}"
            )
        messages.setdefault(case.message_id, where)


def known_strata(folder: Path) -> dict[str, Stratum]:
    """Case id -> stratum of every case on disk, read leniently (a broken line is skipped:
    learning from an approval must not stop because someone mistyped a hand-written case)."""
    known: dict[str, Stratum] = {}
    for path in dataset_files(folder):
        try:
            text = path.read_text(encoding="utf-8")
            items: Iterable[Any] = (
                [_json_or_none(line) for line in text.splitlines()]
                if path.suffix == ".jsonl"
                else _yaml_items(text)
            )
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                message = item.get("message")
                channel = message.get("channel") if isinstance(message, dict) else None
                known[item["id"]] = Stratum(str(item.get("topic")), str(channel))
    return known


def _json_or_none(line: str) -> Any:
    try:
        return json.loads(line) if line.strip() else None
    except json.JSONDecodeError:
        return None


def _yaml_items(text: str) -> list[Any]:
    data = yaml.safe_load(text)
    if isinstance(data, dict):
        data = data.get("cases")
    return data if isinstance(data, list) else []


def append_case(path: Path, case: EvalCase) -> None:
    """One JSON line per case: appends are reviewable line by line in a pull request."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(case.model_dump(mode="json", exclude_none=True), ensure_ascii=False)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
