"""Polarity of a claim: a statement that says the other way round what the knowledge it
rests on says (whole statements, then the word each negation governs), said of the same
subject ("gift cards can be returned" where "gift cards can't be returned"), or a deed the
knowledge says the brand does not do ("we add a conversion fee" where "we don't add any
fees of our own"), or what the knowledge sets aside without a negation ("… rather than
defects", "… instead of washing them"). claims.py runs it after the name, term, condition
and stance checks."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.safety.claim_terms import NEGATION
from assistant.safety.claim_text import (
    BACKING,
    WORDS,
    ClaimContext,
    ClaimFinding,
    ClaimKind,
    Sentence,
    clauses_of,
    clip,
    content,
    statements_of,
    unit,
)
from assistant.safety.predicates import denied_of, flipped_predicate, governed, subject_of
from assistant.safety.stems import alike, base, stem
from assistant.safety.word_sense import SAME_SENSE, closest_sense, same_deed

# How closely a claim must match a context sentence before their polarities are compared.
POLARITY_ALIGNED = 0.8
# How closely a claim statement must match a knowledge statement before the words a
# negation governs in them are compared.
PREDICATE_ALIGNED = 0.6
# Words the folding writes in for a negation ("don't charge", "at no cost": "free").
FOLDED = frozenset({"free"})


def polarity_finding(claim: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    statements = _resolved(statements_of(claim, subjects=True))
    for statement in statements:
        if (denied := _said_of_subject(statement, ctx)) is not None:
            return _flipped(claim, statement, denied, "the knowledge says the opposite")
        if (denied := _denied_of_item(statement, ctx)) is not None:
            return _flipped(claim, statement, denied, "the knowledge denies it of that")
        if (denied := _emphatic(statement, ctx)) is not None:
            return _flipped(claim, statement, denied, "the knowledge denies that deed")
        if (denied := _set_aside_of(statement, ctx)) is not None:
            return _flipped(claim, statement, denied, "the knowledge sets that aside")
    for statement in statements:
        closest, score = ctx.closest(statement, ctx.statements)
        if closest is None or score < POLARITY_ALIGNED or statement.negated == closest.negated:
            continue
        # A statement nearly as close that says it the same way (the template the draft
        # came from, beside an order record's bare "cancelled") backs the claim; of one
        # that refers back, only one about much the same subject.
        borrowed = statement.words - unit(statement.text).words
        if any(
            s.negated == statement.negated and len(borrowed & s.words) * 2 >= len(borrowed)
            for s in ctx.aligned(statement, ctx.statements)
        ):
            continue
        if statement.negated and (_denied_alike(statement, ctx) or _aside(statement, closest)):
            continue
        if not statement.negated and _said_plainly_in(statement, closest):
            continue
        negative, positive = (statement, closest) if statement.negated else (closest, statement)
        # "the slip won't show prices" beside "we wrap everything": another topic; but a claim
        # that differs by its one word ("stops emails" / "doesn't affect emails") contradicts
        # it, unless that word is "free", which carries a negation ("don't charge").
        own = statement.words - closest.words
        if not _denies_what_other_says(negative, positive) and (len(own) != 1 or own & FOLDED):
            continue
        return _flipped(claim, statement, closest, "the closest knowledge is not")
    for statement in statements_of(claim):
        flip = _flip_in(statement, ctx)
        if flip is None:
            continue
        # A word of one clause is read against that clause's closest knowledge too: "you
        # don't need the original packaging, and a person will reply" aligns, whole, with
        # the sentences about the person, none of which says the packaging's way.
        word, said_by = flip
        if statement.negated and word in _set_aside_in(said_by):
            continue  # "isn't a defect" beside "… rather than defects": said the same way
        holding = [c for c in clauses_of(statement) if c is not statement and word in _said(c)]
        if holding and all((_flip_in(c, ctx) or ("",))[0] != word for c in holding):
            continue
        return ClaimFinding(
            ClaimKind.polarity,
            claim.text,
            said_by,
            f"'{word}' is said the other way round from the closest knowledge",
        )
    return None


# "… can't be returned for a refund, but you're welcome to exchange *them*": a pronoun
# stands for the subject of the statement before.
REFERS_BACK = re.compile(r"\b(?:them|they|it|those)\b")
OPENS_WITH_PRONOUN = re.compile(r"^(?:(?:and|but|though|although|so|yet)\s+)?(?:it|they)\b")


def _resolved(statements: list[Sentence]) -> list[Sentence]:
    """The statements, one that refers back to the one before aligned with its subject."""
    out: list[Sentence] = []
    for i, s in enumerate(statements):
        subject = _subject(statements[i - 1].folded) if i else frozenset()
        if i and not subject and OPENS_WITH_PRONOUN.match(s.folded):
            # "Each product page lists the exact materials, though it doesn't say …": a
            # subject with no auxiliary after it; the statement before stands for it whole.
            subject = statements[i - 1].words
        if subject and not _subject(s.folded) and REFERS_BACK.search(s.folded):
            s = Sentence(s.text, s.folded, s.words | subject, s.negated, True)
        out.append(s)
    return out


def _flip_in(statement: Sentence, ctx: ClaimContext) -> tuple[str, str] | None:
    """The word a statement says the other way round from the knowledge that supports it
    best, and that knowledge's text."""
    # A heading names a topic ("What isn't covered"), it states no policy.
    scored = [
        (ctx.score(statement, s), s.folded, s.text)
        for s in ctx.statements
        if not s.text.startswith("#")
    ]
    # A negated clause inside a long sentence is read on its own too: "ship everything in
    # plastic-free packaging" is about packaging, whatever else the sentence lists.
    scored += [
        (ctx.score(statement, c), c.folded, c.text)
        for c in ctx.clauses
        if c.negated and not c.text.startswith("#")
    ]
    # An item is aligned on its own words and read in its list (its negation kept).
    scored += [(ctx.score(statement, item), whole.folded, whole.text) for item, whole in ctx.items]
    # Only the statements that support the claim best are compared: a word said the other
    # way in a statement about something else ("every order is charged in USD" beside
    # "Oregon orders aren't charged sales tax") says nothing about this claim.
    top = max((value for value, _, _ in scored), default=0.0)
    return flipped_predicate(statement.folded, scored, max(PREDICATE_ALIGNED, BACKING * top))


def _said(part: Sentence) -> frozenset[str]:
    denied, plain = governed(part.folded)
    return denied | plain


def _flipped(claim: Sentence, statement: Sentence, said_by: Sentence, where: str) -> ClaimFinding:
    said = "negative" if statement.negated else "positive"
    detail = f"'{clip(statement.text, 60)}' is {said} where {where}"
    return ClaimFinding(ClaimKind.polarity, claim.text, said_by.text, detail)


def _said_of_subject(statement: Sentence, ctx: ClaimContext) -> Sentence | None:
    """A knowledge statement about the claim's subject, in the other polarity ("gift cards
    can't be returned" for "gift cards can be returned within 30 days"), where none about
    that subject says it the claim's way: a statement about "everything else" that shares
    more words does not back it."""
    if not statement.negated and (undone := _we_do_not(statement, ctx)) is not None:
        return undone
    subject = _subject(statement.folded)
    if not subject and statement.inherited:
        # "Gift cards are a different story: those can be returned like anything else."
        subject = statement.words - unit(statement.text).words
    if not subject:
        return None
    about = [
        s
        for s in ctx.statements
        if subject <= _subject(s.folded)
        and ctx.score(statement, s) >= PREDICATE_ALIGNED
        and not s.text.startswith("#")
    ]
    if any(s.negated == statement.negated and _same_saying(statement, s, subject) for s in about):
        return None
    for s in about:
        negative, positive = (statement, s) if statement.negated else (s, statement)
        if _denies_what_other_says(negative, positive) and governed(negative.folded)[0]:
            return s
    return None


def _same_saying(claim: Sentence, other: Sentence, subject: frozenset[str]) -> bool:
    """Whether a statement of the claim's polarity backs it: a denial backs a denial of the
    same subject ("can't be sent back" beside "can't be returned"), but a positive one
    must say the claim's deed ("Final Sale items that arrive damaged are still covered"
    does not back "Final Sale items can be returned within 30 days")."""
    if claim.negated:
        return True
    mine = governed(claim.folded)[1] - subject
    return _same_deeds(mine, governed(other.folded)[1] - subject)


@lru_cache(maxsize=8192)
def _subject(folded: str) -> frozenset[str]:
    return content(subject_of(folded))


# "They do expire", "it does count": an emphatic "do" insists on a deed; "they do have an
# expiry date" insists on the deed its noun names.
EMPHATIC = re.compile(
    r"\b(?:do|does)\s+(?:still\s+|also\s+|actually\s+)?"
    r"(?:have\s+(?:an?\s+|some\s+)?)?([a-z]{4,})\b"
)


def _emphatic(statement: Sentence, ctx: ClaimContext) -> Sentence | None:
    """A knowledge statement that denies the deed the claim insists on ("they do expire"
    where "they never expire"), where no knowledge statement says that deed plainly."""
    if statement.negated:
        return None
    for m in EMPHATIC.finditer(statement.folded):
        verb = stem(m[1])
        denying = [
            s
            for s in ctx.statements
            if s.negated and not s.text.startswith("#") and _has(governed(s.folded)[0], verb)
        ]
        plainly = any(not s.negated and _has(governed(s.folded)[1], verb) for s in ctx.statements)
        if denying and not plainly:
            return denying[0]
    return None


# What a claim says in passing of something it sets aside ("rather than waiting for it").
SET_ASIDE = re.compile(r"\b(?:rather than|instead of|without|other than|except|apart from)\b.*")


def _denied_of_item(statement: Sentence, ctx: ClaimContext) -> Sentence | None:
    """A knowledge statement that denies the claim's deed of one thing the claim says it
    of, where no knowledge statement says it of that thing plainly: "the Promise covers
    defects as well as accidental damage" beside "the warranty doesn't cover normal wear
    and tear, accidents, …" (the closest sentence, "covers defects", backs the rest)."""
    if statement.negated:
        return None
    said = SET_ASIDE.sub("", statement.folded)
    plain = governed(said)[1]
    for s in ctx.statements:
        if not s.negated or s.text.startswith("#") or (denied := denied_of(s.folded)) is None:
            continue
        verb, things = denied
        if not _has(plain, verb):
            continue
        # What the deed is done to follows it ("your return" before "exchanged" is not),
        # or comes before its passive ("normal wear and tear is covered").
        after = plain & (_after(said, verb) | _passive_subject(said, verb))
        for thing in things:
            if _names(after, thing) and not _said_plainly(verb, thing, ctx):
                return s
    return None


# What a knowledge statement says its thing is not, without a negation: "… are part of the
# character of the material rather than defects", "spot clean … instead of washing them".
INSTEAD = re.compile(r"\b(?:rather than|instead of)\s+(?P<aside>[^,;:.]*)")


def _aside(claim: Sentence, knowledge: Sentence) -> bool:
    """Whether the knowledge sets aside what the negative claim denies ("creasing isn't a
    defect" beside "… part of the character of the material rather than defects")."""
    return bool(governed(claim.folded)[0] & _set_aside_in(knowledge.text))


def _set_aside_in(text: str) -> frozenset[str]:
    m = INSTEAD.search(text.lower())
    return content(m["aside"]) if m is not None else frozenset()


def _set_aside_of(statement: Sentence, ctx: ClaimContext) -> Sentence | None:
    """A knowledge statement that sets aside, for the claim's subject, what the claim says
    of it: "creasing on waxed canvas is a defect" where "natural changes, like waxed canvas
    creasing, are part of the character of the material rather than defects"; "waxed
    canvas can go in the washing machine" where "spot clean waxed canvas … instead of
    washing them". Not where another statement says it of that subject plainly."""
    thing = _subject(statement.folded)
    if statement.negated or len(thing) < 2:
        return None
    plain = governed(SET_ASIDE.sub("", statement.folded))[1] - thing
    for s in ctx.statements:
        m = INSTEAD.search(s.folded)
        if m is None or s.negated or s.text.startswith("#"):
            continue
        kept = content(s.folded[: m.start()])
        said = [w for w in content(m["aside"]) - kept if _has(plain, w)]
        if thing <= kept and said and not any(_said_plainly(w, thing, ctx) for w in said):
            return s
    return None


# A comma-part with one of these is a clause of its own ("…, and exchanges are free"), not
# one more thing the deed is done to.
CLAUSE_VERBS = frozenset(
    re.findall(
        r"\w+",
        "is are was were be been will can may might must should could would do does did has"
        " have had happen happens get gets",
    )
)


def _after(folded: str, verb: str) -> frozenset[str]:
    """The stems of what follows the verb's first word, up to a comma-part that is a
    clause of its own."""
    parts = [WORDS.findall(part) for part in re.split(r"[,;]", folded)]
    out: list[str] = []
    seen = False
    for words in parts:
        if seen and CLAUSE_VERBS.intersection(words):
            break
        for word in words:
            if seen:
                out.append(stem(word, able=True))
            elif alike(stem(word, able=True), verb):
                seen = True
    return frozenset(out)


PASSIVE = re.compile(r"\b(?:is|are|gets?|be|been)\s+(?:also\s+|still\s+|fully\s+)?([a-z]+)")


def _passive_subject(folded: str, verb: str) -> frozenset[str]:
    """The stems of what a passive of the verb is said of, in its own comma-part."""
    out: set[str] = set()
    for part in re.split(r"[,;]", folded):
        for m in PASSIVE.finditer(part):
            if alike(stem(m[1], able=True), verb):
                out |= {stem(w, able=True) for w in WORDS.findall(part[: m.start()])}
    return frozenset(out)


def _has(words: frozenset[str], word: str) -> bool:
    return any(alike(w, word) for w in words)


def _names(words: frozenset[str], thing: frozenset[str]) -> bool:
    """The words name the thing: two of its words, or its only one ("accidents")."""
    return sum(_has(words, w) for w in thing) >= min(2, len(thing))


def _said_plainly(verb: str, thing: frozenset[str], ctx: ClaimContext) -> bool:
    """Whether a knowledge statement says the deed of the thing without a negation, outside
    what it sets aside ("spot clean them instead of washing them" does not say washing)."""
    for s in ctx.statements:
        if s.negated:
            continue
        plain = governed(SET_ASIDE.sub("", s.folded))[1]
        if _has(plain, verb) and _names(plain, thing):
            return True
    return False


# "we add a conversion fee" ("your bank and we may add …") where the knowledge says "we
# don't add any fees of our own".
WE_DO = re.compile(
    r"\bwe(?:'ll| will| may| might| can| could)?(?: also| always| then)? (?P<verb>[a-z]+)\b"
    r"(?P<rest>[^,;:]*)"
)
WE_DO_NOT = re.compile(
    r"\bwe (?:don't|do not|never|won't|will not) (?P<verb>[a-z]+)\b(?P<rest>[^,;:]*)"
)


def _we_do_not(statement: Sentence, ctx: ClaimContext) -> Sentence | None:
    """A knowledge statement that says the brand does not do the deed the claim says it
    does (or the same deed by another name: "keep" / "store"), to the same thing."""
    for verb, thing in _deeds(statement.folded, WE_DO):
        for s in ctx.statements:
            for v, t in _deeds(s.folded, WE_DO_NOT):
                if (stem(v) == stem(verb) or same_deed(verb, {v})) and thing & t:
                    return s
    return None


# "we never see *or store* your card number": the second verb the negation denies.
OR_VERB = re.compile(r"^\s+(?:or|nor)\s+(?P<verb>[a-z]+)\b(?P<rest>.*)")


@lru_cache(maxsize=8192)
def _deeds(folded: str, said: re.Pattern[str]) -> tuple[tuple[str, frozenset[str]], ...]:
    """(the verb, what it is done to) for each deed the pattern finds."""
    found = []
    for m in said.finditer(folded):
        found.append((m["verb"], frozenset(base(w) for w in content(m["rest"]))))
        if said is WE_DO_NOT and (also := OR_VERB.match(m["rest"])) is not None:
            found.append((also["verb"], frozenset(base(w) for w in content(also["rest"]))))
    return tuple(found)


def _denied_alike(statement: Sentence, ctx: ClaimContext) -> bool:
    """A knowledge statement denies what the claim denies, about the same thing ("they never
    expire", its pronoun read as the sentence before, backs "your gift card never expires")."""
    denied = governed(statement.folded)[0]
    return any(
        _same_deeds(denied, governed(s.folded)[0]) and (s.words & statement.words) - denied
        for s in ctx.statements
        if s.negated and not s.text.startswith("#")
    )


def _same_deeds(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    return bool(mine & theirs) or any(same_deed(word, set(theirs)) for word in mine)


# Verbs that, denied, deny any deed done to what follows them.
IMPACT = frozenset({"affect", "impact", "chang"})
IMPACT_ON = re.compile(r"\b(?:affect|impact|change)s?\b(?P<thing>[^,;:]*)")
# What such a statement denies: a deed that changes the thing ("you'll still get" does not).
CHANGES = re.compile(
    r"\b(?:stop|end|cancel|remove|pause|affect|impact|change|delete|unsubscribe)s?\b"
    r"|\b(?:switch|switches|turns?|shuts?|cuts?) off\b"
)


def _denies_what_other_says(negative: Sentence, positive: Sentence) -> bool:
    """Whether a word the negative statement's negation governs is one the positive one
    uses: two statements of opposite polarity contradict only about the same thing."""
    denied = governed(negative.folded)[0] | _compound(negative.text)
    written = WORDS.findall(positive.folded)
    # "taxed" says "tax": the base form too (the stems keep a short word's ending).
    said = governed(positive.folded)[1] | {stem(w) for w in written} | {base(w) for w in written}
    if denied & IMPACT:  # "doesn't affect emails about an order" denies "stops the emails"
        m = IMPACT_ON.search(negative.folded)
        changes = CHANGES.search(positive.folded)
        if m is not None and changes and len(content(m["thing"]) & positive.words) >= 2:
            return True
    if not denied or denied & said:
        return True
    # "it can't be *combined* with another payment method" denies "on its own or *together*
    # with another payment method": a word near in meaning is the same thing.
    words = sorted({w for w in written if stem(w) in positive.words - negative.words})
    return any(closest_sense(w, words)[1] >= SAME_SENSE for w in _negated_words(negative, denied))


def _negated_words(statement: Sentence, denied: frozenset[str]) -> list[str]:
    """The statement's words whose stems its negation governs, as written."""
    return sorted({w for w in WORDS.findall(statement.folded) if stem(w) in denied})


# "no sales tax" denies the tax, not only the sales: the compound's head, written so ("4
# interest-free payments", folded "no interest payments", denies no payments).
NO_COMPOUND = re.compile(r"\bno ([a-z]{3,}) ([a-z]{3,})\b")


def _compound(text: str) -> frozenset[str]:
    return frozenset(stem(m[2]) for m in NO_COMPOUND.finditer(text.lower()))


# A second predicate of the same subject: "… aren't included in our prices *and may be
# collected* by DHL on delivery" says the collecting plainly.
SECOND_PREDICATE = re.compile(r"\band (?=(?:may|might|will|can|could|should|must)\b)")


def _said_plainly_in(statement: Sentence, closest: Sentence) -> bool:
    """Whether a second predicate of the negative knowledge statement, without a negation,
    says what the positive claim says ("DHL might collect them at your door")."""
    for part in SECOND_PREDICATE.split(closest.folded)[1:]:
        part = re.split(r"[,;:]", part)[0]
        if not NEGATION.search(part) and len(content(part) & statement.words) >= 2:
            return True
    return False
