"""BM25 over the knowledge entries, in process: a few hundred short documents need no
search engine. Words are stemmed lightly, and a misspelt query word counts as the one
known word it is one edit away from ("pasword" → "password")."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from assistant.knowledge.normalise import normalise

K1 = 1.2
WORD_CACHE = 8192  # words remembered per index (typo look-ups are pure)
B = 0.75

_STOP = """a about am an and any are as at be been being but by can could did do does doing for
    from get got had has have having he her here hers him his how i if in into is it its
    just me might more my no not now of off on once or our ours out over please re same
    she should so some such than that the their theirs them then there these they this
    those to too very was we were what when where which while who whom why will with would
    you your yours yourself hi hey hello thanks thank"""
STOPWORDS = frozenset(_STOP.split())


def stem(word: str) -> str:
    """Crude suffix stripping: enough to match "returns" with "return", "shipping" with "ship"."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + keep
            break
    if len(word) > 3 and word[-1] == word[-2]:  # "shipp" → "ship"
        word = word[:-1]
    return word


def terms(text: str) -> list[str]:
    return [stem(w) for w in normalise(text).replace("-", " ").split() if w not in STOPWORDS]


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one insertion, deletion, substitution or swap."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = diff[0], diff[-1]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((n for n in range(len(short)) if short[n] != long_[n]), len(short))
    return short[i:] == long_[i + 1 :]


def closest(term: str, known: Collection[str]) -> str | None:
    """``term`` itself when known, else the one known word one typo away (None if 0 or 2+)."""
    if term in known:
        return term
    if len(term) < 4:
        return None
    close = [t for t in known if t[0] == term[0] and _one_edit(term, t)]
    return close[0] if len(close) == 1 else None


class Vocabulary:
    """Every word the knowledge uses (answers, titles, questions, ``also_asked``)."""

    def __init__(self, texts: list[str]) -> None:
        self._terms = frozenset(t for text in texts for t in terms(text))
        # Per word, not per question: customers reuse the same few thousand words, and the
        # typo scan over the whole vocabulary is most of a search's CPU.
        self._is_unknown = lru_cache(maxsize=WORD_CACHE)(self._word_unknown)

    def _word_unknown(self, word: str) -> bool:
        return any(closest(t, self._terms) is None for t in terms(word))

    def unknown(self, normalised: str) -> list[str]:
        """The words of a normalised question that the knowledge never uses, even with a
        typo fixed ("furniture" for a shop whose FAQ never mentions it)."""
        return [word for word in normalised.split() if self._is_unknown(word)]


class Bm25:
    def __init__(self, docs: list[str]) -> None:
        counts = [Counter(terms(d)) for d in docs]
        lengths = np.asarray([sum(c.values()) for c in counts], dtype=np.float64)
        average = float(lengths.mean()) if len(counts) else 0.0
        frequency: Counter[str] = Counter()
        for count in counts:
            frequency.update(count.keys())
        n = len(counts)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}
        # Each word's score in every document, summed per query: calibration asks a
        # thousand questions at every index build, a search one.
        frequencies: dict[str, npt.NDArray[np.float64]] = {}
        for position, count in enumerate(counts):
            for term, tf in count.items():
                frequencies.setdefault(term, np.zeros(n))[position] = tf
        scale = K1 * (1 - B + B * lengths / (average or 1.0))
        self._weights = {
            t: np.where(tf > 0, self._idf[t] * tf * (K1 + 1) / (tf + scale), 0.0)
            for t, tf in frequencies.items()
        }
        self._documents = n
        self._known = lru_cache(maxsize=WORD_CACHE)(self._closest)

    def _closest(self, term: str) -> str | None:
        return closest(term, self._idf)

    def scores(self, query: str) -> npt.NDArray[np.float64]:
        """One score per document (0 when no query word occurs in it)."""
        wanted = [k for t in dict.fromkeys(terms(query)) if (k := self._known(t)) is not None]
        return sum((self._weights[t] for t in wanted), np.zeros(self._documents))
