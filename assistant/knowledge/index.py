"""The Chroma index of knowledge chunks: incremental sync by content hash, and search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from assistant.errors import SearchIndexError
from assistant.knowledge.documents import Chunk
from assistant.knowledge.embeddings import Embedder

COLLECTION = "knowledge"

Progress = Callable[[int, int], None]  # (done, total) embeddings


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk, with cosine similarity in [-1, 1] (higher is closer)."""

    id: str
    score: float
    source: str
    line: int
    title: str
    text: str
    kind: str


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def embedded(self) -> int:
        return len(self.added) + len(self.updated)


def open_chroma(path: Path, url: str | None = None) -> Any:
    """A ``PersistentClient`` in ``path``, or an ``HttpClient`` for a Chroma server at
    ``url`` (embeddings are computed here either way); a failure says what to fix."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlsplit(url)
        try:
            return chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise SearchIndexError(
                f"Cannot reach the Chroma server at {url}: {exc}. Start it ('chroma run "
                "--path DIR --host 127.0.0.1 --port PORT') or fix ASSISTANT_CHROMA_URL."
            ) from exc
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as exc:
        raise SearchIndexError(
            f"Cannot open the Chroma index at {path}: {exc}. It may come from an incompatible "
            "Chroma version or be damaged. The knowledge folder is the source of truth: run "
            "'assistant ingest --rebuild' to delete and rebuild the index."
        ) from exc


class KnowledgeIndex:
    def __init__(self, client: Any, embedder: Embedder, collection: str = COLLECTION) -> None:
        self.embedder = embedder
        self._count: int | None = None
        try:
            self._collection = client.get_or_create_collection(
                collection, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
            )
        except Exception as exc:
            raise SearchIndexError(
                f"Cannot open collection {collection!r}: {exc}. Run 'assistant ingest --rebuild'."
            ) from exc

    def count(self) -> int:
        """Chunks in the index (cached: read when opened, refreshed by ``sync``)."""
        if self._count is None:
            self._count = int(self._collection.count())
        return self._count

    def stored_hashes(self) -> dict[str, str]:
        """Chunk id → the fingerprint (content hash and embedder) it was embedded with."""
        return {id_: fingerprint for id_, (fingerprint, _) in self.stored_entries().items()}

    def stored_entries(self) -> dict[str, tuple[str, str]]:
        """Chunk id → (fingerprint, source file) for everything in the index."""
        stored = self._collection.get(include=["metadatas"])
        return {
            id_: (
                str(meta.get("hash", "")) + "|" + str(meta.get("embedder", "")),
                str(meta.get("source", "")),
            )
            for id_, meta in zip(stored["ids"], stored["metadatas"] or [], strict=True)
        }

    def fingerprint(self, chunk: Chunk) -> str:
        return f"{chunk.content_hash}|{self.embedder.model_id}"

    def sync(self, chunks: list[Chunk], progress: Progress | None = None) -> SyncReport:
        """Embed only new or changed chunks; remove chunks whose files or entries are gone."""
        stored = self.stored_hashes()
        report = SyncReport()
        todo: list[Chunk] = []
        for chunk in chunks:
            previous = stored.get(chunk.id)
            if previous == self.fingerprint(chunk):
                report.unchanged += 1
                continue
            (report.updated if previous is not None else report.added).append(chunk.id)
            todo.append(chunk)
        current = {c.id for c in chunks}
        report.removed = sorted(set(stored) - current)
        self._count = None
        if report.removed:
            self._collection.delete(ids=report.removed)
        batch = 64
        for start in range(0, len(todo), batch):
            part = todo[start : start + batch]
            vectors = self.embedder.embed([c.embed_text for c in part])
            self._collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors.tolist(),
                documents=[c.text for c in part],
                metadatas=[_metadata(c, self.embedder.model_id) for c in part],
            )
            if progress:
                progress(min(start + batch, len(todo)), len(todo))
        self._count = None
        return report

    def search(
        self, text: str, k: int, channel: str | None = None, today: date | None = None
    ) -> list[Hit]:
        if self.count() == 0:
            return []
        vector = self.embedder.embed_one(text)
        return self.search_vector(vector.tolist(), k, channel, today)

    def search_vector(
        self, vector: list[float], k: int, channel: str | None = None, today: date | None = None
    ) -> list[Hit]:
        total = self.count()
        if total == 0:
            return []
        result = self._collection.query(
            query_embeddings=[vector],
            n_results=min(total, k * 3),
            include=["documents", "metadatas", "distances"],
        )
        today = today or date.today()
        hits = []
        for id_, doc, meta, dist in zip(
            result["ids"][0],
            result["documents"][0],
            result["metadatas"][0],
            result["distances"][0],
            strict=True,
        ):
            channels = [c for c in str(meta.get("channels", "")).split(",") if c]
            if channel and channels and channel not in channels:
                continue
            valid_until = meta.get("valid_until")
            if valid_until and date.fromisoformat(str(valid_until)) < today:
                continue
            hits.append(
                Hit(
                    id=id_,
                    score=round(1.0 - float(dist), 4),
                    source=str(meta["source"]),
                    line=int(meta["line"]),
                    title=str(meta["title"]),
                    text=str(doc),
                    kind=str(meta["kind"]),
                )
            )
        return hits[:k]


def _metadata(chunk: Chunk, embedder_id: str) -> dict[str, str | int]:
    return {
        "hash": chunk.content_hash,
        "embedder": embedder_id,
        "kind": chunk.kind,
        "source": chunk.source,
        "line": chunk.line,
        "title": chunk.title,
        "tags": ",".join(chunk.tags),
        "channels": ",".join(chunk.channels),
        "valid_until": chunk.valid_until.isoformat() if chunk.valid_until else "",
    }
