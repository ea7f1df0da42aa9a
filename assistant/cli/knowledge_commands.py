"""``assistant knowledge proposals``: what approvals taught, for a lead to accept or reject."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli.common import acting, emit_json, handle_errors, operator, run, settings
from assistant.knowledge.proposals import FaqProposal, ProposalKind, ProposalStatus
from assistant.services.proposals import (
    accept_proposal,
    hand_off_proposal,
    proposals,
    reject_proposal,
)

app = typer.Typer(help="The knowledge folder and what approvals propose for it.")
proposals_app = typer.Typer(
    help="Phrasings and FAQ gaps learnt from approvals. Lists open ones without a command; "
    "accept writes a phrasing to its FAQ file, hand-off writes a gap's questions to the hand-off "
    "entry, each kept only if 'assistant eval' passes.",
)
app.add_typer(proposals_app, name="proposals")

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON output, for scripts.")]
ActorOpt = Annotated[str | None, typer.Option(help="Who decides (default: ASSISTANT_ACTOR).")]
IdArg = Annotated[int, typer.Argument(help="The proposal's number, from the list.")]


def _line(p: FaqProposal) -> str:
    if p.kind is ProposalKind.phrasing:
        what = f"phrasing for {p.faq_id}: {p.text!r}"
    else:
        what = f"FAQ gap, asked {p.count}×: {p.text!r}"
    note = f" — {p.note}" if p.note else ""
    return f"#{p.id} [{p.status.value}] {what}{note}"


def _show(p: FaqProposal, json_out: bool) -> None:
    if json_out:
        emit_json(p.as_json())
    else:
        typer.echo(_line(p))


@proposals_app.callback(invoke_without_command=True)
@handle_errors
def list_(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Decided ones too.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Open proposals, most asked first."""
    if ctx.invoked_subcommand is not None:
        return
    found = proposals(settings(), operator(), () if all_ else (ProposalStatus.open,))
    if json_out:
        emit_json([p.as_json() for p in found])
        return
    if not found:
        typer.echo("No proposals. They appear as agents approve and edit replies.")
    for p in found:
        typer.echo(_line(p))
        for example in p.examples[1:4]:
            typer.echo(f"    also: {example!r}")


@proposals_app.command("accept")
@handle_errors
def accept_(proposal_id: IdArg, actor: ActorOpt = None, json_out: JsonOpt = False) -> None:
    """Accept: write the phrasing to its FAQ file, run the eval gate, re-sync (or revert)."""
    done = run(accept_proposal(settings(), acting(actor), proposal_id))
    _show(done, json_out)
    if done.status is ProposalStatus.reverted:
        raise typer.Exit(1)


@proposals_app.command("hand-off")
@handle_errors
def hand_off_(proposal_id: IdArg, actor: ActorOpt = None, json_out: JsonOpt = False) -> None:
    """A person answers this gap: its questions join the hand-off entry (the FAQ entry with
    'hand_off: true', created as faq/for-a-person.md if there is none), behind the eval gate."""
    done = run(hand_off_proposal(settings(), acting(actor), proposal_id))
    _show(done, json_out)
    if done.status is ProposalStatus.reverted:
        raise typer.Exit(1)


@proposals_app.command("reject")
@handle_errors
def reject_(proposal_id: IdArg, actor: ActorOpt = None, json_out: JsonOpt = False) -> None:
    """Reject: nothing changes in the knowledge folder."""
    _show(reject_proposal(settings(), acting(actor), proposal_id), json_out)
