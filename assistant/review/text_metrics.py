"""Text measures for the dashboard: how much a person changed a draft (edit distance), and
routing reasons with their specifics taken out so that alike reasons are counted together."""

from __future__ import annotations

import re


def levenshtein(a: str, b: str) -> int:
    """Characters inserted, deleted or replaced to turn ``a`` into ``b``.

    Myers' bit-parallel algorithm (Hyyrö's formulation for edit distance): one pass over the
    longer text with Python integers as bit vectors over the shorter one, so a 1,000-character
    rewrite costs ~1,000 big-integer steps instead of a million table cells. The common
    prefix and suffix are trimmed first (most edits are local).
    """
    if a == b:
        return 0
    start = 0
    limit = min(len(a), len(b))
    while start < limit and a[start] == b[start]:
        start += 1
    end = 0
    while end < limit - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start : len(a) - end], b[start : len(b) - end]
    if len(a) < len(b):
        a, b = b, a
    m = len(b)
    if not m:
        return len(a)
    peq: dict[str, int] = {}
    for i, ch in enumerate(b):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask = (1 << m) - 1
    top = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for ch in a:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & mask) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return score


# Reasons whose tail names a person: only the head is counted.
_PERSONAL = ("VIP customer", "restored from the spam folder by")
_QUOTED = re.compile(r"(?<!\w)'[^']*'(?!\w)|\"[^\"]*\"|“[^”]*”|‘[^’]*’|«[^»]*»")
_PARENS = re.compile(r"\s*\([^()]*\)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
_NUMBERISH = re.compile(r"[^\s,;()]*\d[^\s,;()]*")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([:;,.])")
_SPACES = re.compile(r"\s+")


def normalise_reason(reason: str) -> str:
    """Group reasons that differ only in specifics: ``order FH-1001 was not found`` and
    ``order FH-2002 was not found`` both become ``order # was not found``; quoted evidence
    and bracketed details (``(e.g. '…', 0.82)``) are dropped."""
    text = " ".join(reason.split())
    for head in _PERSONAL:
        if text.startswith(head):
            return head
    text = _QUOTED.sub("", text)
    text = _THOUSANDS.sub("", text)
    text = _PARENS.sub("", text)
    text = _NUMBERISH.sub("#", text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _SPACES.sub(" ", text).strip(" :;,-")
    return text or reason.strip()
