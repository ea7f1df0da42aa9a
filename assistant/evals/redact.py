"""PII redaction for the eval set: names, e-mails, phones, addresses, card numbers and
social handles are replaced before a case is written; order ids and tracking numbers get
consistent stand-ins of the same shape, so the order id in the message, the order record
and the golden reply still match (and still look like order ids to the pipeline).

The brand's own contact details (found in the knowledge folder) are kept: a golden reply
that gives the support e-mail must still say it. Stand-ins are derived from a per-case salt,
so the same customer gets the same pseudonym throughout one case."""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Iterable

from assistant.safety.facts import EMAIL, PHONE

FIRST_NAMES = ("Alex", "Jordan", "Taylor", "Casey", "Riley", "Morgan", "Jamie", "Robin", "Avery")
LAST_NAMES = ("Lee", "Moss", "Vale", "Reed", "Hart", "Lane", "Stone", "Wells", "Brook")

HANDLE = re.compile(r"(?<![\w@.+-])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")
CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
STREET = (
    r"(?i:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|way|court|ct|place|pl"
    r"|terrace|ter|parkway|pkwy|highway|hwy|circle|cir|square|sq)"
)
ADDRESS = re.compile(
    rf"\b\d{{1,6}}\s+(?:[A-Za-z0-9][\w'.-]*\s+){{0,3}}{STREET}\b\.?"
    r"(?:,?\s*(?i:apt|apartment|unit|suite|ste|#)\.?\s*[\w-]+)?"
    r"(?:,\s*[A-Z][A-Za-z]+(?:\s[A-Z][A-Za-z]+)?)?(?:,?\s*[A-Z]{2})?(?:\s+\d{5}(?:-\d{4})?)?"
    r"|\b(?i:p\.?\s?o\.?\s+box)\s+\d+"
    r"|\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"  # state and ZIP code
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b"  # UK postcode
)
NAME_PHRASE = re.compile(
    r"(?i:\bmy name is|\bmy name's|\bthis is|\bname:)\s+(?P<n>[A-Z][a-z'-]+(?:\s[A-Z][a-z'-]+)?)"
    r"|(?i:\b(?:thanks|thank you|cheers|regards|best|love))[,!.]?\s+"
    r"(?P<s>[A-Z][a-z'-]+)\s*[.!]?\s*$"
)


def luhn_ok(digits: str) -> bool:
    total = 0
    for n, ch in enumerate(reversed(digits)):
        d = int(ch)
        if n % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def with_digits(template: str, digits: str) -> str:
    """``template`` with its digits replaced, in order, by ``digits`` (same count)."""
    stream = iter(digits)
    return re.sub(r"\d", lambda _: next(stream), template)


class Redactor:
    """Redacts the texts of one case, consistently. ``keep`` holds texts whose e-mails,
    phone numbers and handles are public (the brand's knowledge)."""

    def __init__(
        self,
        salt: str,
        order_id_pattern: str,
        *,
        names: Iterable[str | None] = (),
        keep: Iterable[str] = (),
    ) -> None:
        self.salt = salt
        self.order_pattern = order_id_pattern
        self.order_re = re.compile(order_id_pattern, re.IGNORECASE)
        kept = "\n".join(keep)
        self.kept_emails = {m.group(0).lower() for m in EMAIL.finditer(kept)}
        self.kept_phones = {_digits(m.group(0))[-10:] for m in PHONE.finditer(kept)}
        self.kept_handles = {m.group(0).lower() for m in HANDLE.finditer(kept)}
        self.names: dict[str, str] = {}  # name seen -> its pseudonym, in every text
        self.codes: dict[str, str] = {}  # tracking number or similar -> its stand-in
        self.orders: dict[str, str] = {}  # order id (upper case) -> its stand-in
        for name in names:
            if name:
                self.add_name(name)

    # -- stand-ins ---------------------------------------------------------------------

    def _pick(self, value: str, options: tuple[str, ...]) -> str:
        digest = hashlib.sha256(f"{self.salt}|{value.lower()}".encode()).digest()
        n = digest[0] % len(options)
        if options[n].lower() == value.lower():
            n = (n + 1) % len(options)
        return options[n]

    def add_name(self, full: str) -> str:
        """Register a person's name; returns its pseudonym (first word -> first name)."""
        words = [w for w in re.findall(r"[^\W\d_][\w'-]*", full) if len(w) > 1]
        if not words:
            return full
        fakes = [self._pick(words[0], FIRST_NAMES)] + [self._pick(w, LAST_NAMES) for w in words[1:]]
        for word, fake in zip(words, fakes, strict=True):
            self.names.setdefault(word, fake)
        joined = " ".join(self.names[w] for w in words)
        if len(words) > 1:
            self.names.setdefault(" ".join(words), joined)
        return joined

    def _shape(self, value: str, attempt: int = 0) -> str:
        """A stand-in with the same shape: digits for digits, letters for letters."""
        digest = hashlib.sha256(f"{self.salt}|{attempt}|{value}".encode()).digest()
        out = []
        for n, ch in enumerate(value):
            byte = digest[n % len(digest)] ^ n
            if ch.isdigit():
                out.append(str(byte % 10))
            elif ch.isalpha():
                letter = string.ascii_uppercase[byte % 26]
                out.append(letter if ch.isupper() else letter.lower())
            else:
                out.append(ch)
        return "".join(out)

    def order_id(self, value: str) -> str:
        """The same fake id every time, keeping the letters so it still reads as an order id."""
        key = value.upper()
        if key not in self.orders:
            fake = "[order]"
            for attempt in range(20):
                candidate = with_digits(key, _digits(self._shape(key, attempt)))
                if candidate != key and re.fullmatch(self.order_pattern, candidate, re.IGNORECASE):
                    fake = candidate
                    break
            self.orders[key] = fake
        return self.orders[key]

    def code(self, value: str) -> str:
        """A tracking number or similar: the same same-shaped stand-in every time."""
        return self.codes.setdefault(value, self._shape(value))

    # -- text --------------------------------------------------------------------------

    def learn_names(self, texts: Iterable[str | None]) -> None:
        """Register names introduced anywhere in the case ("my name is ...", "Thanks, Ana")
        before any text is redacted, so each is replaced in every text of the case."""
        for text in texts:
            for m in NAME_PHRASE.finditer(text or ""):
                self.add_name(m.group("n") or m.group("s"))

    def text(self, text: str) -> str:
        spans: list[tuple[int, int, str]] = []

        def claim(start: int, end: int, replacement: str) -> None:
            if all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, replacement))

        for m in self.order_re.finditer(text):
            claim(m.start(), m.end(), self.order_id(m.group(0)))
        for value, fake in self.codes.items():
            for m in re.finditer(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", text):
                claim(m.start(), m.end(), fake)
        for m in EMAIL.finditer(text):
            if m.group(0).lower() not in self.kept_emails:
                claim(m.start(), m.end(), "[email]")
        for m in HANDLE.finditer(text):
            if m.group(0).lower() not in self.kept_handles:
                claim(m.start(), m.end(), "@customer")
        for value in sorted(self.names, key=len, reverse=True):
            for m in re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE):
                claim(m.start(), m.end(), self.names[value])
        for m in CARD.finditer(text):
            # A mistyped card or a bank account number is still personal: when in doubt,
            # out. (Order ids and tracking numbers were given stand-ins above.)
            claim(m.start(), m.end(), "[card]" if luhn_ok(_digits(m.group(0))) else "[number]")
        for m in PHONE.finditer(text):
            if _digits(m.group(0))[-10:] not in self.kept_phones:
                claim(m.start(), m.end(), "[phone]")
        for m in ADDRESS.finditer(text):
            claim(m.start(), m.end(), "[address]")
        for m in NAME_PHRASE.finditer(text):
            group = "n" if m.group("n") else "s"
            claim(m.start(group), m.end(group), self.add_name(m.group(group)))
        out, at = [], 0
        for start, end, replacement in sorted(spans):
            out += [text[at:start], replacement]
            at = end
        return "".join([*out, text[at:]])

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self.text(text)
