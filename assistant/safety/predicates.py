"""Polarity read per predicate, not per sentence: the word a negation governs ("never
*expire*", "don't have to *wait*", "aren't *covered*") is compared with the same word in the
closest knowledge statement that uses it. A claim that asserts what the knowledge only ever
denies next to it ("gift cards expire after a year" beside "they never expire"), or denies
what it asserts, changed the polarity whatever else it reworded, so no list of phrasings
is needed: any verb or noun the knowledge negates is covered."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.safety.claim_terms import NEGATION, STOP
from assistant.safety.stems import stem
from assistant.safety.word_sense import SAME_SENSE, closest_sense, same_deed

WORD = re.compile(r"[a-z][a-z'-]*")
TOKEN = re.compile(r"[a-z][a-z'-]*|[,;:()\u2014]")
CLAUSE_END = frozenset(",;:()\u2014")
# Auxiliaries and fillers between a negation and the word it governs ("don't *have to*
# wait", "can't *be* returned", "isn't *yet*"): skipped, never the governed word.
NOUN_NEGATION = frozenset({"no", "none", "nothing", "without", "non", "neither", "nor"})
# A clause that opens with a subject says something new, it does not continue a list.
SUBJECT = frozenset({"we", "you", "it", "they", "i", "there", "this", "that", "these", "those"})
# A clause with its own auxiliary has its own verb: a new statement, not an item of the
# list a negation before it governs ("you don't need the tags, and a person will reply").
AUXILIARY = frozenset(
    {"will", "can", "may", "might", "must", "should", "would", "could", "is", "are"}
)
# "…, but you can exchange them": a contrast opens a statement of its own.
CONTRAST = frozenset({"but", "yet", "though", "although", "whereas", "while", "so"})
# Tokens of a bare list item ("normal wear and tear", "pet damage").
ITEM_TOKENS = 4
# A clause that opens with these supposes something; it does not say it.
SUPPOSING = frozenset({"if", "unless", "whether"})
# Web and e-mail addresses name a page, not a predicate ("…example/account").
ADDRESS = re.compile(r"\S+\.\w\S*")
# "aren't *able to* change it" denies the change.
BRIDGE = frozenset({"to", "be", "been", "yet", "ever", "really", "even", "get", "got", "able"})
# Words that say which one, in front of what a negation denies.
DESCRIBING = frozenset({"original", "same", "full", "whole", "entire", "exact", "own", "extra"})


def _stem(word: str) -> str:
    return stem(word, able=True)


# Predicates said by their opposite instead of a negation: each side is read as one word,
# with or without "not", so "prices printed on the slip" meets "we leave the prices off".
OPPOSITES: list[tuple[re.Pattern[str], str]] = [
    # "we'll leave the prices off", "prices will be left off", "we'll keep them off".
    (
        re.compile(
            r"\b(?:leav(?:e|es|ing)|left|keep(?:s|ing)?|kept) ((?:[a-z'-]+ ){0,3}?)(?:off|out)\b"
        ),
        r"not include \1",
    ),
    (re.compile(r"\b(?:exclud|omitt?|hidd?)(?:e|es|ed|ing|en|s)?\b"), "not include"),
    (
        re.compile(
            r"\b(?:show|print|display|contain|includ)(?:e|s|es|ed|ing|n)?\b(?! (?:us|you|me)\b)"
        ),
        "include",
    ),
    (re.compile(r"\b(?:allow|permitt?)(?:s|ed)?\b"), "allow"),
    (
        re.compile(r"\b(?:refus|reject|forbid|forbidden|prohibit|bann?)(?:e|s|es|ed)?\b"),
        "not allow",
    ),
    (re.compile(r"\bunavailable\b"), "not available"),
    (re.compile(r"\b(?:closed|closes|closing)\b"), "not open"),
    (re.compile(r"\boptional\b"), "not required"),
    (re.compile(r"\b(?:requir(?:e|es|ed)|mandatory|compulsory)\b"), "required"),
]


def opposites_folded(folded: str) -> str:
    for pattern, replacement in OPPOSITES:
        folded = pattern.sub(replacement, folded)
    return folded


# Knowledge statements come back in every draft check: each is read once.
@lru_cache(maxsize=8192)
def governed(folded: str) -> tuple[frozenset[str], frozenset[str]]:
    """(words a negation governs, words said plainly in clauses without a negation), stems."""
    denied: set[str] = set()
    plain: set[str] = set()
    clause: list[str] = []
    listing = False  # the clauses that follow a negation are the items it denies
    listed: set[str] = set()  # bare items said so far, maybe the subject of a negation after
    for token in [*TOKEN.findall(opposites_folded(ADDRESS.sub(" ", folded))), ","]:
        if token not in CLAUSE_END:
            clause.append(token)
            continue
        if clause[:1] and clause[0] in SUPPOSING:
            clause = []  # "if you create an account, …" asserts nothing about accounts
            continue
        negations = [i for i, t in enumerate(clause) if NEGATION.fullmatch(t)]
        opening = [t for t in clause[:2] if t not in {"and", "or"}][:1]
        new = (
            (clause[:1] and clause[0] in CONTRAST)
            or (opening and opening[0].split("'")[0] in SUBJECT)  # "you're welcome to …"
            or AUXILIARY.intersection(clause)
        )
        if listing and not negations and opening and not new:
            # "doesn't cover wear and tear, accidents, damage from pets": each item's head.
            item = next((t for t in clause if t not in STOP and len(t) > 2), None)
            if item is not None:
                denied.add(_stem(item))
            clause = []
            continue
        if negations and clause[0] in {"and", "or"} and negations[0] > 1 and listed:
            # "Wear and tear, accidents, and damage from washing aren't covered": the items
            # before the last are the subject the negation denies too.
            plain -= listed
            denied |= listed
        # Only a negated verb heads a list ("no interest payments, one every 2 weeks": not).
        listing = any(clause[i] not in NOUN_NEGATION for i in negations)
        cancelled: set[int] = set()
        for i in negations:
            if i in cancelled:
                continue
            at, head = _head(clause, i)
            if head is not None and NEGATION.fullmatch(head):
                # "isn't plastic-free" ("isn't no plastic"): two negations assert the word.
                cancelled.add(at)
                head = _head(clause, at)[1]
                if head is not None:
                    plain.add(_stem(head))
            elif head is not None:
                denied.add(_stem(head))
                # "can't be returned or exchanged", "don't need packaging or tags": a
                # negation denies each word joined by "or".
                after = clause[at + 1 : at + 3]
                if len(after) == 2 and after[0] in {"or", "nor"} and _open(after[1]):
                    denied.add(_stem(after[1]))
        said = {_stem(t) for t in clause if t not in STOP and len(t) > 2}
        if not negations:
            plain |= said
        bare = not negations and not new and len(clause) <= ITEM_TOKENS
        listed = listed | said if bare else set()
        clause = []
    return frozenset(denied), frozenset(plain)


def _negated_list(folded: str) -> tuple[list[str], int, list[list[str]]] | None:
    """The first clause's words, where the word its negated verb denies is, and the words
    of each clause after it that lists more of what is denied."""
    clauses = [c.split() for c in re.split(r"\s*,\s*", folded)]
    first = clauses[0]
    negations = [i for i, t in enumerate(first) if NEGATION.fullmatch(t) and t not in NOUN_NEGATION]
    if not negations:
        return None
    at, head = _head(first, negations[0])
    if head is None:
        return None
    items = []
    for clause in clauses[1:]:
        words = [w for w in clause[:1] if w not in {"and", "or"}] + clause[1:]
        if not words or words[0] in SUBJECT or any(NEGATION.fullmatch(w) for w in words):
            break
        items.append(words)
    return first, at, items


def denied_items(folded: str) -> list[str]:
    """Each item of a list a negated verb governs, said on its own: "the warranty doesn't
    cover wear and tear, accidents, damage from pets" gives "the warranty doesn't cover
    accidents" and "… doesn't cover damage from pets", so a claim about one item is aligned
    with what the knowledge says of it, not with the whole long sentence."""
    found = _negated_list(folded)
    if found is None:
        return []
    first, at, items = found
    prefix = " ".join(first[: at + 1])
    return [f"{prefix} {' '.join(words)}" for words in items]


@lru_cache(maxsize=8192)
def denied_of(folded: str) -> tuple[str, tuple[frozenset[str], ...]] | None:
    """The deed a negation denies and each thing it is denied of, as stems, the first
    being the rest of the verb's clause: "doesn't cover normal wear and tear, accidents"
    gives ("cover", ({normal, wear, tear}, {accident}))."""
    found = _negated_list(folded)
    if found is None or NEGATION.fullmatch(found[0][found[1]]):
        return None
    first, at, items = found
    rest = first[at + 1 :]
    if rest[:1] in (["or"], ["nor"]):
        rest = rest[2:]  # "can't be returned or exchanged": a second deed, not a thing
    things = (
        frozenset(_stem(w) for w in words if w not in STOP and len(w) > 2)
        for words in [rest, *items]
    )
    return _stem(first[at]), tuple(t for t in things if t)


# A list's items: split at commas and the last "and" / "or".
LIST_ITEMS = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")
# "Items marked Final Sale and gift cards can't be returned": a list of subjects a negated
# verb is said of, the verb and what follows it.
LISTED_SUBJECTS = re.compile(
    r"^(?P<subjects>[a-z][^,;:]*?(?:,[^,;:]+?)*\s+(?:and|or)\s+[^,;:]+?)\s+"
    r"(?P<verb>(?:can't|cannot|can not|aren't|are not|isn't|is not|won't|will not|don't"
    r"|doesn't|never)\b[^;:]*)$"
)


def denied_subjects(folded: str) -> list[str]:
    """Each subject of a list a negated verb is said of, with that verb: "items marked Final
    Sale and gift cards can't be returned" gives "gift cards can't be returned", so a claim
    that gift cards can be returned is aligned with what the knowledge says of them."""
    m = LISTED_SUBJECTS.match(folded.strip().rstrip(".!"))
    if m is None:
        return []
    subjects = [p for p in LIST_ITEMS.split(m["subjects"]) if p]
    return [f"{subject} {m['verb']}" for subject in subjects] if len(subjects) > 1 else []


# The verb a statement's subject ends at: an auxiliary, a modal or a negated one.
VERB = re.compile(
    r"\b(?:can|can't|cannot|could|is|are|isn't|aren't|was|were|will|won't|do|don't|does"
    r"|doesn't|never|must|have|has|should|shouldn't|may)\b"
)


# What a reply says before the statement, not of what ("just note that opting out …").
ASIDE = re.compile(
    r"^(?:just |please )?(?:note|remember|keep in mind|bear in mind|be aware)(?: that)?,? "
    r"|^just so you know,? "
)


def subject_of(folded: str) -> str:
    """What a statement is said of: its words before the first auxiliary ("gift cards" of
    "gift cards can't be returned"); nothing for a supposition ("if you paid …") or a
    statement whose subject is a pronoun."""
    folded = ASIDE.sub("", folded)
    m = VERB.search(folded)
    if m is None or folded.startswith(tuple(SUPPOSING)):
        return ""
    subject = folded[: m.start()].strip(" ,")
    return "" if subject in SUBJECT or not subject else subject


def _open(token: str) -> bool:
    """A word a negation may govern: not a filler, a bridge or another negation."""
    return (
        token not in STOP
        and token not in BRIDGE
        and len(token) > 2
        and not NEGATION.fullmatch(token)
    )


def _head(clause: list[str], at: int) -> tuple[int, str | None]:
    """The word the negation at ``at`` governs (or a second negation), and where it is."""
    for j, token in enumerate(clause[at + 1 :], at + 1):
        if NEGATION.fullmatch(token):
            return j, token
        if token in DESCRIBING and j + 1 < len(clause):
            continue  # "don't need the *original* packaging": the packaging is denied
        if _open(token):
            return j, token
    return 0, None


def flipped_predicate(
    claim_folded: str, statements: list[tuple[float, str, str]], least: float
) -> tuple[str, str] | None:
    """The word the claim asserts where the closest knowledge statement using it denies it
    (or the reverse), with that statement's text. ``statements`` are (closeness to the
    claim, folded text, text). None when a nearly-as-close statement using the word says
    it the claim's way."""
    denied, plain = governed(claim_folded)
    near = sorted((s for s in statements if s[0] >= least), key=lambda s: -s[0])
    read = [(value, text, *governed(folded)) for value, folded, text in near]
    words = [(w, True) for w in sorted(denied)] + [(w, False) for w in sorted(plain - denied)]
    for word, claim_denies in words:
        using = [(v, t, word in d) for v, t, d, p in read if word in d or word in p]
        if not using:
            continue
        top = using[0][0]
        if all(says_denied != claim_denies for v, _, says_denied in using if v >= 0.75 * top):
            return word, using[0][1]
    return None


# Adverbs between a modal and its verb ("we can *also* ship").
FILLER = frozenset(
    {"also", "still", "just", "then", "only", "usually", "often", "now", "always", "gladly"}
)
PARTICIPLE = ("ed", "en", "t")
# Verbs that name no deed of their own: what is used, got or chosen is the claim (and the
# words the folding writes in: "we'll cover shipping" is "free shipping").
GENERIC = frozenset(
    {"use", "used", "get", "see", "find", "choose", "reach", "help", "free", "costs"}
)
# "We'll take care of it", "we'll sort it out": dealing with a request, whatever it asks.
HANDLING = frozenset({("take", "care"), ("sort", "it"), ("sort", "that"), ("look", "after")})
# A message sent names its deed by what is sent: "send you an email" is to email.
SENT_AS = re.compile(r"send (?:you |us |them )?(?:an? |the )?(email|text|message)\b")
PARTICLE = frozenset({"back", "up", "off", "out", "down", "over", "away", "around"})
# "we can X", "you'll be able to X", "you're welcome to X", "our courier will X": what
# someone is said to be able to do. The X a modal governs is the capability. "Will"
# promises a deed only of the brand (its people and services) or the customer: of anything
# else it tells what happens ("any post office will *take* the parcel", "your refund will
# *land*", "they'll *feel* softer"), which a drafting model words its own way.
MODAL = re.compile(
    r"\b(?:can|could|able to|welcome to|may|lets you|allows you to"
    r"|(?:we|you|i|our [a-z-]+)(?:'ll|\s+will))\s+"
    r"((?:[a-z'-]+\s+){0,2}[a-z'-]+)"
)


def abilities(folded: str) -> frozenset[str]:
    """What modals govern in a claim ("we can *hem*", "can be *used*", "can *come back*"):
    the verb, with the particle of a phrasal verb (whose meaning it changes). A modal that
    governs a negation (polarity's business), a common verb ("will *reply*", "'ll *let* you
    know") or an adjective ("we'll be *happy* to") names no new deed."""
    found = set()
    for match in MODAL.finditer(folded):
        words = [w for w in match.group(1).split() if w not in FILLER]
        if words and words[0] in {"be", "been", "get"}:
            # A passive names its deed by the participle ("be sent"); "be happy" names none.
            words = words[1:2] if words[1:2] and words[1].endswith(PARTICIPLE) else []
        if not words or words[0] in STOP or NEGATION.fullmatch(words[0]) or len(words[0]) < 3:
            continue
        # The deed's own word, past any filler ("we'll *also* send you an email").
        at = re.compile(rf"\b{re.escape(words[0])}\b").search(folded, match.start(1))
        sent = SENT_AS.match(folded, at.start()) if at is not None else None
        if sent is not None:  # "we'll send you an email" says no more than "we'll email you"
            found.add(sent[1])
            continue
        particle = [p for p in words[1:2] if p in PARTICLE]
        if (words[0] in GENERIC and not particle) or tuple(words[:2]) in HANDLING:
            continue  # "can be used", "you can use PayPal": the deed is in its object
        found.add(" ".join([words[0], *particle]))
        found |= _coordinated(folded[match.start(1) :].partition(" ")[2])
    return frozenset(found)


# A second verb the same modal governs: "can check the balance *and top it up*", "can
# return *or exchange it*". Read only where an object follows it, so a noun joined to the
# first verb's object ("the balance and gift card history") is not taken for a deed.
COORDINATED = re.compile(
    r"^[^.;:!?]*?\b(?:and|or)\s+([a-z]{3,})\s+(?:it|them|one|this|that)(?:\s+([a-z]+))?\b"
)


def _coordinated(rest: str) -> set[str]:
    found = COORDINATED.match(rest)
    if found is None or found[1] in STOP or found[1] in GENERIC or NEGATION.fullmatch(found[1]):
        return set()
    particle = [found[2]] if found[2] in PARTICLE else []
    return {" ".join([found[1], *particle])}


def undescribed_deed(
    claim_folded: str, claim_words: frozenset[str], near_folded: list[str], known: frozenset[str]
) -> str | None:
    """The first deed a modal in the claim governs ("we can *hem* the trousers") that none of
    the closest knowledge sentences describes, in the same word or one near in meaning, and
    that the knowledge never says can be done anywhere (``known``: its own abilities)."""
    said = sorted({w for text in near_folded for w in WORD.findall(text) if w not in STOP})
    stems = {_stem(w) for w in said} | {_stem(d.split()[0]) for d in known}
    # The claim's own words ("hem the *trousers*") are what the deed is done to, not a
    # description of it: only the knowledge's other words can say the same deed.
    others = [w for w in said if _stem(w) not in claim_words and w not in claim_words]
    named = {*said, *(d.split()[0] for d in known)}
    for deed in sorted(abilities(claim_folded)):
        head = deed.split()[0]
        if (
            head in stems
            or _stem(head) in stems
            or same_deed(head, named)
            or same_deed(deed, named)
        ):
            continue
        if closest_sense(deed, others)[1] < SAME_SENSE:
            return deed
    return None
