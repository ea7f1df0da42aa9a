"""Which answer rule would answer more questions right without answering wrong ones?

`python bench/answer_rules.py [--measure bench/data/retrieval_check.jsonl ...]`

Ingests the sample brand, scores every development question once (the fused ranking
``index.search`` uses, with the coverage check), and replays candidate answer rules on those
scores: today's rule (calibrated threshold and absolute margin), a margin relative to the
best score, and a lower threshold when every signal agrees on the best answer (its answer
text, its questions and BM25 each rank it first). Each rule family's setting is chosen by
5-fold cross-validation on the development set (objective: right − 4·wrong − 2·unanswerable
answered), so the CV figure estimates how the family does on questions it was not tuned on.
``--measure`` applies today's rule and each family's pick to other sets: unseen sets, to be
looked at once, at the end of a pass. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from _common import ROOT, workspace
from retrieval import judge

from assistant.app import open_assistant
from assistant.knowledge.faq_edit import remove_also_asked
from assistant.knowledge.index import REREAD_BELOW
from assistant.knowledge.normalise import normalise, reworded
from assistant.knowledge.retrieval import ANSWER_VECTOR_WEIGHT
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR

DEV_SET = ROOT / "bench" / "data" / "retrieval_dev.jsonl"
FOLDS = 5


@dataclass(frozen=True)
class Stage:
    """The best entry of one ranking, as a rule sees it."""

    top: str
    score: float
    margin: float
    agree: bool  # answer text, questions and BM25 each rank the same answer first


@dataclass(frozen=True)
class Scored:
    row: dict[str, Any]
    first: Stage
    covered: Stage | None  # after the coverage check, when the question has unknown words


Rule = Callable[[Stage, float, float], bool]  # (stage, threshold, margin) → answers


def stage(
    loaded: Any, fused: Any, dense_answer: Any, dense_question: Any, bm25: Any, allowed: Any
) -> Stage:
    catalogue = loaded.catalogue
    ranked = catalogue.rank(fused, allowed)
    top = ranked[0].index

    def first(values: Any) -> int:
        return int(np.argmax(np.where(allowed, values, -9.0)))

    same = catalogue.same
    agree = bool(
        same[top, first(dense_answer)]
        and same[top, first(dense_question)]
        and bm25.max() > 0
        and same[top, first(bm25)]
    )
    return Stage(loaded.rows[top].id, ranked[0].score, catalogue.margin(ranked), agree)


async def score(paths: list[Path]) -> tuple[dict[Path, list[Scored]], dict[str, Any]]:
    with workspace("answer-rules") as base:
        # Every question scored is a new one to the FAQ (see retrieval.py).
        asked = [
            json.loads(line)["text"] for p in paths for line in p.read_text().splitlines() if line
        ]
        remove_also_asked(base / "knowledge", asked)
        settings = Settings(data_dir=base / "data", knowledge_dir=base / "knowledge")
        async with open_assistant(settings) as assistant:
            assistant.library.ingest(SYSTEM_ACTOR)
            index = assistant.index
            loaded = index._load()  # the catalogue search uses; a bench may look inside
            catalogue = loaded.catalogue
            out: dict[Path, list[Scored]] = {}
            for path in paths:
                rows = [json.loads(line) for line in path.read_text().splitlines() if line]
                scored = []
                for row in rows:
                    query = normalise(row["text"]) or row["text"]
                    vector = index.embedder.embed_one(row["text"])
                    answer = (catalogue.answer_vectors @ vector) * ANSWER_VECTOR_WEIGHT
                    question = np.full(len(answer), -1.0, dtype=np.float32)
                    np.maximum.at(
                        question, catalogue.phrasing_owner, catalogue.phrasing_vectors @ vector
                    )
                    bm25 = np.asarray(catalogue.bm25.scores(query), dtype=np.float32)
                    fused = catalogue.scores(vector, query)
                    fixed = catalogue.speller.correct(query)
                    if fixed != query:  # as ``index.search``: the respelt reading too
                        again = index.embedder.embed_one(fixed)
                        fused = np.maximum(fused, catalogue.scores(again, query))
                    allowed = loaded.allowed(row.get("channel"), date.today())
                    first = stage(loaded, fused, answer, question, bm25, allowed)
                    rule = loaded.calibration
                    doubtful = first.score < rule.threshold or first.margin < rule.margin
                    near = first.score >= rule.threshold - REREAD_BELOW
                    if doubtful and near and fixed == query and reworded(row["text"], query):
                        # as ``index.search``: the normalised reading of a doubtful question
                        again = index.embedder.embed_one(query)
                        fused = np.maximum(fused, catalogue.scores(again, query))
                        first = stage(loaded, fused, answer, question, bm25, allowed)
                    unknown = set(catalogue.vocabulary.unknown(query))
                    known = " ".join(w for w in query.split() if w not in unknown)
                    covered = None
                    if unknown and known:  # as ``index.search``: the coverage check
                        q, k = index.embedder.embed_apart([query, known])
                        fused = fused - catalogue.uncovered(q, k)
                        covered = stage(loaded, fused, answer, question, bm25, allowed)
                    scored.append(Scored(row, first, covered))
                out[path] = scored
            return out, loaded.calibration.__dict__


def verdict(item: Scored, rule: Rule, threshold: float, margin: float) -> str:
    answers = rule(item.first, threshold, margin)
    best = item.first
    if answers and item.covered is not None:
        best, answers = item.covered, rule(item.covered, threshold, margin)
    return judge(item.row, best.top, answers)


def rates(verdicts: list[str], items: list[Scored]) -> dict[str, float]:
    answerable = [v for v, s in zip(verdicts, items, strict=True) if s.row["expect"]]
    unanswerable = [v for v, s in zip(verdicts, items, strict=True) if not s.row["expect"]]
    return {
        "right": round(answerable.count("right") / max(1, len(answerable)), 3),
        "wrong": round(answerable.count("wrong") / max(1, len(answerable)), 3),
        "unanswerable_answered": round(
            unanswerable.count("answered") / max(1, len(unanswerable)), 3
        ),
    }


def objective(r: dict[str, float]) -> float:
    return r["right"] - 4 * r["wrong"] - 2 * r["unanswerable_answered"]


def families() -> dict[str, dict[str, Rule]]:
    def today(s: Stage, t: float, m: float) -> bool:
        return s.score >= t and s.margin >= m

    def relative(share: float) -> Rule:
        return lambda s, t, m: s.score >= t and s.margin >= share * s.score

    def agreeing(lower: float) -> Rule:
        return lambda s, t, m: (
            s.margin >= m and (s.score >= t or (s.agree and s.score >= t - lower))
        )

    return {
        "today": {"calibrated": today},
        "relative margin": {f"{x:.2f}·score": relative(x) for x in (0.04, 0.06, 0.08, 0.10)},
        "all agree: lower threshold": {f"-{x:.2f}": agreeing(x) for x in (0.02, 0.04, 0.06, 0.08)},
    }


def cross_validate(
    items: list[Scored], rules: dict[str, Rule], t: float, m: float
) -> tuple[dict[str, float], list[str]]:
    order = list(range(len(items)))
    random.Random(14).shuffle(order)
    folds = [order[k::FOLDS] for k in range(FOLDS)]
    verdicts = {name: [verdict(i, rule, t, m) for i in items] for name, rule in rules.items()}
    held: list[str] = []
    held_items: list[Scored] = []
    picks = []
    for k in range(FOLDS):
        train = [n for j in range(FOLDS) if j != k for n in folds[j]]
        train_items = [items[n] for n in train]
        fitness = {
            name: objective(rates([v[n] for n in train], train_items))
            for name, v in verdicts.items()
        }
        pick = max(rules, key=fitness.__getitem__)  # a tie goes to the first listed
        picks.append(pick)
        held += [verdicts[pick][n] for n in folds[k]]
        held_items += [items[n] for n in folds[k]]
    return rates(held, held_items), picks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--measure", type=Path, nargs="*", default=[])
    args = parser.parse_args()
    measure = [p.resolve() for p in args.measure]
    scored, calibration = asyncio.run(score([DEV_SET, *measure]))
    t, m = calibration["threshold"], calibration["margin"]
    dev = scored[DEV_SET]
    print(f"calibration: {calibration}")
    result: dict[str, Any] = {"calibration": calibration, "families": {}}
    for family, rules in families().items():
        cv, picks = cross_validate(dev, rules, t, m)
        pick = max(picks, key=picks.count)  # the setting most folds chose
        print(f"\n{family}: CV estimate {cv}, picks per fold {picks}")
        for name, rule in rules.items():
            print(f"  {name:16} dev {rates([verdict(i, rule, t, m) for i in dev], dev)}")
        measured = {}
        for path in measure:
            items = scored[path]
            measured[path.name] = rates([verdict(i, rules[pick], t, m) for i in items], items)
            print(f"  {pick:16} {path.name}: {measured[path.name]}")
        result["families"][family] = {"cv": cv, "pick": pick, "measured": measured}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
