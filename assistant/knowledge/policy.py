"""``knowledge/policy.yaml``: the routing policy brand leads edit. Defaults are safe:
automation is off unless a channel turns it on."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.errors import KnowledgeError
from assistant.intake.messages import Channel
from assistant.knowledge.yaml_lines import compose, line_of, yaml_error_line
from assistant.safety.topics import Topic

Percent = Annotated[int, Field(ge=0, le=100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _compile_all(patterns: list[str]) -> list[str]:
    for index, pattern in enumerate(patterns):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"pattern {index} {pattern!r} is not a valid regex: {exc}") from None
    return patterns


class TopicRule(_Strict):
    reason: str = Field(
        min_length=3, description="Plain words for the agent, e.g. 'mentions a refund'."
    )
    patterns: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(
        default_factory=list, description="Words that also match with one typo ('refnud')."
    )

    _check = field_validator("patterns")(_compile_all)

    def compiled(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.IGNORECASE) for p in self.patterns]


class ChannelRules(_Strict):
    auto_send: bool = False
    rollout_percent: Percent = 0
    sla_minutes: int = Field(24 * 60, gt=0)
    max_reply_chars: int = Field(1000, gt=20)


class Automation(_Strict):
    kill_switch: bool = False
    min_confidence: float = Field(0.8, ge=0, le=1)
    channels: dict[Channel, ChannelRules] = Field(default_factory=dict)

    def for_channel(self, channel: Channel) -> ChannelRules:
        return self.channels.get(channel, ChannelRules())


class RateLimit(_Strict):
    max_auto_replies: int = Field(3, ge=0)
    window_minutes: int = Field(60, gt=0)


class OptOut(_Strict):
    keywords: list[str] = Field(default_factory=lambda: ["stop", "unsubscribe"])
    opt_in_keywords: list[str] = Field(default_factory=lambda: ["start"])
    confirmation: str = (
        "You're unsubscribed and won't get automated messages from us. Reply START to opt back in."
    )
    opt_in_confirmation: str = "You're subscribed again. Reply STOP at any time to opt out."


class Moderation(_Strict):
    spam_patterns: list[str] = Field(default_factory=list)
    abuse_patterns: list[str] = Field(default_factory=list)

    _check = field_validator("spam_patterns", "abuse_patterns")(_compile_all)


class Retrieval(_Strict):
    top_k: int = Field(4, ge=1, le=50)
    min_score: float = Field(0.45, ge=0, le=1)


class Policy(_Strict):
    version: int = 1
    brand_name: str = Field(min_length=1)
    disclosure: str = Field("Automated reply:", min_length=3)
    order_id_pattern: str = r"\b[A-Z]{2,4}-\d{4,8}\b"
    max_analysed_chars: int = Field(4000, ge=200)
    automation: Automation = Automation()
    rate_limit: RateLimit = RateLimit()
    opt_out: OptOut = OptOut()
    moderation: Moderation = Moderation()
    retrieval: Retrieval = Retrieval()
    topics: dict[Topic, TopicRule] = Field(default_factory=dict)
    eval_sample_rate: float = Field(0.2, ge=0, le=1)

    _check = field_validator("order_id_pattern")(lambda v: _compile_all([v])[0])

    def order_ids_in(self, text: str) -> list[str]:
        seen: dict[str, None] = {}
        for match in re.finditer(self.order_id_pattern, text, re.IGNORECASE):
            seen.setdefault(match.group(0).upper(), None)
        return list(seen)


def load_policy(path: Path, where: str | None = None) -> Policy:
    """Parse and validate; every problem names the file (as ``where``), line and field."""
    name = where or str(path)
    if not path.is_file():
        raise KnowledgeError([f"{name}: missing. Create it (see knowledge/README.md)."])
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = yaml_error_line(exc)
        raise KnowledgeError([f"{name}:{line or '?'}: not valid YAML: {exc}"]) from None
    if not isinstance(data, dict):
        raise KnowledgeError([f"{name}:1: expected a mapping of settings at the top level"])
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        root = compose(text)
        problems = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if not isinstance(p, str) or not p.startswith("function-")]
            field = ".".join(str(p) for p in loc)
            problems.append(f"{name}:{line_of(root, loc) or '?'}: {field}: {err['msg']}")
        raise KnowledgeError(problems) from None
