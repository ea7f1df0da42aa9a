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

import itertools
import re
from dataclasses import replace
from functools import lru_cache

from assistant.safety.actors import (
    ASKING,
    brand_said_to_do,
    customer_chooses,
    done_for_you,
    unnamed_hand,
)
from assistant.safety.bindings import moved_fact, moved_value
from assistant.safety.claim_conditions import CONDITION_ALIGNED, condition_finding
from assistant.safety.claim_names import entity_finding, name_finding, term_finding
from assistant.safety.claim_terms import CAPABILITY, ENTITY_KIND
from assistant.safety.claim_text import (
    ClaimContext,
    ClaimFinding,
    ClaimKind,
    Sentence,
    clauses_of,
    content,
    resolved,
    sentences,
    statements_of,
    unit,
)
from assistant.safety.facts import EMOJI
from assistant.safety.named_things import TITLED_RUN
from assistant.safety.polarity import polarity_finding
from assistant.safety.predicates import (
    GENERIC,
    LIST_ITEMS,
    undescribed_deed,
)
from assistant.safety.stances import STANCES, plain

__all__ = ["ClaimFinding", "ClaimKind", "check_claims"]

# How many of the closest knowledge sentences may describe what a claim says can be done.
ABILITY_ALIGNED = 3
# How closely a claim statement must match a knowledge sentence that takes a stance on the
# same question, beside its closest ones, before their stances are compared.
STANCE_ALIGNED = 0.5
# How many new words a clause needs before it, alone, describes something new.
CLAUSE_UNSAID = 3


def check_claims(
    draft: str, context: str, names: frozenset[str] = frozenset()
) -> list[ClaimFinding]:
    """Findings for the draft's claim sentences (questions and greetings make no claim).
    ``names`` are the brand's own names (``named_things.brand_names``)."""
    return _check(draft, _context(context, names))


@lru_cache(maxsize=64)
def _context(context: str, names: frozenset[str]) -> ClaimContext:
    return ClaimContext(context, names)


def _check(draft: str, ctx: ClaimContext) -> list[ClaimFinding]:
    findings: list[ClaimFinding] = []
    said: list[str] = []
    unmarked = EMPHASIS.sub(r"\2", draft)
    claims = [_stated(s) for s in sentences(EMOJI_STOP.sub(r"\1. ", _unaddressed(unmarked, ctx)))]
    claims = resolved(claims)
    for claim, quote in _with_cases(claims):
        before, said = " ".join(said), [*said, claim.text]
        plain = claim.text.lower().replace("\u2019", "'")
        if claim.text.endswith("?") or len(claim.words) < 2 or OFFER.fullmatch(plain):
            continue
        closest, _ = ctx.closest(claim)
        near = closest.text if closest else ""
        if _sympathy(plain):
            if (named := name_finding(claim, closest, ctx)) is not None:
                findings.append(replace(named, claim=quote))
            continue
        found = entity_finding(claim, closest, ctx) or _moved(claim, ctx)
        if found is None:
            # The closest sentence under the same conditions: "if you paid with Pay in 4" is
            # about the Pay in 4 sentence, not the gift-card one that shares more words (a
            # heading names a topic, it states no policy). The same for every clause.
            comparable = [s for s in ctx.sentences if ctx.comparable(claim, s)]
            under_same, _ = ctx.closest(claim, comparable)
            for clause in clauses_of(claim):
                found = term_finding(clause, claim, under_same, ctx)
                if found is not None:
                    break
        if found is None:
            found = condition_finding(claim, ctx)
            if found is not None and len(claims) > 1:
                # A reply is about the customer's case, said before: "I'm so sorry it arrived
                # damaged! … you won't pay anything for return shipping". A scope of the
                # claim's own ("on every order") is still its own. The case that gates a deed
                # may come after it ("… You won't pay return shipping for a damaged item").
                said_too = f"{before} {claim.text}".strip()
                found = condition_finding(claim, ctx, said_too, unmarked) and found
        if found is None:
            found = _stance(claim, ctx)
        if found is None and not LEAD_IN.match(plain):
            found = polarity_finding(claim, ctx)
        # A line that leads into a list ("You can reach a person in any of these ways:")
        # names what the items say how to do: the items are checked, each on its own. A
        # courtesy ("Let us know if we can help with anything else!") offers no new deed.
        if found is None and not claim.text.endswith(":") and not _courtesy(plain):
            found = _capability(claim, ctx, near)
        if found is not None:
            findings.append(replace(found, claim=quote))
    return findings


# A line that only says what the list after it is: "Here's how to make a warranty claim:",
# "Here's what's covered:". It affirms nothing (the items do), so it has no polarity.
LEAD_IN = re.compile(r"(?:[a-z ,!]*[,!] )?here(?:'s| is| are)\b[^.!?:]*:$")


# Courtesy a reply opens or closes with: "Have a wonderful day!", "Happy shopping, and let us
# know if we can help with anything else!", "I'm sorry to hear you had trouble with an order".
COURTESY = re.compile(
    r"^(?:(?:hi|hello|hey)(?: there)?[ ,!]*)?(?:(?:thanks|thank you)[^,.!]*[,!]\s*(?:and )?)?(?:"
    r"have an? (?:great|wonderful|lovely|nice|good|fantastic|happy) (?:day|week|weekend|one)"
    r"|happy shopping|enjoy your [a-z ]+|take care"
    r"|(?:i'm|i am|we're|we are) (?:so |really |very )?sorry to hear"
    r"|(?:just )?let (?:us|me) know if (?:we|i) can (?:help|assist)"
    r"(?: you)? (?:with anything else|further|find the right (?:fit|size|one|piece))"
    r")\b"
)


# A deed offered after a courtesy: "I'm sorry to hear that, we can hem them for you".
OFFERED = re.compile(
    r"\b(?:we|i)(?:'ll| will| can| could| may)\b|\byou can\b"
    r"|\bwe (?:offer|provide|ship|deliver|accept|also|do|have)\b"
)


def _courtesy(plain: str) -> bool:
    """One courtesy or more ("Happy shopping, and let us know if we can help with anything
    else!"), with no deed offered after them."""
    found, rest = False, plain
    while (courtesy := COURTESY.match(rest)) is not None and courtesy.end() > 0:
        found, rest = True, rest[courtesy.end() :].lstrip(" ,!.").removeprefix("and ")
    return found and OFFERED.search(rest) is None


# Sympathy with the customer's own situation: "I'm so sorry your payment didn't go through
# the way you expected", "Sorry the tracking link isn't showing anything yet", "I completely
# understand how tricky it is". It says what the customer told us, not what the brand does.
SYMPATHY = re.compile(
    r"^(?:(?:i'm|i am|we're|we are) )?(?:so |really |very |truly )?sorry (?:that |about |to hear"
    r" |to see )?(?:your|the|this|that|it|you)\b"
    r"|^i (?:completely |totally |really |fully )?(?:understand|know|get) (?:how|that|why)\b"
)
# Words that make it a claim after all: "I'm sorry the tee can't be returned", "I'm sorry
# you were charged twice, the refund is on its way", a second clause of the brand's deeds.
ASSERTS = re.compile(
    r"\b(?:but|however|can|can't|cannot|could|will|won't|must|need|only|never|always|free)\b"
    r"|\b(?:refund|replac|ship|deliver|return|exchang|cancel|charg|credit)\w*"
    r"|\bon (?:its|the|their) way\b|,\s*(?:and\s+|so\s+)?(?:we|it|they|our|this|that)\b"
)


def _sympathy(plain: str) -> bool:
    return SYMPATHY.match(plain) is not None and ASSERTS.search(plain) is None


# A greeting that offers help with the customer's topic states nothing of it: "Hi, happy to
# walk you through returns and exchanges!"
OFFER = re.compile(
    r"(?:(?:hi|hello|hey)(?: there)?[ ,!]*)?(?:i'm |we're |i am |we are )?(?:so )?"
    r"(?:happy|glad) to (?:help(?: you)?(?: with)?|walk you through|explain|go over)"
    # The topic alone: a clause of its own after it ("…, and we'll cover …") is a claim.
    r"(?: (?!(?:but|so|we|we'll|you|you'll|it|it's|i|i'll|free)\b)"
    r"(?!and (?:we|you|it|i)\b)[a-z'-]+){0,8}[.!]?"
)


# An emoji before a capital ends a sentence: "… and Shop Pay 💳 Fernhill gift cards work too".
EMOJI_STOP = re.compile(rf"({EMOJI})\s+(?=[A-Z])")
# WhatsApp's and Markdown's emphasis ("12 months *from your last order*", "_unworn_"): the
# words are read without it. A mark inside a word ("@jess_outdoors") is not one.
EMPHASIS = re.compile(r"(?<![\w*_~])([*_~]{1,2})(?=\S)(.+?)(?<=\S)\1(?![\w*_~])")


# A short question that opens the customer's case, with no question word or auxiliary of its
# own: "Paid with a gift card? We'll refund that part to …", "Already shipped? …".
CASE_QUESTION = re.compile(
    r"^(?!(?:do|does|did|is|are|was|were|can|could|would|will|shall|should|have|has|had|may"
    r"|might|what|how|when|where|why|who|which|whose|want|need|any|ready|sound|sounds)\b)"
    r"[A-Za-z][\w' -]*\?$",
    re.IGNORECASE,
)
CASE_WORDS = 8


def _with_cases(claims: list[Sentence]) -> list[tuple[Sentence, str]]:
    """Each claim, read as said of the case a question before it opens ("If paid with a gift
    card, we'll refund …"), with the text its findings quote: the draft's own."""
    out = [(claims[0], claims[0].text)] if claims else []
    for case, claim in itertools.pairwise(claims):
        if (
            CASE_QUESTION.match(case.text)
            and len(case.text.split()) <= CASE_WORDS
            and not claim.text.endswith("?")
        ):
            said = claim.text  # a name opening it keeps its capitals: "Shop Pay …"
            if not TITLED_RUN.match(said):
                said = said[:1].lower() + said[1:]
            read = unit(f"If {case.text[:1].lower()}{case.text[1:-1]}, {said}")
            out.append((read, f"{case.text} {claim.text}"))
        else:
            out.append((claim, claim.text))
    return out


# The customer's name, addressed: after an opening of a few words ("Great question, Jordan.",
# "Good news, Lena: …"), or after a clause, before its stop ("You don't need an account to
# order, Ellie; …", "… running late, Theo.", "… to Japan, Haruto!"). It is no place or name
# the knowledge must give (a list's last item, "Canada, Mexico, Japan.", follows a name).
OPENING_ADDRESS = re.compile(
    r"(?m)(^|[.!?]\s+)([A-Z][a-z']*(?:\s+[a-z'][a-z']*){0,5}),\s+([A-Z][a-z]+)"
    r"(?=\s*(?:[,;:!.?\u2014]|$))"
)
# "Hi Maya, no account needed": the name a greeting addresses.
GREETING = re.compile(
    r"(?m)^(\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\s+)([A-Z][a-z]+)"
    r"(?=\s*[,!.\u2014])",
    re.IGNORECASE,
)
CLOSING_ADDRESS = re.compile(
    r"\b([a-z][a-z']*),\s+([A-Z][a-z]+)(?=\s*(?:[;:!?]|\.(?:\s|$)|$))"
    r"|\b([A-Za-z][a-z']*),\s+([A-Z][a-z]+)(?=\s*!)"
)


def _unaddressed(draft: str, ctx: ClaimContext) -> str:
    """The draft without the customer's name where it is addressed (a name the knowledge
    uses stays: it may be a claim; so does a place or carrier after a clause: "we ship to
    Canada, Brazil!" names a country)."""

    def drop(m: re.Match[str], keep: str, closing: bool) -> str:
        name = m.group(m.lastindex or 0).lower()
        named = name in ctx.folded or (closing and name in ENTITY_KIND)
        return m[0] if named else m.expand(keep)

    draft = GREETING.sub(lambda m: drop(m, r"\1", False), draft)
    draft = OPENING_ADDRESS.sub(lambda m: drop(m, r"\1\2", False), draft)
    return CLOSING_ADDRESS.sub(lambda m: drop(m, r"\1\3", True), draft)


# "…, as long as it wasn't marked Final Sale, so which would you prefer?": a statement with a
# question after it still states what comes first.
QUESTION_TAIL = re.compile(
    r",\s*(?:so|and|but|or)\s+(?:which|what|would|do|does|can|could|shall|should|how|when"
    r"|where|who)\b[^.!?]*\?$",
    re.IGNORECASE,
)


# "Not at all, you're welcome to check out as a guest": a "no" answers the customer's
# question; it denies nothing the sentence says.
ANSWER_NO = re.compile(r"^(?:no|nope|nah|not at all|not really)\s*[,!.:\u2014]+\s*", re.IGNORECASE)


def _stated(sentence: Sentence) -> Sentence:
    tail = QUESTION_TAIL.search(sentence.text)
    text = sentence.text if tail is None else sentence.text[: tail.start()] + "."
    answer = ANSWER_NO.match(text)
    if answer is not None and len(text) > answer.end():
        text = text[answer.end() :]
    return sentence if text == sentence.text else unit(text)


def _moved(claim: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    """What the knowledge says of some named products, said of another (``bindings``)."""
    knowledge = list(ctx.fact_texts)
    moved = moved_fact(claim.text, knowledge)
    if moved is None:
        if (value := moved_value(claim.text, knowledge)) is None:
            return None
        given, other = value
        detail = f"gives '{other.strip(' .')}' the value the knowledge gives in '{given}'"
        return ClaimFinding(ClaimKind.condition, claim.text, f"{given}, and {other}", detail)
    name, said, clause = moved
    detail = f"says '{said}' of the {name}, which the knowledge says of others"
    return ClaimFinding(ClaimKind.entity, claim.text, clause, detail)


def _stance(claim: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    """The claim takes the other stance from the aligned knowledge on one of a policy's
    yes-or-no questions (``stances``); a knowledge sentence that takes the same one backs it."""
    # Each subject's own statement too: "…, and parcels returned to us as undeliverable are
    # shipped again at our cost" takes its own stance on who pays.
    parts = dict.fromkeys([*statements_of(claim), *statements_of(claim, subjects=True)])
    for part in parts:
        found = _stance_of(claim, part, ctx)
        if found is not None:
            return found
    return None


def _stance_of(claim: Sentence, part: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    said = plain(part.text)
    stances = [(s, mine) for s in STANCES if (mine := s.taken(said))]
    if not stances or ctx.closest(part)[1] < CONDITION_ALIGNED:
        return None
    # The closest knowledge, and any sentence nearly as close to this statement that takes a
    # stance on it ("you'll need to create an account before you can check out" is about
    # "you do not need an account to place an order", though it shares more words with
    # "if you create an account at …, you can track orders").
    aligned = ctx.aligned(part, ctx.facts)
    aligned += [s for s in ctx.facts if s not in aligned and ctx.score(part, s) >= STANCE_ALIGNED]
    for stance, (taken, about) in stances:
        read = [(s, stance.taken(plain(s.text))) for s in aligned]
        # Stances about different things ("every order" / "most items") do not meet.
        known = [(s, t[0]) for s, t in read if t and (not about or not t[1] or t[1] == about)]
        if not known or any(theirs == taken for _, theirs in known):
            continue
        closest, theirs = known[0]
        return ClaimFinding(
            ClaimKind.polarity,
            claim.text,
            closest.text,
            f"says {taken} where the closest knowledge says {theirs} ({stance.question})",
        )
    return None


def _capability(claim: Sentence, ctx: ClaimContext, near: str) -> ClaimFinding | None:
    unsupported = (
        _ability(claim, ctx)
        or _added_item(claim, ctx)
        or _added_also(claim, ctx, near)
        or _self_service(claim, ctx)
        or brand_said_to_do(claim, ctx)
        or customer_chooses(claim, ctx)
        or done_for_you(claim, ctx)
        or unnamed_hand(claim, ctx, near)
    )
    if unsupported is not None:
        return unsupported
    if not CAPABILITY.search(claim.folded):
        return None
    missing = _unsaid(claim, ctx)
    if len(missing) < 2 or len(missing) * 3 < len(claim.words):
        # A clause of its own may be the new thing ("…, or download it from your dashboard"):
        # then most of its words are new.
        missing = next(
            (
                unsaid
                for part in clauses_of(claim)
                if len(unsaid := _unsaid(part, ctx)) >= CLAUSE_UNSAID
                and len(unsaid) * 2 >= len(part.words)
            ),
            [],
        )
    if not missing:
        return None
    return ClaimFinding(
        ClaimKind.capability,
        claim.text,
        near,
        "describes something the knowledge does not (" + ", ".join(missing[:4]) + ")",
    )


# Words that say how much or how good, not what ("a few photos of what's wrong").
HOW_IT_IS = frozenset(
    {"few", "several", "many", "quick", "short", "wrong", "right", "good", "great", "little"}
    # "…, Google Pay and Shop Pay, lots of options!"
    | {"lot", "lots", "plenty", "option", "choice"}
)
# A part that says what something is, is a clause of its own, not an item.
COPULA = re.compile(r"\b(?:is|are|was|were)\b")
# How many items a list must have before one of them can be the one added.
LISTED = 3
ITEM_WORDS = 10
# What opens a clause with its own subject or a condition, not an item of a list.
NOT_AN_ITEM = frozenset(
    {"we", "you", "it", "they", "i", "there", "this", "that", "your", "our", "the", "as"}
    | {"if", "since", "because", "whichever", "which", "who", "when", "so", "but", "while"}
)


def _added_item(claim: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    """An item added to a list the knowledge gives ("track your orders, start returns
    faster, save your addresses and *keep a wishlist*"): the other items are in the closest
    sentence, and most of this one's words are nowhere in the knowledge."""
    closest, _ = ctx.closest(claim)
    parts = [p for p in LIST_ITEMS.split(claim.folded) if p.strip()]
    # A list is short items after commas; the first part carries the sentence's head.
    if closest is None or claim.folded.count(",") < LISTED - 1 or len(parts) < LISTED:
        return None
    if any(len(p.split()) > ITEM_WORDS for p in parts[1:]):
        return None
    items = [frozenset(w for w in content(p) if "'" not in w) for p in parts]  # no contraction
    listed = [i for i in items if i & closest.words]
    for part, item in zip(parts[1:], items[1:], strict=True):
        opening = part.split()[:2]
        if opening[0] in NOT_AN_ITEM or any("'" in w for w in opening) or COPULA.search(part):
            continue  # a clause of its own ("your bank handles …", "line drying is best")
        # "get dispatched from our warehouse": "get" names no deed of its own.
        unknown = {w for w in item - ctx.words if w not in VAGUE | HOW_IT_IS | GENERIC}
        others = [i for i in listed if i is not item]
        if len(item) >= 2 and len(unknown) * 2 > len(item) and len(others) >= LISTED - 1:
            return ClaimFinding(
                ClaimKind.capability,
                claim.text,
                closest.text,
                "adds to the knowledge's list what it never says ("
                + ", ".join(sorted(unknown))
                + ")",
            )
    return None


# What a claim adds to what it has said: "covers defects like a failed zipper *as well as
# everyday wear and tear*", "and it also covers …".
ALSO = re.compile(
    r"\b(?:as well as|and (?:it |they |we )?also (?:covers?|includes?|protects? against)"
    r"|and even)\s+([^,.;:!?]+)"
)


def _added_also(claim: Sentence, ctx: ClaimContext, near: str) -> ClaimFinding | None:
    """A thing added with "as well as" or "also covers" that the knowledge never names: most
    of its words are nowhere in it."""
    for added in ALSO.finditer(claim.folded):
        item = frozenset(w for w in content(added.group(1)) if "'" not in w)
        unknown = {w for w in item - ctx.words if w not in VAGUE and w not in HOW_IT_IS}
        if len(item) >= 2 and len(unknown) * 2 >= len(item):
            return ClaimFinding(
                ClaimKind.condition,
                claim.text,
                near,
                f"adds '{added.group(1).strip()}', which the knowledge never names",
            )
    return None


# Words a paraphrase adds without saying more ("whichever you'd like", "generally", an
# opening "Great news, we do ship to Japan!").
VAGUE = frozenset(
    {"like", "general", "generally", "usual", "usually", "typically", "typical"}
    | {"great", "good", "news", "heads-up"}
    # "use it by itself or pair it with another payment method": on its own or together.
    | {"itself", "themselves", "use", "pair"}
    # "If something you love is sold out", "if you'd simply like fewer emails instead".
    | {"something", "anything", "love", "simply", "instead"}
)


def _unsaid(claim: Sentence, ctx: ClaimContext) -> list[str]:
    """The claim's words the knowledge does not use, in any form ("replac" of "replacement")
    (a contraction is no claim)."""
    missing = [w for w in sorted(claim.words - ctx.words) if "'" not in w and w not in VAGUE]
    return missing


# "You can update the address yourself", "… directly from the order page in your account",
# where the knowledge says to message us, or that we can update it: the claim moves the deed
# from the brand's people to a self-service the knowledge never describes for it.
SELF_SERVICE = re.compile(
    r"\b(?:yourself|on your own|directly|(?:from|in|through|via) (?:your|the) "
    r"(?:account|order|orders|profile|dashboard)(?: page| settings| history)?)\b"
    # "from your account's address", "type in your account email": a thing of the account.
    r"(?!'| (?:email|address|number|name|details|password)\b)"
)
ASK_US = re.compile(rf"\b(?:(?:{ASKING}) us|we (?:can|will))\b")


def _self_service(claim: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    if not SELF_SERVICE.search(claim.folded):
        return None
    # The closest knowledge and the sentences beside it (an answer after its question; "ask
    # us to delete it" before "We'll delete your account …").
    told = ctx.around(claim)
    if any(SELF_SERVICE.search(s.folded) for s in told):
        return None  # the knowledge describes something customers do themselves
    asking = next((s for s in told if ASK_US.search(s.folded)), None)
    if asking is None:
        return None
    return ClaimFinding(
        ClaimKind.capability,
        claim.text,
        asking.text,
        "says you can do it yourself where the knowledge says we do it, when asked",
    )


def _ability(claim: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    """What a modal says someone can do must be a deed the closest knowledge describes: the
    sentence's, or a clause's ("we'll email one to the recipient, …, and you can check the
    balance" is about two sentences)."""
    near: list[Sentence] = []
    for part in dict.fromkeys([claim, *clauses_of(claim)]):
        aligned = [s for s in ctx.aligned(part, ctx.sentences) if not s.text.startswith("#")]
        near += [s for s in aligned[:ABILITY_ALIGNED] if s not in near]
    deed = undescribed_deed(claim.folded, claim.words, [s.folded for s in near], ctx.abilities)
    if deed is None:
        return None
    return ClaimFinding(
        ClaimKind.capability,
        claim.text,
        near[0].text if near else "",
        f"says it can '{deed}', which the closest knowledge does not describe",
    )
