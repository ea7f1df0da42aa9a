"""Fit the tone head shipped with the package (``assistant/safety/data/tone_head.json``).

    python scripts/build_tone_head.py PATH/TO/train.tsv [--calm-below 0.25] [--warm-below 0.32]
        [--question-below 0.55]

PATH is GoEmotions' ``train.tsv`` (google-research/google-research, goemotions/data;
Apache-2.0): text, comma-separated emotion ids, comment id; no header. The comments are
read, embedded and dropped: only 385 numbers are shipped. Frustrated = anger (2),
annoyance (3), disappointment (9), disapproval (10) or disgust (11); a class-weighted
logistic regression (L2, full-batch gradient descent from zero, so the same file gives the
same head) on the MiniLM embeddings of the comments as ``social_normalise`` leaves them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np

from assistant.knowledge.embeddings import Embedder
from assistant.safety.social import social_normalise
from assistant.safety.tone import HEAD

FRUSTRATED = {2, 3, 9, 10, 11}


def fit(
    x: np.ndarray, y: np.ndarray, l2: float = 1e-3, steps: int = 300, rate: float = 0.5
) -> tuple[np.ndarray, float]:
    weights = np.zeros(x.shape[1])
    bias = 0.0
    # Each class weighs half: frustrated comments are one in six.
    balance = np.where(y, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ weights + bias)))
        gradient = (p - y) * balance
        weights -= rate * (x.T @ gradient / len(y) + l2 * weights)
        bias -= rate * float(gradient.mean())
    return weights, bias


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("train", type=Path)
    parser.add_argument("--calm-below", type=float, default=0.25)
    parser.add_argument("--warm-below", type=float, default=0.32)
    parser.add_argument("--question-below", type=float, default=0.55)
    args = parser.parse_args()
    lines = args.train.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line.strip()]
    texts = [social_normalise(r[0]) for r in rows]
    labels = np.array([bool({int(e) for e in r[1].split(",")} & FRUSTRATED) for r in rows])
    embedder = Embedder(batch_size=64)
    vectors = embedder.embed(texts).astype(np.float64)
    weights, bias = fit(vectors, labels)
    head = {
        "embedder": embedder.model_id,
        "calm_below": args.calm_below,
        "warm_below": args.warm_below,
        "question_below": args.question_below,
        "source": "GoEmotions train.tsv (google-research/google-research, goemotions/data), "
        "Apache-2.0",
        "train_sha256": hashlib.sha256(args.train.read_bytes()).hexdigest(),
        "rows": len(rows),
        "frustrated_rows": int(labels.sum()),
        "bias": round(bias, 6),
        "weights": [round(float(w), 6) for w in weights],
    }
    HEAD.write_text(json.dumps(head) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in head.items() if k != "weights"}))


if __name__ == "__main__":
    main()
