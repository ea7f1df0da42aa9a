"""Promises in text: refunds, credits, discounts, free items, replacements, waived fees and
timelines ("we'll refund you", "it will arrive tomorrow"), unless negated."""

import re

from assistant.safety.claim_terms import STOP
from assistant.safety.facts import IGNORE, WEEKDAY, WORD_NUMBERS

# -- promises -------------------------------------------------------------------------------

NOT = r"(?!(?:not|never|no|cannot|unable|\w+n't)\b)"
SUBJECT = r"\b(?:we|i|you|our\s+team|a\s+teammate|let\s+(?:me|us))(?:'(?:ll|ve|d|re|m))?"
GIVE = (
    r"(?:refund(?:s|ed|ing)?|reimburs(?:e|ed|es|ing|ement)|compensat(?:e|ed|es|ing|ion)"
    r"|credit(?:s|ed|ing)?(?!\s+card)|replac(?:e|ed|es|ing|ement)|waiv(?:e|ed|es|ing)"
    r"|upgrad(?:e|ed|es|ing)|expedit(?:e|ed|es|ing)|comp(?:ed)?|discount(?:ed)?"
    r"|(?:cover(?:ed)?|take\s+care\s+of)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:costs?|shipping"
    r"|return|fees?|charges?|difference|bill)|price[\s-]match(?:ed)?"
    r"|match(?:ed)?\s+(?:the|that|their|this|our)\s+price|money\s+back|gift\s+card|voucher"
    r"|coupon)\b"
)
# A gift card or voucher the customer pays with, redeems or buys, not one given to them
# ("we'll apply a voucher" is given: only the customer's own deed is read so).
PAYING_WITH = re.compile(
    r"^you(?:'ll)?\b.*\b(?:use|using|pay(?:ing)?\s+with|redeem(?:ing)?|buy(?:ing)?"
    r"|purchas(?:e|ing)|combin(?:e|ing))\s+(?:a|an|the|your|one|any)?\s*(?:[\w-]+\s+)?"
    r"(?:gift\s+card|voucher|coupon)",
    IGNORE,
)
WHEN = r"(?:the\s+)?(?:[0-9]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"  # a date
SOON = (
    rf"(?:today|tonight|tomorrow|this\s+(?:morning|afternoon|evening|week|weekend)"
    rf"|next\s+(?:week|day|business\s+day)"
    rf"|(?:(?:by|on|before|until|this|next)\s+)?{WEEKDAY}(?!,?\s+{WHEN}|\s*(?:-|–|to|thru)\s)"
    r"|(?:by|before)\s+(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:day|week|month)"
    r"|by\s+(?:christmas|thanksgiving|the\s+weekend|the\s+holidays|new\s+year'?s?)"
    r"|same[\s-]day|overnight|right\s+away|immediately|asap|straight\s?away"
    r"|in\s+(?:[0-9]+|an?|one|two|three|four|five|six|seven|a\s+few|a\s+couple\s+of)\s+"
    r"(?:business\s+|working\s+)?(?:minutes?|hours?|days?|weeks?))\b"
)
# Each pattern's ``core`` is what the context must say too for the promise to be granted.
PROMISES = [
    # "we'll refund you", "I've credited your account", "you'll get a replacement"
    re.compile(
        rf"{SUBJECT}(?P<core>(?:\s+{NOT}[\w']+){{0,4}}?\s+{GIVE}"
        r"(?P<tail>(?:[ \t]+[\w$%']+(?:\.[0-9]+)?){0,2}))",
        IGNORE,
    ),
    # "I've issued a refund", "your refund has been processed", "the fee is waived"
    re.compile(
        r"\b(?P<core>(?:issued|processed|approved|initiated|arranged|submitted|authori[sz]ed"
        r"|applied|added|sent|credited|refunded|started)\s+(?:you\s+)?(?:a|an|the|your)\s+"
        r"(?:[\w$.%]+\s+){0,2}?(?:refund|replacement|credit|reimbursement|voucher|coupon"
        r"|discount|gift\s+card|compensation|exchange)"
        r"|(?:refund|replacement|credit|reimbursement|compensation|discount)\s+(?:has|have|will"
        r"|is|was|'s)\s+(?:been\s+|be\s+)?(?:issued|processed|approved|sent|applied|added"
        r"|initiated|credited|arranged|shipped|on\s+its\s+way)"
        r"|(?:fees?|charges?|costs?|shipping)\s+(?:is\s+|are\s+|has\s+been\s+|have\s+been\s+)?"
        r"waived|no\s+need\s+to\s+(?:return|send)\s+(?:it|them|the\s+\w+)"
        r"|(?:feel\s+free\s+to|you\s+can)\s+keep\s+(?:it|them|the\s+\w+))\b",
        IGNORE,
    ),
    # "a full refund", "20% off", "on us", "free shipping", "your next order is free"
    re.compile(
        r"(?<![\w-])(?P<core>(?:full|partial|complete|100%)\s+refund|money\s+back"
        r"|store\s+credit|account\s+credit|goodwill\s+(?:gesture|credit|payment|refund)"
        r"|compensation|on\s+the\s+house|on\s+us|free\s+of\s+charge"
        r"|at\s+no\s+(?:extra\s+|additional\s+)?(?:cost|charge)"
        r"|no\s+(?:extra\s+|additional\s+)?charge|for\s+free|complimentary\s+\w+"
        r"|free\s+(?!(?:of|to|and|from|on|if|for|with|in|at|now|or|up|time)\b)\w+"
        r"(?:\s+shipping)?|\w+\s+(?:is|are|will\s+be)\s+(?:completely\s+|totally\s+)?"
        r"(?:free|complimentary)(?!\s+(?:to|of|from)\b)"
        r"|(?<![0-9.,])[0-9]+(?:\.[0-9]+)?\s*(?:%|percent|per\s+cent)\s+(?:off|discount)"
        r"|(?:[$€£]\s?[0-9]+(?:[.,][0-9]+)*|(?<![0-9.,])[0-9]+(?:[.,][0-9]+)*\s?"
        r"(?:usd|eur|gbp|dollars?))\s+(?:off|discount|credit|voucher|gift\s+card|refund)"
        r"|price\s+(?:match|adjustment)|waiv\w*\s+(?:the|your|any|all)\s+\w+)\b",
        IGNORE,
    ),
    # "it will arrive tomorrow", "we'll reply in 2 hours", "delivered by Friday"
    re.compile(
        r"\b(?:arriv|deliver|ship|send|sent|dispatch|reach|get\s+(?:it|there|to\s+you|back"
        r"|in\s+touch)|have\s+it|hear|repl|respond|answer|process|refund|credit|resolv|fix"
        r"|repair|replac|contact|call|email|e-mail|message|update|expect|receiv|land|guarantee"
        r"|be\s+(?:there|with\s+you|back|delivered|shipped|processed|resolved|fixed|sorted"
        rf"|refunded)|follow\s+up|look\s+into)\w*\b[^.!?\n]{{0,40}}?\b(?P<core>{SOON})",
        IGNORE,
    ),
    # "within 24 hours", "within the hour"
    re.compile(
        r"\b(?P<core>within\s+(?:the\s+next\s+)?(?:[0-9]+(?:\s*(?:-|–|—|to)\s*[0-9]+)?|an?|one"
        r"|two|three|four|five|six|seven|eight|nine|ten|a\s+few|a\s+couple\s+of)\s+"
        r"(?:business\s+|working\s+)?(?:minutes?|hours?|days?|weeks?|months?)"
        r"|within\s+the\s+(?:next\s+)?(?:hour|day|week))\b",
        IGNORE,
    ),
]
# "there's no free shipping", "we don't offer free returns": a negation just before it.
NEGATED = re.compile(
    r"\b(?:not|no|never|cannot|unable|without|\w+n't)\b(?:\s+[\w'-]+){0,3}\s*$", IGNORE
)
CLAUSE_END = re.compile(r"[.!?,;:\n]")
PHRASE_RULES = [
    (r"\bwon't\b", "will not"),
    (r"\bcan't\b", "cannot"),
    (r"n't\b", " not"),
    (r"'ll\b", " will"),
    (r"'ve\b", " have"),
    (r"'re\b", " are"),
    (r"'m\b", " am"),
    (r"'d\b", " would"),
    (r"'s\b", ""),
    (r"([0-9]),([0-9]{3})", r"\1\2"),
    (r"([0-9])\.00\b", r"\1"),
    (r"([0-9])\s*(?:percent|per\s+cent)\b", r"\1%"),
    (r"\$\s*([0-9][0-9.]*)", r"\1 usd"),
    (r"\b([0-9]+(?:\.[0-9]+)?)\s*(?:usd|dollars?|bucks)\b", r"\1 usd"),
    (r"\b(?:a|an)\s+(?=(?:business\s+|working\s+)?(?:minute|hour|day|week|month|year)s?\b)", "1 "),
    (r"([0-9])\s*(?:-|–|—|to)\s*([0-9])", r"\1 to \2"),
    (r"\b(?:also|still|just|gladly|happily)\s+", ""),  # "we also cover shipping" promises the same
    (r"(?:\.(?![0-9])|[!?\n])+", " | "),  # where sentences end
    (r"[^\w$€£%.|]+", " "),
]
NUMBER_WORD = re.compile(r"\b(" + "|".join(WORD_NUMBERS) + r")\b")


def promise_phrase(text: str) -> str:
    """A promise as plain words: case, contractions, dashes, number words and money
    formats made uniform, so "we'll" matches "we will" and "$6.00" matches "6 dollars"."""
    s = NUMBER_WORD.sub(lambda m: str(WORD_NUMBERS[m[1]]), text.lower())
    for pattern, repl in PHRASE_RULES:
        s = re.sub(pattern, repl, s)
    return " ".join(s.split())


def find_promises(text: str) -> list[tuple[int, int, int, str, str]]:
    """(start, end, end of its clause, core, the core's trailing words) of each
    promise-like phrase, in order."""
    hits: list[tuple[int, int, int, str, str]] = []
    for pattern in PROMISES:
        for m in pattern.finditer(text):
            if pattern is PROMISES[2] and NEGATED.search(text, max(0, m.start() - 40), m.start()):
                continue  # "there's no free shipping" promises nothing
            if PAYING_WITH.search(m[0]):
                continue  # "you can use a gift card too": a way to pay, nothing given
            clause = CLAUSE_END.search(text, m.end(), m.end() + 60)
            shown = clause.start() if clause else min(len(text), m.end() + 60)
            shown = max(m.end(), m.start() + len(text[m.start() : shown].rstrip()))
            tail = m.groupdict().get("tail") or ""
            hits.append((m.start(), m.end(), shown, m["core"], tail))
    return sorted(hits)


# -- a promise the context makes in other words -----------------------------------------------

# What a promise gives, by the stem the context must use for it too ("replace" / "replacement").
GIVES = (
    *("refund", "replac", "repair", "reimburs", "compensat", "waiv", "credit", "exchang"),
    "gift card",
)
# What is given, said in a drafting model's word: "we'll reimburse you" is a refund.
SAME_GIVING = {"reimburs": "refund"}
# The ways to say the customer pays nothing.
FREE = re.compile(
    r"\bfree\b|\bno (?:extra |additional )?(?:cost|charge)\b|\bon us\b|\bcomplimentary\b",
    IGNORE,
)
# Words of a promise's sentence that say nothing of what is promised.
PLAIN = STOP | {"sure", "glad", "happy", "sorry", "able", "again", "only", "once"}
# How many of the sentence's words a context sentence must share (and what share of them).
RESTATED_WORDS, RESTATED_SHARE = 2, 2 / 3


# Ways to say a threshold is met, one word: "once your order reaches $75", "over $75" and
# "on orders of $75 or more" give the same thing.
AT_LEAST = frozenset({"reach", "reaches", "reached", "hits", "over", "above", "exceeds", "least"})


# A capitalised word that does not open a sentence: a name.
NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+\b")


def _stems(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", text.lower())
    return {("more" if w in AT_LEAST else w)[:5] for w in words if len(w) > 3 and w not in PLAIN}


def _frees(words: frozenset[str]) -> bool:
    """Whether a context sentence (its words) says something costs nothing."""
    return bool(words & {"free", "complimentary"}) or (
        bool(words & {"no", "never"}) and bool(words & {"charge", "cost", "pay"})
    )


def restated(core: str, sentence: str, context: list[frozenset[str]]) -> bool:
    """Whether one context sentence makes this promise in other words: it gives the same
    thing (a refund, a replacement, something free) and shares at least two thirds of the
    draft sentence's other words ("we'll repair or replace the item" beside "we repair the
    item, replace it with the same or a similar one"). A bare "we'll refund you" has too
    few words to say which of the context's refunds it is, and a timeline is never
    reworded here: its date or duration is the promise."""
    gives = {"free"} if FREE.search(core) else {g for g in GIVES if g in core.lower()}
    if not gives:
        return False
    given = {part for g in gives for part in g.split()}
    words = _stems(FREE.sub(" ", sentence)) - {g[:5] for g in given}
    given = {SAME_GIVING.get(g, g) for g in given}  # the context's own word for it
    # Two things given together ("repair or replace") say which promise it is, as a word does.
    together = int(len(gives) >= 2)
    if len(words) + together < RESTATED_WORDS:
        return False
    # A name the draft gives ("Express") is one the context sentence must give too: "both
    # Standard and Express are free once your order hits $75" is not "Standard is free …".
    names = {n.lower() for n in NAME.findall(sentence.strip())} - PLAIN
    for known in context:
        stems = {w[:5] for w in known}
        if not names <= known or ("free" in gives and not _frees(known)):
            continue
        if "free" not in gives and not all(any(w.startswith(g) for w in known) for g in given):
            continue
        shared = len(words & stems) + together
        if shared >= RESTATED_WORDS and shared >= RESTATED_SHARE * len(words):
            return True
    return False
