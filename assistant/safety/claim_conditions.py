"""Conditions and scopes of a claim against the knowledge it rests on: a deed the knowledge
gates by a condition said without it ("we refund your original shipping" where only for a
damaged item), a scope the claim adds ("including holidays", "that still applies if it
arrives faulty"), a side of an event swapped ("until it is delivered" / "until it ships"),
a quantifier over what the knowledge limits ("any order" / "your first order"), "whether
you pick Standard or Express" where the knowledge says one of them, a value the knowledge
gives some things said of every one, a requirement or place the knowledge never sets for
that deed (``claim_requirements``), and a qualifier widened or changed (``qualifiers``).
claims.py runs it after the name and term checks."""

from __future__ import annotations

import re
from collections.abc import Hashable
from functools import lru_cache

from assistant.safety.claim_requirements import THINGS, TIMED, placed_finding, required_finding
from assistant.safety.claim_terms import STOP
from assistant.safety.claim_text import (
    ClaimContext,
    ClaimFinding,
    ClaimKind,
    Sentence,
    clauses_of,
    content,
    fold,
    statements_of,
    unit,
)
from assistant.safety.facts import DURATION, values
from assistant.safety.qualifiers import (
    Facet,
    QualifierChange,
    changed_qualifier,
    qualifiers,
    stage,
    widened,
)
from assistant.safety.scope import (
    QUANTIFIER,
    alternatives,
    extensions,
    gated,
    quantified,
    sides_in_time,
)
from assistant.safety.stems import base, stem
from assistant.safety.word_sense import SAME_SENSE, closest_sense

# How closely a claim must match a context sentence before their conditions are compared.
CONDITION_ALIGNED = 0.5
# A deed the knowledge gates by a condition is the claim's when the claim uses this many of
# its words, and this share of them.
GATED_WORDS, GATED_SHARE = 3, 0.75
# A claim that states its own supposition ("if it hasn't come through") gates its own deed.
SUPPOSES = re.compile(r"\b(?:if|unless)\b")


def condition_finding(
    claim: Sentence, ctx: ClaimContext, said: str = "", draft: str = ""
) -> ClaimFinding | None:
    """A condition or scope of the aligned knowledge widened, changed or dropped (``said``:
    the claim with the sentences it refers back to, whose conditions are the claim's;
    ``draft``: the whole reply, whose case gates its deeds)."""
    if (gate := _ungated(claim, ctx, draft or said)) is not None:
        return gate
    if (account := _account_asked(claim, ctx)) is not None:
        return account
    if (required := required_finding(claim, ctx, said) or placed_finding(claim, ctx)) is not None:
        return required
    closest, best = ctx.closest(claim)
    if closest is not None and (added := _extension(claim, closest, ctx)) is not None:
        return added
    if best < CONDITION_ALIGNED:
        # Loosely aligned, an "any" of the claim ("around the clock") is still compared
        # with the knowledge that limits it ("Monday to Friday").
        change = _widened(claim, ctx)
        if change is None:
            return None
        return ClaimFinding(ClaimKind.condition, claim.text, change.closest, change.detail)
    change = _changed(claim, ctx, said)
    if change is None:
        # A clause about something else than the sentence's first part ("We refund the full
        # price …, and original shipping charges are refunded on every return") widens the
        # knowledge it is closest to.
        parts = [c for c in clauses_of(claim) if c is not claim]
        change = next(filter(None, (_widened(part, ctx) for part in parts)), None)
    if change is None:
        # A statement of its own says when its period starts ("…, since the 1–2 business days
        # are counted from the moment you check out"), whatever the sentence's first part is
        # about. Only that: a condition it leaves out may be in the first part ("US customers
        # get a prepaid label, so we cover shipping both ways").
        parts = [p for p in statements_of(claim) if p.text != claim.text]
        aligned = (p for p in parts if ctx.closest(p)[1] >= CONDITION_ALIGNED)
        starts = (_changed(part, ctx) for part in aligned)
        change = next((c for c in starts if c is not None and c.facet is Facet.start), None)
    if change is None:
        return None
    return ClaimFinding(ClaimKind.condition, claim.text, change.closest, change.detail)


# A deed made to wait for an account: "once you're signed in", "sign in to your account
# first", "if you placed your order with an account", "account holders only".
SIGNED_IN = re.compile(
    r"\b(?:once|after|when|if|as long as) you(?:'re| are|'ve| have)? (?:signed|logged|sign|log)"
    r" in\b|\b(?:sign|log) in(?: to your account)? first\b|\bwith (?:an|your) account\b"
    r"|\b(?:need|needs|have|has) to be (?:signed|logged) in\b"
    r"|\b(?:once|after|when|if|as long as) you(?:'ve| have)? (?:created|opened|made|set up)"
    r" (?:an|your) account\b"
    r"|\baccount holders?\b|\b(?:registered|signed-in|logged-in) (?:customers?|users?)\b"
)
ACCOUNT = re.compile(r"\baccounts?\b|\b(?:sign|log)(?:ged|s)? in\b")


def _account_asked(claim: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    """The claim makes its deed wait for an account where no knowledge about that deed
    mentions one (a drafting model's habit: "sign in to your account first, then …")."""
    asked = SIGNED_IN.search(claim.folded)
    if asked is None:
        return None
    part = next((c for c in clauses_of(claim) if not SIGNED_IN.search(c.folded)), claim)
    told = ctx.around(part, TIMED)
    if not told or any(ACCOUNT.search(s.folded) for s in told):
        return None
    return ClaimFinding(
        ClaimKind.condition,
        claim.text,
        told[0].text,
        f"asks for an account ('{asked[0]}') where the knowledge about it asks for none",
    )


def _changed(part: Sentence, ctx: ClaimContext, said: str = "") -> QualifierChange | None:
    """A qualifier of the part (or of ``said``, the part with what it refers back to) that
    the knowledge aligned with it, or related to it, gives otherwise."""
    aligned = [s.text for s in ctx.aligned(part, ctx.facts)]
    related = [s.text for s in ctx.facts if len(s.words & part.words) >= 2]
    return changed_qualifier(said or part.text, aligned, related, ctx.fact_texts)


def _widened(clause: Sentence, ctx: ClaimContext) -> QualifierChange | None:
    return widened(clause.text, [s.text for s in ctx.aligned(clause, ctx.facts)])


def _ungated(claim: Sentence, ctx: ClaimContext, said: str = "") -> ClaimFinding | None:
    """The claim says a deed the knowledge does only under a condition ("we only send
    marketing messages if you've opted in"), without that condition or a word near it, in
    the claim or in ``said`` (the claim with the reply's earlier sentences: "So sorry if it
    shows up damaged! Just send us a photo …")."""
    if SUPPOSES.search(claim.folded):
        return None  # a condition of its own words ("if it hasn't come through")
    # A denial says no deed; a clause of its own beside one may ("we refund … plus your
    # original shipping charges, and nothing is deducted for the label").
    parts = clauses_of(claim)
    saying = [c for c in parts if not c.negated]
    if claim.negated and len(saying) == len(parts):
        return None  # the denial is not a clause's own: it may govern them all
    deeds = frozenset().union(*(c.words for c in saying))
    words = deeds | content(fold(said)) if said else claim.words
    for fact in ctx.facts:
        for gate, deed, condition in _gates(fact.folded):
            if len(deed) < GATED_WORDS or len(deed & deeds) < GATED_SHARE * len(deed):
                continue
            # "an item arrived damaged" is told by its case, not by "item": "when you send
            # items back" says no damage.
            telling = condition - THINGS or condition
            if not condition or telling & words:
                continue
            mine = sorted(words - deed)
            if any(closest_sense(w, mine)[1] >= SAME_SENSE for w in sorted(telling)):
                continue
            return ClaimFinding(
                ClaimKind.condition,
                claim.text,
                fact.text,
                f"leaves out the knowledge's condition '{gate.strip()}'",
            )
    return None


@lru_cache(maxsize=8192)
def _gates(folded: str) -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    """(the condition as said, the deed's words, the condition's words) of a knowledge
    sentence: read once, not once per claim."""
    return tuple((gate, content(what), content(gate)) for what, gate in gated(folded))


def _narrowed(noun: str, claim: Sentence, closest: Sentence) -> re.Match[str] | None:
    """The closest sentence's noun with a word in front that narrows it and the claim never
    says: "even waist sizes" where the claim says "every waist size"."""
    for m in re.finditer(rf"\b([a-z][a-z-]+) {re.escape(noun)}\b", closest.folded):
        word = m.group(1)
        unsaid = base(word) not in claim.words and stem(word) not in claim.words
        if unsaid and word not in STOP and word not in NOT_NARROWING and not QUANTIFIER.match(word):
            return m
    return None


# Words in front of a noun that do not narrow it: what a price is counted by ("a flat $14
# *per* order") or which one of those already named ("the *same* item").
NOT_NARROWING = frozenset(
    {"per", "by", "for", "from", "with", "each", "same", "different", "other", "another"}
)


OWN_ITEM = re.compile(r"\byour ([a-z-]+?)s?\b")


def _extension(claim: Sentence, closest: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    """A scope the claim adds ("including holidays") that its closest sentence never names,
    or a quantifier over something it does not mention where that sentence is limited
    ("any state" beside "within Oregon") and no aligned knowledge sentence says it."""
    known = {base(w) for w in closest.words}
    for scope in extensions(claim.folded):
        # "even though the warranty on your tote has ended": the customer's own item, one the
        # brand sells, is the case the reply answers, not a scope it adds.
        owned = {m[1] for m in OWN_ITEM.finditer(scope) if m[1] in ctx.name_heads}
        unsaid = sorted(w for w in content(scope) - closest.words - owned if base(w) not in known)
        if unsaid and not _said_beside(scope, unsaid, claim, ctx):
            return ClaimFinding(
                ClaimKind.condition,
                claim.text,
                closest.text,
                f"adds '{scope}', which the closest knowledge does not say",
            )
    # The closest sentence, the ones beside it and those near the claim, which may put its
    # deed before or after a step ("Message us … and we can update it right up until the
    # parcel is out for delivery" beside "… change your shipping address …: until your order
    # ships").
    claimed = sides_in_time(claim.folded)
    timed = _timed(claim, closest, ctx) if claimed else []
    sides = [(k, t) for k in timed for t in sides_in_time(k.folded)]
    for side, said, event, named in claimed:
        # The same event (two content words in common, or all of a short one) on the
        # other side of it in the closest sentence, or another step on the same side.
        words, step = content(event), stage(named, strict=True)
        for knowledge, (their_side, their_said, their_event, their_named) in sides:
            common = words & content(their_event)
            other_side = side != their_side and common and (len(common) >= 2 or common == words)
            # The same side of another step: "until it is delivered" / "until it ships".
            their_step = stage(their_named, strict=True)
            other_step = side == their_side and step and their_step and step != their_step
            # Another sentence than the closest may say the same event for another deed ("we
            # email you tracking as soon as it ships"): only its deadline ("until your order
            # ships") is read, against the claim's ("until it is out for delivery").
            if knowledge is not closest:
                other_side = False
                other_step = other_step and side == "before"
            if other_side or other_step:
                return ClaimFinding(
                    ClaimKind.condition,
                    claim.text,
                    knowledge.text,
                    f"says '{said}' where the knowledge says '{their_said}'",
                )
    for phrase, noun in quantified(claim.folded):
        # "any order" where the knowledge says "your first order"; "whichever address" where
        # it says "the address on your account".
        one = re.search(
            rf"\b(?:first|next|one|single) (?:[a-z-]+ )?{re.escape(noun)}\b", closest.folded
        ) or re.search(
            rf"\bthe {_head(phrase, claim.folded)} (?:on|of|linked to) [a-z'-]+ [a-z'-]+",
            closest.folded,
        )
        one = one or _narrowed(noun, claim, closest)
        # "reviews every claim" is the knowledge's own words in a sentence near the claim,
        # whichever one is closest.
        own = any(
            re.search(rf"\b{re.escape(phrase)}\b", s.folded)
            for s in ctx.aligned(claim, ctx.sentences)
        )
        if one is not None and noun not in STOP and not own:
            return ClaimFinding(
                ClaimKind.condition,
                claim.text,
                closest.text,
                f"'{phrase}' where the knowledge says '{one.group(0)}'",
            )
    limited = not QUANTIFIER.search(closest.folded) and qualifiers(closest.text).restricted
    for phrase, noun in quantified(claim.folded) if limited else ():
        if noun in STOP or stem(noun) in closest.words:
            continue
        # "any post office" is the knowledge's own where another aligned sentence says it.
        if not any(phrase in s.folded for s in ctx.aligned(claim, ctx.sentences)):
            return ClaimFinding(
                ClaimKind.condition,
                claim.text,
                closest.text,
                f"'{phrase}' where the closest knowledge is limited",
            )
    return (
        _either(claim, closest, ctx)
        or _one_for_all(claim, ctx)
        or _excepted(claim, ctx)
        or _started(claim, ctx)
    )


# Where a comparison turns to its other side: "…, including any sales tax, whereas original
# shipping charges are refunded only when …".
TURN = re.compile(r",?\s*\b(?:whereas|while)\b")


def _said_beside(scope: str, unsaid: list[str], claim: Sentence, ctx: ClaimContext) -> bool:
    """Whether the side of a comparison that holds the scope is closest to knowledge that
    says its words, where the whole claim is closest to the other side's."""
    sides = TURN.split(claim.folded)
    side = next((unit(p) for p in sides if scope in p), None)
    if len(sides) < 2 or side is None:
        return False
    nearest, _ = ctx.closest(side, ctx.facts)
    return nearest is not None and all(w in nearest.words for w in unsaid)


def _timed(claim: Sentence, closest: Sentence, ctx: ClaimContext) -> list[Sentence]:
    """The closest sentence first, then those beside it and the nearest few that share two
    words with the claim."""
    near = sorted(ctx.facts, key=lambda s: ctx.score(claim, s), reverse=True)[:TIMED]
    near = [s for s in near if len(s.words & claim.words) >= 2] + ctx.beside(closest)
    return [closest, *(s for s in dict.fromkeys(near) if s is not closest)]


def _head(phrase: str, folded: str) -> str:
    """The pattern for what a quantifier ranges over, its compound's head too ("any email
    *address*" is an address)."""
    noun = phrase.split()[-1]
    after = re.search(rf"\b{re.escape(phrase)} ([a-z]{{3,}})\b", folded)
    # "each material's character" is the material's own, not a kind of character.
    head = after[1] if after is not None and after[1] not in STOP and "'" not in noun else None
    return f"(?:{re.escape(noun)}|{head})" if head else re.escape(noun)


def _one_for_all(claim: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    """A value the knowledge gives some things, said of all: "Every Fernhill piece comes with
    a 2-year warranty" where the knowledge gives bags 2 years and everything else 1."""
    ranges = quantified(claim.folded)
    mine = values(claim.text)
    if not ranges or len(mine) != 1:
        return None
    ((unit, value),) = mine
    for s in ctx.aligned(claim, ctx.facts):
        theirs = values(s.text)
        others = [v for u, v in theirs if u == unit and v != value]
        ranged = [p for p, noun in ranges if noun not in STOP and stem(noun) not in s.words]
        if (unit, value) in theirs and others and ranged:
            return ClaimFinding(
                ClaimKind.condition,
                claim.text,
                s.text,
                f"'{ranged[0]}' where the knowledge gives that to some and another value to others",
            )
    return None


def _either(claim: Sentence, closest: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    """Two alternatives where the closest knowledge says one: "whether you pick Standard or
    Express" holds for both, the knowledge for Standard. The closest to the claim's clauses
    too: "Bags are covered for 2 years …, and the Promise applies whether you bought from
    us or from a stockist" is about "The warranty applies to items bought from …"."""
    for phrase, sides in alternatives(claim.folded):
        holding = [c for c in clauses_of(claim) if c is not claim and phrase in c.folded]
        nearest = [n for c in holding if (n := ctx.closest(c, ctx.facts)[0]) is not None]
        for knowledge in [closest, *nearest]:
            said = set(re.findall(r"[a-z']+", knowledge.folded)) | knowledge.words
            told = [any(w in said or stem(w) in said for w in side) for side in sides]
            if any(told) and not all(told):
                return ClaimFinding(
                    ClaimKind.condition,
                    claim.text,
                    knowledge.text,
                    f"'{phrase}' where the closest knowledge says it of one of them",
                )
    return None


# "as long as it wasn't marked Final Sale" where the knowledge says "even if it was marked
# Final Sale": the claim makes an exception of a case the knowledge includes.
EXCEPTING = re.compile(
    r"\b(?:as long as|so long as|provided(?: that)?|only if|unless|except(?: if| when)?)\b"
    r"(?P<case>[^,;.!?]+)"
)
EVEN_IF = re.compile(r"\beven (?:if|when|though)\b(?P<case>[^,;.!?]+)")


def _excepted(claim: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    for m in EXCEPTING.finditer(claim.folded):
        case = content(m["case"])
        for s in ctx.aligned(claim, ctx.facts):
            even = EVEN_IF.search(s.folded)
            if even is not None and len(content(even["case"]) & case) >= 2:
                return ClaimFinding(
                    ClaimKind.condition,
                    claim.text,
                    s.text,
                    f"'{m.group(0).strip()}' where the knowledge says '{even.group(0).strip()}'",
                )
    return None


# A period counted from one event of several ("12 months after your most recent message"),
# or from an event of the claim's own ("12 months after your account is closed", "30 days,
# counted from the day we've verified your identity").
STARTED = re.compile(
    r"^\s*(?:after|from|since|of)\s+(?:your|the|their|its|our)\s+"
    r"(?:most recent|last|latest|first|final)\s+[a-z]+"
    r"|^\s*(?:[,(\u2013\u2014-]\s*)?(?:(?:which|that) (?:are|is) )?"
    r"(?:counted |counting |starting |measured )?"
    r"(?:after|from|since)\s+(?:the (?:day|date|moment|time) )?"
    r"(?:your|you|we|they|it|the|their|our)\b(?:(?! and\b| then\b| so\b)[a-z' ]){3,}"
    # "within 30 days of verifying your identity": an event said with its verb.
    r"|^\s*of\s+[a-z]+ing\s+(?:your|the|their|its|our)\b(?:(?! and\b| then\b| so\b)[a-z' ]){3,}"
)


# What leads into a start: "…, which are counted from …", "(counted from …".
LEAD_IN = re.compile(r"^[\s,(\u2013\u2014-]*(?:(?:which|that) (?:are|is) )?")
COUNTED = re.compile(
    r"\b(?:counted|count|counts|starts?|begins?) (?:from|on|when|at)\b(?P<event>[^.;]*)"
)


def _started(claim: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    """A start the claim gives a period where the knowledge gives that period none: "we keep
    message history for 12 months after your most recent message" beside "We keep message
    history for 12 months and then delete it"."""
    for m in DURATION.finditer(claim.folded):
        start = STARTED.match(claim.folded[m.end() :])
        if start is None:
            continue
        period = values(m.group(0))
        having = [s for s in ctx.facts if period & values(s.text)]
        # "Delivery times are counted from the day your order ships": a start the knowledge
        # gives every period of its kind, in a sentence of its own.
        said = LEAD_IN.sub("", start.group(0)).strip()
        if said.startswith("of ") and stage(said):
            continue  # "30 days of placing your order": the qualifiers compare the steps
        event = content(said)
        counted = [
            (s, c)
            for s in ctx.facts
            if (c := COUNTED.search(s.folded)) and len(s.words & event) >= 2
        ]
        for s, c in counted[:1]:
            # Another step of the order's life: "counted from the day you place your order"
            # where the knowledge counts "from the day your order ships".
            mine, theirs = stage(said), stage(c["event"])
            if mine and theirs and mine != theirs:
                return ClaimFinding(
                    ClaimKind.condition,
                    claim.text,
                    s.text,
                    f"counts {m.group(0)} '{said}' where the knowledge counts"
                    f" '{c.group(0).strip()}'",
                )
        if counted:
            continue
        given = [(s, g) for s in having if (g := _start_given(s.folded, period)) is not None]
        if having and not given:
            return ClaimFinding(
                ClaimKind.condition,
                claim.text,
                having[0].text,
                f"counts {m.group(0)} '{said}', which the knowledge does not",
            )
        # Another step of the order's life than every start the knowledge gives the period:
        # "2 years from the date you place your order" where "2 years from the delivery date".
        step = stage(said, strict=True)
        steps = {stage(g) for _, g in given}
        if step and given and None not in steps and step not in steps:
            return ClaimFinding(
                ClaimKind.condition,
                claim.text,
                given[0][0].text,
                f"counts {m.group(0)} from {step} ('{said}') where the knowledge counts it"
                f" from {stage(given[0][1])} ('{given[0][1].strip()}')",
            )
    return None


START_WORD = re.compile(r"\s*(?:after|from|since|of|before)\b[^,;.!?]*")


def _start_given(folded: str, period: frozenset[tuple[str, Hashable]]) -> str | None:
    """From when the sentence counts that period ("from the delivery date"), if it says."""
    for m in DURATION.finditer(folded):
        if values(m.group(0)) == period and (start := START_WORD.match(folded[m.end() :])):
            return start.group(0)
    return None
