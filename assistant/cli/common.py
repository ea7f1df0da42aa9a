"""Helpers shared by the CLI commands: settings, async wiring, errors, JSON output."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Coroutine
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import typer

from assistant.app import Assistant, open_assistant, open_records
from assistant.errors import AssistantError, ConfigError, storage_error
from assistant.settings import Settings, load_settings
from assistant.users.actor import Actor, cli_actor

P = ParamSpec("P")
T = TypeVar("T")


def handle_errors(fn: Callable[P, T]) -> Callable[P, T]:
    """Turn our errors into a message on stderr and the error's exit code."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except AssistantError as exc:
            typer.secho(f"Error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:
            failure = storage_error(exc)
            if failure is None:
                raise
            typer.secho(f"Error: {failure}", fg=typer.colors.RED, err=True)
            raise typer.Exit(failure.exit_code) from None

    return wrapper


def settings() -> Settings:
    return load_settings()


def run_with_assistant(work: Callable[[Assistant], Awaitable[T]], **kwargs: Any) -> T:
    async def main() -> T:
        async with open_assistant(settings(), **kwargs) as assistant:
            return await work(assistant)

    return run(main())


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def actor_or_default(actor: str | None) -> str:
    chosen = actor or settings().actor
    if not chosen:
        raise ConfigError("Say who is acting: pass --actor NAME or set ASSISTANT_ACTOR.")
    return chosen


def acting(actor: str | None) -> Actor:
    """The ``--actor`` (or ASSISTANT_ACTOR) with its role: see ``cli_actor``."""
    with open_records(settings()) as records:
        return cli_actor(records.queue.engine, actor_or_default(actor))


def operator() -> Actor:
    """Who runs an operator command such as ingest: ASSISTANT_ACTOR, else "cli"."""
    with open_records(settings()) as records:
        return cli_actor(records.queue.engine, settings().actor or "cli")


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, default=str, ensure_ascii=False) + "\n")
