"""Who does it: a draft that says the brand does what the knowledge leaves to the customer
or to someone else ("Once it's with the carrier we can redirect it" where the knowledge says
"the carrier's tracking page may let you redirect it" describes the deed, so no word is new,
but promises the brand's own hand in it), or gives the deed to a tool of the brand's that
the knowledge never names ("our online repair estimator will give you the price"), does
for the customer what the knowledge has them do ("I can reset your password for you"), or
lets the customer choose what the knowledge has the brand decide ("it's up to you whether
we repair it or refund you")."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.safety.claim_terms import ENTITY_KIND, STOP
from assistant.safety.claim_text import ClaimContext, ClaimFinding, ClaimKind, Sentence
from assistant.safety.stems import base

# What the brand says it does: "we can redirect", "we'll gladly redirect", "we collect".
BRAND_DEED = re.compile(
    r"\bwe(?:'ll| will| can| could)?\s+(?:also\s+|still\s+|gladly\s+|happily\s+)?([a-z]{3,})\b"
)
# Verbs that name no deed of their own ("we can *help*", "we'll *get* back to you").
NO_DEED = frozenset(
    {"help", "get", "let", "make", "take", "see", "try", "look", "give", "keep", "send"}
    | {"need", "want", "happily", "gladly", "always", "usually", "only", "never", "not"}
)


@lru_cache(maxsize=256)
def _deed(verb: str, whose: str) -> re.Pattern[str]:
    root = re.escape(verb[: max(4, len(verb) - 2)])
    return re.compile(rf"\b(?:{whose})\s+(?:[a-z']+\s+)?{root}[a-z]*\b")


# A page's hand that lets the customer do it ("may let you redirect it"; "you can change your
# address" may be by asking us: the knowledge often says it so), or another's: "DHL may
# collect them on delivery", "your bank may charge a fee".
CARRIERS = "|".join(t for t, kind in ENTITY_KIND.items() if kind == "carrier")
THEIRS = (
    r"(?:lets?|allows?|enables?) you(?: to)?"
    rf"|(?:{CARRIERS}|the carrier|your bank|the bank|your card issuer)"
    r"(?: may| will| can| might| usually| often)?"
)
OURS = r"(?:we|us)(?:'ll| will| can| could| may)?"


def brand_said_to_do(claim: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    """The first deed the claim says the brand does that the closest knowledge (and the
    sentences beside it) gives only to the customer or a page, never to the brand."""
    told = ctx.around(claim)
    for found in BRAND_DEED.finditer(claim.folded):
        verb = found.group(1)
        if verb in STOP or verb in NO_DEED:
            continue
        theirs = next((s for s in told if _deed(verb, THEIRS).search(s.folded)), None)
        if theirs is None or any(_deed(verb, OURS).search(s.folded) for s in told):
            continue
        detail = f"says we '{verb}' where the knowledge says you or another do"
        return ClaimFinding(ClaimKind.capability, claim.text, theirs.text, detail)
    return None


# "our online repair estimator will give you the price": a hand of the brand's, said by name.
OUR_HAND = re.compile(
    r"\bour ((?:[a-z-]+ ){0,2}[a-z-]+)(?:'ll| will| can| could| may| lets you| allows you)\b"
)
# The brand's people and its shop, however a draft calls them ("our agents will reply",
# "our website lets you track it"): no new hand.
OWN_HANDS = frozenset(
    {"agent", "staff", "specialist", "representative", "rep", "member", "people", "folk"}
    | {"colleague", "expert", "stylist", "advisor", "adviser", "crew", "employee"}
    | {"website", "site", "store", "shop", "page", "checkout"}
)


def unnamed_hand(claim: Sentence, ctx: ClaimContext, near: str) -> ClaimFinding | None:
    """A tool or service of the brand's that does the deed, which no knowledge names: a
    drafting model's "estimator", "system" or "app" where a person on the team does it
    (``near``: the claim's closest knowledge sentence, quoted)."""
    for found in OUR_HAND.finditer(claim.folded):
        head = found.group(1).split()[-1]
        if head in STOP or base(head) in OWN_HANDS or ctx.knows(head):
            continue
        detail = f"says 'our {found.group(1)}' does it, which the knowledge never names"
        return ClaimFinding(ClaimKind.capability, claim.text, near, detail)
    return None


# The customer picks which of the brand's deeds it is: "it's up to you whether we repair it
# or refund you", "whichever you prefer", "you get to choose".
CHOICE = re.compile(
    r"\b(?:(?:it's|it is|that's) (?:entirely |completely )?(?:up to you|your (?:call|choice))"
    r"|whichever you (?:prefer|like|'d like|would like|want|choose)"
    r"|you (?:get to |can |may )?(?:choose|pick|decide) (?:whether|which|between)"
    r"|the choice is yours)\b"
)
# How the knowledge gives a choice: "whichever you prefer", "you choose", "your choice",
# "either … or … (up to you)", "you can pick".
CHOSEN = re.compile(r"\b(?:prefer|choose|choice|pick|decide|up to you|whichever|opt(?:ion)?s?)\b")


# A choice said before the brand's deeds it is between: "… up to you whether we repair it".
OF_OUR_DEEDS = re.compile(r"\s*(?:whether|which|if) we\b")


def _brand_options(folded: str, chose: re.Match[str]) -> bool:
    """Whether the choice is between deeds of the brand's: "… whether we repair it or …",
    "we'll send a replacement or refund you, whichever you prefer"; not the customer's own
    pick ("we accept Visa, … and Shop Pay, so the choice is yours")."""
    before, after = folded[: chose.start()], folded[chose.end() :]
    if OF_OUR_DEEDS.match(after):
        return True
    return BRAND_DEED.search(before) is not None and " or " in before


def customer_chooses(claim: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    """The claim lets the customer choose what the brand does where the knowledge about
    it (the closest sentences and those beside them) leaves the choice to no one: "if your
    claim is approved, we repair the item, replace it, or refund what you paid if neither
    is possible" is the brand's to decide."""
    chose = CHOICE.search(claim.folded)
    if chose is None or not _brand_options(claim.folded, chose):
        return None
    told = ctx.around(claim)
    if not told or any(CHOSEN.search(s.folded) for s in told):
        return None
    detail = f"lets you choose ('{chose.group(0)}') where the knowledge gives no choice"
    return ClaimFinding(ClaimKind.capability, claim.text, told[0].text, detail)


# The agent does it on the customer's behalf: "I can reset your password for you", "we'll
# cancel it for you".
FOR_YOU = re.compile(
    r"\b(?:we|i)(?:'ll| will| can| could| am able to| are able to)?\s+"
    r"(?:also\s+|gladly\s+|happily\s+|just\s+)?([a-z]{3,})\b[^.;,!?]{0,40}?\bfor you\b"
)
# How the knowledge sends the customer to do it: "Go to …", "Click …", "Use …", "Sign in …".
YOUR_STEP = re.compile(
    r"^(?:go to|visit|click|tap|use|sign in|log in|open|enter|select|choose|head to)\b"
    r"|\byou can\b"
)


# How the knowledge has the customer ask the brand ("message us", "email us"): then the
# brand does it, for them.
ASKING = "message|email|contact|ask|call|tell|write to"
ASKED = re.compile(rf"\b(?:{ASKING}|dm) us\b")


def done_for_you(claim: Sentence, ctx: ClaimContext) -> ClaimFinding | None:
    """The claim says the brand does for the customer a deed the knowledge about it (the
    closest sentences and those beside them) has the customer do, and never says the brand
    does: "I can reset your password for you", where the answer is "Go to …/login, click
    'Forgot password?' …"."""
    found = FOR_YOU.search(claim.folded)
    if found is None or found.group(1) in STOP or found.group(1) in NO_DEED:
        return None
    verb = found.group(1)
    told = ctx.around(claim)
    step = next((s for s in told if YOUR_STEP.search(s.folded)), None)
    if step is None or any(_deed(verb, OURS).search(s.folded) for s in told):
        return None
    if any(ASKED.search(s.folded) for s in told):
        return None  # "message us with the new address": we do it when asked
    detail = f"says we '{verb}' it for you where the knowledge has you do it"
    return ClaimFinding(ClaimKind.capability, claim.text, step.text, detail)
