"""Load the whole knowledge folder at once, collecting every problem before failing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from assistant.errors import KnowledgeError
from assistant.knowledge import files
from assistant.knowledge.documents import (
    Chunk,
    Template,
    TemplatePurpose,
    Tone,
    load_faq,
    load_policy_doc,
    load_template,
    load_tone,
)
from assistant.knowledge.language import DEFAULT_LANGUAGE
from assistant.knowledge.orders import Customer, Order, RoutingExample, normalised_handle, read_rows
from assistant.knowledge.policy import Policy, load_policy

T = TypeVar("T")
R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class Knowledge:
    root: Path
    policy: Policy
    tone: Tone
    chunks: list[Chunk]
    templates: list[Template]
    orders: list[Order]
    customers: list[Customer]
    routing_examples: list[RoutingExample] = field(default_factory=list)

    def template_for(
        self,
        purpose: TemplatePurpose,
        order_status: str | None = None,
        language: str | None = None,
    ) -> Template | None:
        """The template for ``purpose`` (and ``order_status``), in ``language`` when the
        brand wrote one in it, else in the default language."""
        matches = [t for t in self.templates if t.purpose is purpose]
        if order_status is not None:
            matches = [t for t in matches if t.order_status == order_status] or matches
        for wanted in (language, DEFAULT_LANGUAGE):
            if chosen := [t for t in matches if t.language == wanted]:
                return chosen[0]
        return matches[0] if matches else None


@dataclass(frozen=True)
class Reading:
    """Everything the folder holds that could be read, and every problem found: what the
    knowledge page shows even while a file is broken."""

    chunks: list[Chunk]
    problems: list[str]
    knowledge: Knowledge | None  # None while any problem remains


def load_knowledge(root: Path) -> Knowledge:
    reading = read_knowledge(root)
    if reading.knowledge is None:
        raise KnowledgeError(reading.problems)
    return reading.knowledge


def read_knowledge(root: Path) -> Reading:
    """Read every file, collecting problems (with file and line) instead of stopping."""
    if not root.is_dir():
        problem = (
            f"{root}: knowledge folder not found. Set ASSISTANT_KNOWLEDGE_DIR "
            "or run from the project folder that contains knowledge/."
        )
        return Reading(chunks=[], problems=[problem], knowledge=None)
    problems: list[str] = []
    policy = None
    try:
        policy = load_policy(root / "policy.yaml", "policy.yaml", root)
    except KnowledgeError as exc:
        problems.extend(exc.problems)

    def each(folder: str, load: Callable[[str, str, list[str]], T]) -> list[T]:
        found = []
        for path in files.entries(root / folder, ".md"):
            where = path.relative_to(root).as_posix()
            if (text := _read(root, path, where, problems)) is not None:
                found.append(_guarded(load, text, where, problems))
        return [f for f in found if f is not None]

    chunks = [c for group in each("faq", load_faq) for c in group]
    chunks += [c for group in each("policies", load_policy_doc) for c in group]
    templates = [t for t in each("templates", load_template) if t is not None]
    tone_text = _read(root, root / "tone.md", "tone.md", problems, optional=True)
    tone = load_tone(tone_text, "tone.md", problems)

    def rows(name: str, model: type[R]) -> list[tuple[int, R]]:
        text = _read(root, root / name, name, problems, optional=True)
        found = _guarded(read_rows, text, name, problems, model) if text is not None else None
        return found or []

    order_rows = rows("orders/orders.csv", Order)
    customer_rows = rows("orders/customers.csv", Customer)
    routing_examples = [r for _, r in rows("routing/examples.csv", RoutingExample)]
    orders = [o for _, o in order_rows]
    customers = [c for _, c in customer_rows]

    _check_unique([(c.id, f"{c.source}:{c.line}") for c in chunks], "id", problems)
    _check_unique([(t.id, t.source) for t in templates], "template id", problems)
    # The order store keys orders by their upper-cased id: 'ab-1' and 'AB-1' are one order.
    where = "orders/orders.csv"
    _check_unique(
        [(o.order_id.upper(), f"{where}:{n}") for n, o in order_rows], "order_id", problems
    )
    where = "orders/customers.csv"
    _check_unique(
        [(c.customer_id, f"{where}:{n}") for n, c in customer_rows], "customer_id", problems
    )
    handles = [
        (f"{channel}:{normalised_handle(handle)}", f"{where}:{n}")
        for n, c in customer_rows
        for channel, handle in c.handles.items()
    ]
    _check_unique(handles, "handle", problems)
    known = {c.customer_id for c in customers}
    if customers:
        problems.extend(
            f"orders/orders.csv:{n}: order {o.order_id} names unknown customer {o.customer_id!r}"
            for n, o in order_rows
            if o.customer_id not in known
        )
    if not chunks and not problems:
        problems.append(f"{root}: no FAQ or policy entries found under faq/ or policies/")
    if problems or policy is None:
        return Reading(chunks=chunks, problems=problems, knowledge=None)
    knowledge = Knowledge(
        root=root,
        policy=policy,
        tone=tone,
        chunks=chunks,
        templates=templates,
        orders=orders,
        customers=customers,
        routing_examples=routing_examples,
    )
    return Reading(chunks=chunks, problems=[], knowledge=knowledge)


def _read(
    root: Path, path: Path, where: str, problems: list[str], optional: bool = False
) -> str | None:
    """The file's text; None (with a problem, unless it is optional and simply absent)."""
    if optional and not files.exists(path):
        return None
    try:
        return files.read_text(root, path, where)
    except files.FileError as exc:
        problems.append(exc.message)
        return None


def _guarded(
    load: Callable[..., T], text: str, where: str, problems: list[str], *args: Any
) -> T | None:
    """One file's parse: whatever it raises is that file's problem, never a traceback."""
    try:
        return load(text, *args, where, problems) if args else load(text, where, problems)
    except RecursionError:
        problems.append(f"{where}:1: nested too deeply to read")
    except Exception as exc:
        problems.append(f"{where}:1: could not be read ({type(exc).__name__})")
    return None


def _check_unique(items: list[tuple[str, str]], what: str, problems: list[str]) -> None:
    counts = Counter(key for key, _ in items)
    for key, count in counts.items():
        if count > 1:
            places = ", ".join(where for k, where in items if k == key)
            problems.append(f"{places}: {what} {key!r} is used {count} times; ids must be unique")
