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
and measured once on the code before them; ``claims_check13.jsonl`` and ``claims_check14.jsonl``
(65 each, two- and three-sentence drafts by two more writers who saw only the knowledge) were
committed before the session-13 round: check13 was measured part-way through it, check14
once at its end; the sets in ``SETS`` from ``claims_check15`` on (65 each, one writer each,
who saw only the knowledge) were each committed before they were run and measured once first. Each
set is scored twice: by the word check alone, and by every check of ``assistant verify``
(numbers, dates, codes and promises too: ``all_checks``). Targets: >= 0.90 of changes
caught, <= 0.10 of paraphrases flagged. The numeric guard's figures stay with
bench/grounding.py. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.knowledge.answered import hit_text  # noqa: E402
from assistant.knowledge.disclosure import policy_text  # noqa: E402
from assistant.knowledge.documents import load_faq, load_policy_doc  # noqa: E402
from assistant.knowledge.loader import Knowledge, load_knowledge  # noqa: E402
from assistant.pipeline.model_drafter import SYSTEM  # noqa: E402
from assistant.safety.claims import check_claims  # noqa: E402
from assistant.safety.facts import HANDLE  # noqa: E402
from assistant.safety.verify import Verifier, grounding_context  # noqa: E402

TARGETS = {"caught": 0.90, "paraphrases_flagged": 0.10}
# The sets' drafts are one to three sentences: no channel's length limit is in question.
LONG_ENOUGH = 10_000
OPENING_MENTION = re.compile(
    rf"\W*(?:(?:hi|hey|hello)\s+)?(?P<handle>{HANDLE.pattern})", re.IGNORECASE
)


def document(name: str) -> str:
    """The policy and the FAQ of that name, as a draft's checks read them: each section's
    and answer's text (front matter is not knowledge a draft can quote), an answer's bare
    Yes or No said in full with its question (``answered.hit_text``)."""
    chunks = []
    for folder, load in (("policies", load_policy_doc), ("faq", load_faq)):
        path = ROOT / "knowledge" / folder / f"{name}.md"
        if path.is_file():
            chunks += load(path.read_text(), str(path), [])
    return "\n".join(hit_text(c.id, c.title, c.text) for c in chunks)


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
    "claims_check12",
    "claims_check13",
    "claims_check14",
    "claims_check15",
    "claims_check16",
    "claims_check17",
    "claims_check18",
    "claims_check19",
    "claims_check20",
    "claims_check21",
    "claims_check22",
    "claims_check23",
    "claims_check24",
    "claims_check25",
    "claims_check26",
    "claims_check27",
    "claims_check28",
    "claims_check29",
    "claims_check30",
    "claims_check31",
    "claims_check32",
    "claims_check33",
    "claims_check34",
    "claims_check35",
    "claims_check36",
    "claims_check37",
    "claims_check38",
    "claims_check39",
    "claims_check40",
    "claims_check41",
    "claims_check42",
    "claims_check43",
    "claims_check44",
    "claims_check45",
    "claims_check46",
    "claims_check47",
    "claims_check48",
    "claims_check49",
    "claims_check50",
    "claims_check51",
)


@lru_cache(maxsize=1)
def verifier() -> tuple[Verifier, Knowledge]:
    knowledge = load_knowledge(ROOT / "knowledge")
    instructions = [SYSTEM, policy_text(knowledge)]
    return Verifier(knowledge, instructions), knowledge


def every_check(draft: str, context: str) -> list[str]:
    """What ``assistant verify`` reports for the draft: the numeric guard (numbers, dates,
    codes, promises) and the word check, against what the pipeline gives it: the knowledge,
    the brand's name and sign-off, and the customer's handle. A set's rows carry no
    customer, so a draft that opens by @-mentioning someone ("@jess_outdoors You've got 30
    days…", a reply to a comment) is taken to answer that customer."""
    check, knowledge = verifier()
    addressed = OPENING_MENTION.match(draft)
    handle = addressed["handle"] if addressed else None
    context = grounding_context([context], None, "", knowledge, handle)
    return check.problems(draft, context, "web_chat", LONG_ENOUGH)


def _share(flags: list[bool]) -> float:
    return round(sum(flags) / max(len(flags), 1), 3)


def score(path: Path, show: bool = False) -> dict[str, Any]:
    """Caught share per changed kind, flagged share of paraphrases, for one claim set: by
    the word check alone, and by every check of ``assistant verify``."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    flagged: dict[str, list[bool]] = defaultdict(list)
    by_all: dict[str, list[bool]] = defaultdict(list)
    started = time.perf_counter()
    for row in rows:
        findings = check_claims(row["draft"], document(row["doc"]), verifier()[0].names)
        flagged[row["kind"]].append(bool(findings))
        if show and bool(findings) == (row["kind"] == "paraphrase"):
            print(f"  {row['kind']:11} {row['draft']}")
            for f in findings:
                print(f"      {f.reason()}")
    per_draft_ms = 1000 * (time.perf_counter() - started) / len(rows)
    for row in rows:
        problems = every_check(row["draft"], document(row["doc"]))
        by_all[row["kind"]].append(bool(problems))
        if show and bool(problems) == (row["kind"] == "paraphrase") and problems:
            print(f"  (all checks) {row['kind']:11} {row['draft']}")
            for problem in problems:
                print(f"      {problem}")

    def changed(flags: dict[str, list[bool]]) -> list[bool]:
        return [v for k, vs in flags.items() if k != "paraphrase" for v in vs]

    return {
        "rows": len(rows),
        "caught": _share(changed(flagged)),
        "paraphrases_flagged": _share(flagged["paraphrase"]),
        "per_kind": {k: _share(v) for k, v in sorted(flagged.items())},
        "per_kind_rows": {k: len(v) for k, v in sorted(flagged.items())},
        "all_checks": {
            "caught": _share(changed(by_all)),
            "paraphrases_flagged": _share(by_all["paraphrase"]),
            "per_kind": {k: _share(v) for k, v in sorted(by_all.items())},
        },
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
    every = result["all_checks"]
    print(
        f"with every check of 'assistant verify' (numbers, dates, promises too): caught "
        f"{every['caught']:.3f}, paraphrases flagged {every['paraphrases_flagged']:.3f}"
    )
    print(f"{result['ms_per_draft']:.2f} ms per draft (word check)")
    meets = caught >= TARGETS["caught"] and false_alarms <= TARGETS["paraphrases_flagged"]
    print(json.dumps(result | {"target": TARGETS, "meets_target": meets}))


if __name__ == "__main__":
    main()
