"""The embedder's per-text cache: the router and the knowledge search embed the same
message at the same time, and the model runs once for it."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from assistant.knowledge.embeddings import Embedder, Vectors


class HeldEmbedder(Embedder):
    """The real model; each batch it runs is counted, and each is held until the test
    lets it go (so other callers ask while it is in flight)."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []
        self.release = threading.Event()

    def _embed_batch(self, texts: list[str]) -> Vectors:
        self.batches.append(texts)
        assert self.release.wait(timeout=10)
        return super()._embed_batch(texts)


def test_a_text_being_embedded_is_waited_for_not_embedded_again() -> None:
    embedder = HeldEmbedder()
    text = "how long does shipping take to chicago"
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(embedder.embed_one, text)
        while not embedder.batches:  # the first caller is inside the model
            time.sleep(0.001)
        others = [pool.submit(embedder.embed_one, text) for _ in range(2)]
        time.sleep(0.05)  # the others have asked and are waiting
        embedder.release.set()
        vectors = [f.result(timeout=10) for f in [first, *others]]
    assert embedder.batches == [[text]]
    for vector in vectors:
        np.testing.assert_array_equal(vector, vectors[0])
    assert embedder.embed_one(text) is vectors[0]  # and it stays cached


def test_a_failed_embedding_fails_every_waiter_and_is_retried_next_time() -> None:
    embedder = Embedder()
    embedder.embed(["warm up"])
    calls: list[str] = []
    real = embedder._embed_batch

    def broken_once(texts: list[str]) -> Vectors:
        calls.append(texts[0])
        if len(calls) == 1:
            raise RuntimeError("model crashed")
        return real(texts)

    embedder._embed_batch = broken_once  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="model crashed"):
        embedder.embed_one("hello")
    assert embedder.embed_one("hello").shape == (384,)
    assert calls == ["hello", "hello"]


def test_apart_gives_one_row_per_text_in_order_even_for_none_or_one() -> None:
    embedder = Embedder()
    texts = ["do you ship to canada", "how long does shipping take", "return window"]
    apart = embedder.embed_apart(texts)
    assert embedder.embed_apart([]).shape == (0, 384)
    assert embedder.embed_apart(texts[:1]).shape == (1, 384)
    np.testing.assert_allclose(apart, embedder.embed(texts), atol=1e-5)
