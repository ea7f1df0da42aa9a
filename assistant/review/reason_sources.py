"""Which part of the pipeline gave each routing reason: a detector (by its name) with the
topic it found, or one of the checks below. Stored on the item beside its reasons, so the
dashboard and ``assistant triage --explain`` can count what each detector costs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from assistant.safety.topics import Topic


class ReasonSource(StrEnum):
    """Reasons that no detector gave. Detectors are named by their own ``name``."""

    customer_record = "customer record"  # a VIP customer
    message_checks = "message checks"  # intake problems, long or empty messages, restores
    draft_check = "draft check"  # the verifier's findings about the draft
    routing_rules = "routing rules"  # channel automation, rollout, opt-out, rate limit
    not_recorded = "not recorded"  # items routed before sources were stored


@dataclass(frozen=True)
class ReasonOrigin:
    reason: str
    source: str  # a detector's name or a ReasonSource value
    topic: Topic | None = None  # the topic a detector found; None for the other checks

    def as_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "source": self.source, "topic": self.topic}

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> ReasonOrigin:
        topic = str(data.get("topic") or "")
        return ReasonOrigin(
            reason=str(data.get("reason", "")),
            source=str(data.get("source") or ReasonSource.not_recorded),
            topic=Topic(topic) if topic in Topic.__members__ else None,
        )


def origins_of(
    reasons: Sequence[str],
    detector_hits: Sequence[Mapping[str, Any]],
    problems: Sequence[str] = (),
    rules: Sequence[str] = (),
) -> list[ReasonOrigin]:
    """One origin per reason, in the reasons' order: a detector's hit first, then the draft
    check's problems, then the routing rule's own reasons; anything else came from the
    message checks before classification."""
    by_reason = {h["reason"]: h for h in detector_hits}
    found = []
    for reason in reasons:
        if (hit := by_reason.get(reason)) is not None:
            found.append(ReasonOrigin(reason, hit["detector"], Topic(hit["topic"])))
        elif reason in problems:
            found.append(ReasonOrigin(reason, ReasonSource.draft_check))
        elif reason in rules:
            found.append(ReasonOrigin(reason, ReasonSource.routing_rules))
        else:
            found.append(ReasonOrigin(reason, ReasonSource.message_checks))
    return found


def stored_origins(
    reasons: Sequence[str], stored: Sequence[Mapping[str, Any]]
) -> list[ReasonOrigin]:
    """An item's origins as read back; rows from before sources were stored have none, and
    each of their reasons reads as ``not recorded``."""
    if stored:
        return [ReasonOrigin.from_json(s) for s in stored]
    return [ReasonOrigin(r, ReasonSource.not_recorded) for r in reasons]
