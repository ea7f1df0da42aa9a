"""The learn step: replies people approved or edited and sent become eval cases.

Sampling is deterministic and stratified: edited replies are always kept (the draft was
wrong, which is what an eval must catch); the first few approvals of each topic × channel
are kept so every kind of message is represented; after that a message is kept when the
hash of its id falls under ``policy.eval_sample_rate``. Everything is PII-redacted before
it is stored (see ``redact``), and a message already learned is never added twice. Cases
are stored in the database (``learned.py``); ``assistant eval export`` writes them to
``<evals_dir>/datasets/approved-YYYY-MM.jsonl``, one JSON line each."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from pydantic import ValidationError

from assistant.evals.cases import (
    CaseMessage,
    CaseOrigin,
    Context,
    CustomerSnapshot,
    EvalCase,
    OrderSnapshot,
    Source,
    case_id_for,
)
from assistant.evals.dataset import Stratum
from assistant.evals.learned import save, stored_strata
from assistant.evals.redact import Redactor
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.order_store import SqlOrderStore
from assistant.pipeline.routing import rollout_bucket
from assistant.review.decisions import DECISION, Approve, Edit
from assistant.review.models import ItemStatus, ReviewItem
from assistant.safety.topics import Route, Topic
from assistant.settings import Settings

log = logging.getLogger(__name__)

STRATUM_FLOOR = 3  # approvals always kept per new topic × channel before sampling applies


def datasets_dir(settings: Settings) -> Path:
    return settings.evals_dir / "datasets"


def learn(
    settings: Settings, knowledge: Knowledge, orders: SqlOrderStore, item: ReviewItem
) -> EvalCase | None:
    """Sample a sent, person-approved item into the eval set; returns the case if added.
    Never raises for a bad file or value: the reply is already sent, and a failure to
    grow the eval set must not look like a failed approval."""
    try:
        return _learn(settings, knowledge, orders, item)
    except (OSError, ValidationError, ValueError) as exc:
        log.warning("item #%s was not added to the eval set: %s", item.id, exc)
        return None


def primary_topic(topics: list[str]) -> str:
    """The most urgent topic (the one that ranks the item in the queue)."""
    known = [Topic(t) for t in topics if t in Topic.__members__]
    return min(known, key=lambda t: t.rank).value if known else Topic.general.value


def sampled(case_id: str, rate: float, in_stratum: int) -> bool:
    if in_stratum < STRATUM_FLOOR:
        return True
    return int(hashlib.sha256(case_id.encode()).hexdigest()[:8], 16) / 16**8 < rate


def _learn(
    settings: Settings, knowledge: Knowledge, orders: SqlOrderStore, item: ReviewItem
) -> EvalCase | None:
    if item.status != ItemStatus.sent or not item.decision:
        return None
    decision = DECISION.validate_python(item.decision)
    if not isinstance(decision, Approve | Edit):
        return None
    golden = _body(knowledge, item.final_text or "")
    if not golden:
        return None
    edited = isinstance(decision, Edit) and " ".join(golden.split()) != " ".join(
        _body(knowledge, item.draft or "").split()
    )
    case_id = case_id_for(item.message_id)
    known = stored_strata(settings)
    if case_id in known:
        return None
    stratum = Stratum(primary_topic(item.topics), item.channel)
    in_stratum = sum(1 for s in known.values() if s == stratum)
    if not edited and not sampled(case_id, knowledge.policy.eval_sample_rate, in_stratum):
        return None
    case = build_case(knowledge, orders, item, case_id, golden, edited)
    return case if save(settings, case) else None


def _body(knowledge: Knowledge, text: str) -> str:
    """The reply without the disclosure that code adds when it is sent."""
    text = text.strip()
    disclosure = knowledge.policy.disclosure
    return text[len(disclosure) :].strip() if text.startswith(disclosure) else text


def build_case(
    knowledge: Knowledge,
    orders: SqlOrderStore,
    item: ReviewItem,
    case_id: str,
    golden: str,
    edited: bool,
) -> EvalCase:
    """The item as a redacted case: message, context snapshot, route, golden reply, draft."""
    customer = orders.customer(item.customer_id) if item.customer_id else None
    order = orders.order(item.order_id) if item.order_id and item.order_facts else None
    public = [c.text for c in knowledge.chunks] + [t.body for t in knowledge.templates]
    redactor = Redactor(
        case_id,
        knowledge.policy.order_id_pattern,
        names=[
            item.author_name,
            f"{customer.first_name} {customer.last_name}" if customer else None,
        ],
        keep=[*public, knowledge.tone.text],
    )
    handle = item.author_handle or ""
    if handle and not handle.startswith("@"):
        redactor.code(handle)  # platform ids and phone-number handles
    if order is not None and order.tracking_number:
        redactor.code(order.tracking_number)
    redactor.learn_names([item.text, golden, item.draft])
    payload_order = item.message.get("order_id")
    snapshot = None
    if order is not None:
        data = order.model_dump(exclude={"customer_id"})
        data["order_id"] = redactor.order_id(order.order_id)
        if order.tracking_number:
            data["tracking_number"] = redactor.code(order.tracking_number)
        snapshot = OrderSnapshot.model_validate(data)
    return EvalCase(
        id=case_id,
        origin=CaseOrigin.edited if edited else CaseOrigin.approved,
        topic=primary_topic(item.topics),
        message=CaseMessage(
            channel=item.channel,
            text=redactor.text(item.text),
            author_name=redactor.add_name(item.author_name) if item.author_name else None,
            order_id=redactor.order_id(payload_order) if isinstance(payload_order, str) else None,
            id=stand_in_message_id(case_id, item.message_id),
        ),
        context=Context(
            sources=[
                Source(id=str(s.get("id")), text=str(s.get("text", "")), score=s.get("score"))
                for s in item.sources
            ],
            customer=CustomerSnapshot(
                first_name=redactor.add_name(customer.first_name), vip=customer.vip
            )
            if customer
            else None,
            order=snapshot,
            order_facts=redactor.optional(item.order_facts),
        ),
        expected_route=Route(item.route or Route.human_review.value),
        golden_reply=redactor.text(golden),
        draft=redactor.optional(_body(knowledge, item.draft) if item.draft else None),
        tags=sorted({*item.topics, "learned"}),
        created_at=item.decided_at,
    )


def stand_in_message_id(case_id: str, message_id: str) -> str:
    """A message id that says nothing about the customer (platform ids can encode a phone
    number) but falls in the same rollout bucket, so the case routes as the original did."""
    bucket = rollout_bucket(message_id)
    n = 0
    while rollout_bucket(candidate := f"eval-{case_id}-{n}") != bucket:
        n += 1
    return candidate
