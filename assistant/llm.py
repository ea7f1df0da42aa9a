"""The one seam to language models: every call goes through ``complete`` (litellm).
Tests fake only the HTTP wire (respx); nothing here runs at import time."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from assistant.errors import ConfigError, ModelError
from assistant.settings import Settings


@cache
def _litellm() -> Any:
    # Offline by default: no price-map download, no feedback banner, and the httpx
    # transport (which respx can intercept) rather than aiohttp.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    litellm.disable_aiohttp_transport = True
    litellm.suppress_debug_info = True
    litellm.telemetry = False
    return litellm


# Model requests in flight at once, for the work started under ``model_slots``.
_SLOTS: ContextVar[asyncio.Semaphore | None] = ContextVar("model_slots", default=None)


@contextmanager
def model_slots(limit: int) -> Iterator[None]:
    """At most ``limit`` model requests at once from the tasks started inside (they inherit
    the context): a batch caps what the provider sees, not the work around each request,
    so messages can be screened, retrieved and verified while others wait on the model."""
    token = _SLOTS.set(asyncio.Semaphore(limit))
    try:
        yield
    finally:
        _SLOTS.reset(token)


async def complete(
    settings: Settings,
    messages: list[dict[str, str]],
    *,
    model: str | None = None,
    json_output: bool = True,
    temperature: float = 0.2,
) -> str:
    """One chat completion; returns the text. Failures raise ModelError with a plain reason."""
    name = model or settings.model
    if not name:
        raise ConfigError("No model configured: set ASSISTANT_MODEL (e.g. openai/gpt-4.1-mini).")
    litellm = _litellm()
    kwargs: dict[str, Any] = {
        "model": name,
        "messages": messages,
        "temperature": temperature,
        "timeout": settings.model_timeout_s,
        "num_retries": settings.model_retries,
    }
    if json_output:
        kwargs["response_format"] = {"type": "json_object"}
    if settings.api_base:
        kwargs["api_base"] = settings.api_base
    if settings.api_key:
        kwargs["api_key"] = settings.api_key.get_secret_value()
    if settings.fallback_model and model is None:
        kwargs["fallbacks"] = [settings.fallback_model]
    try:
        slots = _SLOTS.get()
        if slots is None:
            response = await litellm.acompletion(**kwargs)
        else:
            async with slots:
                response = await litellm.acompletion(**kwargs)
    except Exception as exc:  # litellm raises many types; the queue needs one reason.
        raise ModelError(_describe(exc, name, settings.model_timeout_s)) from exc
    try:
        content = response.choices[0].message.content
    except (AttributeError, IndexError) as exc:
        raise ModelError(f"model {name} returned no message") from exc
    if not content:
        raise ModelError(f"model {name} returned an empty message")
    return str(content)


def _describe(exc: Exception, model: str, timeout: float) -> str:
    kind = type(exc).__name__
    status = getattr(exc, "status_code", None)
    if "Timeout" in kind:
        return f"model {model} timed out after {timeout:g}s (ASSISTANT_MODEL_TIMEOUT_S)"
    if status == 429 or "RateLimit" in kind:
        return f"model {model} is rate-limited (HTTP 429); retried and gave up"
    if status in (401, 403) or "Authentication" in kind:
        return f"model {model} refused the credentials (HTTP {status}); check ASSISTANT_API_KEY"
    if status:
        return f"model {model} failed with HTTP {status} ({kind})"
    # str(exc) can echo request details; keep only the first line, without secrets.
    first_line = str(exc).splitlines()[0][:200] if str(exc) else kind
    return f"model {model} failed: {kind}: {first_line}"
