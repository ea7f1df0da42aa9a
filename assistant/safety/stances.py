"""Stances a sentence takes on a policy's yes-or-no questions, read from the phrasings
that say them: who pays ("at our own expense", "at your cost", "you'll need to cover the
shipping"), whether something is required ("can't be made without them", "you don't need
the tags"), how many it applies to ("every sold-out item", "most sold-out items") and how
soon ("right away", "takes a few days"). A claim that takes the other stance from the
knowledge it rests on changed the policy, though every number and name in it may be right.

A sentence that says both ("free on orders of $75 or more, $6 below that") or neither
takes no stance and is not compared. ``claim_terms``' "who pays" pair compares the bare
words (free / pay, costs, charge); this reads the phrasings where a possessive, a modal
or a double negation says it."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Stance:
    question: str
    yes: str  # the stance in words, as a finding quotes it
    no: str
    says_yes: re.Pattern[str]
    says_no: re.Pattern[str]

    def taken(self, text: str) -> tuple[str, str] | None:
        """The stance (``yes`` or ``no``) the sentence (``plain``) takes and what it is
        about (a pattern's ``what`` group: "every *item*"), or None (neither or both)."""
        yes, no = self.says_yes.search(text), self.says_no.search(text)
        if bool(yes) == bool(no):
            return None
        found = yes or no
        assert found is not None
        about = found.groupdict().get("what") or ""
        return (self.yes if yes else self.no), about


# Ways to say the customer pays nothing; ``qualifiers.FREE`` reads them too.
NO_COST = (
    r"\bat no (?:extra )?(?:cost|charge)\b|\bon us\b|\bcosts? (?:you )?nothing\b"
    r"|\b(?:never|don't|do not|won't) (?:have to )?pay\b|\bwe (?:cover|pay for)\b"
    r"|\bwe(?:'ll| will)? (?:also )?reimburse (?:you for )?(?:the |your )?(?:return )?"
    r"(?:postage|shipping)\b"
)
WHO_PAYS = Stance(
    "who pays",
    "the customer pays",
    "free to the customer",
    re.compile(
        r"\b(?:at|on) your (?:own )?(?:cost|expense)\b"
        r"|\byou(?:'ll| will)? (?:just |also )?(?:need to |have to |must )?cover (?:the )?"
        r"(?:cost|costs|shipping|postage|fee|return shipping)\b"
        # "if you pay with a card" names a way of paying, not who pays: a modal must say it.
        r"|\byou(?:'ll| will)? (?:just |also )?(?:need to|have to|must) pay\b"
        r"|\bfor a (?:small )?fee\b|\bcharged at cost\b"
        r"|\b(?:a|an) (?:small |extra |additional |flat )?(?:\$\s?\d[\d.,]* )?fee\b"
        r"|\b(?:isn't|aren't|is not|are not) free\b|\bcosts? extra\b"
        r"|\bpaid (?:for )?by (?:you|the customer)\b"
    ),
    re.compile(
        # "plastic-free", "interest-free", "feel free to", "free from PFAS" are not a cost.
        r"(?<![-\w])(?<!feel )free\b(?! (?:from|to)\b)(?!-)"
        r"|\b(?:at|on) our (?:own )?(?:cost|expense)\b|\bno charge\b|" + NO_COST
    ),
)
REQUIRED = Stance(
    "whether it is required",
    "it is required",
    "it is not required",
    re.compile(
        r"\b(?:is|are|it's|they're) (?:always )?(?:required|mandatory|needed)\b|\brequires?\b"
        r"|\bcan(?:'t|not) (?:be )?\w+ (?:\w+ )?without\b|\bonly (?:with|if you have)\b"
        r"|\byou(?:'ll| will)? (?:first |also |still )?(?:need|have) to (?:have|keep|show"
        r"|include|provide|send"
        r"|create|make|open|register|sign up|set up|log in)\b"
        r"|\bmust (?:have|keep|show|include|provide)\b"
        # "make sure you still have the box, since we'll need it"
        r"|\bmake sure (?:that )?you (?:still )?(?:have|keep)\b"
        r"|\bwe(?:'ll| will)? need (?:it|them)\b"
    ),
    re.compile(
        r"\b(?:don't|do not|doesn't|does not|won't|will not|never) (?:need|require)\b"
        r"|\bno need (?:for|to)\b|\b(?:isn't|aren't|is not|are not) (?:required|needed|mandatory)\b"
        r"|\bnot (?:required|needed|necessary)\b|\boptional\b|\bwithout (?:needing|having to)\b"
        # "no original packaging or tags are needed"
        r"|\bno (?:[a-z'-]+ ){1,4}(?:is|are) (?:required|needed|necessary)\b"
    ),
)
# What comes between a quantifier and its noun: "of", a possessive, a hyphenated adjective.
THE = r"(?: of)?(?: our| the| your)? (?:[a-z]+-[a-z-]+ )?"
# "Every sold-out item comes back" where the knowledge says "most": how many a statement is
# about, compared only where both name the same thing ("item(s)"), or by "always".
HOW_MANY = Stance(
    "how many it applies to",
    "every one",
    "most or some",
    re.compile(
        rf"\b(?<!at )(?:every|all|each){THE}(?P<what>[a-z]+?)s?\b"  # not "at all"
        r"|\balways\b"
    ),
    re.compile(
        rf"\b(?:most|many|some){THE}(?P<what>[a-z]+?)s?\b"
        # Not the customer's habit: "the size you usually wear".
        r"|(?<!you )\b(?:usually|often|generally|typically|mostly|in most cases)\b"
    ),
)
# "you'll be removed right away" against "takes a few days to go through".
HOW_SOON = Stance(
    "how soon",
    "at once",
    "after some days",
    re.compile(r"\b(?:right away|immediately|instantly|straight away|at once|in seconds)\b"),
    re.compile(
        r"\btakes? (?:a few|a couple of|several|up to) (?:business )?(?:days|weeks)\b"
        r"|\b(?:a few|several) days to go through\b"
    ),
)
STANCES = (WHO_PAYS, REQUIRED, HOW_MANY, HOW_SOON)


def plain(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").split())
