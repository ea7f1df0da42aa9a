"""One-typo spelling fixes for the embedding side of retrieval.

MiniLM splits a misspelt word into pieces that carry little of its meaning ("subscibe",
"waranty"), so a question with a typo scores low against the very FAQ it asks about. A word
that neither the model's vocabulary nor the brand's knowledge knows, and that is one edit
away from exactly one word the knowledge uses, is read as that word. The lexical side has
its own one-typo tolerance (``lexical.closest``)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache

from assistant.knowledge.embeddings import VOCAB
from assistant.knowledge.lexical import WORD_CACHE, closest


@cache
def model_words() -> frozenset[str]:
    """Whole words in MiniLM's WordPiece vocabulary (continuation pieces left out)."""
    lines = VOCAB.read_text(encoding="utf-8").splitlines()
    return frozenset(w for w in lines if w.isalpha() and not w.startswith("["))


class Speller:
    def __init__(self, normalised_texts: Iterable[str]) -> None:
        self._words = frozenset(w for text in normalised_texts for w in text.split())
        self._fix = lru_cache(maxsize=WORD_CACHE)(self._fix_word)

    def _fix_word(self, word: str) -> str:
        if word in self._words or word in model_words() or not word.isalpha():
            return word
        fix = closest(word, self._words)
        # An edit at the very end is more often another form of a word than a typo
        # ("washer" is not "washed", "totes" is "tote").
        if fix is None or word[:-1] == fix[:-1] or word in (fix[:-1], fix + "s"):
            return word
        return fix

    def correct(self, normalised: str) -> str:
        """The question with each fixable typo replaced (unchanged when there is none)."""
        return " ".join(self._fix(w) for w in normalised.split())
