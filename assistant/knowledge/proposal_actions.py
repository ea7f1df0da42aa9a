"""A lead's decisions on proposals, with their side effects in one place for the CLI and
the console: the FAQ file edit, the eval gate, the re-sync and the audit event."""

from __future__ import annotations

from assistant.app import open_assistant, open_records
from assistant.evals.gate import eval_gate
from assistant.knowledge.learning import accept, reject
from assistant.knowledge.proposals import FaqProposal, ProposalKind, ProposalStatus, ProposalStore
from assistant.settings import Settings

AUDIT_ACTION = "faq-proposal"


def proposals(settings: Settings, statuses: tuple[ProposalStatus, ...] = ()) -> list[FaqProposal]:
    with open_records(settings) as records:
        return ProposalStore(records.queue.engine).list(statuses)


async def accept_proposal(settings: Settings, proposal_id: int, actor: str) -> FaqProposal:
    """Accept: the phrasing is written to its FAQ file and kept only if the eval gate
    passes; then the index is re-synced so retrieval uses it."""
    with open_records(settings) as records:
        store = ProposalStore(records.queue.engine)
        done = await accept(
            store, settings.knowledge_dir, proposal_id, actor, lambda: eval_gate(settings)
        )
        records.queue.audit(
            None,
            actor,
            AUDIT_ACTION,
            after=done.text,
            reason=f"#{done.id} {done.status}: {done.note}",
        )
    if done.status is ProposalStatus.accepted and done.kind is ProposalKind.phrasing:
        async with open_assistant(settings) as assistant:
            assistant.ingest(actor=actor)
    return done


def reject_proposal(settings: Settings, proposal_id: int, actor: str) -> FaqProposal:
    with open_records(settings) as records:
        done = reject(ProposalStore(records.queue.engine), proposal_id, actor)
        records.queue.audit(
            None, actor, AUDIT_ACTION, after=done.text, reason=f"#{done.id} rejected"
        )
    return done
