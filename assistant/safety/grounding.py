"""The grounding guard: every fact a draft states (amount, percentage, date, duration, time
of day, order id, tracking number or code, link, e-mail, phone, handle, number) must be
backed by the retrieved knowledge, the order record or the template it came from, and every
promise (refund, discount, compensation, something free, a timeline) must be one the context
makes. Values are compared after normalising how they are written ($6 = $6.00 = 6 USD,
3-5 = 3–5 = 3 to 5, 2026-11-18 = November 18), never by guessing. It reports, never fixes."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple, cast


@dataclass(frozen=True)
class Fact:
    kind: str
    span: str  # the offending text exactly as the customer would see it
    start: int = field(default=-1, compare=False)  # where the span starts in the draft


# -- folding: lookalike characters are read as what they look like ------------------------

_FOLDED: dict[str, str] = {}
_FIXED = {
    "\u0131": "i",  # dotless i: re.IGNORECASE lets it stand for "i"
    **dict.fromkeys("\u2018\u2019\u201b\u2032\u02bc", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u2033", '"'),
    **dict.fromkeys("\u2010\u2011", "-"),
    **dict.fromkeys("\u2012\u2015\u2212\ufe63\uff0d", "–"),
}


def _fold_char(ch: str) -> str:
    """Full-width and other compatibility forms as ASCII, any decimal digit as 0-9, and
    invisible format characters (zero-width spaces, direction marks) dropped."""
    out = _FOLDED.get(ch)
    if out is None:
        if ch in _FIXED:
            out = _FIXED[ch]
        elif unicodedata.category(ch) == "Cf":
            out = ""
        elif ch.isdecimal():
            out = str(unicodedata.decimal(ch, 0))
        else:
            nfkc = unicodedata.normalize("NFKC", ch)
            out = nfkc if nfkc and nfkc.isascii() else ch
        if len(_FOLDED) < 50_000:
            _FOLDED[ch] = out
    return out


class _Text:
    """A text folded for matching, with a map back to the original for quoting spans."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.index: list[int] | None = None
        if raw.isascii():
            self.text = raw
            return
        table = {ord(c): _fold_char(c) for c in set(raw) if c >= "\x80"}
        self.text = raw.translate(table)
        if any(len(v) != 1 for v in table.values()):  # some characters dropped or expanded
            pieces = [table.get(ord(c), c) for c in raw]
            self.index = [i for i, p in enumerate(pieces) for _ in p]

    def original(self, start: int, end: int) -> tuple[int, str]:
        if self.index is None:
            return start, self.raw[start:end]
        if start >= end:
            return (self.index[start] if start < len(self.index) else len(self.raw)), ""
        first, last = self.index[start], self.index[end - 1] + 1
        return first, self.raw[first:last]


# -- patterns (all run on folded text, so [0-9] is every digit) ----------------------------

IGNORE = re.IGNORECASE
NUM = r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?"
DASH = r"(?:-|–|—|to|through|thru)"
MONTH = (
    r"\b(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)(?![a-z])\.?"
)
WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
ORDINAL = r"(?:st|nd|rd|th)?"
WORD_NUMBERS = {w: i for i, w in enumerate(re.findall(r"\w+", "zero one two three four five"))}
WORD_NUMBERS |= {w: i for i, w in enumerate(re.findall(r"\w+", "six seven eight nine ten"), 6)}
WORD_NUMBERS |= {"eleven": 11, "twelve": 12}
WORD_NUMBERS |= {"fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "sixty": 60, "ninety": 90}
NUM_WORD = r"(?:[0-9]+(?:\.[0-9]+)?|\b(?:" + "|".join(WORD_NUMBERS) + r")\b)"
TLDS = set(
    re.findall(
        r"\w+",
        "com net org edu gov mil int info biz io co ai app dev me tv ly gl gg us uk ca au de fr"
        " es it nl se no dk fi ie nz in jp cn br mx ru ch at be pl pt eu shop store online site"
        " tech example test travel help support link page",
    )
)
URL_CHARS = r"[^\s<>\"'`\x00]"

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
LINK = re.compile(
    rf"\b(?:https?|ftp)://{URL_CHARS}+|\bwww\.{URL_CHARS}+|(?<![\w@./-])(?:[A-Za-z0-9-]+\.)+"
    rf"(?P<tld>[A-Za-z]{{2,24}})(?![\w-])(?:[/?#]{URL_CHARS}*)?",
    IGNORE,
)
HANDLE = re.compile(r"(?<![\w@.+-])@[A-Za-z0-9_]{1,30}(?![\w@])")
PHONE = re.compile(
    r"(?<![\w+])(?:\+[0-9]{1,3}(?:[ .-]?\(?[0-9]{1,4}\)?){2,5}"
    r"|(?:1[ .-]?)?(?:\([0-9]{3}\)[ .-]?|[0-9]{3}[ .-])[0-9]{3}[ .-][0-9]{4}"
    r"|0[0-9]{2,4}[ -][0-9]{3,4}[ -]?[0-9]{3,4}|[0-9]{3}-[0-9]{4})(?![\w])"
)
PROMO = re.compile(
    r"\b(?i:code|coupon|promo|voucher)(?:\s+(?i:code))?\s*[:=]?\s*[\"']?"
    r"(?P<c>[A-Z][A-Z0-9]{3,19})(?![\w-])"
)
ALNUM = re.compile(
    r"(?<![\w-])(?=[A-Za-z0-9-]*[0-9])(?=[A-Za-z0-9-]*[A-Za-z])"
    r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*(?![\w-])"
)
# Number-and-unit tokens (18th, 5pm, 24h, 30-day, 4k, x2) are values, not codes.
UNIT_TOKEN = re.compile(
    r"[0-9]+(?:st|nd|rd|th|am|pm|a|p|h|hrs?|mins?|s|secs?|d|days?|wks?|w|mos?|yrs?|y|k|m|bn|x"
    r"|gb|mb|tb|kb|g|kg|mg|lbs?|oz|ml|l|in|ft|cm|mm|km|mi|mph|px|fps|hz|mhz|ghz|v|mah|kwh?)"
    r"|[0-9]+(?:-[A-Za-z]+)+|x[0-9]+",
    IGNORE,
)
ISO_DATE = re.compile(r"(?<![0-9-])(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})(?![0-9])")
NAMED_DATE = re.compile(
    rf"(?:\b(?P<wd>{WEEKDAY}),?\s+(?:the\s+)?)?"
    rf"(?:{MONTH}\s*(?:the\s+)?(?P<d1>[0-9]{{1,2}}){ORDINAL}"
    rf"|(?:the\s+)?(?<![0-9])(?P<d2>[0-9]{{1,2}}){ORDINAL}"
    rf"(?:\s*{DASH}\s*(?P<e2>[0-9]{{1,2}}){ORDINAL})?\s+(?:of\s+)?"
    rf"{MONTH.replace('mon>', 'mon2>')})(?![0-9])"
    rf"(?:\s*{DASH}\s*(?P<e1>[0-9]{{1,2}}){ORDINAL}(?![0-9:]|\s*[ap]\.?m\b))?"
    r"(?:,?\s+(?P<y>[0-9]{4})(?![0-9]))?",
    IGNORE,
)
SLASH_DATE = re.compile(
    r"(?<![0-9/])(?<![0-9]\.)(?P<a>[0-9]{1,2})/(?P<b>[0-9]{1,2})"
    r"(?:/(?P<y>[0-9]{4}|[0-9]{2}))?(?![0-9/])"
)
WEEKDAY_WORD = re.compile(rf"\b(?P<wd>{WEEKDAY})s?\b", IGNORE)
WEEKDAY_SPAN = re.compile(rf"\b(?P<a>{WEEKDAY})s?\s*{DASH}\s*(?P<b>{WEEKDAY})", IGNORE)
TIME = re.compile(
    r"(?<![0-9:.])(?P<h>[0-9]{1,2})(?::(?P<m>[0-9]{2}))?\s*(?P<ap>[ap])\.?\s?m\b\.?"
    r"|(?<![0-9:.])(?P<h24>[01]?[0-9]|2[0-3]):(?P<m24>[0-5][0-9])(?![0-9:])"
    r"|\b(?P<word>noon|midday|midnight)\b",
    IGNORE,
)
CODES = "USD|EUR|GBP|CAD|AUD|NZD|JPY|INR|CHF|MXN|SEK|NOK|DKK|CNY|HKD|SGD|BRL|ZAR"
SYMBOL = r"(?:(?:\b(?:US|CA|C|A|AU|NZ|HK|R))?\$|€|£|¥|₹|₩)"
MULT = r"(?:\s?(?:million|billion|thousand)\b|[kKM]\b|bn\b)?"
AMOUNT = re.compile(
    rf"(?P<sym>{SYMBOL})\s?(?P<n>{NUM})(?P<m1>{MULT})"
    rf"|\b(?P<code>{CODES})\s?(?P<n2>{NUM})(?P<m2>{MULT})"
    rf"|(?<![0-9.,])(?P<n3>{NUM})(?P<m3>{MULT})\s?"
    rf"(?P<unit>{CODES}|dollars?|bucks|euros?|cents?|¢|€)(?![A-Za-z])",
    IGNORE,
)
AMOUNT_MORE = re.compile(rf"\s*(?:-|–|—|to)\s*(?P<sym>{SYMBOL})?\s?(?P<n>{NUM})(?![0-9])")
PERCENT = re.compile(rf"(?<![0-9.,])(?P<n>{NUM})\s?(?:%|percent\b|per\s?cent\b)", IGNORE)
DURATION = re.compile(
    rf"(?<![\w.,])(?:between\s+)?(?P<a>{NUM_WORD})"
    rf"(?:\s*(?:-|–|—|to|and|or)\s*(?P<b>{NUM_WORD}))?[\s-]*"
    r"(?:(?P<q>business|working|calendar)[\s-]+)?"
    r"(?P<u>minutes?|mins?|hours?|hrs?|h|days?|weeks?|wks?|months?|years?|yrs?)(?![A-Za-z])",
    IGNORE,
)
RANGE = re.compile(
    rf"(?<![0-9.,])(?:between\s+(?P<a2>{NUM})\s+and\s+(?P<b2>{NUM})"
    rf"|(?P<a>{NUM})\s*(?:-|–|—|to|through|thru)\s*(?P<b>{NUM}))(?![0-9]|\.[0-9])",
    IGNORE,
)
NUMBER = re.compile(r"(?<![0-9])[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)*(?:st|nd|rd|th)?")


def _table(spec: str) -> dict[str, str]:
    return dict(re.findall(r"(\S+)=(\S+)", spec))


CURRENCIES = _table(
    "$=USD us$=USD dollar=USD buck=USD cent=USD ¢=USD c$=CAD ca$=CAD a$=AUD au$=AUD nz$=NZD"
    " hk$=HKD r$=BRL €=EUR euro=EUR £=GBP ¥=JPY ₹=INR ₩=KRW"
)
# Durations are compared in minutes or in months, so "2 weeks" = "14 days", "24 hours" = "1 day".
UNITS = {k: ("min", int(v)) for k, v in _table("min=1 h=60 hr=60 hour=60 day=1440").items()}
UNITS |= {k: ("min", int(v)) for k, v in _table("week=10080 wk=10080").items()}
UNITS |= {k: ("month", int(v)) for k, v in _table("month=1 year=12 yr=12").items()}
MULTIPLIERS = {"k": 10**3, "thousand": 10**3, "m": 10**6, "million": 10**6, "bn": 10**9}
MULTIPLIERS["billion"] = 10**9
MONTHS = {m: i for i, m in enumerate(re.findall(r"\w+", "jan feb mar apr may jun jul aug sep"), 1)}
MONTHS |= {"oct": 10, "nov": 11, "dec": 12}
WEEKDAYS = {d: i for i, d in enumerate(re.findall(r"\w+", "mon tue wed thu fri sat sun"))}
# What each kind of fact is called in the reasons the agent reads.
KINDS = {
    tag: kind.replace("_", " ")
    for tag, kind in _table(
        "link=link email=e-mail_address handle=handle order=order_id phone=phone_number"
        " code=code_or_tracking_number long=code_or_tracking_number date=date weekday=date"
        " time=time amount=amount percent=percentage duration=duration range=number"
        " number=number"
    ).items()
}


# -- extraction -----------------------------------------------------------------------------


class _Found(NamedTuple):
    tag: str  # a key of KINDS
    start: int
    end: int
    key: Hashable


class _Date(NamedTuple):
    days: tuple[frozenset[tuple[int, int]], ...]  # each day: its possible (month, day) readings
    year: int | None
    weekday: int | None


Hit = tuple[int, int, Hashable] | None
KeyFn = Callable[[re.Match[str]], Hit]


def _decimal(raw: str) -> Decimal | None:
    raw = raw.replace(",", "")
    if len(raw) > 40:  # no arithmetic on absurd numbers; they are compared as written
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


def _number_value(raw: str) -> Decimal | None:
    word = WORD_NUMBERS.get(raw.lower())
    return Decimal(word) if word is not None else _decimal(raw)


def _valid_day(month: int, day: int, year: int | None = None) -> bool:
    try:
        date(year or 2024, month, day)  # 2024: a leap year, so February 29 is a date
    except ValueError:
        return False
    return True


def _weekday(name: str | None) -> int | None:
    return WEEKDAYS.get(name[:3].lower()) if name else None


def _link(m: re.Match[str]) -> Hit:
    raw = m.group(0)
    while True:  # trailing punctuation and unbalanced closing brackets are not the link's
        trimmed = raw.rstrip(".,;:!?'\"*")
        for close, open_ in ((")", "("), ("]", "["), ("}", "{")):
            if trimmed.endswith(close) and trimmed.count(close) > trimmed.count(open_):
                trimmed = trimmed[:-1]
        if trimmed == raw:
            break
        raw = trimmed
    bare = re.sub(r"^(?:https?|ftp)://", "", raw, flags=IGNORE)
    host = re.split(r"[/?#]", bare, maxsplit=1)[0]
    if "." not in host or (
        m["tld"] and host.rsplit(".", 1)[-1].lower() not in TLDS and len(bare) == len(host)
    ):
        return None  # "Mr.Smith" or "node.js" is not a link; "example.com" or "x.y/z" is
    path = bare[len(host) :].rstrip("/")
    return m.start(), m.start() + len(raw), host.lower().removeprefix("www.") + path


def _email(m: re.Match[str]) -> Hit:
    if not re.fullmatch(r"[A-Za-z]{2,24}", m.group(0).rsplit(".", 1)[-1]):
        return None
    return m.start(), m.end(), m.group(0).lower()


def _phone(m: re.Match[str]) -> Hit:
    digits = re.sub(r"[^0-9]", "", m.group(0))
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return (m.start(), m.end(), digits) if 7 <= len(digits) <= 15 else None


def _code(m: re.Match[str]) -> Hit:
    group = "c" if "c" in m.groupdict() else 0
    raw = m.group(group)
    if len(raw.replace("-", "")) < 4 or UNIT_TOKEN.fullmatch(raw):
        return None
    return m.start(group), m.end(group), raw.replace("-", "").upper()


def _iso(m: re.Match[str]) -> Hit:
    y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
    if not _valid_day(mo, d, y):
        return None
    return m.start(), m.end(), _Date((frozenset({(mo, d)}),), y, None)


def _named(m: re.Match[str]) -> Hit:
    month = MONTHS.get((m["mon"] or m["mon2"])[:3].lower())
    first = int(m["d1"] or m["d2"])
    if month is None or not _valid_day(month, first):
        return None
    end = m.end()
    last = int(m["e1"] or m["e2"] or first)
    if last <= first or not _valid_day(month, last):
        last = first
        if m["e1"]:  # "by December 16 to 5 of your friends": the date ends at its day
            end = m.start("e1")
            while m.string[end - 1] not in "0123456789stndrh":
                end -= 1
    year = int(m["y"]) if m["y"] and end == m.end() else None
    days = tuple(frozenset({(month, d)}) for d in range(first, last + 1))
    return m.start(), end, _Date(days, year, _weekday(m["wd"]))


def _slash(m: re.Match[str]) -> Hit:
    a, b = int(m["a"]), int(m["b"])
    readings = frozenset(r for r in ((a, b), (b, a)) if _valid_day(*r))  # 12/16 or 16/12
    if not readings:
        return None
    year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0) if m["y"] else None
    return m.start(), m.end(), _Date((readings,), year, None)


def _time(m: re.Match[str]) -> Hit:
    if m["word"]:
        return m.start(), m.end(), 0 if m["word"].lower() == "midnight" else 720
    if m["h24"] is not None:
        return m.start(), m.end(), int(m["h24"]) * 60 + int(m["m24"])
    hour, minute = int(m["h"]), int(m["m"] or 0)
    if not 1 <= hour <= 12 or minute > 59:
        return None
    end = m.end()
    if m.group(0).endswith(".") and not re.search(r"[ap]\.m\.$", m.group(0), IGNORE):
        end -= 1  # "at 1 pm." ends a sentence
    return m.start(), end, (hour % 12 + (12 if m["ap"].lower() == "p" else 0)) * 60 + minute


def _currency(raw: str) -> str:
    raw = raw.lower().rstrip("s") if raw.isalpha() else raw.lower()
    return CURRENCIES.get(raw, raw.upper())


def _amount(m: re.Match[str]) -> Hit:
    currency = _currency(m["sym"] or m["code"] or m["unit"])
    number = m["n"] or m["n2"] or m["n3"]
    value = _decimal(number)
    mult = MULTIPLIERS.get((m["m1"] or m["m2"] or m["m3"] or "").strip().lower())
    if value is not None and mult:
        value *= mult
    if value is not None and m["unit"] and m["unit"].lower() in ("cent", "cents", "¢"):
        value /= 100
    values: list[tuple[str, Hashable]] = [(currency, number if value is None else value)]
    end = m.end()
    more = None if m["unit"] else AMOUNT_MORE.match(m.string, end)  # "$25–250"
    if more and (more["sym"] is None or _currency(more["sym"]) == currency):
        second = _decimal(more["n"])
        values.append((currency, more["n"] if second is None else second))
        end = more.end()
    return m.start(), end, tuple(values)


def _duration(m: re.Match[str]) -> Hit:
    low, high = _number_value(m["a"]), _number_value(m["b"] or m["a"])
    if low is None or high is None:
        return None
    word = m["u"].lower().rstrip("s")
    base, factor = UNITS.get(word) or UNITS.get(word[:3]) or ("min", 1)
    if m["q"] and m["q"].strip(" -").lower() in ("business", "working"):
        base, factor = f"business {word}", 1  # business days are not calendar days
    return m.start(), m.end(), (low * factor, high * factor, base)


def _range(m: re.Match[str]) -> Hit:
    low, high = _decimal(m["a"] or m["a2"]), _decimal(m["b"] or m["b2"])
    if low is None or high is None:
        return None
    return m.start(), m.end(), (low, high)


def _number_key(token: str) -> Hashable:
    raw = re.sub(r"(?:st|nd|rd|th)$", "", token)
    if (raw.isdigit() and len(raw) >= 10) or raw.count(".") > 1:
        return raw  # a tracking or account number, or a version: compared as written
    value = _decimal(raw)
    return raw if value is None else value


def _span_key(key: Callable[[str], Hashable]) -> KeyFn:
    return lambda m: (m.start(), m.end(), key(m.group(0)))


IDENTIFIERS: list[tuple[str, re.Pattern[str], KeyFn]] = [
    ("email", EMAIL, _email),
    ("link", LINK, _link),
    ("handle", HANDLE, _span_key(str.lower)),
]
VALUES: list[tuple[str, re.Pattern[str], KeyFn]] = [
    ("code", PROMO, _code),
    ("code", ALNUM, _code),
    ("phone", PHONE, _phone),
    ("amount", AMOUNT, _amount),
    ("date", ISO_DATE, _iso),
    ("date", NAMED_DATE, _named),
    ("date", SLASH_DATE, _slash),
    ("weekday", WEEKDAY_WORD, _span_key(_weekday)),
    ("time", TIME, _time),
    ("percent", PERCENT, lambda m: (m.start(), m.end(), _number_key(m["n"]))),
    ("duration", DURATION, _duration),
    ("range", RANGE, _range),
    ("number", NUMBER, _span_key(_number_key)),
]


def _extract(text: str, order_id: re.Pattern[str]) -> tuple[list[_Found], str]:
    """Every fact in ``text``, and the text with only links, e-mails and handles masked.
    Extractors run in order; what one claims is masked from the ones after it."""
    found: list[_Found] = []
    masked = unlinked = text
    steps = [*IDENTIFIERS, ("order", order_id, _span_key(str.upper)), *VALUES]
    for n, (tag, pattern, key) in enumerate(steps):
        spans: list[tuple[int, int]] = []
        for m in pattern.finditer(masked):
            hit = key(m)
            if hit is not None and hit[1] > hit[0] and (not spans or hit[0] >= spans[-1][1]):
                found.append(_Found(tag, *hit))
                spans.append(hit[:2])
        if spans:
            pieces, at = [], 0
            for start, end in spans:
                pieces += [masked[at:start], "\x00" * (end - start)]
                at = end
            masked = "".join([*pieces, masked[at:]])
        if n == len(IDENTIFIERS) - 1:
            unlinked = masked
    return found, unlinked


# -- what a value is about: the words around it, to catch values swapped within the context --

BOUND = {"amount", "date", "duration", "percent", "time"}
STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an the is are was be been of on by at to for in and or with it its our your you we"
        " i me us this that from as per s t has have will can",
    )
)
CLAUSE = re.compile(r"[.!?;:,()\n]")


def _about(text: str, start: int, end: int) -> frozenset[str]:
    """The words that say what a value is about: the content words right next to it in
    its clause, up to four before and two after ("Express shipping is $14 on any order")."""
    left = text[max(0, start - 80) : start]
    left = left[max(left.rfind(c) for c in ".!?;:,)\n") + 1 :]
    right = text[end : end + 40]
    stop = CLAUSE.search(right)
    right = right[: stop.start()] if stop else right
    before = [w for w in re.findall(r"[a-z]+", left.lower()) if w not in STOPWORDS]
    after = [w for w in re.findall(r"[a-z]+", right.lower()) if w not in STOPWORDS]
    return frozenset(before[-4:] + after[:2])


def _atoms(f: _Found) -> frozenset[Hashable]:
    if f.tag == "date":
        return frozenset(r for day in cast(_Date, f.key).days for r in day)
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


# -- promises -------------------------------------------------------------------------------

NOT = r"(?!(?:not|never|no|cannot|unable|\w+n't)\b)"
SUBJECT = r"\b(?:we|i|you|our\s+team|a\s+teammate|let\s+(?:me|us))(?:'(?:ll|ve|d|re|m))?"
GIVE = (
    r"(?:refund(?:s|ed|ing)?|reimburs(?:e|ed|es|ing|ement)|compensat(?:e|ed|es|ing|ion)"
    r"|credit(?:s|ed|ing)?(?!\s+card)|replac(?:e|ed|es|ing|ement)|waiv(?:e|ed|es|ing)"
    r"|upgrad(?:e|ed|es|ing)|expedit(?:e|ed|es|ing)|comp(?:ed)?|discount(?:ed)?"
    r"|(?:cover(?:ed)?|take\s+care\s+of)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:costs?|shipping"
    r"|return|fees?|charges?|difference|bill)|price[\s-]match(?:ed)?"
    r"|match(?:ed)?\s+(?:the|that|their|this|our)\s+price|money\s+back|gift\s+card|voucher"
    r"|coupon)\b"
)
WHEN = r"(?:the\s+)?(?:[0-9]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"  # a date
SOON = (
    rf"(?:today|tonight|tomorrow|this\s+(?:morning|afternoon|evening|week|weekend)"
    rf"|next\s+(?:week|day|business\s+day)"
    rf"|(?:(?:by|on|before|until|this|next)\s+)?{WEEKDAY}(?!,?\s+{WHEN}|\s*(?:-|–|to|thru)\s)"
    r"|(?:by|before)\s+(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:day|week|month)"
    r"|by\s+(?:christmas|thanksgiving|the\s+weekend|the\s+holidays|new\s+year'?s?)"
    r"|same[\s-]day|overnight|right\s+away|immediately|asap|straight\s?away"
    r"|in\s+(?:[0-9]+|an?|one|two|three|four|five|six|seven|a\s+few|a\s+couple\s+of)\s+"
    r"(?:business\s+|working\s+)?(?:minutes?|hours?|days?|weeks?))\b"
)
# Each pattern's ``core`` is what the context must say too for the promise to be granted.
PROMISES = [
    # "we'll refund you", "I've credited your account", "you'll get a replacement"
    re.compile(
        rf"{SUBJECT}(?P<core>(?:\s+{NOT}[\w']+){{0,4}}?\s+{GIVE}"
        r"(?P<tail>(?:[ \t]+[\w$%']+(?:\.[0-9]+)?){0,2}))",
        IGNORE,
    ),
    # "I've issued a refund", "your refund has been processed", "the fee is waived"
    re.compile(
        r"\b(?P<core>(?:issued|processed|approved|initiated|arranged|submitted|authori[sz]ed"
        r"|applied|added|sent|credited|refunded|started)\s+(?:you\s+)?(?:a|an|the|your)\s+"
        r"(?:[\w$.%]+\s+){0,2}?(?:refund|replacement|credit|reimbursement|voucher|coupon"
        r"|discount|gift\s+card|compensation|exchange)"
        r"|(?:refund|replacement|credit|reimbursement|compensation|discount)\s+(?:has|have|will"
        r"|is|was|'s)\s+(?:been\s+|be\s+)?(?:issued|processed|approved|sent|applied|added"
        r"|initiated|credited|arranged|shipped|on\s+its\s+way)"
        r"|(?:fees?|charges?|costs?|shipping)\s+(?:is\s+|are\s+|has\s+been\s+|have\s+been\s+)?"
        r"waived|no\s+need\s+to\s+(?:return|send)\s+(?:it|them|the\s+\w+)"
        r"|(?:feel\s+free\s+to|you\s+can)\s+keep\s+(?:it|them|the\s+\w+))\b",
        IGNORE,
    ),
    # "a full refund", "20% off", "on us", "free shipping", "your next order is free"
    re.compile(
        r"(?<![\w-])(?P<core>(?:full|partial|complete|100%)\s+refund|money\s+back"
        r"|store\s+credit|account\s+credit|goodwill\s+(?:gesture|credit|payment|refund)"
        r"|compensation|on\s+the\s+house|on\s+us|free\s+of\s+charge"
        r"|at\s+no\s+(?:extra\s+|additional\s+)?(?:cost|charge)"
        r"|no\s+(?:extra\s+|additional\s+)?charge|for\s+free|complimentary\s+\w+"
        r"|free\s+(?!(?:of|to|and|from|on|if|for|with|in|at|now|or|up|time)\b)\w+"
        r"(?:\s+shipping)?|\w+\s+(?:is|are|will\s+be)\s+(?:completely\s+|totally\s+)?"
        r"(?:free|complimentary)(?!\s+(?:to|of|from)\b)"
        r"|(?<![0-9.,])[0-9]+(?:\.[0-9]+)?\s*(?:%|percent|per\s+cent)\s+(?:off|discount)"
        r"|(?:[$€£]\s?[0-9]+(?:[.,][0-9]+)*|(?<![0-9.,])[0-9]+(?:[.,][0-9]+)*\s?"
        r"(?:usd|eur|gbp|dollars?))\s+(?:off|discount|credit|voucher|gift\s+card|refund)"
        r"|price\s+(?:match|adjustment)|waiv\w*\s+(?:the|your|any|all)\s+\w+)\b",
        IGNORE,
    ),
    # "it will arrive tomorrow", "we'll reply in 2 hours", "delivered by Friday"
    re.compile(
        r"\b(?:arriv|deliver|ship|send|sent|dispatch|reach|get\s+(?:it|there|to\s+you|back"
        r"|in\s+touch)|have\s+it|hear|repl|respond|answer|process|refund|credit|resolv|fix"
        r"|repair|replac|contact|call|email|e-mail|message|update|expect|receiv|land|guarantee"
        r"|be\s+(?:there|with\s+you|back|delivered|shipped|processed|resolved|fixed|sorted"
        rf"|refunded)|follow\s+up|look\s+into)\w*\b[^.!?\n]{{0,40}}?\b(?P<core>{SOON})",
        IGNORE,
    ),
    # "within 24 hours", "within the hour"
    re.compile(
        r"\b(?P<core>within\s+(?:the\s+next\s+)?(?:[0-9]+(?:\s*(?:-|–|—|to)\s*[0-9]+)?|an?|one"
        r"|two|three|four|five|six|seven|eight|nine|ten|a\s+few|a\s+couple\s+of)\s+"
        r"(?:business\s+|working\s+)?(?:minutes?|hours?|days?|weeks?|months?)"
        r"|within\s+the\s+(?:next\s+)?(?:hour|day|week))\b",
        IGNORE,
    ),
]
NEGATED = re.compile(r"\b(?:not|no|never|cannot|unable|without|\w+n't)\b[^.!?,;]*$", IGNORE)
CLAUSE_END = re.compile(r"[.!?,;:\n]")
PHRASE_RULES = [
    (r"\bwon't\b", "will not"),
    (r"\bcan't\b", "cannot"),
    (r"n't\b", " not"),
    (r"'ll\b", " will"),
    (r"'ve\b", " have"),
    (r"'re\b", " are"),
    (r"'m\b", " am"),
    (r"'d\b", " would"),
    (r"'s\b", ""),
    (r"([0-9]),([0-9]{3})", r"\1\2"),
    (r"([0-9])\.00\b", r"\1"),
    (r"([0-9])\s*(?:percent|per\s+cent)\b", r"\1%"),
    (r"\$\s+", "$"),
    (r"\b([0-9]+)\s*(?:usd|dollars?)\b", r"$\1"),
    (r"\b(?:a|an)\s+(?=(?:business\s+|working\s+)?(?:minute|hour|day|week|month|year)s?\b)", "1 "),
    (r"([0-9])\s*(?:-|–|—|to)\s*([0-9])", r"\1 to \2"),
    (r"(?:\.(?![0-9])|[!?\n])+", " | "),  # where sentences end
    (r"[^\w$€£%.|]+", " "),
]
NUMBER_WORD = re.compile(r"\b(" + "|".join(WORD_NUMBERS) + r")\b")


def _phrase(text: str) -> str:
    """A promise as plain words: case, contractions, dashes, number words and money
    formats made uniform, so "we'll" matches "we will" and "$6.00" matches "$6"."""
    s = NUMBER_WORD.sub(lambda m: str(WORD_NUMBERS[m[1]]), text.lower())
    for pattern, repl in PHRASE_RULES:
        s = re.sub(pattern, repl, s)
    return " ".join(s.split())


def _promises(text: str) -> list[tuple[int, int, int, str, str]]:
    """(start, end, end of its clause, core, the core's trailing words) of each
    promise-like phrase, in order."""
    hits: list[tuple[int, int, int, str, str]] = []
    for pattern in PROMISES:
        for m in pattern.finditer(text):
            if pattern is PROMISES[2] and NEGATED.search(text, max(0, m.start() - 40), m.start()):
                continue  # "there's no free shipping" promises nothing
            clause = CLAUSE_END.search(text, m.end(), m.end() + 60)
            shown = clause.start() if clause else min(len(text), m.end() + 60)
            shown = max(m.end(), m.start() + len(text[m.start() : shown].rstrip()))
            tail = m.groupdict().get("tail") or ""
            hits.append((m.start(), m.end(), shown, m["core"], tail))
    return sorted(hits)


# -- the guard --------------------------------------------------------------------------------


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
    phrases: str = ""  # the whole context as plain words (see _phrase), for promises
    sentences: list[frozenset[str]] = field(default_factory=list)
    grants: dict[str, bool] = field(default_factory=dict)  # promise core -> granted

    def add_date(self, key: _Date) -> None:
        for n, readings in enumerate(key.days):
            for month, day in readings:
                years, weekdays = self.dates.setdefault((month, day), (set(), set()))
                if key.year is not None and _valid_day(month, day, key.year):
                    years.add(key.year)
                    weekdays.add(date(key.year, month, day).weekday())
                    self.keys["weekday"].add(date(key.year, month, day).weekday())
                if key.weekday is not None and n == 0 and len(readings) == 1:
                    weekdays.add(key.weekday)


# The pipeline checks every draft against the retrieved chunks, and the same chunks come back
# for many messages: the index of a context is kept for the next draft that needs it.
@lru_cache(maxsize=256)
def _index(context: str, order_id_pattern: str) -> _Index:
    text = _Text(context).text
    index = _Index(re.compile(order_id_pattern, re.IGNORECASE), phrases=f" {_phrase(text)} ")
    index.sentences = [
        frozenset(re.findall(r"[a-z0-9]+", s)) for s in re.split(r"[.!?\n]+", text.lower())
    ]
    found, unlinked = _extract(text, index.order_id)
    for f in found:
        index.keys[f.tag].add(f.key)
        if f.tag in BOUND:
            index.about[f.tag].add(_about(text, f.start, f.end), _atoms(f))
        if f.tag == "date":
            index.add_date(cast(_Date, f.key))
        elif f.tag == "duration":
            index.keys["range"].add(cast(tuple[Hashable, ...], f.key)[:2])
        elif f.tag == "amount":
            amounts = cast(tuple[tuple[str, Hashable], ...], f.key)
            index.keys["amount"].update((a,) for a in amounts)
            if len(amounts) == 2:
                index.keys["range"].add((amounts[0][1], amounts[1][1]))
    for m in WEEKDAY_SPAN.finditer(text):  # "Monday to Friday" covers Tuesday
        first, last = _weekday(m["a"]), _weekday(m["b"])
        if first is not None and last is not None:
            days = range(first, last + 1 + 7 * (last < first))
            index.keys["weekday"].update(d % 7 for d in days)
    index.numbers = {_number_key(m.group(0)) for m in NUMBER.finditer(unlinked)}
    for m in DURATION.finditer(unlinked):  # "one business day" holds the number 1
        index.numbers.update(v for v in map(_number_value, (m["a"], m["b"] or "")) if v is not None)
    index.digit_runs = set(re.findall(r"[0-9]{7,}", text))
    index.digit_runs.update(cast(set[str], index.keys["phone"]))
    words = re.findall(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*", text)
    index.tokens = {w.replace("-", "").upper() for w in words}
    index.tokens.update(w.upper() for w in re.findall(r"[A-Za-z0-9]+", text))
    return index


class Grounding:
    """The context a draft may draw on, indexed once, checked against any number of drafts."""

    def __init__(self, context: str, order_id_pattern: str) -> None:
        self.context = context
        self.index = _index(context, order_id_pattern)
        self.order_id = self.index.order_id

    def unsupported(self, draft: str) -> list[Fact]:
        """Facts in ``draft`` that the context does not back, in the order they appear."""
        text = _Text(draft)
        problems: list[Fact] = []
        found, _ = _extract(text.text, self.order_id)
        for f in found:
            if not self._supported(f) or (f.tag in BOUND and not self._about(f, text.text)):
                start, span = text.original(f.start, f.end)
                digits = f.tag == "number" and isinstance(f.key, str) and f.key.isdigit()
                problems.append(Fact(KINDS["long" if digits else f.tag], span, start))
        last = -1
        for start, end, shown, core, tail in _promises(text.text):
            if start >= last and not self._granted(core, tail):
                begin, span = text.original(start, shown)
                problems.append(Fact("promise", span, begin))
                last = end
        problems.sort(key=lambda f: f.start)
        return problems

    def _supported(self, f: _Found) -> bool:
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
            return self._date(cast(_Date, key))
        if f.tag == "amount":
            return all((a,) in index.keys["amount"] for a in cast(tuple[Hashable, ...], key))
        if f.tag == "number":
            if isinstance(key, str) and key.isdigit():
                return key in index.digit_runs or self._phone(key)
            return key in index.numbers
        return key in index.keys[f.tag]

    def _about(self, f: _Found, text: str) -> bool:
        """False when the context gives this value, but for something else (see _About)."""
        about = self.index.about.get(f.tag)
        return about is None or about.fits(_about(text, f.start, f.end), _atoms(f))

    def _phone(self, digits: str) -> bool:
        mine = digits.lstrip("0")
        for theirs in self.index.digit_runs:
            theirs = theirs.lstrip("0")
            if theirs == mine or (len(mine) >= 7 and theirs.endswith(mine)):
                return True
            if len(theirs) >= 9 and mine.endswith(theirs) and len(mine) - len(theirs) <= 3:
                return True  # the same number with its country code
        return False

    def _date(self, key: _Date) -> bool:
        return all(
            any(self._day(key, month, day, n == 0) for month, day in readings)
            for n, readings in enumerate(key.days)
        )

    def _day(self, key: _Date, month: int, day: int, first: bool) -> bool:
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
        if year is not None and _valid_day(month, day, year):
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
        phrase = _phrase(core)
        if not phrase or f" {phrase} " in self.index.phrases:
            return True
        # The context's sentence may end before the draft's does ("...or refund you." and
        # "...refund you If anything else comes up"): the same promise, then more words.
        head, words = _phrase(core[: len(core) - len(tail)]), _phrase(tail).split()
        for n in range(len(words) - 1, -1, -1):
            if f" {' '.join([head, *words[:n]])} | " in self.index.phrases:
                return True
        free = re.fullmatch(r"free ([a-z]+)(?: shipping)?", phrase)
        if free:  # "free returns" is granted by "returns within the US are free"
            stem = free.group(1)[:5]
            return any(
                "free" in words and any(w.startswith(stem) for w in words)
                for words in self.index.sentences
            )
        return False
