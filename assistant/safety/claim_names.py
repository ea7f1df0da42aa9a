"""Names and terms in a claim: a place, carrier, payment method, material or channel the
knowledge never names or names differently, a means it never mentions ("by fax"), a name it
never uses, a swapped modifier ("bank card" / "gift card"), and a policy term of an
exclusive group swapped for another ("refunds go to a gift card")."""

from __future__ import annotations

import calendar
import re
from dataclasses import replace
from functools import lru_cache

from assistant.safety.claim_terms import ENTITY, ENTITY_KIND, EXCLUSIVE, STOP
from assistant.safety.claim_text import (
    BACKING,
    ClaimContext,
    ClaimFinding,
    ClaimKind,
    Sentence,
    clauses_of,
    content,
    denied,
    fold,
    has,
    term_view,
    text_of,
    unit,
)
from assistant.safety.facts import values
from assistant.safety.modifiers import swapped_modifier
from assistant.safety.named_things import (
    in_brand_name,
    in_known_name,
    in_titled_run,
    swapped_name,
    unknown_source,
    unknown_team,
)
from assistant.safety.qualifiers import compatible, own_scope
from assistant.safety.stems import alike, stem
from assistant.safety.word_sense import closest_sense

# Month and day names are dates: grounding.py compares those with the order record.
CALENDAR = frozenset(n.lower() for n in [*calendar.month_name, *calendar.day_name] if n)
# A capitalised word inside a sentence names something (a carrier, a place, a material's
# origin, a service): whatever it is, the knowledge has to name it too. ("I" is no name,
# and a name after a greeting or a thank-you is the customer's: "Hi Marcus,".)
PROPER_NAME = re.compile(
    r"(?<!(?i:\bhi ))(?<!(?i:\bhey ))(?<!(?i:\bdear ))(?<!(?i:\bhello ))"
    r"(?<!(?i:\bthanks ))(?<!(?i:\byou ))(?<=[a-z0-9,]\s)(?!I\b)[A-Z][A-Za-z]+"
)
# The kinds of document a reply cites the brand's knowledge by ("as our FAQ puts it").
DOCUMENT_KINDS = frozenset({"policy", "policies", "faq", "faqs"})
# Chat's capitalised shorthands name nothing ("let us know ASAP!", "FYI, …").
SHORTHANDS = frozenset({"ASAP", "FYI", "BTW", "PS", "TBH", "OK", "OMG", "LOL", "IMO", "PLS", "THX"})
# A size said in full where a size chart gives its letters.
SIZE_LETTERS = {"small": "s", "medium": "m", "large": "l"}
# The means by which something is done ("by fax", "via Discord", "using a drone"): a means
# the knowledge never mentions is as unsupported as a carrier it never names.
# "by" before a time says when, not how.
WHEN = CALENDAR | {"today", "tomorrow", "tonight", "noon", "midnight", "end", "morning", "evening"}
# A means this near in meaning to a word of the closest sentence says it in other words
# ("phone" ~ "call" 0.58; "fax" ~ "email" 0.38, "text" ~ "message" 0.38).
SAME_MEANS = 0.55
# Content words a sentence shares with a claim's clause before it is about the same thing.
RELATED = 2
# Where a sentence turns to other things ("…, while merino and alpaca should be hand washed").
CONTRAST = re.compile(r"[;.]|,?\s*\b(?:while|whereas|but|although|though|unlike)\b")
# Words after "by" that make an idiom, not a means.
NOT_MEANS = frozenset({"design", "far", "nature", "way", "chance", "accident", "mistake", "heart"})
OVER_A_TIME = frozenset(
    {"time", "years", "months", "weeks", "days", "weekend", "holidays", "night", "summer"}
)
GUIDED = frozenset({"process", "steps", "step", "details", "options"})
# Who a deed is done by, after a word that describes them ("by a real person").
PEOPLE = frozenset({"person", "people", "human", "humans", "member", "members"})
MEANS = re.compile(
    r"\b(?:by|via|through|using|over)\s+(?:(?:a|an|the|your|our|their)\s+)?([a-z][a-z-]+)"
)


def entity_finding(
    claim: Sentence, closest: Sentence | None, ctx: ClaimContext
) -> ClaimFinding | None:
    """A named thing, modifier, means or name of the claim the knowledge does not back."""
    checks = (
        _swapped_entity,
        _swapped_phrase,
        _unknown_entity,
        _unknown_means,
        _unknown_name,
        unknown_team,
        swapped_name,
        unknown_source,
    )
    for check in checks:
        found = check(claim, closest, ctx)
        if found is not None:
            return found
    # A clause of its own names its own thing: "Standard goes with USPS or UPS …, while
    # Express travels with DHL and gets there in 1–2 business days" is two claims.
    for clause in clauses_of(claim):
        if clause is not claim and ENTITY.search(clause.folded):
            found = _swapped_entity(clause, ctx.closest(clause)[0], ctx)
            if found is not None:
                return replace(found, claim=claim.text)
    return None


def name_finding(
    claim: Sentence, closest: Sentence | None, ctx: ClaimContext
) -> ClaimFinding | None:
    """A name the knowledge does not back, alone: what even a sentence of sympathy may get
    wrong ("I'm so sorry the zipper gave out on your Alpaca Travel Duffel")."""
    return _unknown_name(claim, closest, ctx) or swapped_name(claim, closest, ctx)


def _swapped_entity(
    claim: Sentence, closest: Sentence | None, ctx: ClaimContext
) -> ClaimFinding | None:
    """A place, carrier, … the knowledge names, where the sentence about this names another."""
    mine = ENTITY.findall(claim.folded)
    for name in mine:
        kind = ENTITY_KIND[name]
        # The closest sentence that names something of this kind says which one it is.
        naming = [
            (s, [t for t in ENTITY.findall(s.folded) if ENTITY_KIND[t] == kind])
            for s in ctx.aligned(claim, ctx.sentences)
        ]
        # One whose figures are not the claim's is about something else: "Express … in 1–2
        # business days" is the FedEx sentence's, not DHL Express's (6–10).
        agreeing = [(s, ts) for s, ts in naming if _values_agree(claim.text, s.text)]
        said, theirs = next(((s, ts) for s, ts in agreeing or naming if ts), (closest, []))
        if name in theirs or _listed_as_written(claim, kind, ctx):
            continue  # named among others there: "cotton and linen" of "cotton, linen and fleece"
        swapped = [t for t in theirs if t not in mine]
        named = in_known_name(name, claim.text, ctx) or in_brand_name(name, claim.text, ctx)
        if named and said is not None:
            # Part of a product's name the knowledge uses ("the Waxed Canvas Backpack"): only
            # a bare rival is swapped, not one in another name ("Recycled Fleece Pullover").
            swapped = [t for t in swapped if not in_titled_run(t, said.text)]
        # Or added to the knowledge's own list: "cotton, linen, fleece and merino can all go
        # in a cold wash" where it says that of cotton, linen and fleece, and otherwise of merino.
        added = len(theirs) >= 2 and any(
            name in listed and set(theirs) <= set(listed)
            for listed in (ENTITY.findall(part) for part in CONTRAST.split(claim.folded))
        )
        if name not in ctx.entities or not (swapped or added):
            continue
        if not backed(claim, ctx, [name], named=True):
            detail = (
                f"says '{name}' where the knowledge says '{swapped[0]}'"
                if swapped
                else f"adds '{name}' to what the knowledge says of '{', '.join(theirs)}'"
            )
            return ClaimFinding(
                ClaimKind.entity, claim.text, said.text if said else text_of(closest), detail
            )
    return None


def _listed_as_written(claim: Sentence, kind: str, ctx: ClaimContext) -> bool:
    """A sentence that refers back ("They're made from organic cotton canvas, waxed canvas
    and natural cork") whose own words align with a knowledge sentence naming every one of
    its things of that kind: the words it borrowed had aligned it with another."""
    if not claim.inherited:
        return False
    mine = {t for t in ENTITY.findall(claim.folded) if ENTITY_KIND[t] == kind}
    own = unit(claim.text)
    return any(mine <= set(ENTITY.findall(s.folded)) for s in ctx.aligned(own, ctx.sentences))


def _swapped_phrase(
    claim: Sentence, closest: Sentence | None, ctx: ClaimContext
) -> ClaimFinding | None:
    if closest is None:
        return None
    near_words = frozenset().union(*(s.words for s in ctx.aligned(claim, ctx.sentences)))
    swap = swapped_modifier(claim.folded, closest.folded, near_words | closest.words)
    if swap is None:
        return None
    detail = f"says '{swap[0]}' where the knowledge says '{swap[1]}'"
    return ClaimFinding(ClaimKind.entity, claim.text, closest.text, detail)


def _unknown_entity(
    claim: Sentence, closest: Sentence | None, ctx: ClaimContext
) -> ClaimFinding | None:
    unnamed = [
        name
        for name in ENTITY.findall(claim.folded)
        if name not in ctx.entities
        and not (name == "app" and "application" in ctx.folded)
        and not (ENTITY_KIND[name] == "material" and in_brand_name(name, claim.text, ctx))
        # "our fleece isn't made from new polyester": a denied thing is not claimed.
        and not denied(claim.folded, name)
    ]
    if not unnamed:
        return None
    detail = f"the {ENTITY_KIND[unnamed[0]]} '{unnamed[0]}' is not in the knowledge"
    return ClaimFinding.entity(claim, closest, detail)


def _unknown_means(
    claim: Sentence, closest: Sentence | None, ctx: ClaimContext
) -> ClaimFinding | None:
    for means in MEANS.finditer(claim.folded):
        word, preceding = means.group(1), claim.folded[: means.start()].split()[-1:]
        if preceding and preceding[0].endswith(("ed", "en")):
            continue  # "damage caused by your dog": the agent of a passive, not a means
        following = claim.folded[means.end() :].split()[:1]
        if following and following[0].strip(",.") in PEOPLE:
            word = following[0].strip(",.")  # "by a real person": who, not the word before
        if word in STOP or word in WHEN or word.endswith(("self", "selves")) or ctx.knows(word):
            continue  # "by November 23", "by tomorrow": a time (grounding.py's), not a means
        if means.group(0).startswith("by ") and word in NOT_MEANS:
            continue  # "roomy by design", "by far": a way of speaking, not a way of doing
        if means.group(0).startswith("over ") and word in OVER_A_TIME:
            continue  # "softer over time", "over the weekend": when, not how
        if means.group(0).startswith("through ") and word in GUIDED:
            continue  # "guides you through the process": what is explained, not a means
        # "by phone" beside "call (503) …": the closest sentence's own word for it.
        other_words = sorted(closest.words - claim.words) if closest else []
        if closest_sense(word, other_words)[1] < SAME_MEANS:
            detail = f"'{means.group(0)}': the knowledge never mentions '{word}'"
            return ClaimFinding.entity(claim, closest, detail)
    return None


def _unknown_name(
    claim: Sentence, closest: Sentence | None, ctx: ClaimContext
) -> ClaimFinding | None:
    for found in PROPER_NAME.finditer(claim.text):
        name, before, after = found.group(0), claim.text[: found.start()], claim.text[found.end() :]
        if before.endswith(", ") and after[:1] in {",", "!", ".", "?", ""}:
            continue  # "Sorry, Marcus, …", "Thanks for your message, Marcus.": addressed
        if name.lower() in CALENDAR or name.lower() in DOCUMENT_KINDS:
            continue  # a day, or "our Returns Policy", "the FAQ": the brand's own documents
        if name in SHORTHANDS:
            continue
        if in_brand_name(name.lower(), claim.text, ctx):
            continue
        short = SIZE_LETTERS.get(name.lower())
        if short and re.search(rf"(?<![\w'])({short})(?=\s+\d|/)", ctx.folded):
            continue  # "you'd be a Medium" where the size chart says "M 38–40"
        folded_name = fold(name).strip()
        if not re.search(rf"\b{re.escape(folded_name)}", ctx.folded) and not _shortened(
            folded_name, ctx.folded
        ):
            detail = f"the name '{name}' is not in the knowledge"
            return ClaimFinding.entity(claim, closest, detail)
    return None


def _shortened(name: str, folded: str) -> bool:
    """Whether the name shortens words the knowledge writes out: the start of each, run
    together ("Amex" for American Express, "FedEx" for Federal Express), or their initials
    ("UPS" for United Parcel Service)."""
    if " " in name or len(name) < 3:
        return False
    words = WORD_RUN.findall(folded)
    for n in range(len(words) - 1):
        for size in (2, 3):
            run = words[n : n + size]
            if len(run) == size and (_starts(name, run) or name == "".join(w[0] for w in run)):
                return True
    return False


WORD_RUN = re.compile(r"[a-z]+")


def _starts(name: str, run: list[str]) -> bool:
    """``name`` is the first two or more letters of each word of ``run``, in order."""
    if not run:
        return not name
    word = run[0]
    return any(
        name[:k] == word[:k] and _starts(name[k:], run[1:])
        for k in range(min(len(word), len(name)), 1, -1)
    )


@lru_cache(maxsize=1024)
def _after_pronoun(term: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:you|we|i|they)\s+{re.escape(term)}\b")


def backed(claim: Sentence, ctx: ClaimContext, terms: list[str], named: bool = False) -> bool:
    """Another context sentence, nearly as close to the claim, names these terms too. For a
    name, closeness is read without the name: "Standard shipping … with DHL" is about the
    Standard sentence (USPS or UPS), not backed by the DHL Express one."""
    if named:
        claim = replace(claim, words=claim.words - content(" ".join(terms)))
    _, best = ctx.closest(claim)
    return any(
        all(has_term(s.folded if named else term_view(s.text), t) for t in terms)
        and ctx.score(claim, s) >= BACKING * best
        and compatible(claim.text, s.text)
        # "Express … with DHL … in 1–2 business days" is not about DHL Express's 6–10 days.
        and _values_agree(claim.text, s.text)
        # "Standard shipping … is free" backs no "Express shipping is free".
        and swapped_modifier(claim.folded, s.folded, s.words) is None
        for s in ctx.sentences
        if not s.inherited
    )


def _values_agree(claim: str, sentence: str) -> bool:
    """Whether the sentence gives, of each kind of value both give, one of the claim's
    ("1–2 business days" and "$14" are not DHL Express's "6–10 business days" and "$25")."""
    mine, theirs = values(claim), values(sentence)
    units = {u for u, _ in mine} & {u for u, _ in theirs}
    return all(any(u == unit for u, _ in mine & theirs) for unit in units)


def term_finding(
    clause: Sentence, claim: Sentence, closest: Sentence | None, ctx: ClaimContext
) -> ClaimFinding | None:
    """A term of an exclusive group where the aligned context clauses name another one
    of the group and never this one. ``closest``: the claim's closest comparable sentence."""
    # Clauses of sentences under other conditions say nothing about this claim ("the refund
    # goes back onto the gift card" is said of gift-card payments, not of Pay in 4). A
    # clause that scopes itself ("… before 1 pm ship the same day, and later ones the next
    # business day") is read under its own scope, not the sentence's.
    scope = clause if clause is not claim and own_scope(clause.text) else claim
    if scope is clause:
        closest, _ = ctx.closest(clause, [s for s in ctx.sentences if ctx.comparable(clause, s)])
    aligned = ctx.aligned(
        clause,
        [
            c
            for c, s in zip(ctx.clauses, ctx.clause_sentences, strict=True)
            if ctx.comparable(scope, s)
        ],
    )
    # A clause under its own scope ("and any part paid with a gift card goes back onto
    # it") is not in the claim's case ("If you paid with Pay in 4, …").
    case = _same_case(clause, claim, ctx) if scope is claim else []
    aligned += case
    for about, group in EXCLUSIVE:
        mine = said_terms(term_view(clause.text), group)
        if not mine:
            continue
        saying = [s for s in aligned if said_terms(term_view(s.text), group)]
        # The knowledge's sentence for the claim's own case decides, where it names one.
        saying = [s for s in case if s in saying] or saying
        theirs = [t for s in saying for t in said_terms(term_view(s.text), group)]
        swapped = bool(theirs) and not set(mine) & set(theirs)
        if not swapped and closest is not None:
            # The whole claim's closest sentence names a rival but not this term ("if you
            # paid with a gift card, the refund goes to your original payment method").
            said, source = said_terms(term_view(closest.text), group), closest
            # The closest may be the answer's last line ("The full chart is at …"), with
            # no word of the group: the term is in the sentence just before it, about the
            # same deed ("Measure around … your chest" for "… around your natural waist").
            named = closest.words & content(" ".join(group).replace("|", " "))
            lead = None if said or named else ctx.before(closest)
            if lead is not None and (clause.words & lead.words) - closest.words:
                said, source = said_terms(term_view(lead.text), group), lead
            if said and set(mine) - set(said) and set(said) - set(mine):
                saying, theirs, swapped = [source], sorted(set(said) - set(mine)), True
                mine = sorted(set(mine) - set(said))
        if not swapped and not any(
            has_term(ctx.term_view, t) or as_verb(clause.folded, t) for t in mine
        ):
            # A term the knowledge never uses where it uses a rival ("worn" / "unworn").
            near = ctx.aligned(clause, ctx.sentences)
            saying = [s for s in near if said_terms(term_view(s.text), group)]
            if not saying and not any(
                _in_some_form(term_form(term_view(clause.text), t), ctx) for t in mine
            ):
                # Or the closest sentence about the same thing that says one: "automatically
                # signed up for our newsletter" beside the newsletter's own FAQ, which says
                # nothing of consent, and "if you opt in, send you our newsletter".
                related = [s for s in ctx.sentences if len(s.words & clause.words) >= RELATED]
                related.sort(key=lambda s: ctx.score(clause, s), reverse=True)
                saying = [s for s in related if said_terms(term_view(s.text), group)]
            theirs = [t for s in saying[:1] for t in said_terms(term_view(s.text), group)]
            swapped = bool(theirs)
        # What the knowledge says in the claim's own case is not backed by another case.
        if saying and saying[0] in case:
            supported = any(has_term(term_view(c.text), t) for c in case for t in mine)
        else:
            supported = backed(scope, ctx, mine)
        # "there aren't separate men's and women's sizes": the rival denied agrees.
        if (
            swapped
            and not supported
            and not denied(term_view(clause.text), term_form(term_view(clause.text), mine[0]))
        ):
            return ClaimFinding(
                ClaimKind.policy_term,
                claim.text,
                saying[0].text,
                f"says '{term_form(term_view(clause.text), mine[0])}' where the knowledge says "
                f"'{term_form(term_view(saying[0].text), theirs[0])}' ({about})",
            )
    return None


# A clause that states the case the rest of the sentence is said of.
CASE = re.compile(r"^(?:if|when|whenever|once)\b")
# How much of the claim's case a knowledge clause must say to be the same case.
CASE_WORDS, CASE_SHARE = 2, 0.75


def _same_case(clause: Sentence, claim: Sentence, ctx: ClaimContext) -> list[Sentence]:
    """The other clauses of the knowledge sentences that state the claim's case ("If you
    paid with Pay in 4, the refund is issued as a gift card" is about the sentence that
    opens "If you paid with Pay in 4 through Shop Pay Installments", however many words
    another sentence shares with "the refund is issued")."""
    cases = [c for c in clauses_of(claim) if c is not clause and CASE.match(c.folded)]
    found: list[Sentence] = []
    for case in cases:
        need = max(CASE_WORDS, CASE_SHARE * len(case.words))
        for sentence in ctx.facts:
            parts = clauses_of(sentence)
            if any(CASE.match(p.folded) and _shared(case.words, p.words) >= need for p in parts):
                found += [p for p in parts if not CASE.match(p.folded) and p not in found]
    return found


def _shared(mine: frozenset[str], theirs: frozenset[str]) -> int:
    """How many of my words the other words say, in some form ("cancel" / "cancelled")."""
    return sum(any(alike(w, t) for t in theirs) for w in mine)


def _in_some_form(form: str, ctx: ClaimContext) -> bool:
    """The knowledge uses every word of the term, in some form ("exchanges")."""
    return all(stem(w) in ctx.words for w in form.split() if w not in STOP)


def has_term(text: str, term: str) -> bool:
    """Whether the text uses one of a term's forms ("pay|paid|costs|charge")."""
    return any(has(text, form) for form in term.split("|"))


# "goes to your card rather than back onto the gift card": what is set aside is not said.
SET_ASIDE = re.compile(r"\b(?:rather than|instead of)\b[^,;.!?]*")


def said_terms(text: str, group: list[str]) -> list[str]:
    text = SET_ASIDE.sub(" ", text)
    return [t for t in group if has_term(text, t)]


def term_form(text: str, term: str) -> str:
    """The form of the term the text uses, for the reason."""
    return next((f for f in term.split("|") if has(text, f)), term.split("|")[0])


def as_verb(text: str, term: str) -> bool:
    """'the card you used': after a pronoun the word is what someone did, not a condition."""
    return any(_after_pronoun(form).search(text) is not None for form in term.split("|"))
