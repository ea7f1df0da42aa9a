"""The verify step: every check a draft must pass before it may be sent without a person.
Each failure is a reason worded for the agent, quoting the offending text."""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.knowledge.loader import Knowledge
from assistant.safety.claim_text import fold
from assistant.safety.claims import check_claims
from assistant.safety.grounding import Grounding
from assistant.safety.named_things import brand_names

SHINGLE = 8  # words in a row that a draft may not share with the assistant's instructions
SEP = r"[\s_.-]*"  # "kill_switch", "kill switch", "kill-switch" and "Kill Switch" alike
LEAK_PHRASES = re.compile(
    r"\b(?:system prompt|my (?:instructions|rules|prompt)|i (?:was|am) (?:told|instructed) to|"
    r"(?:routing )?policy\.yaml|"
    rf"kill{SEP}switch|min(?:imum)?{SEP}confidence|rollout{SEP}percent(?:age)?|"
    rf"auto{SEP}send(?:ing)?|max{SEP}auto{SEP}replies|eval{SEP}sample{SEP}rate|"
    r"(?:routing|escalation|review) (?:rules?|policy|policies)|"
    r"automation is (?:on|off|enabled|disabled))\b"
    # Paraphrased rules: "messages that mention a lawyer ... go to a person".
    r"|\bmessages? (?:that|which|who) (?:mention|contain|talk about|ask about|include|say)\b"
    r".{0,120}?\b(?:go(?:es)?|are|get|gets|is) (?:sent |routed |passed |forwarded |escalated )?"
    r"(?:straight )?to (?:a |an )?(?:person|human|agent|reviewer|review)\b",
    re.IGNORECASE | re.DOTALL,
)


def grounding_context(
    hits: Iterable[str],
    order_facts: str | None,
    grounding: str,
    knowledge: Knowledge,
    handle: str | None,
) -> str:
    """Everything a reply may stand on: the retrieved knowledge, the order record, the
    template it came from, the brand's name and sign-off, and the customer's handle (a
    reply may @-mention the customer it answers). The pipeline's drafts and the agents'
    edits are checked against the same context."""
    brand, sign_off = knowledge.policy.brand_name, knowledge.tone.sign_off
    # Meta gives a username without its "@" ("mira.c"); a reply mentions it as "@mira.c".
    mention = f"@{handle.lstrip('@')}" if handle and handle.strip("@ ") else ""
    return "\n".join([*hits, order_facts or "", grounding, brand, sign_off, mention])


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[^\W_]+", text.lower())  # kill_switch and kill switch alike
    return {tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


class Verifier:
    """Built once per pipeline: the instructions' shingles and the brand's names are
    indexed up front."""

    def __init__(self, knowledge: Knowledge, instructions: list[str]) -> None:
        self.policy = knowledge.policy
        self.tone = knowledge.tone
        # Every answer's and policy's names, and every order's items: the customer's product
        # is the brand's, though the answer retrieved for the question may not name it.
        texts = [c.text for c in knowledge.chunks] + [i for o in knowledge.orders for i in o.items]
        # The policies' own titles too: a reply may cite "our Privacy Policy" by name.
        titles = {c.title.partition(":")[0] for c in knowledge.chunks if c.kind == "policy"}
        self.names = brand_names(texts) | {fold(t) for t in titles}
        self._secret = set().union(*(_shingles(t) for t in instructions)) if instructions else set()

    def problems(self, draft: str, context: str, channel: str, max_chars: int) -> list[str]:
        found = [
            f"unsupported {f.kind}: '{f.span}' is not in the knowledge or order record"
            for f in Grounding(context, self.policy.order_id_pattern).unsupported(draft)
        ]
        found.extend(f.reason() for f in check_claims(draft, context, self.names))
        full_length = len(self.policy.disclosure) + 1 + len(draft.strip())
        if full_length > max_chars:
            found.append(f"reply is {full_length} characters; {channel} allows {max_chars}")
        lowered = draft.lower()
        found.extend(
            f"uses a forbidden phrase from tone.md: '{p}'"
            for p in self.tone.forbidden_phrases
            if p and p in lowered
        )
        leak = LEAK_PHRASES.search(draft)
        if leak:
            found.append(f"talks about the assistant's instructions: '{leak.group(0)}'")
        elif shared := _shingles(draft) & self._secret:
            found.append(f"repeats the assistant's instructions: '{' '.join(next(iter(shared)))}'")
        return found
