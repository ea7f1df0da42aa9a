"""What a policy change would do, before a lead makes it: the detectors re-run on past
messages as they are and as they would be with the change (a topic automated or held for a
person, a detector switched off, a threshold moved), and who would go to a person."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assistant.errors import ConfigError
from assistant.safety.detectors import Detector
from assistant.safety.llm_classifier import LLMDetector
from assistant.safety.topics import Topic
from assistant.safety.triage import LazyDetector, Triage, triage

# Nothing touching money or the law is sent without a person, whatever a lead tries.
ALWAYS_A_PERSON = frozenset({Topic.price, Topic.refund, Topic.legal})
EXAMPLES = 20  # messages listed per direction
REPLAY_LIMIT = 5_000  # newest stored messages a what-if re-runs (about a minute)


@dataclass(frozen=True)
class PolicyChange:
    automate: frozenset[Topic] = frozenset()  # risk topics that would no longer hold a message
    hold: frozenset[Topic] = frozenset()  # safe topics that would (order_status, general)
    off: frozenset[str] = frozenset()  # detectors switched off, by name
    thresholds: tuple[tuple[str, float], ...] = ()  # (detector name, new threshold)

    @property
    def empty(self) -> bool:
        return not (self.automate or self.hold or self.off or self.thresholds)

    def describe(self) -> str:
        parts = [f"automate {t.value}" for t in sorted(self.automate)]
        parts += [f"hold {t.value} for a person" for t in sorted(self.hold)]
        parts += [f"switch off {name}" for name in sorted(self.off)]
        parts += [f"{name} threshold {value:g}" for name, value in self.thresholds]
        return "; ".join(parts) or "no change"


def detector_name(given: str, detectors: Iterable[Detector]) -> str:
    """A detector's name as a person types it ('similar-examples', 'Sentiment')."""
    names = {d.name for d in detectors}
    wanted = " ".join(given.replace("-", " ").replace("_", " ").lower().split())
    for name in names:
        if name.lower() == wanted:
            return name
    known = ", ".join(sorted(names))
    raise ConfigError(f"no detector called '{given}'; the detectors are: {known}")


def check_change(change: PolicyChange) -> None:
    if locked := change.automate & ALWAYS_A_PERSON:
        names = ", ".join(sorted(t.value for t in locked))
        raise ConfigError(f"{names} always go to a person; a what-if cannot automate them")
    if risky := [t for t in change.hold if t.is_risk]:
        names = ", ".join(t.value for t in risky)
        raise ConfigError(f"{names} already go to a person; --hold takes order_status or general")
    if safe := [t for t in change.automate if not t.is_risk]:
        names = ", ".join(t.value for t in safe)
        raise ConfigError(f"{names} are already automated; --automate takes a risk topic")


def changed_detectors(detectors: Sequence[Detector], change: PolicyChange) -> list[Detector]:
    """The detectors as they would be: switched-off ones left out, thresholds moved on
    copies (the examples and their embeddings are shared, not rebuilt)."""
    thresholds = dict(change.thresholds)
    out: list[Detector] = []
    for detector in detectors:
        if detector.name in change.off:
            continue
        if detector.name in thresholds:
            built = detector.built() if isinstance(detector, LazyDetector) else detector
            if not hasattr(built, "threshold"):
                raise ConfigError(f"the {detector.name} detector has no threshold to change")
            moved = copy.copy(built)
            moved.threshold = thresholds[detector.name]
            out.append(moved)
            continue
        out.append(detector)
    return out


def thresholds_of(detectors: Sequence[Detector]) -> dict[str, float | None]:
    """Each detector's threshold as it is now (None: it has none to move)."""
    found: dict[str, float | None] = {}
    for detector in detectors:
        built = detector.built() if isinstance(detector, LazyDetector) else detector
        value = getattr(built, "threshold", None)
        found[detector.name] = float(value) if isinstance(value, int | float) else None
    return found


def replayable(detectors: Sequence[Detector]) -> list[Detector]:
    """The model classifier would be called once per past message: left out of what-ifs."""
    return [d for d in detectors if not isinstance(d, LLMDetector)]


def held_topics(result: Triage, change: PolicyChange | None = None) -> set[Topic]:
    """The topics that send a message to a person (none: it may be answered automatically)."""
    held = {h.topic for h in result.hits}
    if change is None:
        return held
    return (held - change.automate) | (set(result.topics) & change.hold)


@dataclass(frozen=True)
class Flip:
    message_id: str
    text: str
    reasons: list[str]  # the reasons it goes to a person now (freed) or with the change (held)


@dataclass(frozen=True)
class WhatIf:
    change: str
    checked: int  # messages re-run
    total: int  # messages in the period (the newest ``checked`` were re-run)
    to_person_now: int
    to_person_after: int
    per_topic: dict[Topic, tuple[int, int]] = field(default_factory=dict)  # now, after
    freed: list[Flip] = field(default_factory=list)  # would no longer go to a person
    held: list[Flip] = field(default_factory=list)  # would newly go to a person
    freed_count: int = 0
    held_count: int = 0


async def what_if(
    messages: Sequence[tuple[str, str]],
    detectors: Sequence[Detector],
    change: PolicyChange,
    total: int | None = None,
    max_chars: int = 4000,
) -> WhatIf:
    """Triage each (id, text) now and with ``change``. Triage only: a freed message still
    needs a draft that passes its checks and a channel whose automation is on."""
    check_change(change)
    now_detectors = replayable(detectors)
    after_detectors = changed_detectors(now_detectors, change)
    now_topics: Counter[Topic] = Counter()
    after_topics: Counter[Topic] = Counter()
    freed: list[Flip] = []
    held: list[Flip] = []
    counts = [0, 0, 0, 0]  # now, after, freed, held
    for message_id, text in messages:
        cut = text[:max_chars]
        # Same text in a row: the second embedding is a cache hit.
        now = await triage(cut, now_detectors)
        after = await triage(cut, after_detectors)
        before_held, after_held = held_topics(now), held_topics(after, change)
        now_topics.update(before_held)
        after_topics.update(after_held)
        counts[0] += bool(before_held)
        counts[1] += bool(after_held)
        excerpt = " ".join(text.split())[:120]
        if before_held and not after_held:
            counts[2] += 1
            if len(freed) < EXAMPLES:
                freed.append(Flip(message_id, excerpt, now.reasons))
        elif after_held and not before_held:
            counts[3] += 1
            if len(held) < EXAMPLES:
                why = after.reasons or [f"{t.value} held for a person" for t in sorted(after_held)]
                held.append(Flip(message_id, excerpt, why))
    topics = sorted(set(now_topics) | set(after_topics), key=lambda t: (t.rank, t.value))
    return WhatIf(
        change=change.describe(),
        checked=len(messages),
        total=len(messages) if total is None else total,
        to_person_now=counts[0],
        to_person_after=counts[1],
        per_topic={t: (now_topics[t], after_topics[t]) for t in topics},
        freed=freed,
        held=held,
        freed_count=counts[2],
        held_count=counts[3],
    )
