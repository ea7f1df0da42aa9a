"""``knowledge/policy.yaml``: the routing policy brand leads edit. Defaults are safe:
automation is off unless a channel turns it on."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.errors import KnowledgeError
from assistant.intake.messages import Channel
from assistant.knowledge import files, regex_safety, safe_yaml
from assistant.knowledge.yaml_lines import compose, line_of
from assistant.safety.topics import Topic

Percent = Annotated[int, Field(ge=0, le=100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _compile_all(patterns: list[str]) -> list[str]:
    for index, pattern in enumerate(patterns):
        if (why := regex_safety.problem(pattern)) is not None:
            raise ValueError(f"pattern {index} {pattern[:80]!r} {why}")
    return patterns


def _stripped(value: str) -> str:
    """Blank wording would send replies undisclosed or unsigned: refuse it."""
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


class TopicRule(_Strict):
    reason: str = Field(
        min_length=3, description="Plain words for the agent, e.g. 'mentions a refund'."
    )
    patterns: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(
        default_factory=list, description="Words that also match with one typo ('refnud')."
    )

    _check = field_validator("patterns")(_compile_all)

    def compiled(self) -> list[regex_safety.BudgetedPattern]:
        return [regex_safety.BudgetedPattern(p) for p in self.patterns]


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
    # What a customer agrees to by replying an opt-in keyword: stored with their consent.
    consent_wording: str = (
        "Messages from us on this channel, including offers and restock alerts. "
        "Reply STOP at any time to opt out."
    )


class Moderation(_Strict):
    spam_patterns: list[str] = Field(default_factory=list)
    abuse_patterns: list[str] = Field(default_factory=list)

    _check = field_validator("spam_patterns", "abuse_patterns")(_compile_all)


class Retrieval(_Strict):
    top_k: int = Field(4, ge=1, le=50)
    min_score: float = Field(0.45, ge=0, le=1)


class CommentReply(StrEnum):
    public = "public"  # answered under the comment
    private = "private"  # one DM to the commenter (Meta: within 7 days)
    both = "both"


class CommentReplies(_Strict):
    """How a comment is answered; per topic, e.g. ``order_status: private``."""

    default: CommentReply = CommentReply.public
    topics: dict[Topic, CommentReply] = Field(default_factory=dict)

    def for_topics(self, topics: Iterable[str]) -> CommentReply:
        known = {t.value: rule for t, rule in self.topics.items()}
        chosen = {known[t] for t in topics if t in known}
        if CommentReply.both in chosen or {CommentReply.public, CommentReply.private} <= chosen:
            return CommentReply.both
        return next(iter(chosen), self.default)


PERIOD = re.compile(r"^\s*(\d{1,4})\s*(day|week|month|year)s?\s*$", re.IGNORECASE)


def _period(value: str) -> str:
    match = PERIOD.match(value)
    if match is None or int(match.group(1)) < 1:
        raise ValueError(f"{value!r} is not a period: write e.g. '30 days', '6 months', '2 years'")
    return value.strip()


class Retention(_Strict):
    """How long each kind of data is kept (``assistant retention run`` applies it)."""

    transactional: str = "12 months"  # conversations about an order
    general: str = "6 months"  # every other conversation
    audit: str = "24 months"  # audit events keep their texts this long, who/what/when forever
    raw_payloads: str = "30 days"  # webhook bodies as received
    quarantined: str = "30 days"  # payloads a person had to look at

    _check = field_validator(
        "transactional", "general", "audit", "raw_payloads", "quarantined", mode="before"
    )(lambda v: _period(v) if isinstance(v, str) else v)


class Reengagement(_Strict):
    """Marketing sends (``assistant reengage``): only with current consent, never to minors."""

    min_days_between: int = Field(30, ge=1)  # per customer, whatever the template
    # Templates Meta approved as WhatsApp message templates: only these may go out after
    # the 24-hour customer-service window.
    whatsapp_approved_templates: list[str] = Field(default_factory=list)


class Policy(_Strict):
    version: int = 1
    brand_name: str = Field(min_length=1, max_length=100)
    disclosure: str = Field("Automated reply:", min_length=3, max_length=200)
    order_id_pattern: str = r"\b[A-Z]{2,4}-\d{4,8}\b"
    max_analysed_chars: int = Field(4000, ge=200)
    automation: Automation = Automation()
    rate_limit: RateLimit = RateLimit()
    opt_out: OptOut = OptOut()
    moderation: Moderation = Moderation()
    retrieval: Retrieval = Retrieval()
    comment_replies: CommentReplies = CommentReplies()
    topics: dict[Topic, TopicRule] = Field(default_factory=dict)
    eval_sample_rate: float = Field(0.2, ge=0, le=1)
    retention: Retention = Retention()
    reengagement: Reengagement = Reengagement()

    _check = field_validator("order_id_pattern")(lambda v: _compile_all([v])[0])
    _words = field_validator("brand_name", "disclosure", mode="before")(
        lambda v: _stripped(v) if isinstance(v, str) else v
    )

    def order_ids_in(self, text: str) -> list[str]:
        seen: dict[str, None] = {}
        for match in re.finditer(self.order_id_pattern, text, re.IGNORECASE):
            seen.setdefault(match.group(0).upper(), None)
        return list(seen)


def load_policy(path: Path, where: str | None = None, root: Path | None = None) -> Policy:
    """Parse and validate; every problem names the file (as ``where``), line and field."""
    name = where or str(path)
    if not files.exists(path):
        raise KnowledgeError([f"{name}: missing. Create it (see knowledge/README.md)."])
    try:
        text = files.read_text(root or path.parent, path, name)
        data = safe_yaml.load(text)
    except files.FileError as exc:
        raise KnowledgeError([exc.message]) from None
    except safe_yaml.YamlError as exc:
        raise KnowledgeError([f"{name}:{exc.line or 1}: {exc.message}"]) from None
    if not isinstance(data, dict):
        raise KnowledgeError([f"{name}:1: expected a mapping of settings at the top level"])
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        tree = compose(text)
        problems = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if not isinstance(p, str) or not p.startswith("function-")]
            field = ".".join(str(p) for p in loc)
            problems.append(f"{name}:{line_of(tree, loc) or 1}: {field}: {err['msg']}")
        raise KnowledgeError(problems) from None
