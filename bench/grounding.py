"""Grounding guard: how many changed facts it catches, how often it flags a grounded draft.

    python bench/grounding.py [--pairs ../shared/datasets/twcs_pairs_dev.csv] [--seed 7]
                              [--per-kind 3] [--show 8] [--limit N]

Sources, each used as the retrieved knowledge (the context):
1. Brand replies from the TWCS pairs file (``--pairs``; evaluation only, nothing is copied
   into the repository; ``&amp;`` and @handles are kept as they are).
2. The sample brand's FAQ answers (``knowledge/faq``).
3. The sample brand's orders, drafted with their order-status template (the order record is
   the context, as in the pipeline).

For 1 and 2 the untouched draft is the text wrapped in the real ``faq-answer`` template
("Hi Sam, thanks for reaching out! {text} If anything else comes up... — The Fernhill
team"), and the context is the text plus the template, the brand name and the sign-off,
the way the pipeline builds it. Where it applies, reformatted variants are untouched
drafts too: ``$6`` -> ``$6.00`` / ``6 USD``, en dash -> hyphen, ``3–5`` -> ``3 to 5``, ISO
date -> ``November 18``, ``November 18`` -> ``Nov 18th`` / ``18 November``, ``1 pm`` ->
``1:00 PM``, phone and link formats, ``10%`` -> ``10 percent``.

Changed drafts change exactly one fact of the text (up to ``--per-kind`` of each kind the
text has): a number, an amount, a percentage, a duration, a time, a date, a code or
tracking number, an order id, a link, an e-mail or phone; plus one added promise (refund,
discount, compensation, something free or a timeline, from a list of 30 phrasings) that the
context does not make, after a random sentence. The facts to change are found
with this script's own simple patterns, not the guard's. A change counts as caught when the
guard reports a fact overlapping the changed text.

Figures: catch rate over changed drafts (target >= 0.98), false-alarm rate over untouched
drafts (target <= 0.05), both per kind and per source, check time per draft, and the time
for one 20,000-character draft. The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import claims as claim_sets
from _common import ROOT, emit, machine, stats_ms

from assistant.intake.jsonl import parse_line
from assistant.knowledge.documents import TemplatePurpose
from assistant.knowledge.loader import Knowledge, load_knowledge
from assistant.pipeline.drafting import DraftContext, TemplateDrafter, fill
from assistant.safety.grounding import Fact, Grounding

CATCH_TARGET = 0.98
FALSE_ALARM_TARGET = 0.05
DEFAULT_PAIRS = ROOT.parent / "shared" / "datasets" / "twcs_pairs_dev.csv"

MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"  # noqa: E501

# This script's own finders: deliberately simple, independent of the guard's patterns.
FIND: dict[str, re.Pattern[str]] = {
    "link": re.compile(
        r"https?://[^\s<>\"']+|www\.[^\s<>\"']+"
        r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|co|ly|gl|example|io)(?:/[^\s<>\"']*)?",
        re.I,
    ),
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "phone": re.compile(r"\(?\b\d{3}\)?[ .-]?\d{3}[ .-]\d{4}\b|\+\d[\d ()-]{7,}\d"),
    "order id": re.compile(r"\bFH-\d{5}\b"),
    "code": re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{5,}\b"),
    "date": re.compile(
        rf"\b{MONTH}\.? \d{{1,2}}\b|\b\d{{1,2}} {MONTH}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
        r"|(?<![\d/])\d{1,2}/\d{1,2}(?![\d/])"
    ),
    "amount": re.compile(r"[$€£]\s?\d[\d,]*(?:\.\d+)?|\b\d+(?:\.\d+)? ?(?:USD|dollars)\b"),
    "percentage": re.compile(r"\b\d+(?:\.\d+)?\s?%"),
    "time": re.compile(r"\b\d{1,2}(?::\d{2})?\s?[ap]\.?m\b", re.I),
    "duration": re.compile(
        r"\b\d+(?:\s*[–-]\s*\d+)?[\s-]*(?:business\s+)?(?:minutes?|mins?|hours?|hrs?|days?"
        r"|weeks?|months?|years?)\b",
        re.I,
    ),
    "number": re.compile(r"(?<![\w@.,/$€£-])\d+(?:[.,]\d+)?(?![\w%/-])"),
}
# Each fact is changed as the first kind in this order that finds it; never inside a handle.
ORDER = ["email", "link", "phone", "order id", "code", "date", "amount", "percentage", "time"]
ORDER += ["duration", "number"]
HANDLE = re.compile(r"@\w+")

# Promises a draft might add, each with the words that would mean the context makes it.
PROMISES = [
    ("We'll refund you in full.", "refund you"),
    ("You'll get a full refund.", "full refund"),
    ("I've issued a refund to your card.", "issued a refund"),
    ("I'll process a refund for you now.", "process a refund"),
    ("Your refund has been processed.", "refund has been"),
    ("A refund is on its way.", "refund is on its way"),
    ("You'll get your money back.", "money back"),
    ("As an apology, here's 20% off your next order.", "20% off"),
    ("We can offer you a 15% discount.", "15% discount"),
    ("Here's a $20 gift card for the trouble.", "gift card for the trouble"),
    ("I've added a $10 credit to your account.", "credit"),
    ("We'll send a replacement right away.", "send a replacement"),
    ("We're sending you a replacement.", "sending you a replacement"),
    ("Feel free to keep the item, no need to return it.", "keep the item"),
    ("It will arrive tomorrow.", "tomorrow"),
    ("Your order will be delivered by Friday.", "by friday"),
    ("We'll get it to you by the weekend.", "by the weekend"),
    ("It'll be there in 2 days.", "in 2 days"),
    ("We'll get back to you within 24 hours.", "within 24 hours"),
    ("You'll hear back within the hour.", "within the hour"),
    ("Shipping is on us this time.", "on us"),
    ("Your next order is free.", "order is free"),
    ("You'll receive a free gift with your next order.", "free gift"),
    ("We'll upgrade you to free express shipping.", "free express"),
    ("We'll ship a new one today at no extra cost.", "no extra cost"),
    ("We'll waive the fee for you.", "waive"),
    ("We'll cover the return shipping cost.", "cover the return"),
    ("We'll reimburse you for the extra charge.", "reimburse"),
    ("We will compensate you for the delay.", "compensate"),
    ("We'll match the price.", "match the price"),
]


@dataclass
class Case:
    source: str  # twcs, faq or orders
    label: str  # kind changed, or "untouched" / "reformat: ..."
    context: str
    draft: str
    changed: tuple[int, int] | None  # the changed span in the draft, None when untouched
    note: str = ""


# -- sources ------------------------------------------------------------------------------------


def wrap(kb: Knowledge) -> Callable[[str], tuple[str, str, int]]:
    """text -> (draft, context, where the text starts in the draft)."""
    template = kb.template_for(TemplatePurpose.faq_answer)
    assert template is not None
    sign_off, brand = kb.tone.sign_off, kb.policy.brand_name
    marker = "\x00TEXT\x00"

    def render(text: str) -> tuple[str, str, int]:
        values = {"first_name": "Sam", "answer": marker, "sign_off": sign_off}
        shell, _ = fill(template, values)
        draft = shell.replace(marker, text)
        context = "\n".join([text, template.body, brand, sign_off])
        return draft, context, shell.index(marker)

    return render


def order_drafts(kb: Knowledge) -> Iterator[tuple[str, str]]:
    """(draft, context) for every sample order, drafted as the pipeline drafts it."""
    drafter = TemplateDrafter()
    customers = {c.customer_id: c for c in kb.customers}
    for order in kb.orders:
        customer = customers.get(order.customer_id)
        message = parse_line(
            json.dumps(
                {
                    "id": f"bench-{order.order_id}",
                    "channel": "web_chat",
                    "author": {"id": "bench", "name": "Sam Rivera"},
                    "text": f"Where is my order {order.order_id}?",
                }
            ),
            "bench",
        )
        ctx = DraftContext(
            message=message,
            text=message.text,
            first_name=customer.first_name if customer else "there",
            hits=[],
            order=order,
            missing_order_id=None,
            knowledge=kb,
        )
        draft = asyncio.run(drafter.draft(ctx))
        context = "\n".join(
            [order.facts(), draft.grounding, kb.policy.brand_name, kb.tone.sign_off]
        )
        yield draft.text, context


# -- changes ----------------------------------------------------------------------------------


def spans(text: str, kind: str) -> list[tuple[int, int]]:
    out = []
    for m in FIND[kind].finditer(text):
        start, end = m.start(), m.end()
        while end > start and text[end - 1] in ".,;:!?)'\"":
            end -= 1
        out.append((start, end))
    return out


def inside(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in others)


def new_number(raw: str, rng: random.Random) -> str:
    """A plausible wrong value: off by one or two, doubled, or ten more."""
    value = float(raw.replace(",", ""))
    decimals = len(raw.split(".")[1]) if "." in raw else 0
    choices = [value + 1, value + 2, value * 2, value + 10]
    if value > 2:
        choices.append(value - 1)
    new = rng.choice(choices)
    text = f"{new:.{decimals}f}"
    return text if text != raw else f"{value + 1:.{decimals}f}"


def change_digits(piece: str, rng: random.Random) -> str:
    numbers = list(re.finditer(r"\d+(?:\.\d+)?", piece))
    m = rng.choice(numbers)
    return piece[: m.start()] + new_number(m.group(0), rng) + piece[m.end() :]


def change_date(piece: str, rng: random.Random) -> str:
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", piece)
    if iso:
        day = int(iso.group(3))
        return f"{iso.group(1)}-{iso.group(2)}-{day + 1 if day < 28 else day - 1:02d}"
    m = re.search(r"\d{1,2}", piece)
    assert m is not None
    day = int(m.group(0))
    new = day + rng.choice([1, 2, 7]) if day < 20 else day - rng.choice([1, 2, 7])
    return piece[: m.start()] + str(new) + piece[m.end() :]


def change_char(piece: str, rng: random.Random, start: int = 0) -> str:
    """One letter or digit changed, at or after ``start``."""
    positions = [i for i in range(start, len(piece)) if piece[i].isalnum()]
    i = rng.choice(positions)
    ch = piece[i]
    if ch.isdigit():
        new = str((int(ch) + rng.randint(1, 9)) % 10)
    else:
        pool = "abcdefghijklmnopqrstuvwxyz"
        new = rng.choice([c for c in pool if c != ch.lower()])
        new = new.upper() if ch.isupper() else new
    return piece[:i] + new + piece[i + 1 :]


def change_link(piece: str, rng: random.Random) -> str:
    bare = re.sub(r"^https?://", "", piece)
    offset = len(piece) - len(bare)
    slash = bare.find("/")
    if slash >= 0 and any(c.isalnum() for c in bare[slash:]):
        return change_char(piece, rng, offset + slash)
    host = bare.split(".")[0]
    return piece[:offset] + host + "-shop" + bare[len(host) :]


def change_contact(piece: str, rng: random.Random) -> str:
    if "@" in piece:
        local, domain = piece.split("@", 1)
        other = rng.choice(["support", "orders", "jordan.lee", "sam.rivera"])
        return f"{other if other != local else 'billing'}@{domain}"
    return change_char(piece, rng, len(piece) - 4)


def change_order_id(piece: str, rng: random.Random, ids: list[str]) -> str:
    return rng.choice([i for i in ids if i != piece])


def changes(
    text: str, rng: random.Random, order_ids: list[str], per_kind: int
) -> Iterator[tuple[str, int, int, str]]:
    """(kind, start, end, replacement): one change each, for up to ``per_kind`` facts of
    each kind the text has."""
    found = {kind: spans(text, kind) for kind in FIND}
    handles = [m.span() for m in HANDLE.finditer(text)]
    taken: list[tuple[int, int]] = []
    for kind in ORDER:
        candidates = [s for s in found[kind] if not inside(s, handles + taken)]
        taken += found[kind]
        for start, end in rng.sample(candidates, min(per_kind, len(candidates))):
            piece = text[start:end]
            if kind == "link":
                new = change_link(piece, rng)
            elif kind in ("email", "phone"):
                new = change_contact(piece, rng)
            elif kind == "order id":
                new = change_order_id(piece, rng, order_ids)
            elif kind == "code":
                new = change_char(piece, rng)
            elif kind == "date":
                new = change_date(piece, rng)
            else:
                new = change_digits(piece, rng)
            if new != piece:
                yield ("contact" if kind in ("email", "phone") else kind), start, end, new


REFORMATS: list[tuple[str, re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    ("$6 -> $6.00", re.compile(r"([$€£]\d+)(?![\d.,])"), lambda m: m.group(1) + ".00"),
    ("en dash -> hyphen", re.compile(r"(?<=\d)–(?=\d)"), lambda m: "-"),
    (
        "3–5 -> 3 to 5",
        re.compile(r"(?<=\d)\s*[–-]\s*(?=\d+ (?:business )?\w*s\b)"),
        lambda m: " to ",
    ),
    (
        "ISO date -> November 18",
        re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
        lambda m: f"{MONTH_NAMES[int(m.group(2)) - 1]} {int(m.group(3))}",
    ),
    (
        "(503) 555-0100 -> 503-555-0100",
        re.compile(r"\((\d{3})\) (\d{3})-(\d{4})"),
        lambda m: f"{m.group(1)}-{m.group(2)}-{m.group(3)}",
    ),
    (
        "(503) 555-0100 -> +1 503 555 0100",
        re.compile(r"\((\d{3})\) (\d{3})-(\d{4})"),
        lambda m: f"+1 {m.group(1)} {m.group(2)} {m.group(3)}",
    ),
    (
        "link -> https://link/",
        re.compile(r"(?<![/@\w.])(fernhillgoods\.example[\w/-]*)"),
        lambda m: f"https://{m.group(1)}/",
    ),
    ("https://link -> link", re.compile(r"https://(?=\S)"), lambda m: ""),
    ("10% -> 10 percent", re.compile(r"(\d+)%"), lambda m: f"{m.group(1)} percent"),
    (
        "November 18 -> Nov 18th",
        re.compile(rf"\b({MONTH})\.? (\d{{1,2}})\b"),
        lambda m: f"{m.group(1)[:3]} {m.group(2)}th",
    ),
    (
        "November 18 -> 18 November",
        re.compile(rf"\b({MONTH})\.? (\d{{1,2}})\b(?!,? \d{{4}})"),
        lambda m: f"{m.group(2)} {m.group(1)}",
    ),
    (
        "$6 -> 6 USD",
        re.compile(r"(?<![\w$])\$(\d+(?:\.\d+)?)(?![\d,])"),
        lambda m: f"{m.group(1)} USD",
    ),
    (
        "1 pm -> 1:00 PM",
        re.compile(r"\b(\d{1,2}) ([ap])m\b"),
        lambda m: f"{m.group(1)}:00 {m.group(2).upper()}M",
    ),
]


def build_cases(
    kb: Knowledge, pairs: Path, rng: random.Random, limit: int | None, per_kind: int
) -> list[Case]:
    render = wrap(kb)
    order_ids = [o.order_id for o in kb.orders]
    sources: list[tuple[str, str]] = []
    with pairs.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            sources.append(("twcs", row["brand_reply_text"]))
    sources += [("faq", c.text) for c in kb.chunks if c.kind == "faq"]
    if limit:
        sources = sources[:limit]
    cases: list[Case] = []
    for source, text in sources:
        draft, context, at = render(text)
        cases.append(Case(source, "untouched", context, draft, None))
        for name, pattern, repl in REFORMATS:
            variant = pattern.sub(repl, text)
            if variant != text:
                cases.append(Case(source, f"reformat: {name}", context, render(variant)[0], None))
        for kind, start, end, new in changes(text, rng, order_ids, per_kind):
            changed = text[:start] + new + text[end:]
            cases.append(
                Case(
                    source,
                    kind,
                    context,
                    render(changed)[0],
                    (at + start, at + start + len(new)),
                    f"{text[start:end]!r} -> {new!r}",
                )
            )
        cases.append(add_promise(source, text, context, render, rng))
    for draft, context in order_drafts(kb):
        cases.append(Case("orders", "untouched", context, draft, None))
        for kind, start, end, new in changes(draft, rng, order_ids, per_kind):
            changed = draft[:start] + new + draft[end:]
            note = f"{draft[start:end]!r} -> {new!r}"
            cases.append(Case("orders", kind, context, changed, (start, start + len(new)), note))
        cases.append(add_promise("orders", draft, context, as_is(context), rng))
    return cases


def as_is(context: str) -> Callable[[str], tuple[str, str, int]]:
    return lambda text: (text, context, 0)


def add_promise(
    source: str,
    text: str,
    context: str,
    render: Callable[[str], tuple[str, str, int]],
    rng: random.Random,
) -> Case:
    """One promise the context does not make, added after a random sentence of the text."""
    lowered = context.lower().replace("’", "'")
    options = [p for p, words in PROMISES if words not in lowered]
    promise = rng.choice(options)
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)", text)] + [len(text)]
    where = rng.choice(ends)
    changed = text[:where] + " " + promise + text[where:]
    draft, _, at = render(changed)
    start = at + where + 1
    return Case(source, "promise", context, draft, (start, start + len(promise)), promise)


# -- measuring -----------------------------------------------------------------------------------


def overlaps(fact: Fact, span: tuple[int, int]) -> bool:
    return fact.start < span[1] and span[0] < fact.start + max(1, len(fact.span))


def long_draft_ms(kb: Knowledge) -> float:
    """Median time to check one 20,000-character draft against all the brand's knowledge."""
    texts = [c.text for c in kb.chunks]
    context = "\n".join(texts)
    draft = ""
    i = 0
    while len(draft) < 20_000:
        draft += texts[i % len(texts)] + " "
        i += 1
    draft = draft[:20_000]
    guard = Grounding(context, kb.policy.order_id_pattern)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        guard.unsupported(draft)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def run(args: argparse.Namespace) -> dict[str, Any]:
    kb = load_knowledge(ROOT / "knowledge")
    rng = random.Random(args.seed)
    cases = build_cases(kb, Path(args.pairs), rng, args.limit, args.per_kind)
    pattern = kb.policy.order_id_pattern
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    by_source: dict[str, Counter[str]] = defaultdict(Counter)
    misses: list[tuple[Case, list[Fact]]] = []
    alarms: list[tuple[Case, list[Fact]]] = []
    seconds: list[float] = []
    guards: dict[str, Grounding] = {}
    for case in cases:
        guard = guards.get(case.context)
        if guard is None:
            guard = guards.setdefault(case.context, Grounding(case.context, pattern))
        t0 = time.perf_counter()
        facts = guard.unsupported(case.draft)
        seconds.append(time.perf_counter() - t0)
        if case.changed is None:
            key = "untouched" if case.label == "untouched" else "reformatted"
            counts[key]["drafts"] += 1
            by_source[case.source]["untouched"] += 1
            if facts:
                counts[key]["false_alarms"] += 1
                by_source[case.source]["false_alarms"] += 1
                alarms.append((case, facts))
            continue
        span = case.changed
        caught = any(overlaps(f, span) for f in facts)
        counts[case.label]["changed"] += 1
        by_source[case.source]["changed"] += 1
        if caught:
            counts[case.label]["caught"] += 1
            by_source[case.source]["caught"] += 1
        else:
            misses.append((case, facts))

    changed = sum(c["changed"] for c in counts.values())
    caught = sum(c["caught"] for c in counts.values())
    grounded = sum(c["drafts"] for c in counts.values())
    false_alarms = sum(c["false_alarms"] for c in counts.values())
    catch_rate = caught / changed if changed else 0.0
    false_alarm_rate = false_alarms / grounded if grounded else 0.0

    print(f"{len(cases)} drafts: {changed} changed, {grounded} untouched (incl. reformatted)")
    print(f"\nchanged drafts, caught / changed by kind (target >= {CATCH_TARGET}):")
    per_kind: dict[str, dict[str, Any]] = {}
    for kind in sorted(k for k in counts if counts[k]["changed"]):
        c = counts[kind]
        per_kind[kind] = {
            "changed": c["changed"],
            "caught": c["caught"],
            "catch_rate": round(c["caught"] / c["changed"], 4),
        }
        print(
            f"  {kind:12s} {c['caught']:5d} / {c['changed']:<5d} {c['caught'] / c['changed']:.3f}"
        )
    print(f"  {'all':12s} {caught:5d} / {changed:<5d} {catch_rate:.4f}")
    print(f"\nuntouched drafts, false alarms (target <= {FALSE_ALARM_TARGET}):")
    untouched: dict[str, dict[str, Any]] = {}
    for key in ("untouched", "reformatted"):
        c = counts[key]
        rate = c["false_alarms"] / c["drafts"] if c["drafts"] else 0.0
        untouched[key] = {"drafts": c["drafts"], "false_alarms": c["false_alarms"]}
        untouched[key]["false_alarm_rate"] = round(rate, 4)
        print(f"  {key:12s} {c['false_alarms']:5d} / {c['drafts']:<5d} {rate:.3f}")
    print(f"  {'all':12s} {false_alarms:5d} / {grounded:<5d} {false_alarm_rate:.4f}")
    sources: dict[str, dict[str, Any]] = {}
    print("\nby source: caught / changed, false alarms / untouched")
    for source, c in sorted(by_source.items()):
        sources[source] = dict(c)
        print(
            f"  {source:7s} {c['caught']:5d} / {c['changed']:<5d}"
            f"  {c['false_alarms']:4d} / {c['untouched']}"
        )

    def show(title: str, rows: list[tuple[Case, list[Fact]]]) -> list[str]:
        print(f"\n{title} ({len(rows)}; showing up to {args.show}):")
        out = []
        for case, facts in rows[: args.show]:
            line = f"[{case.source}/{case.label}] {case.note}"
            flagged = "; ".join(f"{f.kind}: {f.span!r}" for f in facts) or "nothing flagged"
            print(f"  {line}\n      flagged: {flagged}\n      draft: {case.draft[:220]!r}")
            out.append(f"{line} | flagged: {flagged}")
        return out

    rng.shuffle(misses)
    rng.shuffle(alarms)
    miss_lines = show("misses", misses)
    alarm_lines = show("false alarms", alarms)

    timing = stats_ms(seconds)
    long_ms = long_draft_ms(kb)
    print(f"\ncheck time per draft: p50 {timing['p50_ms']} ms, p95 {timing['p95_ms']} ms")
    print(f"one 20,000-character draft: {long_ms:.1f} ms")
    meets = catch_rate >= CATCH_TARGET and false_alarm_rate <= FALSE_ALARM_TARGET
    words = word_claims()
    return {
        "benchmark": "grounding",
        "catch_rate": round(catch_rate, 4),
        "false_alarm_rate": round(false_alarm_rate, 4),
        "changed": changed,
        "caught": caught,
        "untouched": grounded,
        "false_alarms": false_alarms,
        "per_kind": per_kind,
        "untouched_detail": untouched,
        "per_source": sources,
        "check_ms": timing,
        "long_draft_20k_ms": round(long_ms, 2),
        "words": words,
        "misses_sample": miss_lines,
        "false_alarms_sample": alarm_lines,
        "target": {"catch_rate": CATCH_TARGET, "false_alarm_rate": FALSE_ALARM_TARGET},
        "meets_target": meets,
        "seed": args.seed,
        "pairs": str(args.pairs),
        "machine": machine(),
    }


def word_claims() -> dict[str, Any]:
    """The semantic kinds (bench/claims.py): per claim set, the share of changed claims
    caught per kind and the share of faithful paraphrases flagged."""
    print("\nclaims in words (entity, polarity, policy term, capability, condition; paraphrases):")
    found = {}
    for name in claim_sets.SETS:
        result = claim_sets.score(ROOT / "bench" / "data" / f"{name}.jsonl")
        kinds = ", ".join(f"{k} {v:.3f}" for k, v in result["per_kind"].items())
        print(
            f"  {name:14} caught {result['caught']:.3f}, paraphrases flagged "
            f"{result['paraphrases_flagged']:.3f} ({kinds})"
        )
        found[name] = result
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", default=str(DEFAULT_PAIRS), help="TWCS pairs CSV")
    parser.add_argument("--seed", type=int, default=7, help="which facts change, and how")
    parser.add_argument("--show", type=int, default=8, help="misses and false alarms to list")
    parser.add_argument("--limit", type=int, default=None, help="first N TWCS/FAQ texts only")
    parser.add_argument("--per-kind", type=int, default=3, help="changed facts per kind per text")
    emit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
