"""Every table, imported in one place so the metadata is complete (migrations, checks)."""

from assistant.evals.history import EvalRegression, EvalRun
from assistant.evals.learned import LearnedCase
from assistant.knowledge.order_store import CustomerHandle, CustomerRecord, OrderRecord
from assistant.knowledge.proposals import FaqProposal
from assistant.review.drafts import ItemDraft
from assistant.review.follow_ups import FollowUp
from assistant.review.models import AuditEvent, CustomerState, OutboxMessage, ReviewItem
from assistant.users.lockouts import InstallSecret, UnknownNameFailure
from assistant.users.models import User
from assistant.users.sessions import ConsoleSession

__all__ = [
    "AuditEvent",
    "ConsoleSession",
    "CustomerHandle",
    "CustomerRecord",
    "CustomerState",
    "EvalRegression",
    "EvalRun",
    "FaqProposal",
    "FollowUp",
    "InstallSecret",
    "ItemDraft",
    "LearnedCase",
    "OrderRecord",
    "OutboxMessage",
    "ReviewItem",
    "UnknownNameFailure",
    "User",
]
