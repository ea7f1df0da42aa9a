"""The console's only door to the service layer. Every call reads what it needs now and
does one thing; nothing that can go stale is kept (only the parsed settings and the
``Deps``: engine, index, knowledge, detectors), so every screen shows what other agents did
a moment ago.

Every call that reads or changes data takes the signed-in user's name and checks, against
the users table, that the account is still active and its role allows the action: a user
disabled or demoted by an admin loses the right on their next click, not at sign-out."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from assistant.app import (
    Assistant,
    ProcessResult,
    open_assistant,
    open_records,
)
from assistant.channels.meta.graph import needing_reconnect
from assistant.channels.meta.intake import stored_payloads
from assistant.channels.meta.records import PayloadState, WebhookPayload
from assistant.deps import Deps, build_deps
from assistant.errors import AuthError
from assistant.evals.history import (
    RegressionRow,
    RunSummary,
    latest_regressions,
    load_history,
)
from assistant.intake.messages import Channel
from assistant.knowledge.ask import Asked
from assistant.knowledge.index import SyncReport
from assistant.knowledge.policy import load_policy
from assistant.knowledge.proposals import FaqProposal, ProposalStatus
from assistant.knowledge.questions import QuestionOutcomes, question_outcomes
from assistant.knowledge.status import KnowledgeStatus
from assistant.review import audit, metrics
from assistant.review.bulk import BulkOutcome
from assistant.review.decisions import Approve, Decision, Reject
from assistant.review.drafts import drop_draft
from assistant.review.follow_ups import (
    open_follow_up,
)
from assistant.review.item_detail import ItemDetail, item_detail
from assistant.review.metrics import day_bounds
from assistant.review.models import AuditAction, AuditEvent, ItemStatus, OutboxMessage, ReviewItem
from assistant.review.routing_cost import RoutingCost, recent_messages
from assistant.review.routing_cost import routing_cost as cost_of_routing
from assistant.review.worklist import Filters, Worklist, worklist
from assistant.safety.whatif import (
    REPLAY_LIMIT,
    PolicyChange,
    WhatIf,
    replayable,
    thresholds_of,
)
from assistant.safety.whatif import what_if as replay
from assistant.services.claims import ClaimService
from assistant.services.knowledge import inspect_knowledge
from assistant.services.proposals import accept_proposal, proposals, reject_proposal
from assistant.services.users import UserAdmin
from assistant.settings import Settings
from assistant.settings import load_settings as read_settings
from assistant.users import Permission, Role, User, UserStore, require
from assistant.users.actor import Actor
from assistant.users.sessions import SESSION_TTL, open_session, revoke_session, session_user

T = TypeVar("T")
WHAT_IF_DAYS = 30


def load_settings() -> Settings:
    """Settings from the environment, read once per distinct environment: parsing them
    cost more than the queue query. (A changed ``.env`` needs a console restart.)"""
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("ASSISTANT_")))
    return _settings(env, os.getcwd())


@lru_cache(maxsize=8)
def _settings(env: tuple[tuple[str, str], ...], cwd: str) -> Settings:
    return read_settings()


def console_deps() -> Deps:
    """The engine, index, knowledge and detectors, built once and kept across clicks;
    built again only when a knowledge file changes (the drafts must use the new text)."""
    settings = load_settings()
    return _deps(settings, _knowledge_stamp(settings.knowledge_dir))


def _knowledge_stamp(folder: Path) -> tuple[int, int]:
    """(files, newest modification) under the knowledge folder: a few dozen stat calls."""
    stamps = [p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()]
    return len(stamps), max(stamps, default=0)


@lru_cache(maxsize=2)
def _deps(settings: Settings, knowledge_stamp: tuple[int, int]) -> Deps:
    return build_deps(settings)


def _call(work: Callable[[Assistant], Awaitable[T]]) -> T:
    async def main() -> T:
        async with open_assistant(load_settings(), deps=console_deps()) as assistant:
            return await work(assistant)

    return asyncio.run(main())


def _actor(name: str) -> Actor:
    """The signed-in user, as stored now, acting with their current role."""
    user = current_user(name)
    return Actor(user.name, Role(user.role))


def current_user(name: str, permission: Permission | None = None) -> User:
    """The signed-in user as stored now; disabled accounts are signed out."""
    with open_records(load_settings()) as records:
        user = UserStore(records.queue.engine).find(name)
    if user is None:
        raise AuthError("Your account no longer exists; sign in again.")
    if not user.active:
        raise AuthError("Your account was disabled by an admin; you have been signed out.")
    if permission is not None:
        require(user.role, permission)
    return user


# -- signing in ----------------------------------------------------------------------------


SESSION_SECONDS = int(SESSION_TTL.total_seconds())


def sign_in(name: str, password: str) -> tuple[str, str]:
    """(user name, session token), or AuthError with one message for every failure."""
    with open_records(load_settings()) as records:
        engine = records.queue.engine
        user = UserStore(engine).authenticate(name, password)
        return user.name, open_session(engine, user.name, datetime.now(UTC))


def resume_session(token: str) -> str | None:
    """The user a stored token still signs in (None: expired, revoked, disabled, forged)."""
    with open_records(load_settings()) as records:
        return session_user(records.queue.engine, token, datetime.now(UTC))


def sign_out(name: str, token: str | None = None) -> list[int]:
    """End the session and release the items the user held so nobody waits on someone
    who left."""
    with open_records(load_settings()) as records:
        if token:
            revoke_session(records.queue.engine, token, datetime.now(UTC))
        released = records.queue.release_all(name)
        records.queue.audit(None, name, AuditAction.sign_out)
    return released


def role_of(name: str) -> str:
    return current_user(name).role


# -- the queue -----------------------------------------------------------------------------


def queue(name: str, filters: Filters) -> Worklist:
    current_user(name)
    with open_records(load_settings()) as records:
        return worklist(records.queue.engine, filters)


@dataclass(frozen=True)
class ItemPage:
    detail: ItemDetail
    disclosure: str
    max_chars: int  # the channel's limit, disclosure included


def item(name: str, item_id: int) -> ItemPage:
    current_user(name)
    settings = load_settings()
    policy = load_policy(settings.knowledge_dir / "policy.yaml", "policy.yaml")
    with open_records(settings) as records:
        detail = item_detail(records.queue, records.orders, item_id)
    channel = Channel(detail.item.channel)
    return ItemPage(
        detail, policy.disclosure, policy.automation.for_channel(channel).max_reply_chars
    )


def claim(name: str, item_id: int, take_over: bool = False) -> ReviewItem:
    actor = _actor(name)
    with open_records(load_settings()) as records:
        return ClaimService(records.queue).claim(actor, item_id, take_over=take_over)


def release(name: str, item_id: int) -> ReviewItem:
    actor = _actor(name)
    with open_records(load_settings()) as records:
        return ClaimService(records.queue).release(actor, item_id)


def decide(name: str, item_id: int, decision: Decision, expected_version: int) -> ReviewItem:
    """Raises ConflictError when the item changed since ``expected_version`` was shown.
    A decided item's unsent edit is dropped: what was sent is in the audit."""
    actor = _actor(name)

    async def work(a: Assistant) -> ReviewItem:
        return await a.review.decide(actor, item_id, decision, expected_version)

    decided = _call(work)
    with open_records(load_settings()) as records:
        drop_draft(records.queue.engine, item_id)
    _track_promise(decided, actor.name)
    return decided


def _track_promise(item: ReviewItem, by: str) -> None:
    """A sent reply promising that a person will answer opens a follow-up."""
    if item.id is None or item.status not in (ItemStatus.approved, ItemStatus.sent):
        return
    with open_records(load_settings()) as records:
        text = item.final_text or item.draft or ""
        now = datetime.now(UTC)
        open_follow_up(records.queue.engine, item.id, item.customer_key, text, by, now)


def decide_many(name: str, versions: dict[int, int], decision: Approve | Reject) -> BulkOutcome:
    actor = _actor(name)

    async def work(a: Assistant) -> BulkOutcome:
        return await a.review.decide_many(actor, versions, decision)

    outcome = _call(work)
    with open_records(load_settings()) as records:
        decided = [records.queue.get(i) for i in outcome.decided]
    for item in decided:
        _track_promise(item, actor.name)
    return outcome


def retry(name: str, item_id: int, expected_version: int) -> ProcessResult:
    actor = _actor(name)

    async def work(a: Assistant) -> ProcessResult:
        return await a.review.retry(actor, item_id, expected_version=expected_version)

    return _call(work)


def hidden(name: str) -> tuple[list[ReviewItem], tuple[int, int]]:
    """Messages hidden as spam now, and (ever hidden, restored by a person)."""
    current_user(name)
    with open_records(load_settings()) as records:
        queue = records.queue
        return queue.items([ItemStatus.hidden], limit=1_000), queue.moderation_counts()


def restore(name: str, item_id: int) -> ProcessResult:
    actor = _actor(name)

    async def work(a: Assistant) -> ProcessResult:
        return await a.review.restore(actor, item_id)

    return _call(work)


def outbox(name: str, limit: int = 500) -> list[OutboxMessage]:
    """Sent replies and confirmations, newest first."""
    current_user(name)
    with open_records(load_settings()) as records:
        return records.queue.outbox()[::-1][:limit]


def webhook_payloads(name: str) -> tuple[list[WebhookPayload], list[WebhookPayload]]:
    """(the quarantine, the 50 most recent payloads), newest first."""
    current_user(name, Permission.view_audit)
    with open_records(load_settings()) as records:
        engine = records.queue.engine
        quarantined = stored_payloads(engine, [PayloadState.quarantined])
        return quarantined, stored_payloads(engine, limit=50)


def channels_to_reconnect(name: str) -> list[str]:
    """Pages, accounts and numbers whose token Meta refused (shown on every page)."""
    current_user(name)
    with open_records(load_settings()) as records:
        return [
            f"{c.channel.value} {c.account_id}: {c.reason or 'reconnect it'}"
            for c in needing_reconnect(records.queue.engine)
        ]


# -- leads ---------------------------------------------------------------------------------


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
    return inspect_knowledge(load_settings(), _actor(name))


def resync(name: str, progress: Callable[[int, int], None]) -> SyncReport:
    actor = _actor(name)

    async def work(a: Assistant) -> SyncReport:
        return a.library.ingest(actor, progress)

    return _call(work)


def learning(name: str) -> tuple[QuestionOutcomes, list[FaqProposal]]:
    """Which stored questions reached each answer or none, and the open proposals."""
    actor = _actor(name)
    settings = load_settings()
    found = proposals(settings, actor, (ProposalStatus.open,))
    with open_records(settings) as records:
        outcomes = question_outcomes(records.queue.items(limit=2_000))
    return outcomes, found


def decide_proposal(name: str, proposal_id: int, accepted: bool) -> FaqProposal:
    """Accept (file edit behind the eval gate, then re-sync) or reject one proposal."""
    actor = _actor(name)
    settings = load_settings()
    if accepted:
        return asyncio.run(accept_proposal(settings, actor, proposal_id))
    return reject_proposal(settings, actor, proposal_id)


def ask(name: str, question: str, channel: str | None) -> Asked:
    """What retrieval returns for a question, and whether its best hit answers it."""
    actor = _actor(name)

    async def work(a: Assistant) -> Asked:
        return a.library.retrieve(actor, question, channel)

    return _call(work)


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


# -- admins --------------------------------------------------------------------------------


def users(name: str) -> list[User]:
    actor = _actor(name)
    with open_records(load_settings()) as records:
        return UserAdmin(UserStore(records.queue.engine)).list(actor)


def add_user(name: str, new: str, role: str, password: str) -> User:
    actor = _actor(name)
    with open_records(load_settings()) as records:
        return UserAdmin(UserStore(records.queue.engine)).add(actor, new, role, password)


def set_active(name: str, who: str, active: bool) -> User:
    actor = _actor(name)
    with open_records(load_settings()) as records:
        return UserAdmin(UserStore(records.queue.engine)).set_active(actor, who, active)


def set_role(name: str, who: str, role: str) -> User:
    actor = _actor(name)
    with open_records(load_settings()) as records:
        return UserAdmin(UserStore(records.queue.engine)).set_role(actor, who, role)


def audit_choices(name: str) -> tuple[list[str], list[str]]:
    """(actors, actions) seen in the audit log, for the filters."""
    current_user(name, Permission.view_audit)
    with open_records(load_settings()) as records:
        engine = records.queue.engine
        return audit.audit_actors(engine), audit.audit_actions(engine)
