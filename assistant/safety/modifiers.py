"""A swapped modifier: the claim names the same thing as its closest knowledge sentence
with another word in front of it ("your *bank* card" where the knowledge says "the *gift*
card", "*Standard* shipping" for "*Express* shipping"). The head noun matching is what makes
word overlap call the two sentences alike; the modifier is the claim. A modifier the
aligned knowledge never uses, in front of a head it uses with another modifier, is flagged;
one the knowledge uses anywhere near, or one near in meaning, is not."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.safety.claim_terms import NEGATION, STOP
from assistant.safety.stems import stem
from assistant.safety.word_sense import closest_sense

# A modifier this near in meaning to the knowledge's says the same ("the whole amount" for
# "the full amount": 0.57); "order date" for "delivery date" (0.51) and "bank card" for
# "gift card" (0.27) do not. Stricter than a deed's SAME_SENSE: a date's anchor is a term.
SAME_MODIFIER = 0.55

# A noun phrase opened by a determiner, its last word the head: "your bank card", "a Fernhill
# gift card". Only those: adjacent words elsewhere are verbs and their objects ("send
# orders", "take Visa"), which paraphrases change freely.
DETERMINER = frozenset({"a", "an", "the", "your", "our", "my", "their", "its", "this", "that"})
TOKEN = re.compile(r"[a-z][a-z'-]*|[^\sa-z]")
# Words that end a noun phrase without being its head.
NOT_HEAD = frozenset(
    {"within", "instead", "until", "via", "per", "across", "through", "onto", "into", "upon"}
    | {"again", "away", "back", "right", "now", "soon", "too", "either"}
    | {"free", "costs"}  # written in by the folding ("costs nothing" is "free")
)


# A general word for what the knowledge names ("the fabric starts out crisp" for "the twill
# starts out crisp", "the item" for "the tote") rewords, it does not swap.
GENERAL = frozenset(
    {"fabric", "material", "item", "product", "piece", "thing", "parcel", "package", "one"}
)

# A word that picks one thing among several ("a different card", "the same item") says
# nothing of what kind of thing it is.
PICKING = frozenset({"different", "other", "another", "same", "separate", "new", "particular"})

# Where to measure, said several ways ("the widest part of your chest" for "the fullest").
ALIKE = (frozenset({"widest", "fullest", "broadest", "largest", "biggest"}),)


@lru_cache(maxsize=8192)
def pairs(folded: str) -> frozenset[tuple[str, str, str]]:
    """(modifier, head, the words) of two-word noun phrases after a determiner ("your bank
    card": the stems and "bank card"); a longer phrase is not read ("a business day
    leave …": which word is its head is not known)."""
    tokens = TOKEN.findall(folded)
    found = set()
    for i, token in enumerate([".", *tokens]):
        # A sentence opens with its subject ("Express shipping takes …"): the verb after it
        # ends the phrase there.
        opening = i == 0
        if token not in DETERMINER and not opening:
            continue
        phrase = tokens[i : i + 3]
        words, after = phrase[:2], phrase[2:3]
        ends = opening or not after or not _content(after[0]) or after[0] in NOT_HEAD
        heads = len(words) == 2 and words[1] not in NOT_HEAD
        if heads and all(_content(w) for w in words) and ends:
            found.add((stem(words[0]), stem(words[1]), " ".join(words)))
    return frozenset(found)


def _content(word: str) -> bool:
    return word not in STOP and len(word) > 2 and "'" not in word and not NEGATION.fullmatch(word)


def swapped_modifier(
    claim_folded: str, closest_folded: str, near_words: frozenset[str]
) -> tuple[str, str] | None:
    """(the claim's phrase, the knowledge's) where the closest sentence puts another
    modifier in front of the claim's head and ``near_words`` (the stems of the aligned
    knowledge) never use the claim's modifier."""
    theirs = pairs(closest_folded)
    for modifier, head, words in sorted(pairs(claim_folded)):
        if modifier in near_words or words.split()[0] in GENERAL | PICKING:
            continue
        said = words.split()[0]
        alike = next((group for group in ALIKE if said in group), frozenset())
        others = sorted(
            (w, m)
            for m, h, w in theirs
            if h == head and m != modifier and w.split()[0] not in alike
        )
        if others and closest_sense(said, [w.split()[0] for w, _ in others])[1] < SAME_MODIFIER:
            return words, others[0][0]
    return None
