"""The leads' pages' door: dashboard, routing cost, what-if, knowledge, learning, audit
and evals. Same rules as ``actions``: every call checks the user and their role now."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from actions import console_deps, current_actor, current_user, load_settings, with_assistant

from assistant.app import Assistant, open_records
from assistant.evals.history import RegressionRow, RunSummary, latest_regressions, load_history
from assistant.knowledge.ask import Asked
from assistant.knowledge.index import SyncReport
from assistant.knowledge.proposals import FaqProposal, ProposalStatus
from assistant.knowledge.questions import QuestionOutcomes, question_outcomes
from assistant.knowledge.status import KnowledgeStatus
from assistant.review import audit, metrics
from assistant.review.metrics import day_bounds
from assistant.review.models import AuditEvent
from assistant.review.routing_cost import RoutingCost, recent_messages
from assistant.review.routing_cost import routing_cost as cost_of_routing
from assistant.safety.whatif import (
    REPLAY_LIMIT,
    PolicyChange,
    WhatIf,
    replayable,
    thresholds_of,
)
from assistant.safety.whatif import what_if as replay
from assistant.services.knowledge import inspect_knowledge
from assistant.services.proposals import (
    accept_proposal,
    hand_off_proposal,
    proposals,
    reject_proposal,
)
from assistant.users import Permission

WHAT_IF_DAYS = 30
Decision = Literal["accept", "hand-off", "reject"]


def dashboard(name: str, start: date, end: date) -> metrics.Dashboard:
    current_user(name, Permission.view_dashboard)
    with open_records(load_settings()) as records:
        return metrics.dashboard(records.queue.engine, start, end)


def routing_cost(name: str, start: date, end: date) -> RoutingCost:
    """Per topic and detector, the messages received in the range that went to a person."""
    current_user(name, Permission.view_dashboard)
    low, high = day_bounds(start, end)
    with open_records(load_settings()) as records:
        return cost_of_routing(records.queue.engine, low, high)


def detector_thresholds(name: str) -> dict[str, float | None]:
    """The detectors a what-if can replay, with their threshold (None: they have none)."""
    current_user(name, Permission.manage_knowledge)
    return thresholds_of(replayable(console_deps().detectors))


def what_if(name: str, change: PolicyChange, days: int = WHAT_IF_DAYS) -> WhatIf:
    """The stored messages of the last ``days`` days, triaged now and with ``change``."""
    current_user(name, Permission.manage_knowledge)
    deps = console_deps()
    end = datetime.now(UTC)
    with open_records(load_settings()) as records:
        messages, total = recent_messages(
            records.queue.engine, end - timedelta(days=days), end, REPLAY_LIMIT
        )
    limit = deps.knowledge.policy.max_analysed_chars
    return asyncio.run(replay(messages, deps.detectors, change, total, limit))


def knowledge(name: str) -> KnowledgeStatus:
    return inspect_knowledge(load_settings(), current_actor(name))


def resync(name: str, progress: Callable[[int, int], None]) -> SyncReport:
    actor = current_actor(name)

    async def work(a: Assistant) -> SyncReport:
        return a.library.ingest(actor, progress)

    return with_assistant(work)


def learning(name: str) -> tuple[QuestionOutcomes, list[FaqProposal]]:
    """Which stored questions reached each answer or none, and the open proposals."""
    actor = current_actor(name)
    settings = load_settings()
    found = proposals(settings, actor, (ProposalStatus.open,))
    with open_records(settings) as records:
        outcomes = question_outcomes(records.queue.items(limit=2_000))
    return outcomes, found


def decide_proposal(name: str, proposal_id: int, decision: Decision) -> FaqProposal:
    """Accept or hand off (file edit behind the eval gate, then re-sync), or reject."""
    actor = current_actor(name)
    settings = load_settings()
    if decision == "accept":
        return asyncio.run(accept_proposal(settings, actor, proposal_id))
    if decision == "hand-off":
        return asyncio.run(hand_off_proposal(settings, actor, proposal_id))
    return reject_proposal(settings, actor, proposal_id)


def ask(name: str, question: str, channel: str | None) -> Asked:
    """What retrieval returns for a question, and whether its best hit answers it."""
    actor = current_actor(name)

    async def work(a: Assistant) -> Asked:
        return a.library.retrieve(actor, question, channel)

    return with_assistant(work)


def audit_events(
    name: str,
    *,
    actor: str | None,
    action: str | None,
    item_id: int | None,
    start: datetime | None,
    end: datetime | None,
    text: str | None,
) -> list[AuditEvent]:
    current_user(name, Permission.view_audit)
    with open_records(load_settings()) as records:
        return audit.search_audit(
            records.queue.engine,
            actor=actor,
            action=action,
            item_id=item_id,
            start=start,
            end=end,
            text=text,
        )


def evals(name: str) -> tuple[list[RunSummary], list[RegressionRow]]:
    """The eval runs (newest first) and the latest run's regressions."""
    current_user(name, Permission.view_audit)
    settings = load_settings()
    return load_history(settings), latest_regressions(settings)


def audit_choices(name: str) -> tuple[list[str], list[str]]:
    """(actors, actions) seen in the audit log, for the filters."""
    current_user(name, Permission.view_audit)
    with open_records(load_settings()) as records:
        engine = records.queue.engine
        return audit.audit_actors(engine), audit.audit_actions(engine)
