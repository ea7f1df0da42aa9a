"""A second reader of each question: a classifier trained on the brand's own questions.

The fused score says how close a question is to an entry's texts; it cannot tell a new
wording of one FAQ from a question no FAQ answers that happens to share its words. A
multinomial logistic regression over the same embeddings, trained on every entry's
question and ``also_asked`` phrasings, learns which directions tell the entries apart.
It is trained again whenever the brand's questions change (a few hundred rows: well under
a second), so approvals that add phrasings make it sharper with no model to ship or keep.

Deterministic: zero start, full-batch steps, a fixed number of them; so the same questions
give the same model, and a process keeps the few it trained last (every index of the same
knowledge, e.g. the eval gate's scratch copy, reads the same one)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]

# Cosines live in [-1, 1]; scaled up, the softmax can become sure of a clear question.
SCALE = 10.0
# L2 penalty: keeps a brand with three phrasings an entry from being sure of everything.
PENALTY = 1e-3
STEPS = 150
STEP_SIZE = 0.1
KEPT = 8  # trained models a process keeps (~100 KB each)

_kept: OrderedDict[bytes, tuple[Floats, Floats]] = OrderedDict()
_kept_lock = threading.Lock()


class IntentModel:
    """Which entry a question asks for, as a probability per catalogue entry (entries
    without any question get none)."""

    def __init__(self, vectors: Floats, owners: npt.NDArray[np.int64], entries: int) -> None:
        self.entries = entries
        self.classes = np.unique(owners)
        self.trained = len(self.classes) >= 2
        self.learned = len(self.classes) if self.trained else 0  # entries it tells apart
        self.weights = np.zeros((vectors.shape[1] if vectors.ndim == 2 else 0, 0), np.float32)
        self.bias = np.zeros(0, np.float32)
        if self.trained:
            labels = np.searchsorted(self.classes, owners)
            self.weights, self.bias = _trained(vectors, labels, len(self.classes))

    def probabilities(self, vector: Floats) -> Floats:
        """Per catalogue entry, the probability that the question asks for it (all zero
        when there was nothing to learn from)."""
        out = np.zeros(self.entries, dtype=np.float32)
        if self.trained:
            out[self.classes] = _softmax(
                (SCALE * vector @ self.weights + self.bias).astype(np.float32)
            )
        return out


def _trained(vectors: Floats, labels: npt.NDArray[np.int64], classes: int) -> tuple[Floats, Floats]:
    digest = hashlib.sha256()
    for part in (np.ascontiguousarray(vectors, dtype=np.float32), labels.astype(np.int64)):
        digest.update(part.tobytes())
    key = digest.digest() + classes.to_bytes(4, "little")
    with _kept_lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key]
    fitted = _fit(vectors * SCALE, labels, classes)
    with _kept_lock:
        _kept[key] = fitted
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return fitted


def _softmax(logits: Floats) -> Floats:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    out: Floats = (shifted / shifted.sum(axis=-1, keepdims=True)).astype(np.float32)
    return out


def _fit(x: Floats, labels: npt.NDArray[np.int64], classes: int) -> tuple[Floats, Floats]:
    """Cross-entropy plus the L2 penalty, minimised with Adam."""
    rows, dims = x.shape
    target = np.eye(classes, dtype=np.float32)[labels]
    weights = np.zeros((dims, classes), np.float32)
    bias = np.zeros(classes, np.float32)
    moments = [[np.zeros_like(weights), np.zeros_like(weights)]]
    moments.append([np.zeros_like(bias), np.zeros_like(bias)])
    for step in range(1, STEPS + 1):
        error = (_softmax(x @ weights + bias) - target) / rows
        grads = (x.T @ error + PENALTY * weights, error.sum(axis=0))
        for param, grad, (first, second) in zip((weights, bias), grads, moments, strict=True):
            first *= 0.9
            first += 0.1 * grad
            second *= 0.999
            second += 0.001 * grad * grad
            unbiased = first / (1 - 0.9**step)
            param -= STEP_SIZE * unbiased / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
    return weights, bias
