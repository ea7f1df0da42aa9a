"""``<evals_dir>/thresholds.yaml``: how each grader gates a run, edited by people. A grader
the file does not list keeps its defaults (see ``assistant eval --help``)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.evals.cases import EvalDataError
from assistant.evals.graders import GRADERS, GraderConfig
from assistant.knowledge.yaml_lines import compose, line_of, yaml_error_line


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pass_at: float | None = Field(None, ge=0, le=1)
    max_drop: float | None = Field(None, ge=0, le=1)
    hard: bool | None = None


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    graders: dict[str, _Rule] = Field(default_factory=dict)


def load_thresholds(path: Path) -> dict[str, GraderConfig]:
    if not path.is_file():
        return {name: g.defaults for name, g in GRADERS.items()}
    where = path.as_posix()
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) or {}
        parsed = _File.model_validate(data)
    except yaml.YAMLError as exc:
        raise EvalDataError([f"{where}:{yaml_error_line(exc) or '?'}: not valid YAML"]) from None
    except ValidationError as exc:
        root = compose(text)
        raise EvalDataError(
            [
                f"{where}:{line_of(root, list(e['loc'])) or '?'}: "
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                for e in exc.errors()
            ]
        ) from None
    unknown = sorted(set(parsed.graders) - set(GRADERS))
    if unknown:
        root = compose(text)
        raise EvalDataError(
            [
                f"{where}:{line_of(root, ['graders', n]) or '?'}: unknown grader {n!r} "
                f"(known: {', '.join(GRADERS)})"
                for n in unknown
            ]
        )
    out = {}
    for name, grader in GRADERS.items():
        rule, base = parsed.graders.get(name, _Rule()), grader.defaults
        out[name] = GraderConfig(
            pass_at=base.pass_at if rule.pass_at is None else rule.pass_at,
            max_drop=base.max_drop if rule.max_drop is None else rule.max_drop,
            hard=base.hard if rule.hard is None else rule.hard,
        )
    return out
