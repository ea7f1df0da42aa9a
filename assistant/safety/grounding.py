"""The grounding guard: every fact a draft states must be backed by the retrieved
knowledge, the order record or the template it came from. It reports, never fixes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}

URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
PHONE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{6,}\d(?![\w])")
ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
NAMED_DATE = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b"
    r"|\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b",
    re.IGNORECASE,
)
CODE = re.compile(r"\b(?=[A-Z0-9-]*[A-Z])(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{4,}\b")
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")
PROMISE = re.compile(
    r"\b(?:(?:we(?:'ll| will)?|i(?:'ll| will| have|'ve)?|you(?:'ll| will)?)\s+(?:\w+\s+){0,3}?"
    r"(?:refund|reimburse|compensate|credit)\w*"
    r"|full refund|money back|(?:free|complimentary) (?:replacement|upgrade|shipping|gift)"
    r"|\d+\s*%\s*off|discount code|store credit|voucher|compensation)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Fact:
    kind: str
    span: str


def _numbers(text: str) -> set[Decimal]:
    values = set()
    for raw in NUMBER.findall(text):
        try:
            values.add(Decimal(raw.replace(",", "")))
        except InvalidOperation:
            continue
    return values


def _dates(text: str) -> set[tuple[int, int]]:
    pairs = {(int(m), int(d)) for _, m, d in ISO_DATE.findall(text)}
    for match in NAMED_DATE.finditer(text):
        month = match.group(1) or match.group(4)
        day = match.group(2) or match.group(3)
        pairs.add((MONTHS[month[:3].lower()], int(day)))
    return pairs


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


class Grounding:
    """The context a draft may draw on, indexed once, checked against any number of drafts."""

    def __init__(self, context: str, order_id_pattern: str) -> None:
        self.context = context
        self.lower = context.lower()
        self.numbers = _numbers(context)
        self.dates = _dates(context)
        self.phones = {_digits(p) for p in PHONE.findall(context)}
        self.order_id = re.compile(order_id_pattern, re.IGNORECASE)

    def unsupported(self, draft: str) -> list[Fact]:
        """Facts in ``draft`` that the context does not back, in the order they appear."""
        problems: list[Fact] = []
        rest = draft

        def take(pattern: re.Pattern[str], kind: str, ok: object) -> None:
            nonlocal rest
            for match in pattern.finditer(rest):
                span = match.group(0).rstrip(".,;:!?")
                if not ok(span):  # type: ignore[operator]
                    problems.append(Fact(kind, span))
            rest = pattern.sub(" ", rest)

        take(URL, "link", lambda s: s.lower() in self.lower)
        take(EMAIL, "e-mail address", lambda s: s.lower() in self.lower)
        take(self.order_id, "order id", lambda s: s.lower() in self.lower)
        take(CODE, "code or tracking number", lambda s: s.lower() in self.lower)
        take(ISO_DATE, "date", lambda s: bool(_dates(s) & self.dates))
        take(NAMED_DATE, "date", lambda s: bool(_dates(s) & self.dates))
        take(PHONE, "phone number", lambda s: _digits(s) in self.phones or s in self.context)
        take(NUMBER, "number", lambda s: _numbers(s) <= self.numbers)
        for match in PROMISE.finditer(draft):
            if match.group(0).lower() not in self.lower:
                problems.append(Fact("promise", match.group(0)))
        return problems
