"""Build the routing examples shipped with the package from the development dataset.

    python scripts/build_routing_examples.py [../shared/datasets/routing_dev.csv]

Keeps only permissively licensed sources (Bitext, BANKING77, deepset prompt injections;
never TWCS, whose licence is unconfirmed), drops ambiguous rows and duplicate texts, and
writes ``assistant/safety/data/routing_examples.csv`` plus the rows' embeddings
(``routing_examples.npy``, float16) so nobody has to embed 13k texts on first run.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

from assistant.knowledge.embeddings import Embedder

ROOT = Path(__file__).resolve().parents[1]
SHIPPABLE = {"bitext", "banking77", "deepset_prompt_injections"}
OUT = ROOT / "assistant" / "safety" / "data"


def main(source: Path) -> None:
    with source.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    seen: set[str] = set()
    kept = []
    for row in rows:
        key = " ".join(row["text"].lower().split())
        if row["source"] in SHIPPABLE and row["topic"] != "ambiguous" and key not in seen:
            seen.add(key)
            kept.append(
                {
                    "id": row["id"],
                    "source": row["source"],
                    "topic": row["topic"],
                    "text": row["text"],
                }
            )
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "routing_examples.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "source", "topic", "text"])
        writer.writeheader()
        writer.writerows(kept)
    embedder = Embedder(batch_size=64)
    vectors = embedder.embed([r["text"] for r in kept]).astype(np.float16)
    np.save(OUT / "routing_examples.npy", vectors)
    digest = hashlib.sha256((OUT / "routing_examples.csv").read_bytes()).hexdigest()
    meta = {"rows": len(kept), "csv_sha256": digest, "embedder": embedder.model_id}
    (OUT / "routing_examples.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(json.dumps(meta))


if __name__ == "__main__":
    default = ROOT.parent / "shared" / "datasets" / "routing_dev.csv"
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
