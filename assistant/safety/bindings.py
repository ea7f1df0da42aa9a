"""What is said of which named thing. "The Merino Crew Sweater and Organic Cotton Tee fit
true to size, and the Linen Button-Up Shirt and Recycled Fleece Pullover are cut roomy":
every word of "the Merino Crew Sweater is cut roomy" is in that sentence, so word overlap
calls the claim supported, but the knowledge says "cut roomy" of two other products. Each
clause binds its names to its words; a claim clause whose words the knowledge says of other
names, and whose names it says other things of, moved a fact from one product to another."""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache

from assistant.safety.claim_text import content
from assistant.safety.facts import DURATION, values

# A name of two or more capitalised words ("Merino Crew Sweater", "Linen Button-Up Shirt").
NAME = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?(?:\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?)+")
# A determiner opening a sentence is capitalised, but no part of the name.
OPENING = re.compile(r"^(?:The|Our|A|An|Your|This|These|Those|Both|Each|Every)\s+")
# Where a sentence starts saying something of other names.
CLAUSE = re.compile(r",\s*(?:and|but|while|whereas)\s+|;\s*|\s+(?:while|whereas)\s+")
# How many of a claim clause's own words a knowledge clause must say of its names.
BOUND_WORDS = 2


@dataclass(frozen=True)
class Bound:
    text: str
    names: frozenset[str]
    words: frozenset[str]  # the clause's content stems, its names' words left out


# A kind of data a policy keeps for its own period ("message history", "order records",
# "account details"): named in lowercase, bound like a product's name.
DATA_KIND = re.compile(
    r"\b(?:message|order|account|payment|card|contact|chat|purchase)"
    r" (?:history|records?|details|data|information)\b"
)


def _names(text: str) -> frozenset[str]:
    names = (OPENING.sub("", m.group(0)).lower() for m in NAME.finditer(text))
    kinds = (m.group(0) for m in DATA_KIND.finditer(text.lower()))
    return frozenset(n for n in (*names, *kinds) if " " in n)


# A list of kinds of data, each with its own period ("…, order records for as long as …"),
# not one period for several ("message history, order records and account details for …").
DATA_LIST = re.compile(
    r",\s*(?:and\s+)?(?:your\s+|the\s+)?(?=(?:" + DATA_KIND.pattern + r")(?!\s*(?:,|and\b|or\b)))",
    re.IGNORECASE,
)


@lru_cache(maxsize=8192)
def bound(sentence: str) -> tuple[Bound, ...]:
    """The sentence's clauses that name something, each with its own words."""
    out = []
    parts = [p for clause in CLAUSE.split(sentence) for p in DATA_LIST.split(clause)]
    for clause in parts:
        names = _names(clause)
        if names:
            named = content(" ".join(names))
            out.append(Bound(clause, names, content(clause.lower()) - named))
    return tuple(out)


def _names_it(clause: Bound, name: str) -> bool:
    """Whether the clause names it, in full or in part ("Shop Pay" / "Shop Pay Installments")."""
    return any(name in theirs or theirs in name for theirs in clause.names)


def moved_fact(claim: str, knowledge: list[str]) -> tuple[str, str, str] | None:
    """(the name, what the claim says of it, the knowledge clause that says it of others)
    where the claim says of a name what the knowledge says only of other names."""
    theirs = [b for sentence in knowledge for b in bound(sentence)]
    for mine in bound(claim):
        for name in sorted(mine.names):
            own = [b for b in theirs if _names_it(b, name)]
            if not own:
                continue  # a name the knowledge never uses is another check's finding
            said_of_it = max(len(mine.words & b.words) for b in own)
            others = [b for b in theirs if not _names_it(b, name)]
            best = max(others, key=lambda b: len(mine.words & b.words), default=None)
            if best is None:
                continue
            shared = mine.words & best.words
            if len(shared) >= BOUND_WORDS and len(shared) > said_of_it:
                return name, " ".join(sorted(shared)), best.text
    return None


def moved_value(claim: str, knowledge: list[str]) -> tuple[str, str] | None:
    """(the knowledge clause, the other one) where the claim gives a period to what the
    knowledge gives another: "Bags, clothing and home goods are all covered for 2 years"
    beside "Bags are covered for 2 years …, and clothing and home goods … for 1 year". Most
    of the other clause's own words must be in the claim's clause with the period. (An
    amount is left out: "free on orders of $75" and "$6" are a threshold and a price.)"""
    periods = [(part, v) for part in CLAUSE.split(claim) for v in values(part) if v[0] != "money"]
    # A value said without its unit ("and Express 1–2") is a period of its own: not read.
    if re.search(r"\d", DURATION.sub("", claim)):
        return None
    # Each clause with one period ("Bags and home goods are covered for 2 years, and
    # clothing for 1 year").
    for mine, (unit, value) in periods:
        if sum(part == mine for part, _ in periods) == 1:
            moved = _moved_period(content(mine.lower()), unit, value, knowledge)
            if moved is not None:
                return moved
    return None


def _moved_period(
    said: frozenset[str], unit: str, value: Hashable, knowledge: list[str]
) -> tuple[str, str] | None:
    for sentence in knowledge:
        parts = _valued(sentence)
        having = [(p, w) for p, v, w in parts if (unit, value) in v]
        if not having:
            continue
        theirs = frozenset().union(*(w for _, w in having))
        for part, given, words in parts:
            if (unit, value) in given or not any(u == unit for u, _ in given):
                continue
            own = words - theirs
            if own and len(own & said) * 2 >= len(own):
                return having[0][0], part
    return None


@lru_cache(maxsize=8192)
def _valued(
    sentence: str,
) -> tuple[tuple[str, frozenset[tuple[str, Hashable]], frozenset[str]], ...]:
    """Each clause of a knowledge sentence with its values and words: read once, not once
    per claim."""
    return tuple((p, values(p), content(p.lower())) for p in CLAUSE.split(sentence))
