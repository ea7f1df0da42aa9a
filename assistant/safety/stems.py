"""One crude stemmer for the claim check, so a claim and the knowledge meet on the same
stem whatever the form: "expires"/"expire", "including"/"include", "charges"/"charged"
(a trailing "e" is dropped after the suffix, which otherwise split them)."""

from __future__ import annotations

from functools import lru_cache

SUFFIXES = ("ing", "ed", "es", "s", "ly")


@lru_cache(maxsize=65536)
def stem(word: str, able: bool = False) -> str:
    """The word without its inflection; ``able``: "refundable" is "refund" too (polarity
    reads "isn't refundable" and "can't be refunded" as one predicate)."""
    word = word.strip("'-")
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    for suffix in ("able", *SUFFIXES) if able else SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def base(word: str) -> str:
    """``stem`` leaves short words whole; a scope's "ended" is the knowledge's "ends",
    "fees" is "fee"."""
    for suffix in ("ed", "es", "s", "d"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def alike(a: str, b: str) -> bool:
    """One stem, or one a longer form of the other ("accident" / "accidental", "cancel" /
    "cancell")."""
    return a == b or (min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a)))
