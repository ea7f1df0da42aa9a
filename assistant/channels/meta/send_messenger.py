"""Messenger and Instagram: DMs through the Send API, comments answered publicly
(Instagram ``/{comment-id}/replies``, Facebook ``/{comment-id}/comments``), privately
(``recipient.comment_id``: one DM, within 7 days) or both, as policy.yaml says per topic."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assistant.channels.adapter import OutboundReply, SendOutcome, SendResult
from assistant.channels.meta.config import AccountKind, ChannelsConfig
from assistant.channels.meta.graph import GraphClient
from assistant.channels.meta.last_message import last_message
from assistant.channels.meta.markers import marker_for
from assistant.channels.meta.pacing import Pacer
from assistant.channels.meta.windows import ReplyOption, is_comment, reply_window
from assistant.intake.messages import Channel
from assistant.knowledge.policy import CommentReplies, CommentReply


@dataclass
class MessengerAdapter:
    graph: GraphClient
    config: ChannelsConfig
    comment_replies: CommentReplies
    pacer: Pacer
    clock: Callable[[], datetime]

    async def send(self, reply: OutboundReply) -> SendResult:
        account = str(reply.metadata.get("account_id") or "")
        kind = AccountKind.instagram if reply.channel is Channel.instagram else AccountKind.page
        token = self.config.token(kind, account) if account else None
        if token is None:
            return SendResult(
                SendOutcome.permanent,
                reason=(
                    f"no token for {kind.value} {account or '(unknown)'}: add it to channels.yaml "
                    "and set its variable"
                ),
            )
        if (wait := self.pacer.wait_for(account, None)) > 0:
            return SendResult(
                SendOutcome.retry, retry_after=wait, reason="pacing sends to this page"
            )
        last = await last_message(self.graph.engine, reply.metadata)  # a newer DM reopens it
        window = reply_window(reply.channel, reply.metadata, self.clock(), last_message_at=last)
        if is_comment(reply.metadata):
            return await self._comment(reply, account, token, window.options)
        return await self._dm(reply, account, token, window.options, window.explanation)

    async def _dm(
        self,
        reply: OutboundReply,
        account: str,
        token: str,
        options: tuple[ReplyOption, ...],
        explanation: str,
    ) -> SendResult:
        message: dict[str, Any] = {"text": reply.text, "metadata": marker_for(reply)}
        payload: dict[str, Any] = {"recipient": {"id": reply.recipient_id}, "message": message}
        if ReplyOption.message in options:
            payload["messaging_type"] = "RESPONSE"
        elif ReplyOption.human_agent in options and reply.human_approved:
            payload.update(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
        elif ReplyOption.human_agent in options:
            return SendResult(
                SendOutcome.permanent,
                reason=(
                    "past 24 h only a reply a person approved may be sent (human-agent tag): "
                    "approve it in the queue"
                ),
            )
        else:
            return SendResult(SendOutcome.permanent, reason=explanation)
        answer = await self.graph.post(
            f"/{account}/messages", payload, token=token, account=account, channel=reply.channel
        )
        return answer.result

    async def _comment(
        self, reply: OutboundReply, account: str, token: str, options: tuple[ReplyOption, ...]
    ) -> SendResult:
        comment_id = str(reply.metadata.get("comment_id") or reply.in_reply_to)
        mode = self.comment_replies.for_topics(reply.topics)
        if mode is CommentReply.private and ReplyOption.private_reply not in options:
            return SendResult(
                SendOutcome.permanent,
                reason=(
                    "a private reply is only allowed within 7 days of the comment; answer "
                    "publicly or leave it"
                ),
            )
        private: SendResult | None = None
        if mode in (CommentReply.private, CommentReply.both) and (
            ReplyOption.private_reply in options
        ):
            payload = {
                "recipient": {"comment_id": comment_id},
                "message": {"text": reply.text, "metadata": marker_for(reply)},
            }
            private = (
                await self.graph.post(
                    f"/{account}/messages",
                    payload,
                    token=token,
                    account=account,
                    channel=reply.channel,
                )
            ).result
            if mode is CommentReply.private or private.outcome is not SendOutcome.delivered:
                return private  # 'both': no public reply until the private one went out
        edge = "replies" if reply.channel is Channel.instagram else "comments"
        public = (
            await self.graph.post(
                f"/{comment_id}/{edge}",
                {"message": reply.text},
                token=token,
                account=account,
                channel=reply.channel,
            )
        ).result
        if private is not None and public.outcome is not SendOutcome.delivered:
            # The private reply is out and can never be sent twice: report it delivered and
            # say what is missing, so nothing is retried into a second DM.
            return SendResult(
                SendOutcome.delivered,
                platform_id=private.platform_id,
                reason=f"sent privately; the public reply failed: {public.reason}",
            )
        return public
