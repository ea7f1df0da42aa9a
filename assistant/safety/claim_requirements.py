"""Requirements a claim adds to a deed: a case it makes the deed wait for ("as long as you
still have the original packaging", said of a damaged item; "it's only available on orders
shipping within the US", said of gift wrapping) and a place it limits the deed to in a
clause of its own ("exchanges are free (for orders shipped within the US)"), where no
knowledge about that deed says them, and a limit on doing the deed again ("as long as you
haven't already exchanged it before"). claim_conditions.py runs these first."""

from __future__ import annotations

import re

from assistant.safety.claim_terms import ENTITY, ENTITY_KIND
from assistant.safety.claim_text import (
    ClaimContext,
    ClaimFinding,
    ClaimKind,
    Sentence,
    clauses_of,
    content,
    fold,
    has,
    unit,
)
from assistant.safety.qualifiers import RESTRICTION, Facet
from assistant.safety.stems import alike, base

# What every condition on a shop's goods names: the words that say which case it is are others.
THINGS = frozenset({"item", "order", "product", "piec", "purchas"})
# How many of the knowledge sentences nearest a claim are read for when its deed may be done
# (besides the closest and the sentences beside it).
TIMED = 3


# A requirement the claim adds to its deed: "as long as you still have the original
# packaging", "it's only available on orders shipping within the US".
# A case may be a list: "as long as it's unworn, unwashed, tags on, and you've still got
# the packing slip" (short items, the last after "and" or "or").
CASE_ITEM = r"(?:[^\s,;.!?]+ ?){1,6}"
REQUIRED = re.compile(
    r"\b(?:as long as|so long as|provided(?: that)?|only if|on condition that"
    r"|(?P<only>only (?:available|offered|possible|sold|made))"
    r" (?:on|for|to|in|within|with|when|if))\b"
    rf"(?P<case> ?{CASE_ITEM}(?:,\s*{CASE_ITEM})+,?\s+(?:and|or)\s+{CASE_ITEM}(?=[,;.!?]|$)"
    r"|[^,;.!?]+)"
)


LISTED = re.compile(r",\s*(?:and |or )?|\s+(?:and|or)\s+")


def required_finding(claim: Sentence, ctx: ClaimContext, said: str = "") -> ClaimFinding | None:
    """The claim makes its deed wait for a case that no knowledge about that deed names: a
    condition moved from another deed ("original packaging" of a return, said of a damaged
    item) or one of the drafter's own. The deed is the claim's other words, or those of
    ``said`` (the claim with what it refers back to: "It's only available on …")."""
    for m in REQUIRED.finditer(claim.folded):
        case = _case_words(m["case"], ctx)
        if not case:
            if m["only"] and (limited := _limited_to_product(claim, m, ctx)) is not None:
                return limited
            continue
        what = f"'{m.group(0).strip()}'"
        rest = unit(claim.folded[: m.start()] + claim.folded[m.end() :])
        if len(rest.words) < 3 and said:
            rest = unit(fold(said).replace(m.group(0), " "))
        if len(rest.words) >= 3:
            # Half the case (two words of a longer one) said by the knowledge about the deed
            # or by the knowledge the whole claim is closest to ("as long as it's unworn and
            # unwashed", said of a return).
            about = [*ctx.around(rest, TIMED), *ctx.around(claim, TIMED)]
            # A list of cases is read item by item: "as long as it's unworn, tags on, and
            # you've still got the packing slip" adds the packing slip.
            items = [(i, w) for i in LISTED.split(m["case"]) if (w := _case_words(i, ctx))]
            options = content(" ".join(OPTION.findall(claim.text)).lower())
            unsaid = [
                i
                for i, w in items
                if not _names(w, _about(w, options, about, rest), min(2, len(w)))
            ]
            if not unsaid and (again := _repeat_limit(m["case"], case, rest, ctx.facts)):
                unsaid = [again]
            if not about or not unsaid:
                continue
            quote = about[0]
            if len(items) > 1:
                what = f"'{m.group(0).strip()}' ('{unsaid[0].strip()}')"
        else:
            # A deed not named in the claim, nor yet in what it refers back to, is any of
            # the knowledge's: the case is the claim's own when no sentence says most of it.
            if not ctx.facts or _names(case, ctx.facts, 1, most=True):
                continue
            quote = ctx.closest(claim, ctx.facts)[0] or ctx.facts[0]
        return ClaimFinding(
            ClaimKind.condition,
            claim.text,
            quote.text,
            f"adds the condition {what}, which the knowledge about it never states",
        )
    return None


PLACED = RESTRICTION[Facet.place]
# "in US dollars" names a currency, not a place.
CURRENCY = re.compile(r"\bus dollars?\b|\busd\b")
# Words any place's scope is said with: they do not say which deed it is.
PLACE_WORDS = frozenset(
    {"within", "inside", "outside", "order", "ship", "shipp", "deliver", "only", "availabl"}
    | {"though", "but", "however"}
)
# A clause with at most this many other words is a place's scope, not a deed of its own.
SCOPE_WORDS = 2


# A place said otherwise than as a scope: "a card from another country", "we ship to Canada".
ELSEWHERE = re.compile(
    r"\b(?:another country|other countries|abroad|overseas|international(?:ly)?|worldwide)\b"
)


def _names_a_place(folded: str) -> bool:
    folded = CURRENCY.sub(" ", folded)
    if PLACED.search(folded) or ELSEWHERE.search(folded):
        return True
    return any(ENTITY_KIND.get(term) == "place" for term in ENTITY.findall(folded))


def placed_finding(claim: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    """The claim limits a deed to a place in a clause of its own ("exchanges are free (for
    orders shipped within the US)") where no knowledge sentence about that deed (two of the
    claim's other words) names a place. A place said inside the deed's own clause ("free
    Standard shipping within the US") may be a policy section's title, which the knowledge
    read here does not carry."""
    folded = CURRENCY.sub(" ", claim.folded)
    m = PLACED.search(folded)
    if m is None:
        return None
    placed = next((c for c in clauses_of(claim) if m.group(0) in c.folded), claim)
    if placed is claim or len(_deed_words(placed.folded.replace(m.group(0), " "))) > SCOPE_WORDS:
        return None
    deed = _deed_words(folded[: m.start()] + folded[m.end() :])
    about = [s for s in ctx.facts if len(s.words & deed) >= 2]
    if not about or any(_names_a_place(s.folded) for s in about):
        return None
    closest = ctx.closest(claim, about)[0] or about[0]
    return ClaimFinding(
        ClaimKind.condition,
        claim.text,
        closest.text,
        f"limits it to '{m.group(0)}', where the knowledge about it names no place",
    )


def _deed_words(folded: str) -> set[str]:
    words = content(folded)
    return {
        w for w in words if "'" not in w and w not in PLACE_WORDS and base(w) not in PLACE_WORDS
    }


# An option named in a case: "as long as it was sent with Express", "paid with PayPal".
OPTION = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+")


def _about(
    case: frozenset[str], options: frozenset[str], about: list[Sentence], deed: Sentence
) -> list[Sentence]:
    """The sentences that may say the case: for a case naming an option (a capitalised
    word of the claim), only those about the deed too (a word of it): "order … with
    Express" of the holiday cut-off does not make a lost parcel's refund wait for Express."""
    if not case & options:
        return about
    return [s for s in about if any(_told(w, s.words) for w in deed.words - THINGS)]


# A case that limits how often a deed may be done: "as long as you haven't already
# exchanged that item once before", "provided it hasn't been repaired previously".
REPEAT = re.compile(
    r"\b(?:already|again|previously|(?:more than|only) once|twice|once before|before$)"
)


def _repeat_limit(
    case: str, words: frozenset[str], deed: Sentence, facts: list[Sentence]
) -> str | None:
    """The case, when it is the deed itself done before (its telling words are the deed's)
    and no knowledge sentence saying that deed limits how often it may be done."""
    case = case.strip()
    if not REPEAT.search(case) or not all(_told(w, deed.words) for w in words):
        return None
    if any(REPEAT.search(s.folded) and all(_told(w, s.words) for w in words) for s in facts):
        return None
    return case


# Words of a case that do not say which case it is: "as long as you *still* have …".
UNTELLING = frozenset({"still", "first", "already", "yet", "ever", "just", "also"})


def _limited_to_product(
    claim: Sentence, m: re.Match[str], ctx: ClaimContext
) -> ClaimFinding | None:
    """The claim limits its deed to one of the brand's products ("XXL is only offered in the
    Recycled Fleece Pullover"), where no knowledge sentence that names the product says the
    deed (a word of the claim's own comma-part) of it."""
    product = _named(m["case"], ctx)
    start = max(claim.folded.rfind(mark, 0, m.start()) for mark in ",;:")
    deed = content(claim.folded[start + 1 : m.start()]) - THINGS - UNTELLING - product
    if not product or not deed:
        return None
    if any(product <= s.words and any(_told(w, s.words) for w in deed) for s in ctx.facts):
        return None
    quote = next((s for s in ctx.facts if product <= s.words), None) or ctx.closest(claim)[0]
    return ClaimFinding(
        ClaimKind.condition,
        claim.text,
        quote.text if quote else "",
        f"limits it to '{m['case'].strip()}', which the knowledge never says it of",
    )


def _case_words(case: str, ctx: ClaimContext) -> frozenset[str]:
    """The words that say which case it is: not the things every condition names, nor the
    product it is said of ("as long as the Merino Crew Sweater …"), nor "you've"."""
    untelling = UNTELLING | _named(case, ctx)
    return frozenset(w for w in content(case) - THINGS if "'" not in w and w not in untelling)


def _named(text: str, ctx: ClaimContext) -> frozenset[str]:
    """The words of the brand's names (its products) the text says."""
    return frozenset(w for name in ctx.names if has(text, name) for w in content(name))


def _names(case: frozenset[str], among: list[Sentence], least: int, most: bool = False) -> bool:
    """Whether a sentence says half the case's words (more than half: ``most``), and at
    least ``least`` of them."""
    for s in among:
        said = sum(_told(w, s.words) for w in case)
        if said >= least and 2 * said >= len(case) + most:
            return True
    return False


def _told(word: str, words: frozenset[str]) -> bool:
    """The word, in some form, among a sentence's ("opted" / "opt", "shipped" / "ships")."""
    root = base(word)
    root = root[:-1] if len(root) > 3 and root[-1] == root[-2] else root
    return any(alike(word, w) or base(w) == root for w in words)
