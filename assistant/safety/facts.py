"""Facts in text: amounts, percentages, dates, durations, times, order ids, codes, links,
e-mails, phones, handles and numbers, found with their normalised values so that the same
value written differently ($6 = $6.00 = 6 USD) compares equal."""

import re
import unicodedata
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
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


class FoldedText:
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
# Emoji and pictographs, flags' letters included: in social replies one often ends a sentence.
EMOJI = "[\U0001f1e6-\U0001f1ff\U0001f300-\U0001faff\u2600-\u27bf]"
# Instagram's usernames hold dots ("@mira.c"), never at the end: "@mira." ends a sentence.
HANDLE = re.compile(r"(?<![\w@.+-])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")
PHONE = re.compile(
    r"(?<![\w+$€£])(?:\+[0-9]{1,3}(?:[ .-]?\(?[0-9]{1,4}\)?){2,5}"
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


class Found(NamedTuple):
    tag: str  # a key of KINDS
    start: int
    end: int
    key: Hashable


class DateKey(NamedTuple):
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


def number_value(raw: str) -> Decimal | None:
    word = WORD_NUMBERS.get(raw.lower())
    return Decimal(word) if word is not None else _decimal(raw)


def valid_day(month: int, day: int, year: int | None = None) -> bool:
    try:
        date(year or 2024, month, day)  # 2024: a leap year, so February 29 is a date
    except ValueError:
        return False
    return True


def weekday_index(name: str | None) -> int | None:
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
    if not valid_day(mo, d, y):
        return None
    return m.start(), m.end(), DateKey((frozenset({(mo, d)}),), y, None)


def _named(m: re.Match[str]) -> Hit:
    month = MONTHS.get((m["mon"] or m["mon2"])[:3].lower())
    first = int(m["d1"] or m["d2"])
    if month is None or not valid_day(month, first):
        return None
    end = m.end()
    last = int(m["e1"] or m["e2"] or first)
    if last <= first or not valid_day(month, last):
        last = first
        if m["e1"]:  # "by December 16 to 5 of your friends": the date ends at its day
            end = m.start("e1")
            while m.string[end - 1] not in "0123456789stndrh":
                end -= 1
    year = int(m["y"]) if m["y"] and end == m.end() else None
    days = tuple(frozenset({(month, d)}) for d in range(first, last + 1))
    return m.start(), end, DateKey(days, year, weekday_index(m["wd"]))


def _slash(m: re.Match[str]) -> Hit:
    a, b = int(m["a"]), int(m["b"])
    readings = frozenset(r for r in ((a, b), (b, a)) if valid_day(*r))  # 12/16 or 16/12
    if not readings:
        return None
    year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0) if m["y"] else None
    return m.start(), m.end(), DateKey((readings,), year, None)


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


def amounts(text: str) -> frozenset[Hashable]:
    """The amounts of money the text names, as values that compare equal however they are
    written ("$5" and "$5.00")."""
    found: set[Hashable] = set()
    for m in AMOUNT.finditer(text):
        hit = _amount(m)
        if hit is not None and isinstance(hit[2], tuple):
            found.update(hit[2])  # one value, or two for a range ("$25–250")
    return frozenset(found)


def values(text: str) -> frozenset[tuple[str, Hashable]]:
    """(the unit, the value) of each amount of money and each period the text names, read
    as the numeric guard reads them: "$5" and "$5.00" alike, "2-year", "2 years" and "24
    months" alike, business days apart from calendar ones."""
    found: set[tuple[str, Hashable]] = {("money", a) for a in amounts(text)}
    for m in DURATION.finditer(text):
        if (hit := _duration(m)) is not None:
            low, high, base = cast(tuple[Decimal, Decimal, str], hit[2])
            found.add((base, (low, high)))
    return frozenset(found)


def _duration(m: re.Match[str]) -> Hit:
    low, high = number_value(m["a"]), number_value(m["b"] or m["a"])
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


def number_key(token: str) -> Hashable:
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
    ("weekday", WEEKDAY_WORD, _span_key(weekday_index)),
    ("time", TIME, _time),
    ("percent", PERCENT, lambda m: (m.start(), m.end(), number_key(m["n"]))),
    ("duration", DURATION, _duration),
    ("range", RANGE, _range),
    ("number", NUMBER, _span_key(number_key)),
]


def extract(text: str, order_id: re.Pattern[str]) -> tuple[list[Found], str]:
    """Every fact in ``text``, and the text with only links, e-mails and handles masked.
    Extractors run in order; what one claims is masked from the ones after it."""
    found: list[Found] = []
    masked = unlinked = text
    steps = [*IDENTIFIERS, ("order", order_id, _span_key(str.upper)), *VALUES]
    for n, (tag, pattern, key) in enumerate(steps):
        spans: list[tuple[int, int]] = []
        at = 0
        while (m := pattern.search(masked, at)) is not None:
            hit = key(m)
            if hit is not None and hit[1] > hit[0] and (not spans or hit[0] >= spans[-1][1]):
                found.append(Found(tag, *hit))
                spans.append(hit[:2])
                at = max(hit[1], m.start() + 1)
            else:  # not a fact after all ("35 Jan"): look again from the next character
                at = m.start() + 1
        if spans:
            pieces, at = [], 0
            for start, end in spans:
                pieces += [masked[at:start], "\x00" * (end - start)]
                at = end
            masked = "".join([*pieces, masked[at:]])
        if n == len(IDENTIFIERS) - 1:
            unlinked = masked
    return found, unlinked
