"""The routing rule: auto-send only when every condition holds; anything else goes to a
person, with every reason listed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from assistant.intake.messages import Channel
from assistant.knowledge.policy import Policy
from assistant.safety.topics import Route, Topic


@dataclass(frozen=True)
class RouteInput:
    message_id: str
    channel: Channel
    topics: list[Topic]
    has_draft: bool
    draft_confidence: float
    failed: bool
    problems: list[str]  # grounding and other verify failures, already worded
    opted_out: bool
    automated_in_window: int
    in_group: bool = False  # written in a group chat: every member sees the reply


def rollout_bucket(message_id: str) -> int:
    """0–99, stable per message, so a 5% rollout always picks the same messages."""
    return int(hashlib.sha256(message_id.encode()).hexdigest()[:8], 16) % 100


def decide(policy: Policy, given: RouteInput) -> tuple[Route, list[str]]:
    """Returns the route and the reasons it is not ``auto_send`` (empty when it is)."""
    rules = policy.automation.for_channel(given.channel)
    reasons: list[str] = []
    risky = [t for t in given.topics if t.is_risk]
    if risky:
        reasons.append("risk topic: " + ", ".join(t.value for t in risky))
    if given.failed:
        reasons.append("a pipeline step failed (see the error)")
    if not given.has_draft:
        reasons.append("no draft to send")
    reasons.extend(given.problems)
    if given.has_draft and given.draft_confidence < policy.automation.min_confidence:
        reasons.append(
            f"confidence {given.draft_confidence:.2f} is below "
            f"{policy.automation.min_confidence:.2f}"
        )
    if given.channel is Channel.unknown:
        reasons.append("unknown channel: no way to send automatically")
    if policy.automation.kill_switch:
        reasons.append("the automation kill switch is on")
    if not rules.auto_send:
        reasons.append(f"automatic sending is off for {given.channel.value}")
    elif rollout_bucket(given.message_id) >= rules.rollout_percent:
        reasons.append(f"outside the {rules.rollout_percent}% rollout for {given.channel.value}")
    if given.in_group:
        reasons.append("written in a group chat: every member would see the reply")
    if given.opted_out:
        reasons.append("the customer opted out of automated replies")
    limit = policy.rate_limit
    if given.automated_in_window >= limit.max_auto_replies:
        reasons.append(
            f"rate limit: {given.automated_in_window} automated replies to this "
            f"customer in the last {limit.window_minutes} minutes"
        )
    return (Route.human_review if reasons else Route.auto_send), reasons


def priority(topics: list[Topic], failed: bool = False) -> int:
    """Queue rank (lower first). A message the pipeline failed on is near the top: it has no
    usable draft and may be anything."""
    rank = min((t.rank for t in topics), default=Topic.general.rank)
    return min(rank, 1) if failed else rank
