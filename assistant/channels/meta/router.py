"""``/webhooks/meta`` (Messenger, Instagram, Page feed) and ``/webhooks/whatsapp``: the GET
handshake, and POSTs verified on their raw bytes, kept, then applied. Meta retries anything
but a 200 for up to 36 hours (WhatsApp: 7 days), so a signed body we cannot read is
quarantined and answered 200; a forged or unsigned one gets 401 and nothing is stored."""

from __future__ import annotations

import asyncio
import hmac
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy.engine import Engine

from assistant.channels.meta.config import ChannelsConfig
from assistant.channels.meta.folding import StoredNotAppliedError, StoringSink
from assistant.channels.meta.intake import IntakeResult, MessageSink, WebhookIntake
from assistant.channels.meta.records import WebhookEndpoint
from assistant.channels.meta.signature import HEADER, signature_matches

log = logging.getLogger("reply_assistant.webhooks")
MAX_BODY_BYTES = 3 * 1024 * 1024  # Meta's documented maximum payload


def meta_webhook_router(
    config: ChannelsConfig, engine: Engine, sink: MessageSink, storing: StoringSink | None = None
) -> APIRouter:
    """Messenger, Instagram (DMs and comments) and Facebook Page feed webhooks."""
    intake = WebhookIntake(engine, config, sink, storing)
    return _router("/webhooks/meta", WebhookEndpoint.meta, intake)


def whatsapp_webhook_router(
    config: ChannelsConfig, engine: Engine, sink: MessageSink, storing: StoringSink | None = None
) -> APIRouter:
    """WhatsApp Cloud API webhooks (messages and delivery statuses)."""
    intake = WebhookIntake(engine, config, sink, storing)
    return _router("/webhooks/whatsapp", WebhookEndpoint.whatsapp, intake)


def _refuse(status: int, reason: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status)


def _router(path: str, endpoint: WebhookEndpoint, intake: WebhookIntake) -> APIRouter:
    router = APIRouter()
    config = intake.config

    @router.get(path, response_model=None)
    async def handshake(request: Request) -> Response:
        expected = config.verify_token
        if not expected:
            return _refuse(403, "no verify token configured: set ASSISTANT_META_VERIFY_TOKEN")
        params = request.query_params
        given = params.get("hub.verify_token", "")
        if params.get("hub.mode") != "subscribe" or not hmac.compare_digest(
            given.encode(), expected.encode()
        ):
            return _refuse(403, "the verify token does not match ASSISTANT_META_VERIFY_TOKEN")
        return PlainTextResponse(params.get("hub.challenge", ""))

    @router.post(path, response_model=None)
    async def receive(request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return _refuse(413, f"payload over {MAX_BODY_BYTES:,} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return _refuse(413, f"payload over {MAX_BODY_BYTES:,} bytes")
        secrets = config.app_secrets()
        if not secrets:  # not a 200: Meta keeps retrying until the secret is set
            return _refuse(503, "no app secret configured: set ASSISTANT_META_APP_SECRET")
        if not signature_matches(bytes(body), request.headers.get(HEADER), secrets):
            return _refuse(401, f"missing or invalid {HEADER} signature")
        try:  # one transaction for nearly every payload
            result = await asyncio.to_thread(intake.take_at_once, endpoint, bytes(body))
        except StoredNotAppliedError as exc:
            return _not_applied(exc.payload_id, exc.__cause__)
        except Exception as exc:  # nothing was written: the long way keeps the body first
            log.warning("webhook payload not taken at once (%s)", type(exc).__name__)
            result = None
        return _answer(result or await _the_long_way(intake, endpoint, bytes(body)))

    return router


async def _the_long_way(
    intake: WebhookIntake, endpoint: WebhookEndpoint, body: bytes
) -> IntakeResult | Response:
    """Keep the body in a transaction of its own, then apply it: a payload that changes
    items, or one the single transaction could not take, is kept even if applying fails."""
    try:
        payload_id = await asyncio.to_thread(intake.store, endpoint, body)
    except Exception as exc:  # nothing kept: Meta retries on anything but a 200
        log.error("webhook payload could not be stored (%s)", type(exc).__name__)
        return _refuse(503, "the payload could not be stored; retry")
    try:
        return await intake.apply_stored(payload_id, endpoint, body)
    except Exception as exc:  # kept: Meta's retry, or 'assistant webhooks replay', applies it
        return _not_applied(payload_id, exc)


def _not_applied(payload_id: int, exc: BaseException | None) -> Response:
    # The type only: the message could quote a customer's words.
    log.error("webhook payload #%s stored but not applied (%s)", payload_id, type(exc).__name__)
    return _refuse(503, f"payload #{payload_id} stored but not applied yet; retry")


def _answer(result: IntakeResult | Response) -> Response:
    if isinstance(result, Response):
        return result
    return JSONResponse(
        {
            "state": result.state.value,
            "events": result.events,
            "duplicates": result.duplicates,
            "queued": result.queued,
        }
    )
