"""The grounding guard: every fact a draft states (amount, percentage, date, duration, time
of day, order id, tracking number or code, link, e-mail, phone, handle, number) must be
backed by the retrieved knowledge, the order record or the template it came from, and every
promise (refund, discount, compensation, something free, a timeline) must be one the context
makes. Values are compared after normalising how they are written ($6 = $6.00 = 6 USD,
3-5 = 3–5 = 3 to 5, 2026-11-18 = November 18), never by guessing. It reports, never fixes."""

import re
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import cast

from assistant.safety.facts import (
    DURATION,
    EMOJI,
    KINDS,
    MONTH,
    NUMBER,
    WEEKDAY_SPAN,
    DateKey,
    Fact,
    FoldedText,
    Found,
    extract,
    number_key,
    number_value,
    valid_day,
    weekday_index,
)
from assistant.safety.promises import find_promises, promise_phrase, restated

# "1. Go to …", "2) Pack the item", "Step 3: …": a numbered step's number is the list's, not
# a fact the knowledge must give.
LIST_MARKER = re.compile(r"^([ \t]*(?:step[ \t]+)?)([0-9]{1,2})([.):])(?=[ \t])", re.I | re.M)


def _unnumbered(text: str) -> str:
    """The text with its list markers' digits blanked (same length: spans stay put)."""
    return LIST_MARKER.sub(lambda m: m[1] + " " * len(m[2]) + m[3], text)


# -- what a value is about: the words around it, to catch values swapped within the context --

BOUND = {"amount", "date", "duration", "percent", "time"}
STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an the is are was be been of on by at to for in and or with it its our your you we"
        " i me us this that from as per s t has have will can"
        # How long something takes says nothing of what it is ("take 6–10 business days").
        " take takes took taking",
    )
)
# What follows "from" or "since" is when a period starts ("1–2 business days from the day
# your order ships"), not what the period is about.
ABOUT_ENDS = re.compile(rf"[.!?;:,()\n]|{EMOJI}|\b(?:from|since)\b")


def _about(text: str, start: int, end: int) -> frozenset[str]:
    """The words that say what a value is about: the content words right next to it in
    its clause, up to four before and two after ("Express shipping is $14 on any order")."""
    right = text[end : end + 40]
    stop = ABOUT_ENDS.search(right)
    right = right[: stop.start()] if stop else right
    after = [w for w in re.findall(r"[a-z]+", right.lower()) if w not in STOPWORDS]
    return _before(text, start) | frozenset(after[:2])


ASIDE = re.compile(r"\([^()]*\)")


def _before(text: str, start: int) -> frozenset[str]:
    """The content words before a value in its clause, up to four: what it is said of."""
    left = text[max(0, start - 80) : start]
    # An aside says no value: "the Stoneware Mug Set (two mugs) is $38" is the set's price.
    left = ASIDE.sub(" ", left)
    # Words before another value are that value's ("a flat $25 and take 6–10 days").
    left = left[max(left.rfind(c) for c in ".!?;:,)\n0123456789") + 1 :]
    before = [w for w in re.findall(r"[a-z]+", left.lower()) if w not in STOPWORDS]
    return frozenset(before[-4:])


def _atoms(f: Found) -> frozenset[Hashable]:
    if f.tag == "date":
        return frozenset(r for day in cast(DateKey, f.key).days for r in day)
    if f.tag == "amount":
        return frozenset(cast(tuple[Hashable, ...], f.key))
    return frozenset({f.key})


class _About:
    """The context's values of one kind, each with the words that say what it is about."""

    def __init__(self) -> None:
        self.words: list[frozenset[str]] = []
        self.atoms: list[frozenset[Hashable]] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.values: dict[str, set[frozenset[Hashable]]] = defaultdict(set)

    def add(self, words: frozenset[str], atoms: frozenset[Hashable]) -> None:
        for word in words:
            self.postings[word].append(len(self.atoms))
            self.values[word].add(atoms)
        self.words.append(words)
        self.atoms.append(atoms)

    def fits(self, words: frozenset[str], atoms: frozenset[Hashable]) -> bool:
        """False only when the draft's words clearly say the value is about something the
        context gives another value for, and match none of the places its own value is
        given: "delivered on November 12" when the record says "Delivered on 2026-11-11"
        and "Estimated delivery 2026-11-12". Clearly: two shared words, or one that sits
        next to a single value ("delivered" yes, "take" next to several no)."""
        matched = {i for word in words for i in self.postings.get(word, ())}
        if any(self.atoms[i] & atoms for i in matched):
            return True
        for i in matched:
            shared = words & self.words[i]
            if len(shared) >= 2 or any(len(self.values[w]) == 1 for w in shared):
                return False
        return True

    def regrouped(
        self, words: frozenset[str], before: frozenset[str], atoms: frozenset[Hashable]
    ) -> bool:
        """True where the draft gives its value to a group and to something the context
        gives another value, by two words before it that the context says only of that
        other value: "bags and home goods come with a 2-year warranty" where "Bags are
        covered for 2 years, and clothing and home goods for 1 year" (``fits`` takes it,
        bags being 2 years)."""
        matched = {i for word in words for i in self.postings.get(word, ())}
        same = [i for i in matched if self.atoms[i] & atoms]
        for i in matched:
            if self.atoms[i] & atoms:
                continue
            shared = before & self.words[i]
            if (
                len(shared) >= 2
                and not any(shared & self.words[j] for j in same)
                and any((words - shared) & self.words[j] for j in same)
            ):
                return True
        return False


@dataclass
class _Index:
    """What a context holds, by kind; built once per context (see ``_index``)."""

    order_id: re.Pattern[str]
    keys: dict[str, set[Hashable]] = field(default_factory=lambda: defaultdict(set))
    # (month, day) -> (years, weekdays) it is given with
    dates: dict[tuple[int, int], tuple[set[int], set[int]]] = field(default_factory=dict)
    about: dict[str, _About] = field(default_factory=lambda: defaultdict(_About))
    numbers: set[Hashable] = field(default_factory=set)  # every number, however written
    digit_runs: set[str] = field(default_factory=set)  # phones, tracking and account numbers
    tokens: set[str] = field(default_factory=set)  # every word, upper case, for codes
    phrases: str = ""  # the whole context as plain words (see phrase), for promises
    sentences: list[frozenset[str]] = field(default_factory=list)
    grants: dict[str, bool] = field(default_factory=dict)  # promise core -> granted

    def add_date(self, key: DateKey) -> None:
        for n, readings in enumerate(key.days):
            for month, day in readings:
                years, weekdays = self.dates.setdefault((month, day), (set(), set()))
                if key.year is not None and valid_day(month, day, key.year):
                    years.add(key.year)
                    weekdays.add(date(key.year, month, day).weekday())
                    self.keys["weekday"].add(date(key.year, month, day).weekday())
                if key.weekday is not None and n == 0 and len(readings) == 1:
                    weekdays.add(key.weekday)


@dataclass(frozen=True)
class _Part:
    """One paragraph's index, and what joining it to the others needs."""

    index: _Index
    phrase: str  # promise_phrase of the paragraph
    unlinked: str  # the paragraph with links, e-mails and handles masked (see extract)
    orders: list[tuple[int, int]]  # where its order ids are


def segments(text: str) -> list[str]:
    """The text cut into paragraphs that can be indexed apart: only at a line break right
    after a sentence's full stop ("...within 30 days.\nExpress shipping..."), where no fact
    pattern can run on into the next line (only a month, "Nov.", or "a." of "a.m." could)
    and the promise phrase has a sentence break either way."""
    pieces, lines = [], text.split("\n")
    current = [lines[0]]
    for line in lines[1:]:
        last = re.search(r"([A-Za-z]+)\.$", current[-1])
        if (
            last is not None
            and len(last[1]) >= 2
            and not re.fullmatch(MONTH, last[1], re.IGNORECASE)
            and line[:1] not in ("", ".", "!", "?")
        ):
            pieces.append("\n".join(current))
            current = []
        current.append(line)
    pieces.append("\n".join(current))
    return pieces


def _joined(parts: list[_Part], order_id: re.Pattern[str]) -> _Index | None:
    """The index of the paragraphs' text as one, from theirs; None when the order id
    pattern (the one pattern a brand configures) reads the joined text differently."""
    spans, offset = [], 0
    for part in parts:
        spans += [(start + offset, end + offset) for start, end in part.orders]
        offset += len(part.unlinked) + 1
    if _scan(order_id, "\n".join(p.unlinked for p in parts)) != spans:
        return None
    index = _Index(order_id)
    for part in parts:
        mine = part.index
        for tag, keys in mine.keys.items():
            index.keys[tag] |= keys
        for day, (years, weekdays) in mine.dates.items():
            all_years, all_weekdays = index.dates.setdefault(day, (set(), set()))
            all_years |= years
            all_weekdays |= weekdays
        for tag, about in mine.about.items():
            for words, atoms in zip(about.words, about.atoms, strict=True):
                index.about[tag].add(words, atoms)
        index.numbers |= mine.numbers
        index.digit_runs |= mine.digit_runs
        index.tokens |= mine.tokens
        index.sentences += mine.sentences
    index.phrases = f" {' '.join(p.phrase for p in parts if p.phrase)} "
    return index


def _scan(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    """Where extract() finds ``pattern`` in ``text`` (non-overlapping, left to right)."""
    spans: list[tuple[int, int]] = []
    at = 0
    while (m := pattern.search(text, at)) is not None:
        if m.end() > m.start() and (not spans or m.start() >= spans[-1][1]):
            spans.append((m.start(), m.end()))
            at = m.end()
        else:
            at = m.start() + 1
    return spans


def _read(text: str, order_id: re.Pattern[str]) -> _Part:
    """The index of a folded text, with what is needed to join it to its neighbours."""
    index = _Index(order_id)
    index.sentences = [
        frozenset(re.findall(r"[a-z0-9]+", s)) for s in re.split(r"[.!?\n]+", text.lower())
    ]
    found, unlinked = extract(text, order_id)
    for f in found:
        index.keys[f.tag].add(f.key)
        if f.tag in BOUND:
            index.about[f.tag].add(_about(text, f.start, f.end), _atoms(f))
        if f.tag == "date":
            index.add_date(cast(DateKey, f.key))
        elif f.tag == "duration":
            index.keys["range"].add(cast(tuple[Hashable, ...], f.key)[:2])
        elif f.tag == "amount":
            amounts = cast(tuple[tuple[str, Hashable], ...], f.key)
            index.keys["amount"].update((a,) for a in amounts)
            if len(amounts) == 2:
                index.keys["range"].add((amounts[0][1], amounts[1][1]))
    for m in WEEKDAY_SPAN.finditer(text):  # "Monday to Friday" covers Tuesday
        first, last = weekday_index(m["a"]), weekday_index(m["b"])
        if first is not None and last is not None:
            days = range(first, last + 1 + 7 * (last < first))
            index.keys["weekday"].update(d % 7 for d in days)
    # Numbers however they were read: alone, or inside a code, date or amount ("ios11.1").
    index.numbers = {number_key(m.group(0)) for m in NUMBER.finditer(unlinked)}
    index.numbers.update(index.keys["number"])
    for m in DURATION.finditer(unlinked):  # "one business day" holds the number 1
        index.numbers.update(v for v in map(number_value, (m["a"], m["b"] or "")) if v is not None)
    index.digit_runs = set(re.findall(r"[0-9]{7,}", text))
    index.digit_runs.update(cast(set[str], index.keys["phone"]))
    words = re.findall(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*", text)
    index.tokens = {w.replace("-", "").upper() for w in words}
    index.tokens.update(w.upper() for w in re.findall(r"[A-Za-z0-9]+", text))
    orders = [(f.start, f.end) for f in found if f.tag == "order"]
    return _Part(index, promise_phrase(text), unlinked, orders)


def _index(context: str, order_id_pattern: str) -> _Index:
    text = FoldedText(context).text
    order_id = re.compile(order_id_pattern, re.IGNORECASE)
    pieces = segments(text)
    if len(pieces) > 1:
        parts = [_recent_part(piece, order_id) for piece in pieces]
        joined = _joined(parts, order_id)
        if joined is not None:
            return joined
    part = _read(text, order_id)
    part.index.phrases = f" {part.phrase} "
    return part.index


# The pipeline checks every draft against the retrieved chunks, and the same chunks come back
# for many messages: the index of a (reasonably sized) context is kept for the next draft,
# and the index of each of its paragraphs for the next context that shares them (the
# customer's handle and order facts make nearly every context new, not its knowledge).
_recent_index = lru_cache(maxsize=256)(_index)
_recent_part = lru_cache(maxsize=4096)(_read)


class Grounding:
    """The context a draft may draw on, indexed once, checked against any number of drafts."""

    def __init__(self, context: str, order_id_pattern: str) -> None:
        self.context = context
        small = len(context) <= 50_000
        self.index = (_recent_index if small else _index)(context, order_id_pattern)
        self.order_id = self.index.order_id

    def unsupported(self, draft: str) -> list[Fact]:
        """Facts in ``draft`` that the context does not back, in the order they appear."""
        text = FoldedText(draft)
        problems: list[Fact] = []
        found, _ = extract(_unnumbered(text.text), self.order_id)
        for f in found:
            if not self._supported(f) or (f.tag in BOUND and not self._about(f, text.text)):
                start, span = text.original(f.start, f.end)
                digits = f.tag == "number" and isinstance(f.key, str) and f.key.isdigit()
                problems.append(Fact(KINDS["long" if digits else f.tag], span, start))
        last = -1
        for start, end, shown, core, tail in find_promises(text.text):
            if start >= last and not self._granted(core, tail):
                said = (_part(text.text, start, end, m) for m in (",;:.!?\n", ".!?\n"))
                if any(restated(core, part, self.index.sentences) for part in said):
                    continue
                begin, span = text.original(start, shown)
                problems.append(Fact("promise", span, begin))
                last = end
        problems.sort(key=lambda f: f.start)
        return problems

    def _supported(self, f: Found) -> bool:
        index, key = self.index, f.key
        if f.tag == "link":  # a link, or the start of one, that the context gives
            links = cast(set[str], index.keys["link"])
            link = cast(str, key)
            return link in links or any(c.startswith((f"{link}/", f"{link}?")) for c in links)
        if f.tag == "phone":
            return self._phone(cast(str, key))
        if f.tag == "code":
            return key in index.tokens
        if f.tag == "date":
            return self._date(cast(DateKey, key))
        if f.tag == "amount":
            return all((a,) in index.keys["amount"] for a in cast(tuple[Hashable, ...], key))
        if f.tag == "number":
            if isinstance(key, str) and key.isdigit():
                return key in index.digit_runs or self._phone(key)
            return key in index.numbers
        return key in index.keys[f.tag]

    def _about(self, f: Found, text: str) -> bool:
        """False when the context gives this value, but for something else (see _About)."""
        about = self.index.about.get(f.tag)
        if about is None:
            return True
        words, atoms = _about(text, f.start, f.end), _atoms(f)
        if not about.fits(words, atoms):
            return False
        # Periods only: prices listed item by item share words across their items.
        return f.tag != "duration" or not about.regrouped(words, _before(text, f.start), atoms)

    def _phone(self, digits: str) -> bool:
        mine = digits.lstrip("0")
        for theirs in self.index.digit_runs:
            theirs = theirs.lstrip("0")
            if theirs == mine or (len(mine) >= 7 and theirs.endswith(mine)):
                return True
            if len(theirs) >= 9 and mine.endswith(theirs) and len(mine) - len(theirs) <= 3:
                return True  # the same number with its country code
        return False

    def _date(self, key: DateKey) -> bool:
        return all(
            any(self._day(key, month, day, n == 0) for month, day in readings)
            for n, readings in enumerate(key.days)
        )

    def _day(self, key: DateKey, month: int, day: int, first: bool) -> bool:
        known = self.index.dates.get((month, day))
        if known is None:
            return False
        years, weekdays = known
        year = key.year
        # A year must be the date's year in the context, or at least be in it.
        year_ok = (
            year is None or year in years or (not years and Decimal(year) in self.index.numbers)
        )
        if not year_ok:
            return False
        if key.weekday is None or not first:
            return True
        expected = set(weekdays)
        if year is not None and valid_day(month, day, year):
            expected.add(date(year, month, day).weekday())
        return key.weekday in (expected or self.index.keys["weekday"])

    def _granted(self, core: str, tail: str = "") -> bool:
        granted = self.index.grants.get(core)
        if granted is None:
            granted = self._grant(core, tail)
            if len(self.index.grants) < 10_000:  # the index is shared: keep it bounded
                self.index.grants[core] = granted
        return granted

    def _grant(self, core: str, tail: str) -> bool:
        phrase = promise_phrase(core)
        if not phrase or f" {phrase} " in self.index.phrases:
            return True
        # "within 6–10 business days" where the context says "takes 6–10 business days".
        span = phrase.removeprefix("within ")
        if span != phrase and f" {span} " in self.index.phrases:
            return True
        # A quoted promise whose sentence lost its full stop runs on into the next one
        # ("...we refund you If anything else comes up"): it is the context's promise if the
        # context's sentence ends where the draft's next word starts with a capital.
        head, words = core[: len(core) - len(tail)], tail.split()
        for n in range(len(words) - 1, -1, -1):
            ends = words[n][:1].isupper() and words[n] != "I"
            if ends and f" {promise_phrase(' '.join([head, *words[:n]]))} | " in self.index.phrases:
                return True
        free = re.fullmatch(
            r"free ([a-z]+)(?: shipping)?|([a-z]+s) are (?:completely |totally )?free", phrase
        )
        # "free returns", "returns are free" (a policy: "your order is free" is a gift): granted
        # by "returns within the US are free".
        if free:
            stem = (free.group(1) or free.group(2))[:5]
            return any(
                "free" in sentence and any(w.startswith(stem) for w in sentence)
                for sentence in self.index.sentences
            )
        return False


def _part(text: str, start: int, end: int, marks: str) -> str:
    """The clause or sentence (what ``marks`` end) of ``text`` that holds ``text[start:end]``."""
    begin = max(text.rfind(mark, 0, start) for mark in marks) + 1
    ends = [at for mark in marks if (at := text.find(mark, end)) >= 0]
    return text[begin : min(ends, default=len(text))]
