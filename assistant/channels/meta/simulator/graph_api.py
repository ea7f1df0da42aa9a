"""The fake Graph API (FastAPI). It enforces what Meta enforces for our sends: a valid token
per account (else 190), the 24 h windows (WhatsApp 131047; Messenger code 10 outside
RESPONSE / HUMAN_AGENT limits), one private reply per comment within 7 days, WhatsApp's pair
rate limit (131056 within 6 s), plus injected rate limits and latency."""

from __future__ import annotations

import asyncio
import itertools
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from assistant.channels.meta.simulator.payloads import (
    echo,
    messaging_entry,
    page_batch,
    wa_status,
    whatsapp,
)

DAY = timedelta(days=1)
BSUID = re.compile(r"[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}")
GROUP = re.compile(r"\d{1,40}@g\.us")


@dataclass
class Sent:
    path: str
    body: dict[str, Any]
    account: str
    at: datetime
    platform_id: str


@dataclass
class GraphSimulator:
    tokens: dict[str, str]  # account id → the token it accepts
    instagram: set[str] = field(default_factory=set)  # which accounts are Instagram ones
    latency_s: float = 0.0
    rate_limit_ratio: float = 0.0  # share of sends answered with a rate-limit error
    retry_after_s: float | None = None  # a Retry-After header on those answers (benchmarks)
    seed: int = 7
    offset: timedelta = timedelta(0)  # tests move time forward
    sends: list[Sent] = field(default_factory=list)
    refused: list[tuple[str, int]] = field(default_factory=list)  # (path, Meta error code)
    inbound: dict[tuple[str, str], datetime] = field(default_factory=dict)
    private_replied: set[str] = field(default_factory=set)
    hidden: dict[str, bool] = field(default_factory=dict)  # comment id → hidden now
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _last_wa: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def customer_wrote(self, account: str, customer: str, at: datetime | None = None) -> None:
        """The customer's last message: the simulator's side of the reply window."""
        self.inbound[(account, customer)] = at or self.now()

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{node}")
        async def moderate(node: str, request: Request) -> JSONResponse:
            body = await request.json()
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            account = self._comment_account(token)
            if not account:
                return self._error(f"/{node}", 401, 190, "OAuthException", "Invalid token", 463)
            self.hidden[node] = bool(body.get("hide", body.get("is_hidden")))
            return JSONResponse({"success": True})

        @app.post("/{node}/{edge}")
        async def post(node: str, edge: str, request: Request) -> JSONResponse:
            if self.latency_s:
                await asyncio.sleep(self.latency_s)
            body = await request.json()
            token = request.headers.get("authorization", "").removeprefix("Bearer ")
            return self.handle(f"/{node}/{edge}", node, edge, body, token)

        return app

    def handle(
        self, path: str, node: str, edge: str, body: dict[str, Any], token: str
    ) -> JSONResponse:
        whatsapp = body.get("messaging_product") == "whatsapp"
        account = node if edge == "messages" else self._comment_account(token)
        if self.tokens.get(account) != token:
            return self._error(
                path,
                401,
                190,
                "OAuthException",
                "Error validating access token: Session has expired",
                463,
            )
        if self.rate_limit_ratio and self.random.random() < self.rate_limit_ratio:
            if whatsapp:
                limited = self._error(path, 429, 130429, "OAuthException", "Rate limit hit")
            else:
                limited = self._error(path, 400, 32, "OAuthException", "Page request limit reached")
            if self.retry_after_s is not None:
                limited.headers["Retry-After"] = f"{self.retry_after_s:g}"
            return limited
        if whatsapp:
            return self._whatsapp(path, account, body)
        if edge == "messages":
            return self._messenger(path, account, body)
        return self._accept(path, account, body, {"id": f"{node}_{next(self._ids)}"})

    def _whatsapp(self, path: str, account: str, body: dict[str, Any]) -> JSONResponse:
        to = str(body.get("to") or "")
        bsuid = str(body.get("recipient") or "")  # a business-scoped user id, not a number
        if body.get("recipient_type") == "group":  # ``to`` is the group: "<digits>@g.us"
            if not GROUP.fullmatch(to):
                return self._error(path, 400, 100, "OAuthException", "Invalid parameter: to")
            customer = to
        elif (to and not to.startswith("+")) or (not to and not BSUID.fullmatch(bsuid)):
            return self._error(path, 400, 100, "OAuthException", "Invalid parameter: to")
        else:
            customer = to[1:] if to else bsuid
        now = self.now()
        last = self.inbound.get((account, customer))
        if body.get("type") != "template" and (last is None or now - last > DAY):
            return self._error(path, 400, 131047, "OAuthException", "Re-engagement message")
        previous = self._last_wa.get((account, customer))
        if previous is not None and now - previous < timedelta(seconds=6):
            return self._error(
                path,
                400,
                131056,
                "OAuthException",
                "(Business Account, Consumer Account) pair rate limit hit",
            )
        self._last_wa[(account, customer)] = now
        wamid = f"wamid.SIM{next(self._ids):08d}"
        answer = {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to or bsuid, "wa_id": customer}],
            "messages": [{"id": wamid}],
        }
        return self._accept(path, account, body, answer, wamid)

    def _messenger(self, path: str, account: str, body: dict[str, Any]) -> JSONResponse:
        recipient = body.get("recipient") or {}
        if comment := recipient.get("comment_id"):
            if comment in self.private_replied:
                return self._error(
                    path,
                    400,
                    10,
                    "OAuthException",
                    "Only one private reply per comment is allowed",
                    2534014,
                )
            self.private_replied.add(comment)
            return self._accept(
                path, account, body, {"recipient_id": f"c-{comment}", "message_id": self._mid()}
            )
        customer = str(recipient.get("id") or "")
        last = self.inbound.get((account, customer))
        age = self.now() - last if last else timedelta.max
        tagged = body.get("messaging_type") == "MESSAGE_TAG" and body.get("tag") == "HUMAN_AGENT"
        if age > (7 * DAY if tagged else DAY):
            return self._error(
                path,
                400,
                10,
                "OAuthException",
                "This message is sent outside of allowed window.",
                2018278,
            )
        return self._accept(
            path, account, body, {"recipient_id": customer, "message_id": self._mid()}
        )

    def receipts(
        self, state: str = "delivered", errors: list[dict[str, Any]] | None = None
    ) -> list[dict[str, Any]]:
        """The webhooks Meta sends back for what we sent: WhatsApp statuses carrying our
        ``biz_opaque_callback_data``, Messenger/Instagram echoes carrying ``metadata``."""
        payloads = []
        for sent in self.sends:
            ts = int(sent.at.timestamp())
            if sent.body.get("messaging_product") == "whatsapp":
                status = wa_status(
                    sent.platform_id,
                    state,
                    ts=ts,
                    errors=errors,
                    marker=sent.body.get("biz_opaque_callback_data"),
                )
                to = sent.body.get("to") or sent.body["recipient"]
                status["recipient_id"] = str(to).lstrip("+")
                payloads.append(whatsapp(statuses=[status]))
            elif "recipient" in sent.body and "id" in sent.body["recipient"]:
                marker = (sent.body.get("message") or {}).get("metadata")
                body = echo(
                    sent.account,
                    sent.body["recipient"]["id"],
                    sent.platform_id,
                    sent.body["message"]["text"],
                    metadata=marker,
                    ts=ts * 1000,
                )
                kind = "instagram" if sent.account in self.instagram else "page"
                payloads.append(page_batch(messaging_entry(sent.account, body), object=kind))
        return payloads

    def _mid(self) -> str:
        return f"m_SIM{next(self._ids):08d}"

    def _comment_account(self, token: str) -> str:
        return next((a for a, t in self.tokens.items() if t == token), "")

    def _accept(
        self,
        path: str,
        account: str,
        body: dict[str, Any],
        answer: dict[str, Any],
        platform_id: str | None = None,
    ) -> JSONResponse:
        pid = platform_id or str(answer.get("message_id") or answer.get("id"))
        self.sends.append(Sent(path, body, account, self.now(), pid))
        return JSONResponse(answer)

    def _error(
        self, path: str, status: int, code: int, kind: str, message: str, subcode: int | None = None
    ) -> JSONResponse:
        """Meta's error body, as the Graph API returns it."""
        self.refused.append((path, code))
        error: dict[str, Any] = {
            "message": message,
            "type": kind,
            "code": code,
            "fbtrace_id": f"AbC{next(self._ids)}",
        }
        if subcode is not None:
            error["error_subcode"] = subcode
        return JSONResponse({"error": error}, status_code=status)
