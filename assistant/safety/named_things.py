"""Names a draft gives that the knowledge gives otherwise, or never: a product's name with
a word of another one ("Organic *Linen* Trousers"), a team the knowledge never names ("our
*billing* team"), what a thing is made from ("recycled *fishing nets*"). Entity readings of
the claim check (``claim_names.entity_finding``)."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.safety.bindings import NAME, OPENING
from assistant.safety.claim_text import (
    ClaimContext,
    ClaimFinding,
    Sentence,
    content,
    denied_at,
    fold,
    has,
)

# Capitalised words in a row: a name ("Waxed Canvas Backpack"), or a sentence's first words.
TITLED_RUN = re.compile(r"\b[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)+")


def in_known_name(term: str, text: str, ctx: ClaimContext) -> bool:
    """The term is a word of a run of capitalised words ("Waxed Canvas Backpack") that the
    knowledge writes too: a name, not a claim about what it is made of."""
    return any(
        has(fold(run.group(0)), term) and has(ctx.folded, fold(run.group(0)).strip())
        for run in TITLED_RUN.finditer(text)
    )


def brand_names(texts: list[str]) -> frozenset[str]:
    """The names of two or more words the brand's texts write ("Waxed Canvas Weekender"),
    lowercase: what it sells, and what it calls its own things."""
    return frozenset(
        fold(OPENING.sub("", found.group(0))) for text in texts for found in NAME.finditer(text)
    )


def in_brand_name(term: str, text: str, ctx: ClaimContext) -> bool:
    """The term is a word of one of the brand's names that the text writes: "merino" in
    "your Merino Crew Sweater" names the product, it says nothing of what it is made of."""
    for run in TITLED_RUN.finditer(text):
        # A run may hold more than the name ("Fernhill Waxed Canvas Weekender"): each part of
        # two or more words is looked up, so a catalogue of any size costs a few lookups.
        words = fold(run.group(0)).split()
        for start in range(len(words) - 1):
            for end in range(start + 2, len(words) + 1):
                name = " ".join(words[start:end])
                if name in ctx.names and has(name, term):
                    return True
    return False


def in_titled_run(term: str, text: str) -> bool:
    return any(has(fold(run.group(0)), term) for run in TITLED_RUN.finditer(text))


# What something is made from: "fleece made from recycled *fishing nets*".
MADE_FROM = re.compile(
    r"\b(?:made|spun|crafted|woven|knitted|sewn) (?:from|of|out of|with|using) "
    r"((?:(?!and\b|or\b|in\b|at\b|by\b|so\b|that\b|which\b|from\b|spun\b|made\b)"
    r"[a-z'-]+\s?){1,4})"
)


def unknown_source(
    claim: Sentence, closest: Sentence | None, ctx: ClaimContext
) -> ClaimFinding | None:
    """What a thing is made from, in words the knowledge never uses (most of them)."""
    for made in MADE_FROM.finditer(claim.folded):
        if denied_at(claim.folded, made.start()):
            continue  # "isn't made from new polyester": what it is not made of
        said = content(made.group(1))
        unknown = {w for w in said if not ctx.knows(w)}
        # One word the knowledge never uses names another thing ("recycled cotton offcuts").
        if unknown:
            detail = (
                f"says it is made from '{made.group(1).strip()}', which the knowledge never names"
            )
            return ClaimFinding.entity(claim, closest, detail)
    return None


# "someone on our *billing* team" where the knowledge's people are "our customer care team".
TEAM = re.compile(r"\b(?:our|the|a|your) (?:[a-z]+ )?([a-z]+) (?:team|department|desk)\b")
# Words any brand's people may be called by, whatever its knowledge says.
ANY_TEAM = frozenset(
    {"support", "service", "customer", "customers", "care", "help", "friendly", "whole", "own"}
    | {"small", "dedicated", "lovely", "helpful", "entire", "wonderful", "amazing", "great"}
    | {"same", "right"}
)


def unknown_team(
    claim: Sentence, closest: Sentence | None, ctx: ClaimContext
) -> ClaimFinding | None:
    """A team or department by a name the knowledge never gives one."""
    for team in TEAM.finditer(claim.folded):
        name = team.group(0).split(maxsplit=1)[1]
        if team.group(1) in ANY_TEAM or has(ctx.folded, f"{team.group(1)} team"):
            continue
        return ClaimFinding.entity(claim, closest, f"the '{name}' is not in the knowledge")
    return None


def swapped_name(
    claim: Sentence, closest: Sentence | None, ctx: ClaimContext
) -> ClaimFinding | None:
    """A product's name with a word no name of that kind in the knowledge has: "Organic
    *Linen* Trousers" where the knowledge's trousers are the Organic Twill Trousers. A name
    shortened ("the Twill Trousers") uses only the words of one of them."""
    known = _names_by_head(tuple(s.text for s in ctx.sentences))
    for found in NAME.finditer(claim.text):
        words = OPENING.sub("", found.group(0)).lower().split()
        theirs = known.get(words[-1], []) if len(words) >= 2 else []
        if (
            theirs
            and not claim.text[: found.start()].strip()
            and words[0] not in set().union(*theirs)
        ):
            words = words[1:]  # capitalised as the sentence's first word: "Pick Shop Pay …"
        if not theirs or any(set(words) <= name for name in theirs):
            continue
        if set(words) - frozenset().union(*theirs):
            said = OPENING.sub("", found.group(0))
            like = max(theirs, key=lambda name: len(name & set(words)))
            detail = f"says '{said}' where the knowledge names '{_named(like, ctx)}'"
            return ClaimFinding.entity(claim, closest, detail)
    return None


@lru_cache(maxsize=64)
def _names_by_head(texts: tuple[str, ...]) -> dict[str, list[frozenset[str]]]:
    """The knowledge's names of two or more words, by their last word ("trousers")."""
    out: dict[str, list[frozenset[str]]] = {}
    for text in texts:
        for found in NAME.finditer(text):
            words = OPENING.sub("", found.group(0)).lower().split()
            if len(words) >= 2 and frozenset(words) not in out.get(words[-1], []):
                out.setdefault(words[-1], []).append(frozenset(words))
    return out


def _named(name: frozenset[str], ctx: ClaimContext) -> str:
    """The name as the knowledge writes it (its words are a set)."""
    for sentence in ctx.sentences:
        for found in NAME.finditer(sentence.text):
            said = OPENING.sub("", found.group(0))
            if frozenset(said.lower().split()) == name:
                return said
    return " ".join(sorted(name))
