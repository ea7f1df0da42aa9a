"""Grounding of words: how many changed claims the claim check catches, and how many
faithful paraphrases it flags, per kind.

    python bench/claims.py [--data bench/data/claims_dev.jsonl]

Each row of the development set is one draft sentence written against one document of the
sample brand's knowledge (``knowledge/policies/<doc>.md`` and ``knowledge/faq/<doc>.md``,
which together are the context): a change of one kind (entity, polarity, policy term,
capability, condition) or a faithful paraphrase. ``bench/data/claims_dev.jsonl`` (65 rows)
is the set the check was built on; ``bench/data/claims_check.jsonl`` (36 rows, other documents) was
written afterwards and measured before any change for it; ``claims_check2.jsonl`` (56)
was written before the second round of changes and ``claims_check3.jsonl`` (40) after it,
each measured first as it was written (see the closing note of issue 13).
``claims_check5.jsonl`` (87: 52 changes, 16 of them conditions and scopes such as "free on
every order" or "at any time", and 35 paraphrases) was written and committed before the
condition check was built, and measured once at the end of that round;
``claims_check6.jsonl`` (80: 50 changes, 14 conditions, 30 paraphrases) was written after
that measurement and before the second round, and measured once at its end.
``claims_check7.jsonl`` (82: 50 changes, 32 paraphrases) was written and committed before
the predicate, deed and name checks (issue 13, session 4) and measured on the code before
them; ``claims_check8.jsonl`` (65: 40 changes, 25 paraphrases) was written after check7's
misses had been seen and measured once on the code before the name check.
``claims_check9.jsonl`` (65: 40 changes, 25 paraphrases) was written and committed before the
fifth round (scope in so many words, lists under a negation, opposites, modifiers, means)
and measured on the code before it; ``claims_check10.jsonl`` (65, paraphrases in a drafting
model's voice) was written and committed after that round and measured once;
``claims_check11.jsonl`` (65: 40 changes, 25 paraphrases, by a writer who saw only the
knowledge) was committed before the sixth round ("will" promises a deed only of the brand or
the customer) and measured once on the code before it; ``claims_check12.jsonl`` (65, by a
writer who saw only the knowledge) was committed before the session-12 round's last changes
and measured once on the code before them. Targets: >= 0.90
of changes caught, <= 0.10 of paraphrases flagged. The numeric guard's figures stay with
bench/grounding.py. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.knowledge.front_matter import split_blocks  # noqa: E402
from assistant.safety.claims import check_claims  # noqa: E402

TARGETS = {"caught": 0.90, "paraphrases_flagged": 0.10}


def document(name: str) -> str:
    """The policy and the FAQ of that name, as a draft's context holds them: front matter
    (id, title, tags, also_asked) is not knowledge a draft can quote."""
    paths = (ROOT / "knowledge" / folder / f"{name}.md" for folder in ("policies", "faq"))
    texts = (path.read_text() for path in paths if path.is_file())
    return "\n".join(block.body for text in texts for block in split_blocks(text))


SETS = (
    "claims_dev",
    "claims_check",
    "claims_check2",
    "claims_check3",
    "claims_check4",
    "claims_check5",
    "claims_check6",
    "claims_check7",
    "claims_check8",
    "claims_check9",
    "claims_check10",
    "claims_check11",
)


def score(path: Path, show: bool = False) -> dict[str, Any]:
    """Caught share per changed kind, flagged share of paraphrases, for one claim set."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    flagged: dict[str, list[bool]] = defaultdict(list)
    started = time.perf_counter()
    for row in rows:
        findings = check_claims(row["draft"], document(row["doc"]))
        flagged[row["kind"]].append(bool(findings))
        wrong = bool(findings) == (row["kind"] == "paraphrase")
        if show and wrong:
            print(f"  {row['kind']:11} {row['draft']}")
            for f in findings:
                print(f"      {f.reason()}")
    per_draft_ms = 1000 * (time.perf_counter() - started) / len(rows)
    changed = [v for k, vs in flagged.items() if k != "paraphrase" for v in vs]
    caught = round(sum(changed) / len(changed), 3)
    false_alarms = round(sum(flagged["paraphrase"]) / max(len(flagged["paraphrase"]), 1), 3)
    per_kind = {k: round(sum(v) / len(v), 3) for k, v in sorted(flagged.items())}
    counts = {k: len(v) for k, v in sorted(flagged.items())}
    return {
        "rows": len(rows),
        "caught": caught,
        "paraphrases_flagged": false_alarms,
        "per_kind": per_kind,
        "per_kind_rows": counts,
        "ms_per_draft": round(per_draft_ms, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data" / "claims_dev.jsonl")
    parser.add_argument("--show", action="store_true", help="print every miss and false alarm")
    args = parser.parse_args()
    result = score(args.data, args.show)
    caught, false_alarms = result["caught"], result["paraphrases_flagged"]
    for kind, share in result["per_kind"].items():
        label = "flagged" if kind == "paraphrase" else "caught"
        print(f"{kind:12} {label} {share:.3f} of {result['per_kind_rows'][kind]}")
    print(f"changed claims caught {caught:.3f} (target >= {TARGETS['caught']}), paraphrases")
    print(f"flagged {false_alarms:.3f} (target <= {TARGETS['paraphrases_flagged']}),")
    print(f"{result['ms_per_draft']:.2f} ms per draft")
    meets = caught >= TARGETS["caught"] and false_alarms <= TARGETS["paraphrases_flagged"]
    print(json.dumps(result | {"target": TARGETS, "meets_target": meets}))


if __name__ == "__main__":
    main()
