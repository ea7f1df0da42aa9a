"""An agent's edit goes through the same guard as the pipeline's drafts before it is
sent: every price, code, date or promise must stand on the item's sources, order record or
the brand's templates. The console shows what does not as a warning next to Approve; a
person decides (it never blocks: the agent may know something the knowledge does not)."""

from __future__ import annotations

from assistant.knowledge.answered import hit_text
from assistant.knowledge.disclosure import policy_text
from assistant.knowledge.loader import Knowledge
from assistant.pipeline.model_drafter import SYSTEM
from assistant.review.models import ReviewItem
from assistant.safety.facts import Fact
from assistant.safety.grounding import Grounding
from assistant.safety.verify import Verifier, grounding_context
from assistant.workspace.macros import unfilled_tokens


def edit_context(knowledge: Knowledge, item: ReviewItem) -> str:
    """What an agent's reply may stand on: the item's retrieved sources and order facts,
    and every template (an agent may insert any of them)."""
    hits = [
        hit_text(str(s.get("id") or ""), str(s.get("title") or ""), str(s.get("text") or ""))
        for s in item.sources
    ]
    templates = "\n".join(t.body for t in knowledge.templates)
    return grounding_context(hits, item.order_facts, templates, knowledge, item.author_handle)


# What an edit may not send unseen: the kinds that commit the brand to money, a code or a date.
HELD_KINDS = frozenset({"amount", "percentage", "code or tracking number", "date", "promise"})


def held_facts(knowledge: Knowledge, item: ReviewItem, text: str) -> list[Fact]:
    """A new price, code, date or promise in ``text`` that the sources do not back: the
    console sends such an edit only once the agent has seen them."""
    grounding = Grounding(edit_context(knowledge, item), knowledge.policy.order_id_pattern)
    return [f for f in grounding.unsupported(text) if f.kind in HELD_KINDS]


def edit_verifier(knowledge: Knowledge) -> Verifier:
    """The pipeline's verifier for this knowledge (build once, check many edits)."""
    return Verifier(knowledge, [SYSTEM, policy_text(knowledge)])


def edit_warnings(
    knowledge: Knowledge,
    item: ReviewItem,
    text: str,
    max_chars: int,
    verifier: Verifier | None = None,
) -> list[str]:
    """What the guard finds wrong with ``text`` as this item's reply, worded for the agent."""
    verifier = verifier or edit_verifier(knowledge)
    found = verifier.problems(text, edit_context(knowledge, item), item.channel, max_chars)
    found += [f"template token not filled: '{{{t}}}'" for t in unfilled_tokens(text)]
    return found
