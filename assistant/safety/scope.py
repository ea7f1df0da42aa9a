"""Scope a claim adds in so many words: "including holidays", "Final Sale included",
"that still applies if it arrives faulty",
"for customers in Canada too", "even if the tags have been removed", "even after it has
left our warehouse". Whatever the words, what the claim extends its statement to has to be
said by the knowledge sentence it rests on: an extension the closest sentence does not
state is a condition the draft widened. No list of places, days or items is needed, and a
faithful paraphrase that repeats the knowledge's own extension ("sales tax included" beside
"including any sales tax") passes, because the words are there."""

from __future__ import annotations

import re
from functools import lru_cache

# What follows these is the extension ("including holidays", "even if the tags …").
AFTER = re.compile(
    r"\b(?:including|even (?:if|when|after|once|though|for|on|in|with|without)"
    r"|(?:that|this|it) (?:still |also )?applies (?:even )?(?:if|when|to))\s+"
    r"(?P<scope>[^,.;:!?()\u2014]+)"
)
# What comes before these is ("Final Sale included", "in Canada too", "on holidays as well").
BEFORE = re.compile(
    r"(?P<scope>[^,.;:!?()\u2014]+?)\s+(?:included|too|as well)(?=\s*(?:[,.;:!?)\u2014]|$))"
)
# At most this many words before the marker name what is added ("for customers in Canada").
SCOPE_WORDS = 3
# "A gift card works too": the verb says the subject is added, so the subject is the scope.
ADDED_BY_VERB = frozenset({"work", "works", "apply", "applies", "count", "counts", "qualifies"})


@lru_cache(maxsize=4096)
def extensions(folded: str) -> tuple[str, ...]:
    """The extensions a claim states, each as its words (folded, in order)."""
    found = [m["scope"].strip() for m in AFTER.finditer(folded)]
    for m in BEFORE.finditer(folded):
        words = m["scope"].split()
        if words and words[-1] in ADDED_BY_VERB:
            words = words[:-1]
        found.append(" ".join(words[-SCOPE_WORDS:]))
    return tuple(f for f in found if f)


# "any state", "every customer", "all our products": a quantifier and the noun it ranges
# over (a possessive or "of" between them skipped). "Any time before it ships" carries its
# own limit: it says no more than "before it ships".
QUANTIFIED = re.compile(
    # "… and Japan are all covered": "all" after what it counts and its verb.
    r"\b(any|every|(?<!are )(?<!were )(?<!'re )(?<!they )all|each|whichever|whatever)\s+"
    r"(?:of\s+)?(?:(?:our|your|the|their)\s+)?"
    # "Canada, Mexico … and Japan all go via DHL": "all" after what it counts, before a verb.
    r"(?!(?:go|goes|come|comes|ship|arrive|get|gets|have|has|are|take|work|use)\b)"
    r"([a-z][a-z'-]+)\b"
    r"(?!\s+(?:before|until|till|within|up to|prior to)\b)"
    # "Everyone who's placed an order receives our marketing emails."
    r"|\b(everyone|everybody)\b"
)
QUANTIFIER = re.compile(r"\b(?:any|every|all|each|whatever|whichever|everyone|everything)\b")


@lru_cache(maxsize=4096)
def quantified(folded: str) -> tuple[tuple[str, str], ...]:
    """(the phrase, the noun) for each quantifier of the claim: "any state" -> state."""
    return tuple((m.group(0), m.group(2) or m.group(3)) for m in QUANTIFIED.finditer(folded))


# "whether you pick Standard or Express", "whether you're in the US or overseas": the claim
# says it holds for each side. A side is told by its own words, not the ones it opens with.
# A dot inside an address ("fernhillgoods.example") ends no side.
ALTERNATIVES = re.compile(
    r"\bwhether (?P<a>(?:[^,;:.!?]|\.(?=\w))+?) or (?!not\b)(?P<b>(?:[^,;:.!?]|\.(?=\w))+)"
)
# "to people who've opted in or who've ordered from us before": a condition with a second
# case beside it.
EITHER_CASE = re.compile(
    r"\b(?:who|if you|if they)(?:'ve| have)? (?P<a>[^,;:.!?]+?) or "
    r"(?:who|if you|if they)(?:'ve| have)? (?P<b>[^,;:.!?]+)"
)
OPENING = frozenset(
    {"you", "you're", "your", "it", "it's", "they", "they're", "we", "a", "an", "the"}
    | {"in", "at", "on", "from", "for", "with", "by", "to", "of", "is", "are", "was", "were"}
    | {"pick", "choose", "go", "want", "need", "like", "would", "you'd", "get", "have"}
)


@lru_cache(maxsize=4096)
def alternatives(folded: str) -> tuple[tuple[str, tuple[frozenset[str], frozenset[str]]], ...]:
    """(the phrase, the words only each side has) for each "whether … or …" of the claim,
    and each case with a second one beside it ("who … or who …")."""
    found = []
    for m in [*ALTERNATIVES.finditer(folded), *EITHER_CASE.finditer(folded)]:
        a, b = (frozenset(re.findall(r"[a-z']+", m[side])) - OPENING for side in "ab")
        if a - b and b - a:
            found.append((m.group(0), (a - b, b - a)))
    return tuple(found)


# "before you pay" / "after you pay": the same event on the other side in time.
ORDER_IN_TIME = re.compile(
    r"\b(before|until|till|prior to|after|once|following|as soon as)\s+"
    r"((?:[a-z][a-z'-]*\s*){1,6})"
)
# The words that say which event: "before you pay". Up to six name the step of the order's
# life it is ("as soon as the carrier scans your return": ``qualifiers.stage``).
EVENT_WORDS = 4
SIDE = {"before": "before", "until": "before", "till": "before", "prior to": "before"}


@lru_cache(maxsize=4096)
def sides_in_time(folded: str) -> tuple[tuple[str, str, str, str], ...]:
    """(side, the words as said, the event's words, the longer phrase that names its step)
    for each "before/after X" of a text."""
    found = []
    for m in ORDER_IN_TIME.finditer(folded):
        side = SIDE.get(m.group(1), "after")
        words = m.group(2).split()
        event = " ".join(words[:EVENT_WORDS])
        found.append((side, f"{m.group(1)} {event}", event, " ".join(words)))
    return tuple(found)


# "We only send marketing messages if you've opted in", "and, if you opt in, send you our
# newsletter": what is done, and the condition that gates it. A claim that says the same
# deed must say its condition (or a word near in meaning): "once you've placed an order,
# we'll add you to our newsletter" swapped the consent for a purchase.
ONLY_IF = re.compile(
    r"\bonly (?P<what>[a-z][^,;:.!?]*?) (?:if|when|once|after) (?P<gate>[^,;:.!?]+)"
)
IF_THEN = re.compile(r"\bif (?P<gate>[^,;:.!?]+), (?P<what>[^,;:.!?]+)")
# "Original shipping charges are refunded only when an item arrived damaged": the deed
# first, then its condition.
DEED_ONLY_IF = re.compile(
    r"(?:^|[,;:] )(?P<what>[a-z][^,;:.!?]*?) only (?:if|when|once) (?P<gate>[^,;:.!?]+)"
)


def gated(folded: str) -> tuple[tuple[str, str], ...]:
    """(what is done, the condition) for each deed the text gates by a condition."""
    found = [(m["what"], m["gate"]) for m in ONLY_IF.finditer(folded)]
    found += [(m["what"], m["gate"]) for m in IF_THEN.finditer(folded)]
    found += [(m["what"], m["gate"]) for m in DEED_ONLY_IF.finditer(folded)]
    return tuple(found)
