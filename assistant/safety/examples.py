"""Labelled example messages for the similarity detector: the shipped set (permissively
licensed third-party rows, see data/README.md) the project's own
social-media examples, plus the brand's own ``knowledge/routing/examples.csv``."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from assistant.knowledge.embeddings import Embedder, Vectors
from assistant.safety.social import social_normalise
from assistant.safety.topics import Topic

DATA = Path(__file__).with_name("data")
# The development dataset's labels, in our topic names.
DATASET_TOPICS = {"price_payment": Topic.price}


@dataclass(frozen=True)
class Examples:
    ids: list[str]
    texts: list[str]
    topics: list[Topic]
    vectors: Vectors  # unit length, one row per example

    def __len__(self) -> int:
        return len(self.ids)

    def without(self, ids: set[str]) -> Examples:
        """A copy without some examples (cross-validation in the routing benchmark)."""
        keep = [i for i, id_ in enumerate(self.ids) if id_ not in ids]
        return Examples(
            [self.ids[i] for i in keep],
            [self.texts[i] for i in keep],
            [self.topics[i] for i in keep],
            self.vectors[keep],
        )

    def __add__(self, other: Examples) -> Examples:
        return Examples(
            self.ids + other.ids,
            self.texts + other.texts,
            self.topics + other.topics,
            np.vstack([self.vectors, other.vectors]),
        )


def topic_of(label: str) -> Topic:
    return DATASET_TOPICS.get(label) or Topic(label)


@cache
def shipped_examples(embedder: Embedder) -> Examples:
    """The shipped rows with their precomputed vectors; re-embedded only if the files or the
    embedding model changed since ``scripts/build_routing_examples.py`` wrote them."""
    path = DATA / "routing_examples.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    meta = json.loads((DATA / "routing_examples.json").read_text())
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    texts = [r["text"] for r in rows]
    if meta.get("csv_sha256") == digest and meta.get("embedder") == embedder.model_id:
        vectors = np.load(DATA / "routing_examples.npy").astype(np.float32)
    else:
        vectors = embedder.embed(texts)
    return Examples([r["id"] for r in rows], texts, [topic_of(r["topic"]) for r in rows], vectors)


@cache
def social_examples(embedder: Embedder) -> Examples:
    """Short social-media posts written for this project (see data/README.md): real
    traffic is mostly tweets and comments, which the shipped datasets barely cover."""
    with (DATA / "social_examples.csv").open(newline="", encoding="utf-8") as handle:
        rows = [(social_normalise(r["text"]), topic_of(r["topic"])) for r in csv.DictReader(handle)]
    return brand_examples(rows, embedder, prefix="social")


def brand_examples(
    rows: list[tuple[str, Topic]], embedder: Embedder, prefix: str = "brand"
) -> Examples:
    texts = [text for text, _ in rows]
    ids = [f"{prefix}-{hashlib.sha256(t.encode()).hexdigest()[:12]}" for t in texts]
    return Examples(ids, texts, [topic for _, topic in rows], _embed_cached(tuple(texts), embedder))


@cache
def _embed_cached(texts: tuple[str, ...], embedder: Embedder) -> Vectors:
    return embedder.embed(list(texts))
