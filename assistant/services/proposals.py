"""A lead's decisions on proposals, with their side effects in one place for the CLI and
the console: the FAQ file edit, the eval gate, the re-sync and the audit event."""

from __future__ import annotations

from assistant.app import open_assistant, open_records
from assistant.evals.gate import eval_gate
from assistant.knowledge.learning import GatedStep, accept, hand_off, reject
from assistant.knowledge.proposals import FaqProposal, ProposalKind, ProposalStatus, ProposalStore
from assistant.review.models import AuditAction
from assistant.review.queue import Queue
from assistant.settings import Settings
from assistant.users.actor import Actor
from assistant.users.roles import Permission


def proposals(
    settings: Settings, actor: Actor, statuses: tuple[ProposalStatus, ...] = ()
) -> list[FaqProposal]:
    actor.require(Permission.manage_knowledge)
    with open_records(settings) as records:
        return ProposalStore(records.queue.engine).list(statuses)


async def accept_proposal(settings: Settings, actor: Actor, proposal_id: int) -> FaqProposal:
    """Accept: the phrasing is written to its FAQ file and kept only if the eval gate
    passes; then the index is re-synced so retrieval uses it."""
    return await _decide_gated(settings, actor, proposal_id, accept, "")


async def hand_off_proposal(settings: Settings, actor: Actor, proposal_id: int) -> FaqProposal:
    """A person answers a gap's questions: they join the hand-off entry behind the eval
    gate, and the index is re-synced so questions like them go to a person."""
    return await _decide_gated(settings, actor, proposal_id, hand_off, "handed off, ")


async def _decide_gated(
    settings: Settings, actor: Actor, proposal_id: int, step: GatedStep, what: str
) -> FaqProposal:
    actor.require(Permission.manage_knowledge)
    with open_records(settings) as records:
        store = ProposalStore(records.queue.engine)
        done = await step(
            store, settings.knowledge_dir, proposal_id, actor.name, lambda: eval_gate(settings)
        )
        _audit(records.queue, actor, done, f"#{done.id} {what}{done.status}: {done.note}")
    wrote = done.kind is ProposalKind.phrasing or step is hand_off  # accepting a gap writes none
    if done.status is ProposalStatus.accepted and wrote:
        async with open_assistant(settings) as assistant:
            assistant.library.ingest(actor)
    return done


def reject_proposal(settings: Settings, actor: Actor, proposal_id: int) -> FaqProposal:
    actor.require(Permission.manage_knowledge)
    with open_records(settings) as records:
        done = reject(ProposalStore(records.queue.engine), proposal_id, actor.name)
        _audit(records.queue, actor, done, f"#{done.id} rejected")
    return done


def _audit(queue: Queue, actor: Actor, done: FaqProposal, reason: str) -> None:
    queue.audit(None, actor.name, AuditAction.faq_proposal, after=done.text, reason=reason)
