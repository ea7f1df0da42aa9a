"""Load the whole knowledge folder at once, collecting every problem before failing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import KnowledgeError
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
from assistant.knowledge.orders import Customer, Order, RoutingExample, read_rows
from assistant.knowledge.policy import Policy, load_policy


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
        self, purpose: TemplatePurpose, order_status: str | None = None
    ) -> Template | None:
        matches = [t for t in self.templates if t.purpose is purpose]
        if order_status is not None:
            matches = [t for t in matches if t.order_status == order_status] or matches
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
        policy = load_policy(root / "policy.yaml", "policy.yaml")
    except KnowledgeError as exc:
        problems.extend(exc.problems)

    def rel(path: Path) -> str:
        return path.relative_to(root).as_posix()

    chunks: list[Chunk] = []
    for path in sorted((root / "faq").glob("*.md")):
        chunks.extend(load_faq(path, rel(path), problems))
    for path in sorted((root / "policies").glob("*.md")):
        chunks.extend(load_policy_doc(path, rel(path), problems))
    templates = [
        t
        for path in sorted((root / "templates").glob("*.md"))
        if (t := load_template(path, rel(path), problems)) is not None
    ]
    tone = load_tone(root / "tone.md", "tone.md", problems)

    orders: list[Order] = []
    customers: list[Customer] = []
    if (root / "orders" / "orders.csv").is_file():
        orders = read_rows(root / "orders" / "orders.csv", Order, "orders/orders.csv", problems)
    routing_examples: list[RoutingExample] = []
    if (root / "routing" / "examples.csv").is_file():
        routing_examples = read_rows(
            root / "routing" / "examples.csv", RoutingExample, "routing/examples.csv", problems
        )
    if (root / "orders" / "customers.csv").is_file():
        customers = read_rows(
            root / "orders" / "customers.csv", Customer, "orders/customers.csv", problems
        )

    _check_unique([(c.id, f"{c.source}:{c.line}") for c in chunks], "id", problems)
    _check_unique([(t.id, t.source) for t in templates], "template id", problems)
    _check_unique([(o.order_id, "orders/orders.csv") for o in orders], "order_id", problems)
    known = {c.customer_id for c in customers}
    if customers:
        problems.extend(
            f"orders/orders.csv: order {o.order_id} names unknown customer {o.customer_id!r}"
            for o in orders
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


def _check_unique(items: list[tuple[str, str]], what: str, problems: list[str]) -> None:
    counts = Counter(key for key, _ in items)
    for key, count in counts.items():
        if count > 1:
            places = ", ".join(where for k, where in items if k == key)
            problems.append(f"{places}: {what} {key!r} is used {count} times; ids must be unique")
