"""One POST to the Graph API, answered as a ``SendResult``: the platform's id when accepted,
otherwise retry / permanent / reconnect with the reason in plain words and any wait Meta
asked for. A token Meta refused (190) marks the account for reconnection until it changes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from assistant.channels.adapter import SendOutcome, SendResult
from assistant.channels.meta.graph_errors import PAIR_RATE_LIMIT, ErrorClass, parse_error
from assistant.channels.meta.records import ChannelConnection
from assistant.dbtypes import upsert
from assistant.intake.messages import Channel
from assistant.review.models import utcnow

OUTCOME = {
    ErrorClass.retry: SendOutcome.retry,
    ErrorClass.permanent: SendOutcome.permanent,
    ErrorClass.reconnect: SendOutcome.reconnect,
}
DEFAULT_BACKOFF_S = 30.0


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class GraphAnswer:
    result: SendResult
    body: dict[str, Any]
    error_code: int | None = None


@dataclass
class GraphClient:
    http: httpx.AsyncClient  # base_url = the Graph API (or the simulator)
    engine: Engine
    # account → fingerprint of the token Meta refused. Kept in memory so a send costs no
    # database read; the table is for the console (a restarted process learns it again from
    # Meta's next 190: one refused call).
    _refused: dict[str, str] = field(default_factory=dict)
    _checked: set[str] = field(default_factory=set)  # accounts whose stored flag was read

    async def post(
        self, path: str, payload: dict[str, Any], *, token: str, account: str, channel: Channel
    ) -> GraphAnswer:
        if (held := self.held(account, token)) is not None:
            return GraphAnswer(held, {})
        try:
            response = await self.http.post(
                path, json=payload, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.TimeoutException:
            # It may have gone out: delivery asks was_sent before trying again.
            return GraphAnswer(
                SendResult(SendOutcome.retry, reason="Meta did not answer in time"), {}
            )
        except httpx.TransportError as exc:
            return GraphAnswer(
                SendResult(
                    SendOutcome.retry, reason=f"Meta could not be reached ({type(exc).__name__})"
                ),
                {},
            )
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.is_success:
            self._connected(account, channel)
            return GraphAnswer(SendResult(SendOutcome.delivered, platform_id=_id_of(body)), body)
        error = parse_error(response.status_code, body)
        if error.klass is ErrorClass.reconnect:
            self._needs_reconnect(account, channel, token, error.reason)
        wait = _retry_after(response) if error.klass is ErrorClass.retry else None
        if error.klass is ErrorClass.retry and wait is None and error.code != PAIR_RATE_LIMIT:
            wait = DEFAULT_BACKOFF_S
        result = SendResult(OUTCOME[error.klass], retry_after=wait, reason=error.reason)
        return GraphAnswer(result, body, error.code)

    def held(self, account: str, token: str) -> SendResult | None:
        """A send with the token Meta already refused is held, not tried: nothing is lost,
        and a new token (after reconnecting) is tried at once."""
        if self._refused.get(account) != fingerprint(token):
            return None
        return SendResult(
            SendOutcome.reconnect,
            reason=(
                "Meta refused this channel's token (error 190): reconnect it, then set the new "
                "token in its variable"
            ),
        )

    def _needs_reconnect(self, account: str, channel: Channel, token: str, reason: str) -> None:
        self._refused[account] = fingerprint(token)
        self._set(account, channel, True, reason, fingerprint(token))

    def _connected(self, account: str, channel: Channel) -> None:
        """A send went through: clear the flag this process set, or (once per account) one
        another process left."""
        flagged = self._refused.pop(account, None) is not None
        if not flagged and account not in self._checked:
            with Session(self.engine) as session:
                row = session.get(ChannelConnection, account)
            flagged = row is not None and row.needs_reconnect
        self._checked.add(account)
        if flagged:
            self._set(account, channel, False, None, None)

    def _set(
        self, account: str, channel: Channel, needs: bool, reason: str | None, token_fp: str | None
    ) -> None:
        values = {
            "account_id": account,
            "channel": channel,
            "needs_reconnect": needs,
            "reason": reason,
            "token_fingerprint": token_fp,
            "updated_at": utcnow(),
        }
        with self.engine.begin() as conn:
            upsert(conn, ChannelConnection.__table__, values, ("account_id",))  # type: ignore[attr-defined]


def needing_reconnect(engine: Engine) -> list[ChannelConnection]:
    """For the banner on every console page."""
    with Session(engine) as session:
        query = select(ChannelConnection).where(ChannelConnection.needs_reconnect == True)  # noqa: E712
        return list(session.exec(query).all())


def _id_of(body: dict[str, Any]) -> str | None:
    messages = body.get("messages")
    if isinstance(messages, list) and messages and isinstance(messages[0], dict):
        return str(messages[0].get("id") or "") or None  # WhatsApp: wamid
    value = body.get("message_id") or body.get("id")  # Send API / comment replies
    return str(value) if value else None


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after", "")
    try:
        return max(0.0, float(raw)) if raw else None
    except ValueError:
        return None
