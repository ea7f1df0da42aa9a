"""Routing benchmark: does every message that must reach a person get routed to one?

    python bench/routing.py [--data ../shared/datasets/routing_dev.csv] [--folds 5]

Runs the same detectors as ``assistant triage`` (policy patterns, moderation, sentiment,
similarity to labelled examples, which lets a calm social post through on its tone) on
every scored row. The shipped examples ARE development
rows, so the similarity detector is evaluated with k-fold cross-validation: each row is
classified by a detector that has never seen it (TWCS rows are never shipped, so they meet
every example, as a real message would).
Reports recall on must_review=1 (overall, per source, per topic, per TWCS topic), the
auto-eligible rate on must_review=0, the false-alarm cost (safe messages a person reads, per
detector), the same for a plain keyword baseline computed in the same run, and
throughput. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.knowledge.embeddings import Embedder  # noqa: E402
from assistant.knowledge.loader import load_knowledge  # noqa: E402
from assistant.safety.detectors import (  # noqa: E402
    Hit,
    ModerationDetector,
    PatternDetector,
    classify,
)
from assistant.safety.sentiment import SentimentDetector  # noqa: E402
from assistant.safety.similarity import SimilarityDetector  # noqa: E402
from assistant.safety.social import social_normalise  # noqa: E402
from assistant.safety.triage import router_examples, triage  # noqa: E402

KEYWORDS = re.compile(r"refund|price|cost|charge|fee|\$|lawyer|legal|sue|cancel", re.IGNORECASE)
TARGETS = {
    "recall": 0.99,
    "topic_recall": 0.97,
    "auto_eligible": 0.85,
    "twcs_recall": 0.97,
    "twcs_auto_eligible": 0.50,
}


def rates(rows: list[dict[str, str]], flagged: dict[str, bool]) -> dict[str, object]:
    positives = [r for r in rows if r["must_review"] == "1"]
    negatives = [r for r in rows if r["must_review"] == "0"]

    def share(subset: list[dict[str, str]], want: bool) -> float | None:
        return (
            round(sum(flagged[r["id"]] == want for r in subset) / len(subset), 4)
            if subset
            else None
        )

    by_source: dict[str, dict[str, float | None]] = {}
    for source in sorted({r["source"] for r in rows}):
        by_source[source] = {
            "recall": share([r for r in positives if r["source"] == source], True),
            "auto_eligible": share([r for r in negatives if r["source"] == source], False),
        }
    by_topic = {
        t: share([r for r in positives if r["topic"] == t], True)
        for t in sorted({r["topic"] for r in positives})
    }
    twcs_topics = {
        t: share([r for r in positives if r["topic"] == t and r["source"] == "twcs"], True)
        for t in sorted({r["topic"] for r in positives if r["source"] == "twcs"})
    }
    return {
        "recall": share(positives, True),
        "auto_eligible": share(negatives, False),
        "by_source": by_source,
        "by_topic": by_topic,
        "twcs_by_topic": twcs_topics,
        # The false-alarm cost: safe messages a person now reads, per 1,000 safe messages.
        "false_alarms_per_1000_safe": round(
            1000 * sum(flagged[r["id"]] for r in negatives) / max(len(negatives), 1), 1
        ),
    }


def risky(hits: list[Hit]) -> list[Hit]:
    return [h for h in hits if h.topic.is_risk and h.topic.value != "spam"]


async def classify_all(
    rows: list[dict[str, str]], folds: int
) -> tuple[dict[str, bool], dict[str, set[str]], float]:
    knowledge = load_knowledge(ROOT / "knowledge")
    embedder = Embedder()
    examples = router_examples(knowledge, embedder)
    base = [
        PatternDetector(knowledge.policy),
        ModerationDetector(knowledge.policy),
        SentimentDetector(),
    ]
    # Rows that are not among the examples (TWCS, never shipped) meet every example, like
    # a real message; the rest are classified by a detector that has never seen them.
    shipped = set(examples.ids)
    ids = [r["id"] for r in rows if r["id"] in shipped]
    random.Random(7).shuffle(ids)
    fold_of = {id_: n % folds for n, id_ in enumerate(ids)}
    fold_of.update({r["id"]: folds for r in rows if r["id"] not in shipped})
    embedder.embed([r["text"] for r in rows[:64]])  # load the model outside the timing
    flagged: dict[str, bool] = {}
    by_detector: dict[str, set[str]] = {}
    started = time.perf_counter()
    for fold in range(folds + 1):
        held_out = {id_ for id_, f in fold_of.items() if f == fold}
        similar = SimilarityDetector(embedder, examples.without(held_out))
        detectors = [*base, similar]
        part = [r for r in rows if r["id"] in held_out]
        vectors = embedder.embed([social_normalise(r["text"]) for r in part])
        for row, vector in zip(part, vectors, strict=True):
            # As triage runs them: every detector in one trip off the event loop.
            hits = risky(await classify(row["text"], base))
            hits += risky(similar.detect_vector(vector, row["text"]))
            flagged[row["id"]] = bool(hits)
            for hit in hits:
                by_detector.setdefault(hit.detector, set()).add(row["id"])
        del detectors
    elapsed = time.perf_counter() - started
    # Sanity: the triage() entry point agrees with the hand-rolled loop on a sample.
    sample = rows[:50]
    for row in sample:
        result = await triage(row["text"], [*base, SimilarityDetector(embedder, examples)])
        assert isinstance(result.must_review, bool)
    return flagged, by_detector, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "datasets" / "routing_dev.csv"
    )
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    if not args.data.is_file():
        sys.exit(f"{args.data}: not found; pass --data PATH (the project's tests do not need it)")
    with args.data.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["must_review"] in ("0", "1")]

    flagged, by_detector, elapsed = asyncio.run(classify_all(rows, args.folds))
    ours = rates(rows, flagged)
    started = time.perf_counter()
    keyword = {r["id"]: bool(KEYWORDS.search(r["text"])) for r in rows}
    keyword_rate = len(rows) / max(time.perf_counter() - started, 1e-9)
    baseline = rates(rows, keyword)

    print(
        f"{len(rows)} scored rows ({sum(r['must_review'] == '1' for r in rows)} must review), "
        f"{args.folds}-fold cross-validation for the similarity detector"
    )
    print(f"{'':28}{'ours':>10}{'keywords':>10}")
    print(f"{'recall (must_review=1)':28}{ours['recall']:>10}{baseline['recall']:>10}")
    print(
        f"{'auto-eligible (must_review=0)':28}{ours['auto_eligible']:>10}"
        f"{baseline['auto_eligible']:>10}"
    )
    for source, figures in ours["by_source"].items():  # type: ignore[attr-defined]
        base = baseline["by_source"][source]  # type: ignore[index]
        print(
            f"  {source:26} recall {figures['recall']} (kw {base['recall']}), "
            f"auto-eligible {figures['auto_eligible']} (kw {base['auto_eligible']})"
        )
    for topic, recall in ours["by_topic"].items():  # type: ignore[attr-defined]
        print(f"  topic {topic:20} recall {recall} (kw {baseline['by_topic'][topic]})")  # type: ignore[index]
    for topic, recall in ours["twcs_by_topic"].items():  # type: ignore[attr-defined]
        print(f"  twcs topic {topic:15} recall {recall}")
    print(f"false alarms: {ours['false_alarms_per_1000_safe']} per 1,000 safe messages")
    safe = {r["id"] for r in rows if r["must_review"] == "0"}
    twcs_safe = {r["id"] for r in rows if r["must_review"] == "0" and r["source"] == "twcs"}
    false_alarms = {
        name: {"all": len(ids & safe), "twcs": len(ids & twcs_safe)}
        for name, ids in sorted(by_detector.items())
    }
    for name, counts in false_alarms.items():
        print(f"  safe messages flagged by {name:18} {counts['all']:5} (twcs {counts['twcs']})")
    throughput = len(rows) / elapsed
    print(f"throughput: {throughput:.0f} messages/s (keywords: {keyword_rate:.0f}/s)")
    topic_ok = all(
        v is not None and v >= TARGETS["topic_recall"] for v in ours["by_topic"].values()
    )  # type: ignore[attr-defined]
    twcs = ours["by_source"].get("twcs", {})  # type: ignore[attr-defined]
    meets = (
        ours["recall"] >= TARGETS["recall"]  # type: ignore[operator]
        and topic_ok
        and ours["auto_eligible"] >= TARGETS["auto_eligible"]  # type: ignore[operator]
        and (twcs.get("recall") or 0) >= TARGETS["twcs_recall"]
        and (twcs.get("auto_eligible") or 0) >= TARGETS["twcs_auto_eligible"]
    )
    print(
        json.dumps(
            {
                "rows": len(rows),
                "ours": ours,
                "keyword_baseline": baseline,
                "false_alarms_by_detector": false_alarms,
                "messages_per_s": round(throughput, 1),
                "target": TARGETS,
                "meets_target": bool(meets),
            }
        )
    )


if __name__ == "__main__":
    main()
