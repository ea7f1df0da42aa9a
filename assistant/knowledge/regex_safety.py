"""Policy regexes are written by brand leads and run on every message: refuse the shapes
that make Python's backtracking engine take exponential time (one 70-character message
would freeze the pipeline), and patterns that match the empty string (they match every
message: a spam pattern ``.*`` would hide them all)."""

from __future__ import annotations

import importlib
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

import regex

# The stdlib's own parser gives the pattern's shape (its public alias warns as deprecated).
sre_parse: Any = importlib.import_module("re._parser")
sre: Any = importlib.import_module("re._constants")
T = TypeVar("T")

REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT)
BUDGET_S = 0.25  # per pattern and message: what the static check cannot rule out is cut off
# How every scan runs: within the budget, keeping the GIL (see ``BudgetedPattern``).
SCAN: dict[str, Any] = {"concurrent": False, "timeout": BUDGET_S}
SMALL_REPEAT = 5  # an outer {0,5} around a '+' costs at most a small polynomial
NESTED = (
    "nests a repeated part inside another repeat (like (a+)+), which can take exponential "
    "time on some messages; rewrite it without the inner + or * (e.g. (a+)+ as a+)"
)


def problem(pattern: str, may_match_empty: bool = False) -> str | None:
    """Why ``pattern`` may not be used, or None."""
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError) as exc:
        return f"is not a valid regex: {exc}"
    try:
        regex.compile(pattern, regex.IGNORECASE)
    except (regex.error, OverflowError, RecursionError) as exc:
        return f"is not a valid regex: {exc}"
    if not may_match_empty and compiled.search("") is not None:
        return "matches an empty text, so it would match every message"
    try:
        tree = sre_parse.parse(pattern)
    except (re.error, RecursionError) as exc:  # pragma: no cover - compile() parsed it
        return f"is not a valid regex: {exc}"
    return NESTED if _nested_repeat(list(tree), inside_repeat=False) else None


def _nested_repeat(items: list[Any], inside_repeat: bool) -> bool:
    for op, arg in items:
        if op in REPEATS:
            _, high, body = arg
            big = high is sre.MAXREPEAT or high > SMALL_REPEAT
            if inside_repeat and high > 1:
                return True
            if _nested_repeat(list(body), inside_repeat or big):
                return True
        elif op is sre.SUBPATTERN:
            if _nested_repeat(list(arg[-1]), inside_repeat):
                return True
        elif op is sre.BRANCH:
            if any(_nested_repeat(list(alt), inside_repeat) for alt in arg[1]):
                return True
        elif op in (sre.ASSERT, sre.ASSERT_NOT) and _nested_repeat(list(arg[1]), inside_repeat):
            return True
        # ATOMIC_GROUP and POSSESSIVE_REPEAT never backtrack into themselves.
    return False


class PatternTimeout(Exception):  # noqa: N818 - a budget ran out; not a failure of ours
    """A policy pattern used up its time budget on one message."""


class BudgetedPattern:
    """A policy pattern matched on an engine that can stop: after ``BUDGET_S`` it gives up
    (PatternTimeout), so one pathological pattern never freezes the pipeline. The caller
    treats that as "a person decides".

    The engine's clock is the whole process's CPU time (C ``clock()``), so the embedding
    model's threads spend a pattern's budget too. A scan keeps the GIL (``concurrent=False``):
    one that let it go would wait to take it back at every check while those threads run.
    A scan that ran out while this thread did less than half the budget's work is tried
    again, at most ``ATTEMPTS`` times in all."""

    ATTEMPTS = 5

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._compiled = regex.compile(pattern, regex.IGNORECASE)

    def finditer(self, text: str) -> list[regex.Match[str]]:
        # All at once: a lazy scan's clock would run on while its caller did other work.
        return self._budgeted(lambda: list(self._compiled.finditer(text, **SCAN)))

    def search(self, text: str) -> regex.Match[str] | None:
        return self._budgeted(lambda: self._compiled.search(text, **SCAN))

    def _budgeted(self, scan: Callable[[], T]) -> T:
        for _ in range(self.ATTEMPTS):
            started = time.thread_time()
            try:
                return scan()
            except TimeoutError:
                if time.thread_time() - started >= BUDGET_S / 2:  # the pattern's own work
                    break
        raise PatternTimeout(self.pattern)
