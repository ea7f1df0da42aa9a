"""``assistant verify FILE``: the grounding guard and every other verify check on drafts,
without running the pipeline (for leads and scripts). Exit codes: 0 every line checked (a
draft with problems is still a checked line), 2 bad settings, 3 some lines invalid."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from assistant.app import Assistant
from assistant.cli.common import emit_json, handle_errors, run_with_assistant
from assistant.errors import ConfigError
from assistant.knowledge.answered import hit_text
from assistant.knowledge.disclosure import policy_text
from assistant.pipeline.model_drafter import SYSTEM
from assistant.safety.draft_check import BadLine, parse_draft_lines
from assistant.safety.verify import Verifier
from assistant.users.actor import SYSTEM_ACTOR


@handle_errors
def verify(
    file: Annotated[
        Path,
        typer.Argument(
            help='JSONL: {"id", "draft", "context"} or {"id", "draft", "question"} per line.'
        ),
    ],
    json_out: Annotated[
        bool, typer.Option("--json", help="One JSON object per line: id and problems.")
    ] = False,
) -> None:
    """Check drafts against their context (or what retrieval finds for a question) and print
    every problem the pipeline's verify step would route to a person."""
    if not file.is_file():
        raise ConfigError(f"{file}: no such file.")
    lines = parse_draft_lines(file.read_bytes())

    async def work(assistant: Assistant) -> int:
        knowledge = assistant.knowledge
        verifier = Verifier(knowledge, [SYSTEM, policy_text(knowledge)])
        bad = 0
        for line in lines:
            if isinstance(line, BadLine):
                bad += 1
                typer.echo(f"{file}:{line.number}: {line.error}", err=True)
                if json_out:
                    emit_json({"id": line.id, "line": line.number, "error": line.error})
                continue
            if line.question is not None:
                asked = assistant.library.retrieve(SYSTEM_ACTOR, line.question, line.channel.value)
                hits = asked.hits
                context = "\n".join(hit_text(h.id, h.title, h.text) for h in hits)
            else:
                context = line.context or ""
            context = "\n".join([context, knowledge.policy.brand_name, knowledge.tone.sign_off])
            limit = knowledge.policy.automation.for_channel(line.channel).max_reply_chars
            problems = verifier.problems(line.draft, context, line.channel.value, limit)
            if json_out:
                emit_json({"id": line.id, "problems": problems})
            else:
                typer.echo(f"{line.id}: {'OK' if not problems else 'REVIEW'}")
                for problem in problems:
                    typer.echo(f"    - {problem}")
        return bad

    bad = run_with_assistant(work)
    if bad:
        typer.echo(f"{file}: {bad} line(s) could not be checked (see above).", err=True)
        raise typer.Exit(3)  # as for any invalid input file: the file:line problems above
