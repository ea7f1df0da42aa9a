"""Who pays: a claim that puts a cost on the customer where the knowledge it rests on says
the brand covers it ("you'll need to cover the shipping" beside "exchanges are free"), or
the other way round ("we'll ship it again at our own cost" beside "shipped again at your
cost"). Every number may be right; who pays is what changed.

A sentence that says both ("free on orders of $75 or more, $6 below that") or neither has
no single payer and is not compared. ``claim_terms``' "who pays" pair compares the bare
words (free / pay, costs, charge); this reads the phrasings where a possessive or a modal
says who ("at our own expense", "at your cost", "you'll need to cover the shipping")."""

from __future__ import annotations

import re
from enum import StrEnum


class Payer(StrEnum):
    customer = "the customer pays"
    brand = "free to the customer"


CUSTOMER = re.compile(
    r"\b(?:at|on) your (?:own )?(?:cost|expense)\b"
    r"|\byou(?:'ll| will)? (?:just |also )?(?:need to |have to |must )?cover (?:the )?"
    r"(?:cost|costs|shipping|postage|fee|return shipping)\b"
    # "if you pay with a card" names a way of paying, not who pays: a modal must say it.
    r"|\byou(?:'ll| will)? (?:just |also )?(?:need to|have to|must) pay\b"
    r"|\bfor a (?:small )?fee\b|\bcharged at cost\b"
    r"|\b(?:a|an) (?:small |extra |additional |flat )?(?:\$\s?\d[\d.,]* )?fee\b"
    r"|\b(?:isn't|aren't|is not|are not) free\b|\bcosts? extra\b"
)
BRAND = re.compile(
    # "plastic-free", "interest-free", "feel free to", "free from PFAS" are not about a cost.
    r"(?<![-\w])(?<!feel )free\b(?! (?:from|to)\b)(?!-)|\bat no (?:extra )?(?:cost|charge)\b"
    r"|\bon us\b|\b(?:at|on) our (?:own )?(?:cost|expense)\b|\bwe (?:cover|pay for)\b"
    r"|\bno charge\b|\bcosts? (?:you )?nothing\b|\b(?:never|don't|do not|won't) (?:have to )?pay\b"
)


def plain(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").split())


def payer(folded: str) -> Payer | None:
    """Who a sentence (``plain``) says pays, or None where it says neither or both."""
    customer, brand = CUSTOMER.search(folded), BRAND.search(folded)
    if bool(customer) == bool(brand):
        return None
    return Payer.customer if customer else Payer.brand
