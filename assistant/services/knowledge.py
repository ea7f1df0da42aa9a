"""The knowledge a draft is grounded in: re-sync the index from the folder, and see what
retrieval returns for a question. Both are a lead's tools (``Permission.manage_knowledge``)."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.db import records_engine
from assistant.deps import open_index
from assistant.knowledge.ask import Asked, ask
from assistant.knowledge.index import KnowledgeIndex, Progress, SyncReport
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.order_store import SqlOrderStore
from assistant.knowledge.status import KnowledgeStatus, LastSync, knowledge_status
from assistant.review.models import AuditAction
from assistant.review.queue import Queue
from assistant.settings import Settings
from assistant.users.actor import Actor
from assistant.users.roles import Permission


@dataclass
class KnowledgeService:
    knowledge: Knowledge
    index: KnowledgeIndex
    orders: SqlOrderStore
    queue: Queue

    def ingest(self, actor: Actor, progress: Progress | None = None) -> SyncReport:
        actor.require(Permission.manage_knowledge)
        report = self.index.sync(self.knowledge.chunks, progress)
        self.orders.replace_all(self.knowledge.orders, self.knowledge.customers)
        summary = (
            f"added {len(report.added)}, updated {len(report.updated)}, removed "
            f"{len(report.removed)}, unchanged {report.unchanged}"
        )
        self.queue.audit(None, actor.name, AuditAction.knowledge_sync, reason=summary)
        return report

    def retrieve(self, actor: Actor, question: str, channel: str | None = None) -> Asked:
        """What retrieval returns for ``question``: the chunks a draft would be grounded in,
        and whether the best one would be used as the answer."""
        actor.require(Permission.manage_knowledge)
        return ask(self.index, question, self.knowledge.policy.retrieval.top_k, channel)


def inspect_knowledge(settings: Settings, actor: Actor) -> KnowledgeStatus:
    """Each knowledge file's sync state and problems, and the last sync; works while files
    are broken (so it needs no loaded knowledge, only the index and the audit log)."""
    actor.require(Permission.manage_knowledge)
    index = open_index(settings)
    event = Queue(records_engine(settings)).last_event(AuditAction.knowledge_sync)
    last = LastSync(at=event.at, by=event.actor, summary=event.reason or "") if event else None
    return knowledge_status(settings.knowledge_dir, index, last)
