"""The embedder's per-text cache: the router and the knowledge search embed the same
message at the same time, and the model runs once for it."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from assistant.app import open_assistant
from assistant.knowledge.embeddings import Embedder, Vectors
from assistant.safety.social import social_normalise
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.support import message, run


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


def wait_for_a_batch(embedder: HeldEmbedder) -> None:
    deadline = time.monotonic() + 30  # the model loads on first use
    while not embedder.batches:
        assert time.monotonic() < deadline, "the model never started"
        time.sleep(0.001)


def test_a_text_being_embedded_is_waited_for_not_embedded_again() -> None:
    embedder = HeldEmbedder()
    text = "how long does shipping take to chicago"
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(embedder.embed_one, text)
        wait_for_a_batch(embedder)  # the first caller is inside the model
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


def test_an_embedding_started_early_is_waited_for_not_started_again() -> None:
    embedder = HeldEmbedder()
    text = "do you ship to canada"
    embedder.embed_soon(text)
    wait_for_a_batch(embedder)  # the early embedding is inside the model
    with ThreadPoolExecutor(1) as pool:
        asked = pool.submit(embedder.embed_one, text)
        time.sleep(0.05)  # it has asked and is waiting
        embedder.release.set()
        vector = asked.result(timeout=10)
    embedder.embed_soon(text)  # cached now: nothing more to do
    assert embedder.batches == [[text]]
    assert embedder.embed_one(text) is vector


def test_an_early_embedding_that_fails_fails_its_waiter_and_the_next_call_retries() -> None:
    embedder = HeldEmbedder()
    real = Embedder._embed_batch
    failures = iter([RuntimeError("model crashed")])

    def broken_once(texts: list[str]) -> Vectors:
        embedder.batches.append(texts)
        assert embedder.release.wait(timeout=10)
        if (failure := next(failures, None)) is not None:
            raise failure
        return real(embedder, texts)

    embedder._embed_batch = broken_once  # type: ignore[method-assign]
    embedder.embed_soon("hello")
    wait_for_a_batch(embedder)
    with ThreadPoolExecutor(1) as pool:
        asked = pool.submit(embedder.embed_one, "hello")
        time.sleep(0.05)
        embedder.release.set()
        with pytest.raises(RuntimeError, match="model crashed"):
            asked.result(timeout=10)
    assert embedder.embed_one("hello").shape == (384,)
    assert embedder.batches == [["hello"], ["hello"]]


def test_a_social_post_is_embedded_once_for_the_router_and_the_knowledge_search(
    ingested: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "@fernhillgoods does the large weekender ship to canada?? https://t.co/Xb12"
    embedded: list[str] = []

    async def go() -> None:
        async with open_assistant(ingested) as assistant:
            embedder = assistant.index.embedder
            real = embedder._embed_batch

            def counted(texts: list[str]) -> Vectors:
                embedded.extend(texts)
                return real(texts)

            monkeypatch.setattr(embedder, "_embed_batch", counted)
            await assistant.inbox.process(SYSTEM_ACTOR, message(text, id="m-social"))

    run(go())
    # Handles and links are not what the customer asks: both read the words alone.
    assert embedded.count(social_normalise(text)) == 1
    assert text not in embedded


def test_knowledge_texts_seen_before_are_not_embedded_again() -> None:
    """A second index of the same knowledge (the eval gate's scratch copy, a rebuild)
    embeds only the texts it has not seen."""
    embedder = HeldEmbedder()
    embedder.release.set()
    first = embedder.embed_knowledge(["Do you ship to Canada?", "How do I return an item?"])
    again = embedder.embed_knowledge(["How do I return an item?", "Is gift wrap free?"])

    assert embedder.batches == [
        ["Do you ship to Canada?", "How do I return an item?"],
        ["Is gift wrap free?"],
    ]
    np.testing.assert_array_equal(again[0], first[1])
    np.testing.assert_allclose(again[1], embedder.embed(["Is gift wrap free?"])[0], atol=1e-6)


def test_many_texts_come_back_in_input_order_whatever_their_lengths() -> None:
    """Bulk calls batch texts by token count; each row must still be its own text's."""
    embedder = Embedder(batch_size=4)
    texts = [
        "ok",
        "where is my order #4411, it was due last week 😡😡 @fernhill",
        "",
        "do u ship 2 canada",
        "refund pls",
        "my mug arrived cracked, the handle came off in the box and I want a new one",
        "hi",
        "whats ur return policy??",
        "can i swap for a bigger size",
    ]
    together = embedder.embed(texts)
    alone = np.stack([embedder.embed([t])[0] for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)
