"""Graders that need no model: disclosure, route, grounding, required facts, length and
forbidden phrases. Each explanation quotes what it found, so a report can name the fact."""

from __future__ import annotations

import re

from assistant.evals.cases import EvalCase
from assistant.evals.graders.base import Grader, GraderConfig, Outcome, Score
from assistant.knowledge.loader import Knowledge
from assistant.safety.facts import FoldedText, extract
from assistant.safety.grounding import Grounding

HARD = GraderConfig(pass_at=1.0, max_drop=0.0, hard=True)


def _quote(items: list[str], limit: int = 6) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


class Disclosure(Grader):
    name = "disclosure"
    description = "the reply carries the brand's disclosure"
    defaults = HARD

    def __init__(self, knowledge: Knowledge, config: GraderConfig | None = None) -> None:
        super().__init__(config)
        self.disclosure = knowledge.policy.disclosure

    def grade(self, case: EvalCase, outcome: Outcome) -> Score | None:
        if not outcome.reply:
            return None
        if outcome.reply.strip().startswith(self.disclosure):
            return self.scored(1.0, f"starts with {self.disclosure!r}")
        return self.scored(0.0, f"does not start with {self.disclosure!r}")


class RouteMatch(Grader):
    name = "route"
    description = "the message took the expected route"
    defaults = HARD

    def grade(self, case: EvalCase, outcome: Outcome) -> Score | None:
        expected = case.expected_route.value
        if outcome.route == expected:
            return self.scored(1.0, f"routed to {expected}")
        why = f" ({_quote(outcome.reasons, 3)})" if outcome.reasons else ""
        return self.scored(0.0, f"expected {expected}, got {outcome.route}{why}")


class Grounded(Grader):
    """The grounding guard the pipeline uses, on the context the draft was written from."""

    name = "grounded"
    description = "every fact in the draft is in the retrieved context or order record"
    defaults = HARD

    def __init__(self, knowledge: Knowledge, config: GraderConfig | None = None) -> None:
        super().__init__(config)
        self.pattern = knowledge.policy.order_id_pattern

    def grade(self, case: EvalCase, outcome: Outcome) -> Score | None:
        if not outcome.body:
            return None
        unsupported = Grounding(outcome.context, self.pattern).unsupported(outcome.body)
        if not unsupported:
            return self.scored(1.0, "every fact is in the context")
        spans = [f"'{f.span}' ({f.kind})" for f in unsupported]
        return self.scored(0.0, f"not in the context: {_quote(spans)}")


# Words a capitalised run may start with that are not part of a name ("Our Merino Crew").
LEADING = frozenset(
    re.findall(
        r"\w+",
        "a an the our your my we you hi hello hey dear if and or but so for to in on at by with"
        " this that these those it its as",
    )
)
CAPITALISED_RUN = re.compile(r"\b[A-Z][\w'&-]*(?:\s+[A-Z][\w'&-]*)+")


class RequiredFacts(Grader):
    """Facts of the golden reply (numbers, amounts, dates, durations, codes, links, contact
    details, order ids, and names the knowledge uses, such as policy and product names)
    that the draft must also state."""

    name = "required_facts"
    description = "the golden reply's facts are in the draft"
    defaults = HARD

    def __init__(self, knowledge: Knowledge, config: GraderConfig | None = None) -> None:
        super().__init__(config)
        self.pattern = knowledge.policy.order_id_pattern
        self.order_id = re.compile(self.pattern, re.IGNORECASE)
        self.knowledge_text = " ".join(c.text for c in knowledge.chunks).lower()
        self.brand = knowledge.policy.brand_name.lower()

    def names(self, text: str) -> list[str]:
        """Multi-word names in ``text`` that the knowledge also uses ("Fernhill Promise")."""
        found = []
        for match in CAPITALISED_RUN.finditer(text):
            words = match.group(0).split()
            while words and words[0].lower() in LEADING:
                words.pop(0)
            name = " ".join(words)
            known = name.lower() in self.knowledge_text
            if len(words) >= 2 and name.lower() != self.brand and known:
                found.append(name)
        return list(dict.fromkeys(found))

    def grade(self, case: EvalCase, outcome: Outcome) -> Score | None:
        golden = case.golden_reply
        if not golden or case.routing_only or outcome.body is None:
            return None
        found, _ = extract(FoldedText(golden).text, self.order_id)
        facts = [f for f in found if f.tag != "handle"]
        missing = [
            f"'{f.span}' ({f.kind})"
            for f in Grounding(outcome.body, self.pattern).unsupported(golden)
            if f.kind not in {"promise", "handle"}
        ]
        names = self.names(golden)
        body = outcome.body.lower()
        missing += [f"'{n}' (name)" for n in names if n.lower() not in body]
        total = len(facts) + len(names)
        if total == 0:
            return self.scored(1.0, "the golden reply states no specific facts")
        if not missing:
            return self.scored(1.0, f"all {total} facts of the golden reply are in the draft")
        return self.scored(
            1 - len(missing) / total,
            f"missing {len(missing)} of {total} facts of the golden reply: {_quote(missing)}",
        )


class Length(Grader):
    name = "length"
    description = "the reply fits the channel's length limit"
    defaults = GraderConfig(pass_at=1.0, max_drop=0.0, hard=False)

    def __init__(self, knowledge: Knowledge, config: GraderConfig | None = None) -> None:
        super().__init__(config)
        self.automation = knowledge.policy.automation

    def grade(self, case: EvalCase, outcome: Outcome) -> Score | None:
        if not outcome.reply:
            return None
        limit = self.automation.for_channel(outcome.channel).max_reply_chars
        size = len(outcome.reply)
        verdict = "within" if size <= limit else "over"
        return self.scored(
            float(size <= limit), f"{size} characters, {verdict} {outcome.channel}'s {limit}"
        )


class ForbiddenPhrases(Grader):
    name = "forbidden_phrases"
    description = "no phrase tone.md forbids"
    defaults = GraderConfig(pass_at=1.0, max_drop=0.0, hard=False)

    def __init__(self, knowledge: Knowledge, config: GraderConfig | None = None) -> None:
        super().__init__(config)
        self.phrases = [p for p in knowledge.tone.forbidden_phrases if p]

    def grade(self, case: EvalCase, outcome: Outcome) -> Score | None:
        if not outcome.body:
            return None
        text = outcome.body.lower()
        used = [f"'{p}'" for p in self.phrases if p in text]
        if used:
            return self.scored(0.0, f"uses {_quote(used)}")
        return self.scored(1.0, f"none of the {len(self.phrases)} forbidden phrases")
