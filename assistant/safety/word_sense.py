"""Whether two words mean about the same thing, from MiniLM embeddings of the words alone
("sent back" ~ "returned" 0.67, "change" ~ "update" 0.61; "hem" ~ "repair" 0.32): a draft
rewords what the knowledge says a brand can do, and only a new deed should go to a person.
Each word is embedded once per process (a short text, ~2 ms) and kept."""

from __future__ import annotations

import threading

import numpy as np

from assistant.knowledge.embeddings import Vectors, shared_embedder

# Measured on the development sets: synonyms 0.53-0.67, other deeds 0.29-0.42.
SAME_SENSE = 0.5
# Deeds a shop does under several names, which MiniLM's words alone place apart ("send" ~
# "ship" 0.50, "mend" ~ "repair" 0.28, "dispatch" ~ "ship" 0.35): a draft saying "we'll send
# out the new item" where the knowledge says "we ship it" rewords, it does not invent.
SAME_DEED = (
    frozenset({"ship", "send", "dispatch", "post", "mail"}),
    frozenset({"repair", "mend", "fix"}),
    frozenset({"refund", "reimburse"}),
    # "we don't carry shoes" where the knowledge says "we don't sell shoes".
    frozenset({"sell", "carry", "stock"}),
    # "you'll hear back the next business day" where the knowledge says "are answered".
    frozenset({"hear", "answer", "answered", "reply", "replies", "respond", "responds"}),
    # "you can join from any page" where the knowledge says "you can sign up".
    frozenset({"join", "sign", "subscribe"}),
    # "you can opt out with the link" where it says "you can unsubscribe with the link".
    frozenset({"opt out", "unsubscribe"}),
    # "you can request a copy" where it says "you can ask for a copy".
    frozenset({"request", "ask"}),
    # "we keep your card number on file" where it says "we never store it".
    frozenset({"store", "keep", "retain", "save"}),
    # "you can set one up" where it says "if you create an account".
    frozenset({"create", "set", "open"}),
)

_vectors: dict[str, Vectors] = {}
_lock = threading.Lock()


def _vectors_of(words: list[str]) -> Vectors:
    with _lock:
        missing = sorted({w for w in words if w not in _vectors})
    if missing:
        fresh = shared_embedder().embed(missing)  # the process's one model
        with _lock:
            if len(_vectors) > 50_000:  # a bound, never reached by one brand's knowledge
                _vectors.clear()
            _vectors.update(zip(missing, fresh, strict=True))
    with _lock:
        return np.stack([_vectors[w] for w in words])


def closest_sense(word: str, among: list[str]) -> tuple[str, float]:
    """The word of ``among`` nearest in meaning to ``word``, and how near (cosine)."""
    if not among:
        return "", 0.0
    vectors = _vectors_of([word, *among])
    scores = vectors[1:] @ vectors[0]
    best = int(np.argmax(scores))
    return among[best], float(scores[best])


def same_deed(word: str, among: set[str]) -> bool:
    """Whether one of ``among`` names the same deed as ``word`` (its listed other names)."""
    names = next((group for group in SAME_DEED if word in group), frozenset())
    return not names.isdisjoint(among)
