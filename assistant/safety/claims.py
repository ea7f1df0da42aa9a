"""Grounding of words: every claim sentence of a draft is compared with the knowledge and
order record it was drafted from. Numbers are grounding.py's job; this catches what a
model changes in words: a place, carrier, payment method, material or channel the context
never names ("we ship to Brazil", "track it in our app"), a flipped polarity ("Final Sale
items can be returned"), a swapped policy term ("refunds go to a gift card" where the
context says the original payment method) and a capability the context does not describe.
Each finding quotes the claim and the closest context sentence, so an agent sees why.

Offline and lexical on purpose: the closest context sentence is the one sharing the most
content words (stems), which costs microseconds and can be explained in one line."""

from __future__ import annotations

import calendar
import html
import re
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache

from assistant.safety.claim_terms import (
    CAPABILITY,
    ENTITY,
    ENTITY_KIND,
    EXCLUSIVE,
    NEGATION,
    SAME_MEANING,
    STOP,
)
from assistant.safety.modifiers import swapped_modifier
from assistant.safety.predicates import (
    abilities,
    denied_items,
    flipped_predicate,
    governed,
    opposites_folded,
    undescribed_deed,
)
from assistant.safety.qualifiers import changed_qualifier, compatible, qualifiers
from assistant.safety.scope import QUANTIFIER, extensions, quantified, sides_in_time
from assistant.safety.stems import stem


class ClaimKind(StrEnum):
    entity = "entity"
    polarity = "polarity"
    policy_term = "policy term"
    capability = "capability"
    condition = "condition"


@dataclass(frozen=True)
class ClaimFinding:
    kind: ClaimKind
    claim: str
    closest: str
    detail: str

    def reason(self) -> str:
        where = f" (closest in the knowledge: '{_clip(self.closest)}')" if self.closest else ""
        return f"unsupported {self.kind.value}: {self.detail} in '{_clip(self.claim)}'{where}"


# How closely a claim must match a context sentence before their polarities are compared.
POLARITY_ALIGNED = 0.8
# How closely a claim statement must match a knowledge statement before the words a
# negation governs in them are compared.
PREDICATE_ALIGNED = 0.6
# How many of the closest knowledge sentences may describe what a claim says can be done.
ABILITY_ALIGNED = 3
# How closely a claim must match a context sentence before their conditions are compared.
CONDITION_ALIGNED = 0.5
# A term the closest sentence lacks is backed by another sentence this nearly as close.
BACKING = 0.75
# Clauses joined by ";" are separate claims ("we charge in USD; we add no fees"). A full
# stop inside a word ("help@fernhillgoods.example with …") ends no sentence.
SENTENCE = re.compile(r"(?:[^.!?;\n]|\.(?=\w))+[.!?;]*")
# Polarity and policy terms are compared clause by clause: "returns are free, so nothing
# is deducted" holds a negation that says the same as the claim's first clause.
CLAUSE = re.compile(r"[^,:;()\u2014]+")
# Polarity is compared statement by statement: a sentence split where a new subject and
# verb start ("returns are free, so nothing is deducted"), never inside a list, whose
# items share the negation in front of them ("doesn't cover wear and tear, accidents, …").
STATEMENT_BREAK = re.compile(
    r"[;:\u2014]\s*|,?\s+(?:so|but|because|since|although|though|whereas)\s+"
    r"|,\s+and\s+(?=(?:we|you|it|they|i|there|this|that|he|she)\b)",
    re.IGNORECASE,
)
WORDS = re.compile(r"[a-z][a-z'-]*")
# Month and day names are dates: grounding.py compares those with the order record.
CALENDAR = frozenset(n.lower() for n in [*calendar.month_name, *calendar.day_name] if n)
# A capitalised word inside a sentence names something (a carrier, a place, a material's
# origin, a service): whatever it is, the knowledge has to name it too. ("I" is no name,
# and a name after a greeting or a thank-you is the customer's: "Hi Marcus,".)
PROPER_NAME = re.compile(
    r"(?<!(?i:\bhi ))(?<!(?i:\bhey ))(?<!(?i:\bdear ))(?<!(?i:\bhello ))"
    r"(?<!(?i:\bthanks ))(?<!(?i:\byou ))(?<=[a-z0-9,]\s)(?!I\b)[A-Z][A-Za-z]+"
)
# The means by which something is done ("by fax", "via Discord", "using a drone"): a means
# the knowledge never mentions is as unsupported as a carrier it never names.
MEANS = re.compile(
    r"\b(?:by|via|through|using|over)\s+(?:(?:a|an|the|your|our|their)\s+)?([a-z][a-z-]+)"
)
PRONOUN = re.compile(r"(?:they|it|these|those|this|that)\b")


def _clip(text: str, size: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def _stem(word: str) -> str:
    return stem(word)


def _fold(text: str) -> str:
    text = html.unescape(text).lower().replace("’", "'")
    for pattern, replacement in SAME_MEANING:
        text = pattern.sub(replacement, text)
    return text


def _content(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in WORDS.findall(text) if w not in STOP and len(w) > 2)


@dataclass(frozen=True)
class _Sentence:
    text: str
    folded: str
    words: frozenset[str]
    negated: bool
    inherited: bool = False  # aligned with the words of the sentence before (a pronoun)


# The same knowledge sentences come back in most contexts (and the same clauses in many
# drafts): a unit depends on its text alone, so it is read once and shared (it is frozen).
@lru_cache(maxsize=8192)
def _unit(raw: str) -> _Sentence:
    folded = _fold(raw)
    # Within a clause an even number of negations cancels out ("isn't no plastic" says
    # there is plastic); a sentence is negative when one of its clauses is.
    # A predicate said by its opposite ("excluded", "left off") counts as its negation.
    plainly = opposites_folded(folded)
    negated = any(len(NEGATION.findall(c)) % 2 for c in CLAUSE.findall(plainly))
    return _Sentence(raw, folded, _content(folded), negated)


def _sentences(text: str) -> list[_Sentence]:
    return [_unit(raw) for m in SENTENCE.finditer(text) if len(raw := m.group(0).strip()) >= 3]


def _resolved(sentences: list[_Sentence]) -> list[_Sentence]:
    """A context sentence that opens with a pronoun ("They never expire.") is about what the
    sentence before it names: it is aligned with that sentence's words too."""
    out = []
    for i, s in enumerate(sentences):
        if i and PRONOUN.match(s.folded):
            s = _Sentence(s.text, s.folded, s.words | sentences[i - 1].words, s.negated, True)
        out.append(s)
    return out


def _statements(sentence: _Sentence) -> list[_Sentence]:
    parts = [_unit(p.strip()) for p in STATEMENT_BREAK.split(sentence.text) if p.strip()]
    # A statement too short to align ("you don't need an account") is left out, unless
    # it opens with a pronoun (it is aligned with the sentence before).
    kept = [p for p in parts if len(p.words) >= 2 or PRONOUN.match(p.folded)]
    return kept if kept and len(parts) > 1 else [sentence]


def _resolved_statements(sentences: list[_Sentence]) -> list[_Sentence]:
    """Statements, a pronoun-led one aligned with the sentence before ("They never expire,
    and you can check a balance")."""
    out = []
    for i, sentence in enumerate(sentences):
        for part in _statements(sentence):
            if i and part is not sentence and PRONOUN.match(part.folded):
                words = part.words | sentences[i - 1].words
                part = _Sentence(part.text, part.folded, words, part.negated, True)
            out.append(part)
    return out


def _clauses(sentence: _Sentence) -> list[_Sentence]:
    """The sentence's clauses with two or more content words (the sentence if it has one)."""
    parts = [_unit(m.group(0).strip()) for m in CLAUSE.finditer(sentence.text)]
    parts = [p for p in parts if len(p.words) >= 2]
    return parts if len(parts) > 1 else [sentence]


class ClaimContext:
    """The context's sentences and named things, indexed once per draft check."""

    def __init__(self, context: str) -> None:
        self.sentences = _resolved(_sentences(context))
        self.folded = _fold(context)
        self.term_view = _view(context)
        self.entities = set(ENTITY.findall(self.folded))
        self.words = frozenset().union(*(s.words for s in self.sentences))
        self.clauses = [c for s in self.sentences for c in _clauses(s)]
        # Each clause's sentence: its conditions ("if you paid with a gift card") hold for it.
        self.clause_sentences = [s for s in self.sentences for _ in _clauses(s)]
        self.statements = _resolved_statements(self.sentences)
        # Each item of a list a negated verb governs, as a statement of its own.
        self.items = [
            (_unit(item), s)
            for s in self.statements
            if not s.text.startswith("#")
            for item in denied_items(s.folded)
        ]
        # What the knowledge says anyone can do, anywhere ("you can follow it here").
        self.abilities = frozenset().union(*(abilities(s.folded) for s in self.sentences))

    @staticmethod
    def score(claim: _Sentence, sentence: _Sentence) -> float:
        shared = len(claim.words & sentence.words)
        return shared / len(claim.words | sentence.words) ** 0.5 if shared else 0.0

    def closest(
        self, claim: _Sentence, among: list[_Sentence] | None = None
    ) -> tuple[_Sentence | None, float]:
        best, score = None, 0.0
        for sentence in self.sentences if among is None else among:
            value = self.score(claim, sentence)
            if value > score:
                best, score = sentence, value
        return best, score

    @staticmethod
    def comparable(claim: _Sentence, sentence: _Sentence) -> bool:
        return not sentence.text.startswith("#") and compatible(claim.text, sentence.text)

    def aligned(self, claim: _Sentence, among: list[_Sentence]) -> list[_Sentence]:
        """The units about as close to the claim as the closest one, closest first (a
        pronoun sentence only as the closest: its borrowed words align it with anything)."""
        scored = sorted(((self.score(claim, s), i) for i, s in enumerate(among)), reverse=True)
        if not scored or scored[0][0] == 0:
            return []
        top = scored[0][0]
        return [
            among[i]
            for rank, (value, i) in enumerate(scored)
            if value >= BACKING * top and (rank == 0 or not among[i].inherited)
        ]


def check_claims(draft: str, context: str) -> list[ClaimFinding]:
    """Findings for the draft's claim sentences (questions and greetings make no claim)."""
    return _check(draft, _context(context))


@lru_cache(maxsize=64)
def _context(context: str) -> ClaimContext:
    return ClaimContext(context)


def _check(draft: str, ctx: ClaimContext) -> list[ClaimFinding]:
    findings: list[ClaimFinding] = []
    for claim in _sentences(draft):
        if claim.text.endswith("?") or len(claim.words) < 2:
            continue
        closest, _ = ctx.closest(claim)
        near = closest.text if closest else ""
        found = _entity(claim, closest, ctx)
        if found is None:
            # The closest sentence under the same conditions: "if you paid with Pay in 4" is
            # about the Pay in 4 sentence, not the gift-card one that shares more words (a
            # heading names a topic, it states no policy). The same for every clause.
            comparable = [s for s in ctx.sentences if ctx.comparable(claim, s)]
            under_same, _ = ctx.closest(claim, comparable)
            for clause in _clauses(claim):
                found = _term(clause, claim, under_same, ctx)
                if found is not None:
                    break
        if found is None:
            found = _condition(claim, ctx)
        if found is None:
            found = _polarity(claim, ctx)
        if found is None:
            found = _capability(claim, ctx, near)
        if found is not None:
            findings.append(found)
    return findings


def _entity(claim: _Sentence, closest: _Sentence | None, ctx: ClaimContext) -> ClaimFinding | None:
    near = closest.text if closest else ""
    mine = ENTITY.findall(claim.folded)
    for name in mine:
        kind = ENTITY_KIND[name]
        # The closest sentence that names something of this kind says which one it is.
        naming = [
            (s, [t for t in ENTITY.findall(s.folded) if ENTITY_KIND[t] == kind])
            for s in ctx.aligned(claim, ctx.sentences)
        ]
        said, theirs = next(((s, ts) for s, ts in naming if ts), (closest, []))
        swapped = [t for t in theirs if t not in mine]
        if name in ctx.entities and swapped and not _backed(claim, ctx, [name], named=True):
            return ClaimFinding(
                ClaimKind.entity,
                claim.text,
                said.text if said else near,
                f"says '{name}' where the knowledge says '{swapped[0]}'",
            )
    if closest is not None:
        near_words = frozenset().union(*(s.words for s in ctx.aligned(claim, ctx.sentences)))
        swap = swapped_modifier(claim.folded, closest.folded, near_words | closest.words)
        if swap is not None:
            return ClaimFinding(
                ClaimKind.entity,
                claim.text,
                closest.text,
                f"says '{swap[0]}' where the knowledge says '{swap[1]}'",
            )
    for name in mine:
        if name not in ctx.entities and not (name == "app" and "application" in ctx.folded):
            kind = ENTITY_KIND[name]
            return ClaimFinding(
                ClaimKind.entity, claim.text, near, f"the {kind} '{name}' is not in the knowledge"
            )
    for means in MEANS.finditer(claim.folded):
        word, preceding = means.group(1), claim.folded[: means.start()].split()[-1:]
        if preceding and preceding[0].endswith(("ed", "en")):
            continue  # "damage caused by your dog": the agent of a passive, not a means
        if word not in STOP and not word.endswith(("self", "selves")) and not _known(word, ctx):
            return ClaimFinding(
                ClaimKind.entity,
                claim.text,
                near,
                f"'{means.group(0)}': the knowledge never mentions '{word}'",
            )
    for found in PROPER_NAME.finditer(claim.text):
        name, before, after = found.group(0), claim.text[: found.start()], claim.text[found.end() :]
        if before.endswith(", ") and after[:1] in {",", "!", ".", "?", ""}:
            continue  # "Sorry, Marcus, …", "Thanks for your message, Marcus.": addressed
        if name.lower() in CALENDAR:
            continue
        if not re.search(rf"\b{re.escape(_fold(name).strip())}", ctx.folded):
            return ClaimFinding(
                ClaimKind.entity, claim.text, near, f"the name '{name}' is not in the knowledge"
            )
    return None


def _known(word: str, ctx: ClaimContext) -> bool:
    """The knowledge uses the word in some form ("emailing" for "email")."""
    root = _stem(word)
    return root in ctx.words or any(w.startswith(root[:5]) for w in ctx.words if len(root) >= 5)


def _has(text: str, term: str) -> bool:
    return _whole_word(term).search(text) is not None


# The terms are a fixed vocabulary (claim_terms.py): each pattern is built once, not per
# (sentence, term) test, which ran ≈150 times per draft.
@lru_cache(maxsize=1024)
def _whole_word(term: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(term)}\b")


@lru_cache(maxsize=1024)
def _after_pronoun(term: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:you|we|i|they)\s+{re.escape(term)}\b")


def _backed(claim: _Sentence, ctx: ClaimContext, terms: list[str], named: bool = False) -> bool:
    """Another context sentence, nearly as close to the claim, names these terms too. For a
    name, closeness is read without the name: "Standard shipping … with DHL" is about the
    Standard sentence (USPS or UPS), not backed by the DHL Express one."""
    if named:
        claim = replace(claim, words=claim.words - _content(" ".join(terms)))
    _, best = ctx.closest(claim)
    return any(
        all(_has_term(s.folded if named else _view(s.text), t) for t in terms)
        and ctx.score(claim, s) >= BACKING * best
        and compatible(claim.text, s.text)
        for s in ctx.sentences
        if not s.inherited
    )


def _term(
    clause: _Sentence, claim: _Sentence, closest: _Sentence | None, ctx: ClaimContext
) -> ClaimFinding | None:
    """A term of an exclusive group where the aligned context clauses name another one
    of the group and never this one. ``closest``: the claim's closest comparable sentence."""
    # Clauses of sentences under other conditions say nothing about this claim ("the refund
    # goes back onto the gift card" is said of gift-card payments, not of Pay in 4).
    aligned = ctx.aligned(
        clause,
        [
            c
            for c, s in zip(ctx.clauses, ctx.clause_sentences, strict=True)
            if ctx.comparable(claim, s)
        ],
    )
    for about, group in EXCLUSIVE:
        mine = _said(_view(clause.text), group)
        if not mine:
            continue
        saying = [s for s in aligned if _said(_view(s.text), group)]
        theirs = [t for s in saying for t in _said(_view(s.text), group)]
        swapped = bool(theirs) and not set(mine) & set(theirs)
        if not swapped and closest is not None:
            # The whole claim's closest sentence names a rival but not this term ("if you
            # paid with a gift card, the refund goes to your original payment method").
            said = _said(_view(closest.text), group)
            if said and set(mine) - set(said) and set(said) - set(mine):
                saying, theirs, swapped = [closest], sorted(set(said) - set(mine)), True
                mine = sorted(set(mine) - set(said))
        if not swapped and not any(
            _has_term(ctx.term_view, t) or _verb(clause.folded, t) for t in mine
        ):
            # A term the knowledge never uses where it uses a rival ("worn" / "unworn").
            near = ctx.aligned(clause, ctx.sentences)
            saying = [s for s in near if _said(_view(s.text), group)]
            theirs = [t for s in saying[:1] for t in _said(_view(s.text), group)]
            swapped = bool(theirs)
        if swapped and not _backed(claim, ctx, mine):
            return ClaimFinding(
                ClaimKind.policy_term,
                claim.text,
                saying[0].text,
                f"says '{_form(_view(clause.text), mine[0])}' where the knowledge says "
                f"'{_form(_view(saying[0].text), theirs[0])}' ({about})",
            )
    return None


# A capitalised word inside a sentence is part of a name ("Pay in 4", "Shop Pay"): the
# policy terms are read without it, or "Pay in 4" would say who pays.
NAME_WORD = re.compile(r"(?<=[a-z0-9,] )[A-Z][a-z]+")


@lru_cache(maxsize=8192)
def _view(raw: str) -> str:
    """The text as the policy terms read it: folded, names left out."""
    return _fold(NAME_WORD.sub("Name", raw))


def _has_term(text: str, term: str) -> bool:
    """Whether the text uses one of a term's forms ("pay|paid|costs|charge")."""
    return any(_has(text, form) for form in term.split("|"))


def _said(text: str, group: list[str]) -> list[str]:
    return [t for t in group if _has_term(text, t)]


def _form(text: str, term: str) -> str:
    """The form of the term the text uses, for the reason."""
    return next((f for f in term.split("|") if _has(text, f)), term.split("|")[0])


def _verb(text: str, term: str) -> bool:
    """'the card you used': after a pronoun the word is what someone did, not a condition."""
    return any(_after_pronoun(form).search(text) is not None for form in term.split("|"))


def _condition(claim: _Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    """A condition or scope of the aligned knowledge widened, changed or dropped."""
    closest, best = ctx.closest(claim)
    if closest is not None and (added := _extension(claim, closest)) is not None:
        return added
    if best < CONDITION_ALIGNED:
        return None
    aligned = [s.text for s in ctx.aligned(claim, ctx.sentences)]
    related = [s.text for s in ctx.sentences if len(s.words & claim.words) >= 2]
    change = changed_qualifier(claim.text, aligned, related)
    if change is None:
        return None
    return ClaimFinding(ClaimKind.condition, claim.text, change.closest, change.detail)


def _extension(claim: _Sentence, closest: _Sentence) -> ClaimFinding | None:
    """A scope the claim adds ("including holidays") that its closest sentence never names,
    or a quantifier over something it does not mention where that sentence is limited
    ("any state" beside "within Oregon")."""
    for scope in extensions(claim.folded):
        unsaid = sorted(_content(scope) - closest.words)
        if unsaid:
            return ClaimFinding(
                ClaimKind.condition,
                claim.text,
                closest.text,
                f"adds '{scope}', which the closest knowledge does not say",
            )
    for side, said, event in sides_in_time(claim.folded):
        # The same event (two content words in common, or all of a short one) on the
        # other side of it in the closest sentence.
        words = _content(event)
        for their_side, their_said, their_event in sides_in_time(closest.folded):
            common = words & _content(their_event)
            if side != their_side and common and (len(common) >= 2 or common == words):
                return ClaimFinding(
                    ClaimKind.condition,
                    claim.text,
                    closest.text,
                    f"says '{said}' where the knowledge says '{their_said}'",
                )
    limited = not QUANTIFIER.search(closest.folded) and qualifiers(closest.text).restricted
    for phrase, noun in quantified(claim.folded) if limited else ():
        if noun not in STOP and _stem(noun) not in closest.words:
            return ClaimFinding(
                ClaimKind.condition,
                claim.text,
                closest.text,
                f"'{phrase}' where the closest knowledge is limited",
            )
    return None


def _polarity(claim: _Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    for statement in _statements(claim):
        closest, score = ctx.closest(statement, ctx.statements)
        if closest is None or score < POLARITY_ALIGNED or statement.negated == closest.negated:
            continue
        # A statement nearly as close that says it the same way (the template the draft
        # came from, beside an order record's bare "cancelled") backs the claim.
        if any(s.negated == statement.negated for s in ctx.aligned(statement, ctx.statements)):
            continue
        if statement.negated and _denied_alike(statement, ctx):
            continue
        negative, positive = (statement, closest) if statement.negated else (closest, statement)
        if (
            not _denies_what_other_says(negative, positive)
            and len(statement.words - closest.words) != 1
        ):
            # "the slip won't show prices" beside "we wrap everything": another topic; but a
            # claim that differs by its one word ("stops emails" / "doesn't affect emails")
            # contradicts with it.
            continue
        said = "negative" if statement.negated else "positive"
        return ClaimFinding(
            ClaimKind.polarity,
            claim.text,
            closest.text,
            f"'{_clip(statement.text, 60)}' is {said} where the closest knowledge is not",
        )
    for statement in _statements(claim):
        # A heading names a topic ("What isn't covered"), it states no policy.
        scored = [
            (ctx.score(statement, s), s.folded, s.text)
            for s in ctx.statements
            if not s.text.startswith("#")
        ]
        # A negated clause inside a long sentence is read on its own too: "ship everything
        # in plastic-free packaging" is about packaging, whatever else the sentence lists.
        scored += [
            (ctx.score(statement, c), c.folded, c.text)
            for c in ctx.clauses
            if c.negated and not c.text.startswith("#")
        ]
        # An item is aligned on its own words and read in its list (its negation kept).
        scored += [
            (ctx.score(statement, item), whole.folded, whole.text) for item, whole in ctx.items
        ]
        # Only the statements that support the claim best are compared: a word said the
        # other way in a statement about something else ("every order is charged in USD"
        # beside "Oregon orders aren't charged sales tax") says nothing about this claim.
        top = max((value for value, _, _ in scored), default=0.0)
        least = max(PREDICATE_ALIGNED, BACKING * top)
        flip = flipped_predicate(statement.folded, scored, least)
        if flip is not None:
            word, said_by = flip
            return ClaimFinding(
                ClaimKind.polarity,
                claim.text,
                said_by,
                f"'{word}' is said the other way round from the closest knowledge",
            )
    return None


def _denied_alike(statement: _Sentence, ctx: ClaimContext) -> bool:
    """A knowledge statement denies what the claim denies, about the same thing ("they never
    expire", its pronoun read as the sentence before, backs "your gift card never expires")."""
    denied = governed(statement.folded)[0]
    return any(
        denied & governed(s.folded)[0] and (s.words & statement.words) - denied
        for s in ctx.statements
        if s.negated and not s.text.startswith("#")
    )


def _denies_what_other_says(negative: _Sentence, positive: _Sentence) -> bool:
    """Whether a word the negative statement's negation governs is one the positive one
    uses: two statements of opposite polarity contradict only about the same thing."""
    denied = governed(negative.folded)[0]
    said = governed(positive.folded)[1] | {_stem(w) for w in WORDS.findall(positive.folded)}
    return bool(denied & said) or not denied


def _capability(claim: _Sentence, ctx: ClaimContext, near: str) -> ClaimFinding | None:
    unsupported = _ability(claim, ctx)
    if unsupported is not None:
        return unsupported
    if not CAPABILITY.search(claim.folded):
        return None
    missing = _unsaid(claim, ctx)
    if len(missing) < 2 or len(missing) * 3 < len(claim.words):
        return None
    return ClaimFinding(
        ClaimKind.capability,
        claim.text,
        near,
        "describes something the knowledge does not (" + ", ".join(missing[:4]) + ")",
    )


# Words a paraphrase adds without saying more ("whichever you'd like", "generally").
VAGUE = frozenset({"like", "general", "generally", "usual", "usually", "typically", "typical"})


def _unsaid(claim: _Sentence, ctx: ClaimContext) -> list[str]:
    """The claim's words the knowledge does not use, in any form ("replac" of "replacement")
    (a contraction is no claim)."""
    missing = [w for w in sorted(claim.words - ctx.words) if "'" not in w and w not in VAGUE]
    return missing


def _ability(claim: _Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    """What a modal says someone can do must be a deed the closest knowledge describes."""
    aligned = [s for s in ctx.aligned(claim, ctx.sentences) if not s.text.startswith("#")]
    near = aligned[:ABILITY_ALIGNED]
    deed = undescribed_deed(claim.folded, claim.words, [s.folded for s in near], ctx.abilities)
    if deed is None:
        return None
    return ClaimFinding(
        ClaimKind.capability,
        claim.text,
        near[0].text if near else "",
        f"says it can '{deed}', which the closest knowledge does not describe",
    )
