"""Driving the review console through Streamlit's AppTest, against the real services."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from assistant.app import open_assistant, open_records
from assistant.knowledge.disclosure import with_disclosure
from assistant.knowledge.loader import load_knowledge
from assistant.review.decisions import Decision
from assistant.review.models import AuditEvent, OutboxMessage, ReviewItem
from assistant.settings import Settings
from assistant.users import UserStore
from assistant.users.actor import SYSTEM_ACTOR
from tests.support import ROOT, message, process, run

APP = ROOT / "ui" / "app.py"
PASSWORD = "correct horse battery"
REFUND = "Can I get a refund for my order?"
TRACKING = "Hi, where is my order FH-10293? Thanks!"  # Marcus's own order: auto-send eligible
PEOPLE = {"ann": "agent", "bea": "agent", "lea": "lead", "ada": "admin"}


def add_users(settings: Settings) -> None:
    with open_records(settings) as records:
        users = UserStore(records.queue.engine)
        for name, role in PEOPLE.items():
            users.add(name, role, PASSWORD, by="test")


def console(user: str | None = "ann", page: str | None = None) -> AppTest:
    """The console as ``user`` sees it after signing in (None: nobody signed in)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    if user:
        at.session_state["user"] = user
    if page:
        at.session_state["page"] = page
    return at.run()


def on_screen(at: AppTest) -> str:
    """Everything a person can read: text, alerts, metrics and table cells."""
    assert not at.exception, [e.value for e in at.exception]
    parts: list[Any] = []
    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "text",
        "code",
        "success",
        "info",
        "warning",
        "error",
    ):
        parts += [getattr(e, "value", "") for e in getattr(at, kind)]
    parts += [f"{m.label}: {m.value}" for m in at.metric]
    parts += [df.value.to_string() for df in at.dataframe]
    parts += [e.label for e in at.expander]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def click(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def go(at: AppTest, page: str) -> AppTest:
    at.sidebar.radio(key="page").set_value(page)
    return at.run()


def open_item(at: AppTest, item_id: int) -> AppTest:
    at.selectbox(key="open_pick").select(item_id)
    return click(at, "Open item")


def queued(settings: Settings, *texts: str, channel: str = "web_chat", **kwargs: Any) -> list[int]:
    """Item ids of ``texts`` processed as messages on ``channel`` (WhatsApp never auto-sends
    in the sample policy, so every message there waits for a person)."""
    msgs = [message(t, id=f"r{n}", channel=channel) for n, t in enumerate(texts, 1)]
    return [r.item_id for r in run(process(settings, *msgs, **kwargs))]


def item(settings: Settings, item_id: int) -> ReviewItem:
    with open_records(settings) as records:
        return records.queue.get(item_id)


def outbox(settings: Settings) -> list[OutboxMessage]:
    with open_records(settings) as records:
        return records.queue.outbox()


def audit(settings: Settings, item_id: int | None = None) -> list[AuditEvent]:
    with open_records(settings) as records:
        return records.queue.audit_log(item_id)


def decide_elsewhere(settings: Settings, item_id: int, decision: Decision) -> None:
    async def go() -> None:
        async with open_assistant(settings) as assistant:
            await assistant.review.decide(SYSTEM_ACTOR, item_id, decision)

    run(go())


def disclosed(settings: Settings, body: str) -> str:
    return with_disclosure(load_knowledge(settings.knowledge_dir).policy.disclosure, body)
