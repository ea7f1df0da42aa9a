"""``assistant ask QUESTION``: the retrieval a draft would use, for leads and scripts."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli.common import emit_json, handle_errors, settings
from assistant.deps import open_index
from assistant.errors import ConfigError
from assistant.intake.messages import Channel
from assistant.knowledge.ask import ask as retrieve
from assistant.knowledge.loader import load_knowledge


@handle_errors
def ask(
    question: Annotated[str, typer.Argument(help="A customer message, as they would write it.")],
    channel: Annotated[
        Channel | None, typer.Option(help="Only entries allowed on this channel.")
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help='{"hits": [{"id","score","source","line"}], "answered"}')
    ] = False,
) -> None:
    """Show which knowledge entries a draft would use, and whether the best one answers."""
    config = settings()
    policy = load_knowledge(config.knowledge_dir).policy
    index = open_index(config, policy.retrieval.min_score)
    if index.count() == 0:
        raise ConfigError("The index is empty: run 'assistant ingest' first.")
    asked = retrieve(index, question, policy.retrieval.top_k, channel.value if channel else None)
    if json_out:
        emit_json(asked.as_json())
        return
    verdict = (
        f"answered by {asked.hits[0].id}" if asked.answered else "not answered: a person replies"
    )
    typer.echo(f"{verdict} ({asked.reason})")
    for hit in asked.hits:
        typer.echo(f"  {hit.score:.3f}  {hit.id}  ({hit.source}:{hit.line})")
