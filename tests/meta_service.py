"""The webhook routers mounted on a FastAPI app, the way ``assistant serve`` mounts them, with
a sink that runs the real pipeline (the inbox service) on the server's own event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from assistant.app import open_assistant
from assistant.channels.meta.config import ChannelsConfig, load_channels
from assistant.channels.meta.router import meta_webhook_router, whatsapp_webhook_router
from assistant.channels.meta.signature import HEADER, meta_json, sign
from assistant.channels.meta.simulator.serving import serving
from assistant.db import database_url, make_engine
from assistant.intake.messages import InboundMessage
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR

SECRET = "test-app-secret"
VERIFY = "test-verify-token"


@dataclass
class Service:
    url: str
    settings: Settings
    sink_calls: list[int] = field(default_factory=list)
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))

    def post(
        self,
        path: str,
        payload: Any,
        *,
        secret: str | None = SECRET,
        body: bytes | None = None,
        signature: str | None = None,
    ) -> httpx.Response:
        raw = body if body is not None else meta_json(payload)
        headers = {"content-type": "application/json"}
        if signature is not None:
            headers[HEADER] = signature
        elif secret is not None:
            headers[HEADER] = sign(raw, secret)
        return self.client.post(self.url + path, content=raw, headers=headers)

    def meta(self, payload: Any, **kwargs: Any) -> httpx.Response:
        return self.post("/webhooks/meta", payload, **kwargs)

    def whatsapp(self, payload: Any, **kwargs: Any) -> httpx.Response:
        return self.post("/webhooks/whatsapp", payload, **kwargs)


def service_app(settings: Settings, config: ChannelsConfig, calls: list[int]) -> FastAPI:
    engine = make_engine(database_url(settings))
    inbox: dict[str, Any] = {}

    async def sink(messages: Sequence[InboundMessage]) -> object:
        calls.append(len(messages))
        return await inbox["service"].process_many(SYSTEM_ACTOR, messages)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_assistant(settings) as assistant:
            inbox["service"] = assistant.inbox
            yield
        engine.dispose()

    app = FastAPI(lifespan=lifespan)
    app.include_router(meta_webhook_router(config, engine, sink))
    app.include_router(whatsapp_webhook_router(config, engine, sink))
    return app


@contextmanager
def running_service(settings: Settings, env: dict[str, str] | None = None) -> Iterator[Service]:
    settings = settings.model_copy(
        update={"meta_app_secret": SecretStr(SECRET), "meta_verify_token": SecretStr(VERIFY)}
    )
    config = load_channels(settings, env=env or {})
    calls: list[int] = []
    with serving(service_app(settings, config, calls)) as url:
        service = Service(url, settings, calls)
        try:
            yield service
        finally:
            service.client.close()
