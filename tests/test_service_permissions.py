"""Every service action checks the actor's role itself: an agent calling one directly (not
through the console) is refused where agents are not allowed, and allowed ones work."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from assistant.app import Assistant, open_assistant, open_records
from assistant.errors import ForbiddenError
from assistant.intake.messages import InboundMessage
from assistant.knowledge.proposals import ProposalStatus
from assistant.review.decisions import Approve, Escalate
from assistant.review.models import ItemStatus
from assistant.services.claims import ClaimService
from assistant.services.knowledge import inspect_knowledge
from assistant.services.proposals import (
    accept_proposal,
    hand_off_proposal,
    proposals,
    reject_proposal,
)
from assistant.services.users import UserAdmin
from assistant.settings import Settings
from assistant.users.actor import Actor
from assistant.users.roles import Role
from assistant.users.store import UserStore
from tests.support import message, process, run

AGENT = Actor("ann", Role.agent)
LEAD = Actor("lea", Role.lead)


def _with(settings: Settings, work: Callable[[Assistant], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        async with open_assistant(settings) as assistant:
            return await work(assistant)

    return run(main())


def _two(second: str) -> list[InboundMessage]:
    """A refund question (goes to a person), then ``second`` from another customer."""
    return [
        message("Hi, can I get a refund for the sweater?", id="m1", author_id="a1"),
        message(second, id="m2", author_id="a2"),
    ]


def _refused(call: Callable[[], Any]) -> str:
    with pytest.raises(ForbiddenError) as refused:
        call()
    return str(refused.value)


def test_agent_cannot_run_the_pipeline_or_touch_knowledge(ingested: Settings) -> None:
    async def attempts(a: Assistant) -> list[str]:
        refused = []
        for call in (
            lambda: a.inbox.process(AGENT, message("Do you ship to Canada?")),
            lambda: a.inbox.process_many(AGENT, [message("Do you ship to Canada?")]),
            lambda: a.inbox.recover(AGENT),
        ):
            with pytest.raises(ForbiddenError) as exc:
                await call()
            refused.append(str(exc.value))
        refused.append(_refused(lambda: a.library.ingest(AGENT)))
        refused.append(_refused(lambda: a.library.retrieve(AGENT, "Do you ship to Canada?")))
        return refused

    messages = _with(ingested, attempts)
    assert all(m.startswith("Your role (agent) cannot") for m in messages)
    assert "ask someone with the lead or admin role" in messages[-1]
    _refused(lambda: inspect_knowledge(ingested, AGENT))
    with open_records(ingested) as records:
        assert records.queue.items(limit=10) == []  # nothing was processed


def test_agent_cannot_list_accept_hand_off_or_reject_proposals(ingested: Settings) -> None:
    _refused(lambda: proposals(ingested, AGENT))
    _refused(lambda: run(accept_proposal(ingested, AGENT, 1)))
    _refused(lambda: run(hand_off_proposal(ingested, AGENT, 1)))
    _refused(lambda: reject_proposal(ingested, AGENT, 1))
    assert proposals(ingested, LEAD, (ProposalStatus.open,)) == []  # a lead may look


def test_agent_cannot_take_over_or_release_someone_elses_item(ingested: Settings) -> None:
    [result] = run(process(ingested, message("Hi, can I get a refund for the sweater?")))
    with open_records(ingested) as records:
        claims = ClaimService(records.queue)
        claims.claim(Actor("bob", Role.agent), result.item_id)
        assert "take over" in _refused(lambda: claims.claim(AGENT, result.item_id, True))
        _refused(lambda: claims.release(AGENT, result.item_id, force=True))
        assert records.queue.get(result.item_id).assignee == "bob"
        taken = claims.claim(LEAD, result.item_id, take_over=True)  # a lead may
        assert taken.assignee == "lea"
        released = claims.release(Actor("bob", Role.lead), result.item_id)
        assert released.assignee is None


def test_agent_cannot_decide_an_item_escalated_to_a_lead(ingested: Settings) -> None:
    [first, second] = run(process(ingested, *_two("Can I get a refund for my order?")))

    async def work(a: Assistant) -> tuple[str, ItemStatus, ItemStatus]:
        for item_id in (first.item_id, second.item_id):
            await a.review.decide(AGENT, item_id, Escalate(actor="ann", to="lead", note="legal"))
        with pytest.raises(ForbiddenError) as refused:
            await a.review.decide(AGENT, first.item_id, Approve(actor="ann"))
        decided = await a.review.decide(LEAD, first.item_id, Approve(actor="lea"))
        outcome = await a.review.decide_many(AGENT, {second.item_id: 2}, Approve(actor="ann"))
        assert list(outcome.refused) == [second.item_id] and not outcome.decided
        return str(refused.value), ItemStatus(decided.status), a.queue.get(second.item_id).status

    why, lead_decided, still = _with(ingested, work)
    assert "escalated to the lead role; as agent you cannot decide it" in why
    assert lead_decided is ItemStatus.sent
    assert still == ItemStatus.escalated


def test_agent_decides_retries_and_restores_ordinary_items(ingested: Settings) -> None:
    spam_text = "FREE FOLLOWERS!!! click http://spam.example now"
    [refund, spam] = run(process(ingested, *_two(spam_text)))

    async def work(a: Assistant) -> list[str]:
        retried = await a.review.retry(AGENT, refund.item_id)
        decided = await a.review.decide(AGENT, refund.item_id, Approve(actor="ann"))
        restored = await a.review.restore(AGENT, spam.item_id)
        return [retried.status, decided.status, restored.status]

    assert spam.status == ItemStatus.hidden
    assert _with(ingested, work) == [ItemStatus.pending, ItemStatus.sent, ItemStatus.pending]


def test_only_admins_manage_users(ingested: Settings) -> None:
    with open_records(ingested) as records:
        admin = UserAdmin(UserStore(records.queue.engine))
        boss = Actor("boss", Role.admin)
        admin.add(boss, "maya", Role.agent, "a long enough password 1")
        for actor in (AGENT, LEAD):
            _refused(lambda a=actor: admin.list(a))
            _refused(lambda a=actor: admin.add(a, "eve", Role.admin, "a long enough password 2"))
            _refused(lambda a=actor: admin.set_role(a, "maya", Role.admin))
            _refused(lambda a=actor: admin.set_active(a, "maya", active=False))
            _refused(lambda a=actor: admin.set_password(a, "maya", "a long enough password 3"))
        [maya] = admin.list(boss)
        assert maya.role == Role.agent and maya.active


def test_cli_actor_acts_with_its_accounts_role(ingested: Settings) -> None:
    """At the shell, an account's name brings its role; a disabled one is refused (exit 8);
    another name is the operator, who holds the database anyway (README's 'alice')."""
    from typer.testing import CliRunner

    from assistant.cli.main import app

    runner = CliRunner()
    with open_records(ingested) as records:
        store = UserStore(records.queue.engine)
        store.add("maya", Role.agent, "a long enough password 1", by="test")
        store.add("old", Role.lead, "a long enough password 2", by="test")
        store.disable("old", by="test")
    agent = runner.invoke(app, ["users", "role", "maya", "admin", "--actor", "maya"])
    assert agent.exit_code == 8
    assert "Your role (agent) cannot manage users" in agent.stderr
    disabled = runner.invoke(app, ["knowledge", "proposals", "reject", "1", "--actor", "old"])
    assert disabled.exit_code == 8
    assert "'old' is disabled" in disabled.stderr
    operator = runner.invoke(app, ["users", "role", "maya", "lead", "--actor", "alice"])
    assert operator.exit_code == 0, operator.output
