"""Hiding a spam comment on the platform (and showing it again when a person restores it):
Instagram ``POST /{comment-id}`` with ``hide``, Facebook with ``is_hidden``. A hidden comment
stays visible to its author, and restoring is one call, so this is safe to automate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assistant.channels.adapter import SendOutcome, SendResult
from assistant.channels.meta.config import AccountKind, ChannelsConfig
from assistant.channels.meta.graph import GraphClient
from assistant.channels.meta.windows import is_comment
from assistant.intake.messages import Channel


@dataclass
class CommentModeration:
    graph: GraphClient
    config: ChannelsConfig

    async def set_hidden(
        self, channel: Channel, metadata: Mapping[str, Any], hidden: bool
    ) -> SendResult:
        """``metadata`` is the item's message metadata (the comment's ids come from there)."""
        if channel not in (Channel.facebook, Channel.instagram) or not is_comment(metadata):
            return SendResult(SendOutcome.permanent, reason="only comments can be hidden")
        account = str(metadata.get("account_id") or "")
        kind = AccountKind.instagram if channel is Channel.instagram else AccountKind.page
        token = self.config.token(kind, account)
        if token is None:
            return SendResult(
                SendOutcome.permanent,
                reason=(
                    f"no token for {kind.value} {account or '(unknown)'}: the comment stays "
                    "visible on the platform"
                ),
            )
        field = "hide" if channel is Channel.instagram else "is_hidden"
        comment_id = str(metadata.get("comment_id") or "")
        answer = await self.graph.post(
            f"/{comment_id}", {field: hidden}, token=token, account=account, channel=channel
        )
        return answer.result
