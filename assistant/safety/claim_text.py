"""The text model of the claim check: a draft's and the knowledge's sentences, clauses and
statements, each folded (same meanings, one spelling) and reduced to its content stems, and
the context index that aligns a claim with its closest knowledge (shared stems, explained in
one line). claims.py and claim_names.py check on top of it."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from assistant.knowledge.answered import said_in_text
from assistant.safety.claim_terms import ENTITY, NEGATION, SAME_MEANING, STOP
from assistant.safety.predicates import (
    abilities,
    denied_items,
    denied_subjects,
    opposites_folded,
)
from assistant.safety.qualifiers import compatible
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
        where = f" (closest in the knowledge: '{clip(self.closest)}')" if self.closest else ""
        return f"unsupported {self.kind.value}: {self.detail} in '{clip(self.claim)}'{where}"

    @classmethod
    def entity(cls, claim: Sentence, closest: Sentence | None, detail: str) -> ClaimFinding:
        """A named thing the knowledge does not back, quoting the claim's closest sentence."""
        return cls(ClaimKind.entity, claim.text, text_of(closest), detail)


# A term the closest sentence lacks is backed by another sentence this nearly as close.
BACKING = 0.75
# Clauses joined by ";" are separate claims ("we charge in USD; we add no fees"). A full
# stop inside a word ("help@fernhillgoods.example with …") ends no sentence.
SENTENCE = re.compile(r"(?:[^.!?;\n]|\.(?=\w))+[.!?;]*")
# Polarity and policy terms are compared clause by clause: "returns are free, so nothing
# is deducted" holds a negation that says the same as the claim's first clause.
CLAUSE = re.compile(r"[^,:;()\u2014]+")
SUPPOSITION = re.compile(r"\s*(?:(?:and|but|yes|so)\s+)?(?:if|unless|as long as|so long as)\b")
# Polarity is compared statement by statement: a sentence split where a new subject and
# verb start ("returns are free, so nothing is deducted"), never inside a list, whose
# items share the negation in front of them ("doesn't cover wear and tear, accidents, …").
STATEMENT_BREAK = re.compile(
    r"[;:\u2014]\s*|,?\s+(?:so|but|because|since|although|though|whereas)\s+"
    r"|,\s+and\s+(?=(?:we|you|it|they|i|there|this|that|he|she|if)\b)"
    # ", as our range is …": a reason of its own.
    r"|,\s+as\s+(?=(?:we|you|it|they|our|your|there|this|that)\b)",
    re.IGNORECASE,
)
WORDS = re.compile(r"[a-z][a-z'-]*")
PRONOUN = re.compile(r"(?:they|it|these|those|this|that)\b")


# A capitalised word inside a sentence is part of a name ("Pay in 4", "Shop Pay"): the
# policy terms are read without it, or "Pay in 4" would say who pays.
NAME_WORD = re.compile(r"(?<=[a-z0-9,] )[A-Z][a-z]+")


@lru_cache(maxsize=8192)
def term_view(raw: str) -> str:
    """The text as the policy terms read it: folded, names left out."""
    return fold(NAME_WORD.sub("Name", raw))


def clip(text: str, size: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


# A spaced hyphen or en dash between words is a dash: it sets off a clause or an aside
# ("no account needed - you can check out as a guest").
SPACED_DASH = re.compile(r"(?<=[A-Za-z]) +[-\u2013] +(?=[A-Za-z])")


def fold(text: str) -> str:
    text = SPACED_DASH.sub(" \u2014 ", html.unescape(text).lower().replace("’", "'"))
    for pattern, replacement in SAME_MEANING:
        text = pattern.sub(replacement, text)
    return text


def content(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in WORDS.findall(text) if w not in STOP and len(w) > 2)


@dataclass(frozen=True)
class Sentence:
    text: str
    folded: str
    words: frozenset[str]
    negated: bool
    inherited: bool = False  # aligned with the words of the sentence before (a pronoun)


# The same knowledge sentences come back in most contexts (and the same clauses in many
# drafts): a unit depends on its text alone, so it is read once and shared (it is frozen).
@lru_cache(maxsize=8192)
def unit(raw: str) -> Sentence:
    folded = fold(raw)
    # Within a clause an even number of negations cancels out ("isn't no plastic" says
    # there is plastic); a sentence is negative when one of its clauses is.
    # A predicate said by its opposite ("excluded", "left off") counts as its negation.
    # A supposition's negation is its case, not the claim's ("as long as it hasn't shipped,
    # message us").
    plainly = opposites_folded(folded)
    negated = any(
        len(NEGATION.findall(c)) % 2 and not SUPPOSITION.match(c) for c in CLAUSE.findall(plainly)
    )
    return Sentence(raw, folded, content(folded), negated)


def sentences(text: str) -> list[Sentence]:
    return [unit(raw) for m in SENTENCE.finditer(text) if len(raw := m.group(0).strip()) >= 3]


def resolved(sentences: list[Sentence]) -> list[Sentence]:
    """A context sentence that opens with a pronoun ("They never expire.") is about what the
    sentence before it names: it is aligned with that sentence's words too."""
    out = []
    for i, s in enumerate(sentences):
        if i and PRONOUN.match(s.folded):
            s = Sentence(s.text, s.folded, s.words | sentences[i - 1].words, s.negated, True)
        out.append(s)
    return out


# ", and orders shipped within Oregon are taxed": a subject of a few words and its verb (not
# "…, and items that are worn": that describes a list's last item).
SUBJECT_BREAK = re.compile(
    r",\s+and\s+(?=(?:(?!that\b|which\b|who\b)[a-z-]+\s+){1,6}"
    r"(?:is|are|has|have|will|can|can't|won't|isn't|aren't|doesn't|don't|must|need)\b)",
    re.IGNORECASE,
)


def statements_of(sentence: Sentence, subjects: bool = False) -> list[Sentence]:
    """The sentence's statements; ``subjects``: split where any subject of its own starts
    too, for what is said of a subject ("…, and orders shipped within Oregon are taxed")."""
    texts = STATEMENT_BREAK.split(sentence.text)
    if subjects:
        texts = [part for text in texts for part in SUBJECT_BREAK.split(text)]
    parts = [unit(p.strip()) for p in texts if p.strip()]
    # A statement too short to align ("you don't need an account") is left out, unless
    # it opens with a pronoun (it is aligned with the sentence before).
    kept = [p for p in parts if len(p.words) >= 2 or PRONOUN.match(p.folded)]
    return kept if kept and len(parts) > 1 else [sentence]


def resolved_statements(sentences: list[Sentence]) -> list[Sentence]:
    """Statements, a pronoun-led one aligned with the sentence before ("They never expire,
    and you can check a balance")."""
    out = []
    for i, sentence in enumerate(sentences):
        for part in statements_of(sentence):
            if i and part is not sentence and PRONOUN.match(part.folded):
                words = part.words | sentences[i - 1].words
                part = Sentence(part.text, part.folded, words, part.negated, True)
            out.append(part)
    return out


def clauses_of(sentence: Sentence) -> list[Sentence]:
    """The sentence's clauses with two or more content words (the sentence if it has one)."""
    dashed = SPACED_DASH.sub(" \u2014 ", sentence.text)
    parts = [unit(m.group(0).strip()) for m in CLAUSE.finditer(dashed)]
    parts = [p for p in parts if len(p.words) >= 2]
    return parts if len(parts) > 1 else [sentence]


class ClaimContext:
    """The context's sentences and named things, indexed once per draft check."""

    def __init__(self, context: str, names: frozenset[str] = frozenset()) -> None:
        # The brand's names, written anywhere in its knowledge (lowercase): a draft may name
        # the customer's product where the answer retrieved does not.
        self.names = names
        # Each name's last word ("tote" of "Canvas Market Tote"): what a customer calls it.
        self.name_heads = frozenset(name.split()[-1] for name in names)
        # A context given whole may hold an FAQ's question and its bare "No, …".
        context = said_in_text(context)
        self.sentences = resolved(sentences(context))
        # A heading ("## International shipping") names a topic; the sentences under it state
        # the facts, their conditions and stances.
        self.facts = [s for s in self.sentences if not s.text.startswith("#")]
        self.fact_texts = tuple(s.text for s in self.facts)
        self.folded = fold(context)
        self.term_view = term_view(context)
        self.entities = set(ENTITY.findall(self.folded))
        self.words = frozenset().union(*(s.words for s in self.sentences))
        self.clauses = [c for s in self.sentences for c in clauses_of(s)]
        # Each clause's sentence: its conditions ("if you paid with a gift card") hold for it.
        self.clause_sentences = [s for s in self.sentences for _ in clauses_of(s)]
        self.statements = resolved_statements(self.sentences)
        # Each subject of a list a negated verb is said of, as a statement of its own.
        self.statements += [unit(said) for s in self.facts for said in denied_subjects(s.folded)]
        # Each item of a list a negated verb governs, as a statement of its own.
        self.items = [
            (unit(item), s)
            for s in self.statements
            if not s.text.startswith("#")
            for item in denied_items(s.folded)
        ]
        # What the knowledge says anyone can do, anywhere ("you can follow it here").
        self.abilities = frozenset().union(*(abilities(s.folded) for s in self.sentences))

    def knows(self, word: str) -> bool:
        """The knowledge uses the word in some form ("emailing" for "email")."""
        root = stem(word)
        return root in self.words or (
            len(root) >= 5 and any(w.startswith(root[:5]) for w in self.words)
        )

    @staticmethod
    def score(claim: Sentence, sentence: Sentence) -> float:
        shared = len(claim.words & sentence.words)
        return shared / len(claim.words | sentence.words) ** 0.5 if shared else 0.0

    def closest(
        self, claim: Sentence, among: list[Sentence] | None = None
    ) -> tuple[Sentence | None, float]:
        best, score = None, 0.0
        for sentence in self.sentences if among is None else among:
            value = self.score(claim, sentence)
            if value > score:
                best, score = sentence, value
        return best, score

    @staticmethod
    def comparable(claim: Sentence, sentence: Sentence) -> bool:
        return not sentence.text.startswith("#") and compatible(claim.text, sentence.text)

    def beside(self, sentence: Sentence) -> list[Sentence]:
        """The knowledge sentences just before and after this one."""
        at = self._at(sentence)
        return (
            []
            if at is None
            else self.sentences[max(0, at - 1) : at] + self.sentences[at + 1 : at + 2]
        )

    def before(self, sentence: Sentence) -> Sentence | None:
        """The knowledge sentence just before this one."""
        at = self._at(sentence)
        return self.sentences[at - 1] if at else None

    def _at(self, sentence: Sentence) -> int | None:
        return next((i for i, s in enumerate(self.sentences) if s is sentence), None)

    def around(self, claim: Sentence, most: int | None = None) -> list[Sentence]:
        """The knowledge sentences aligned with the claim (at most ``most``), then those
        beside them: an answer after its question, a condition in the next sentence."""
        aligned = self.aligned(claim, self.sentences)[:most]
        return [*aligned, *(n for s in aligned for n in self.beside(s) if n not in aligned)]

    def aligned(self, claim: Sentence, among: list[Sentence]) -> list[Sentence]:
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


def text_of(sentence: Sentence | None) -> str:
    return sentence.text if sentence else ""


def has(text: str, term: str) -> bool:
    """Whether the text uses the term as a whole word (or words)."""
    return _whole_word(term).search(text) is not None


# Words between a negation and what it denies: "isn't made from new polyester", "aren't
# separate men's and women's sizes" (not "won't shrink in the dryer": a verb of its own).
DENYING_BRIDGE = frozenset(
    {"be", "been", "made", "from", "of", "out", "a", "an", "any", "the", "separate", "new"}
)


def denied(text: str, term: str) -> bool:
    """Whether a negation just before the term, in its clause, denies it: "there aren't
    separate men's and women's sizes" says the knowledge's "unisex", it names no rival."""
    found = _whole_word(term).search(text)
    return found is not None and denied_at(text, found.start())


def denied_at(text: str, start: int) -> bool:
    """Whether a negation before ``start``, in its clause and with only bridging words
    between, denies what is said there."""
    words = re.split(r"[,;:.!?\u2014]", text[:start])[-1].split()
    at = next((i for i in range(len(words) - 1, -1, -1) if NEGATION.fullmatch(words[i])), None)
    return at is not None and all(w in DENYING_BRIDGE for w in words[at + 1 :])


# The claim check's terms are a fixed vocabulary (claim_terms.py): each pattern is built
# once, not per (sentence, term) test, which ran ≈150 times per draft.
@lru_cache(maxsize=1024)
def _whole_word(term: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(term)}\b")
