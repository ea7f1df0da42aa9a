"""Every table, imported in one place so the metadata is complete (migrations, checks)."""

from assistant.channels.meta.records import ChannelConnection, MetaEventRecord, WebhookPayload
from assistant.evals.history import EvalRegression, EvalRun
from assistant.evals.learned import LearnedCase
from assistant.governance.models import ConsentRecord, IdentityLink
from assistant.knowledge.order_store import CustomerHandle, CustomerRecord, OrderRecord
from assistant.knowledge.proposals import FaqProposal
from assistant.review.drafts import ItemDraft
from assistant.review.follow_ups import FollowUp
from assistant.review.models import (
    AuditEvent,
    ChannelHealth,
    CustomerState,
    OutboxMessage,
    ReviewItem,
)
from assistant.users.lockouts import InstallSecret, UnknownNameFailure
from assistant.users.models import User
from assistant.users.sessions import ConsoleSession
from assistant.workspace.models import ItemNote, ItemSnooze, ItemViewer, NoteMention

__all__ = [
    "AuditEvent",
    "ChannelConnection",
    "ChannelHealth",
    "ConsentRecord",
    "ConsoleSession",
    "CustomerHandle",
    "CustomerRecord",
    "CustomerState",
    "EvalRegression",
    "EvalRun",
    "FaqProposal",
    "FollowUp",
    "IdentityLink",
    "InstallSecret",
    "ItemDraft",
    "ItemNote",
    "ItemSnooze",
    "ItemViewer",
    "LearnedCase",
    "MetaEventRecord",
    "NoteMention",
    "OrderRecord",
    "OutboxMessage",
    "ReviewItem",
    "UnknownNameFailure",
    "User",
    "WebhookPayload",
]
