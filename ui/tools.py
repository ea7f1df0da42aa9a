"""The console's door to the agent tools: notes and mentions, snooze, search, presence,
macros and the guard on an edit. Same rules as ``actions``: every call checks the user
now, and the services check the role."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from actions import current_actor, current_user, knowledge_stamp, load_settings

from assistant.app import open_records
from assistant.errors import NotFoundError
from assistant.knowledge.loader import Knowledge, load_knowledge
from assistant.review.worklist import Worklist
from assistant.safety.facts import Fact
from assistant.safety.verify import Verifier
from assistant.users import UserStore
from assistant.workspace import presence
from assistant.workspace.edit_check import edit_verifier, edit_warnings, held_facts
from assistant.workspace.macros import FilledMacro, Macro, fill_macro, macros
from assistant.workspace.notes import Mention, Note, NoteService
from assistant.workspace.search import search_queue
from assistant.workspace.snooze import SnoozeService, awake, snoozed_until


def _now() -> datetime:
    return datetime.now(UTC)


def _knowledge() -> tuple[Knowledge, Verifier]:
    """The knowledge and its verifier, read again only when a knowledge file changes (the
    full ``console_deps`` would also open the index and embed the detectors' examples)."""
    folder = load_settings().knowledge_dir
    return _knowledge_at(folder, knowledge_stamp(folder))


@lru_cache(maxsize=2)
def _knowledge_at(folder: Path, stamp: tuple[int, int]) -> tuple[Knowledge, Verifier]:
    knowledge = load_knowledge(folder)
    return knowledge, edit_verifier(knowledge)


# -- notes ------------------------------------------------------------------------------


def notes(name: str, item_id: int) -> list[Note]:
    """The item's notes (escalation note first); reading them marks the user's mentions read."""
    actor = current_actor(name)
    with open_records(load_settings()) as records:
        service = NoteService(records.queue)
        service.mark_read(actor, item_id, _now())
        return service.for_item(item_id)


def add_note(name: str, item_id: int, text: str) -> Note:
    actor = current_actor(name)
    with open_records(load_settings()) as records:
        return NoteService(records.queue).add(actor, item_id, text, _now())


def mentions(name: str) -> list[Mention]:
    actor = current_actor(name)
    with open_records(load_settings()) as records:
        return NoteService(records.queue).mentions(actor)


def user_names(name: str) -> set[str]:
    """Console accounts, to highlight their @mentions."""
    current_user(name)
    with open_records(load_settings()) as records:
        return {u.name for u in UserStore(records.queue.engine).list() if u.active}


# -- snooze and search: the queue as this agent sees it -------------------------------


def snooze(name: str, item_id: int, until: datetime) -> datetime:
    actor = current_actor(name)
    with open_records(load_settings()) as records:
        return SnoozeService(records.queue).snooze(actor, item_id, until, _now())


def wake(name: str, item_id: int) -> bool:
    actor = current_actor(name)
    with open_records(load_settings()) as records:
        return SnoozeService(records.queue).wake(actor, item_id)


def snoozed(name: str) -> dict[int, datetime]:
    """Items snoozed now: id → until."""
    current_user(name)
    with open_records(load_settings()) as records:
        return snoozed_until(records.queue.engine, _now())


def narrowed(name: str, work: Worklist, query: str, show_snoozed: bool) -> Worklist:
    """The queue without snoozed items (unless asked), narrowed to a search if one is typed.
    The result carries a key of its own, so tables cached per key stay right."""
    actor = current_actor(name)
    with open_records(load_settings()) as records:
        engine = records.queue.engine
        hidden = {} if show_snoozed else snoozed_until(engine, _now())
        found = search_queue(engine, actor, query) if query.strip() else None
    rows = awake(work.rows, hidden)
    if found is not None:
        rows = [r for r in rows if r.id in found]
    if len(rows) == len(work.rows):
        return work
    key = (*work.key, tuple(sorted(hidden)), query.strip().lower()) if work.key else ()
    return Worklist(tuple(rows), work.total, work.counts, key)


# -- presence ---------------------------------------------------------------------------


def viewing(name: str, item_id: int) -> list[str]:
    """Heartbeat for ``name`` on the item; the others viewing it now."""
    current_user(name)
    with open_records(load_settings()) as records:
        engine = records.queue.engine
        presence.heartbeat(engine, item_id, name, _now())
        found = presence.viewers(engine, _now(), [item_id]).get(item_id, [])
    return [v for v in found if v != name]


def left_items(name: str) -> None:
    with open_records(load_settings()) as records:
        presence.leave(records.queue.engine, name)


def viewers(name: str) -> dict[int, list[str]]:
    """Every item someone is viewing now (a handful of rows: never a long id list)."""
    current_user(name)
    with open_records(load_settings()) as records:
        return presence.viewers(records.queue.engine, _now())


# -- macros and the guard on an edit ---------------------------------------------------


def item_macros(name: str, item_id: int) -> list[Macro]:
    current_user(name)
    with open_records(load_settings()) as records:
        item = records.queue.get(item_id)
    return macros(_knowledge()[0], item)


def filled_macro(name: str, item_id: int, macro_id: str) -> FilledMacro:
    current_user(name)
    with open_records(load_settings()) as records:
        item = records.queue.get(item_id)
        customer = records.orders.customer(item.customer_id) if item.customer_id else None
        order = records.orders.order(item.order_id) if item.order_id else None
    if order is not None and order.customer_id != item.customer_id:
        order = None  # never fill one customer's reply with another's order
    filled = fill_macro(_knowledge()[0], item, macro_id, customer, order)
    if filled is None:
        raise NotFoundError(f"Item #{item_id}: that template or source is gone; pick another.")
    return filled


def reply_warnings(name: str, item_id: int, text: str, max_chars: int) -> list[str]:
    current_user(name)
    with open_records(load_settings()) as records:
        item = records.queue.get(item_id)
    knowledge, verifier = _knowledge()
    return edit_warnings(knowledge, item, text, max_chars, verifier)


def held_back(name: str, item_id: int, text: str) -> list[Fact]:
    """New prices, codes, dates or promises in the edit that the sources do not back."""
    current_user(name)
    with open_records(load_settings()) as records:
        item = records.queue.get(item_id)
    return held_facts(_knowledge()[0], item, text)
