"""WhatsApp Cloud API: text inside the 24 h customer-service window, the account's approved
template outside it; always ``+`` and the country code; at most one message every 6 s to the
same person, and 131056's own 4^X back-off."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assistant.channels.adapter import OutboundReply, SendOutcome, SendResult
from assistant.channels.meta.config import AccountKind, ChannelsConfig
from assistant.channels.meta.graph import GraphClient
from assistant.channels.meta.graph_errors import PAIR_RATE_LIMIT
from assistant.channels.meta.last_message import last_message
from assistant.channels.meta.markers import marker_for
from assistant.channels.meta.pacing import Pacer
from assistant.channels.meta.windows import ReplyOption, reply_window


def international(number: str) -> str:
    """``+`` and the digits: without the ``+`` Meta prepends the business number's country."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"+{digits}"


def addressed_to(customer: str, group: str | None = None) -> dict[str, str]:
    """A message written in a group is answered in the group (``to`` the group id). Else a
    phone number goes in ``to``; a business-scoped user id (``US.1349…``: a customer who
    hides their number behind a username) goes in ``recipient``. In ``to`` Meta would accept
    it and drop the message silently."""
    if group:
        return {"recipient_type": "group", "to": group}
    if customer.lstrip("+").isdigit():
        return {"recipient_type": "individual", "to": international(customer)}
    return {"recipient_type": "individual", "recipient": customer}


@dataclass
class WhatsAppAdapter:
    graph: GraphClient
    config: ChannelsConfig
    pacer: Pacer
    clock: Callable[[], datetime]

    async def send(self, reply: OutboundReply) -> SendResult:
        phone_id = str(reply.metadata.get("account_id") or "")
        account = self.config.account(AccountKind.whatsapp, phone_id)
        token = self.config.token(AccountKind.whatsapp, phone_id)
        if account is None or token is None:
            return SendResult(
                SendOutcome.permanent,
                reason=(
                    f"no token for WhatsApp number {phone_id or '(unknown)'}: add it to "
                    "channels.yaml and set its variable"
                ),
            )
        window = reply_window(
            reply.channel,
            reply.metadata,
            self.clock(),
            last_message_at=await last_message(self.graph.engine, reply.metadata),
            has_template=account.template is not None,
        )
        group = reply.metadata.get("group_id")
        payload: dict[str, Any] = {
            "messaging_product": "whatsapp",
            **addressed_to(reply.recipient_id, str(group) if group else None),
            "biz_opaque_callback_data": marker_for(reply),
        }
        if ReplyOption.message in window.options:
            payload.update(
                type="text",
                text={"body": reply.text, "preview_url": False},
                context={"message_id": reply.in_reply_to},
            )
        elif ReplyOption.template in window.options and account.template is not None:
            payload.update(
                type="template",
                template={
                    "name": account.template.name,
                    "language": {"code": account.template.language, "policy": "deterministic"},
                },
            )
        else:
            return SendResult(SendOutcome.permanent, reason=window.explanation)
        to = str(group or reply.recipient_id)  # who is paced: the person, or the group
        if (wait := self.pacer.wait_for(phone_id, to)) > 0:
            return SendResult(
                SendOutcome.retry,
                retry_after=wait,
                reason="WhatsApp allows about one message every 6 s per person",
            )
        answer = await self.graph.post(
            f"/{phone_id}/messages", payload, token=token, account=phone_id, channel=reply.channel
        )
        if answer.error_code == PAIR_RATE_LIMIT:
            wait = self.pacer.pair_limited(phone_id, to)
            return SendResult(SendOutcome.retry, retry_after=wait, reason=answer.result.reason)
        if answer.result.outcome is SendOutcome.delivered:
            self.pacer.sent(phone_id, to)
        return answer.result
