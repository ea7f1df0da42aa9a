"""``assistant simulate URL``: post realistic Meta conversations (Messenger, Instagram DMs and
comments, Facebook comments, WhatsApp) to a running service's webhooks, signed with
ASSISTANT_META_APP_SECRET as Meta signs them, some duplicated and out of order."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import httpx
import typer

from assistant.channels.meta.simulator.conversations import conversations
from assistant.channels.meta.simulator.webhooks import WebhookSender
from assistant.cli.common import emit_json, handle_errors, run, settings
from assistant.errors import ConfigError


@handle_errors
def simulate(
    url: Annotated[str, typer.Argument(help="The running service, e.g. http://127.0.0.1:8000")],
    rounds: Annotated[int, typer.Option(min=1, max=10_000, help="Rounds of conversations.")] = 1,
    duplicates: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Share of payloads delivered twice.")
    ] = 0.1,
    shuffle: Annotated[bool, typer.Option(help="Deliver in random order, as Meta may.")] = True,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON summary line.")] = False,
) -> None:
    """Post simulated Meta webhooks to URL and report how each delivery was answered."""
    secret = settings().meta_app_secret
    if secret is None:
        raise ConfigError(
            "ASSISTANT_META_APP_SECRET is not set: the simulator signs with the same app "
            "secret the service checks. Set it in the environment or .env."
        )

    async def go() -> Counter[int]:
        async with httpx.AsyncClient(timeout=30) as http:
            sender = WebhookSender(
                url.rstrip("/"),
                secret.get_secret_value(),
                http,
                duplicate_ratio=duplicates,
                shuffle=shuffle,
            )
            deliveries = await sender.send_all(conversations(rounds))
        return Counter(d.status for d in deliveries)

    answers = run(go())
    total = sum(answers.values())
    if json_out:
        emit_json({"posted": total, "answers": {str(k): v for k, v in answers.items()}})
    else:
        summary = ", ".join(f"{n} × HTTP {status or 'no answer'}" for status, n in answers.items())
        typer.echo(f"Posted {total} webhooks to {url}: {summary}")
    if set(answers) != {200}:
        raise typer.Exit(1)
