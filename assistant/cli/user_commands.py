"""``assistant users``: console accounts (add, list, disable, enable, password, role).

These need only the database, not the knowledge index or the model. The audit trail names
who acted with --actor (default: ASSISTANT_ACTOR, else "cli"). A name that is a console account
acts with that account's role (an agent is refused); any other name is the operator at the
shell, who can already read the data folder, so acts as an admin (see ``cli_actor``).
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.engine import Engine

from assistant.cli.common import emit_json, handle_errors, settings
from assistant.db import records_engine
from assistant.errors import ConfigError
from assistant.services.users import UserAdmin
from assistant.users.actor import Actor, cli_actor
from assistant.users.demo import create_demo_users
from assistant.users.models import User
from assistant.users.passwords import MIN_LENGTH
from assistant.users.roles import Role
from assistant.users.store import UserStore

app = typer.Typer(help="Console users and their roles.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="JSON output, for scripts.")]
ActorOpt = Annotated[
    str | None,
    typer.Option(help="Who is making the change, for the audit trail (default: ASSISTANT_ACTOR)."),
]
StdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of stdin (for scripts) instead of asking.",
    ),
]


def _store() -> UserStore:
    return UserStore(records_engine(settings()))


def _actor(actor: str | None) -> Actor:
    """``--actor``, else ASSISTANT_ACTOR, else "cli", with its role (see ``cli_actor``)."""
    return cli_actor(records_engine(settings()), actor or settings().actor or "cli")


def _admin() -> UserAdmin:
    return UserAdmin(_store())


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ConfigError("--password-stdin: stdin was empty; pipe the password in.")
        return password
    value: str = typer.prompt(
        f"Password (at least {MIN_LENGTH} characters)",
        hide_input=True,
        confirmation_prompt="Repeat the password",
    )
    return value


def user_json(user: User) -> dict[str, Any]:
    """What listings show: never the password hash."""
    return {
        "name": user.name,
        "display_name": user.display_name,
        "role": user.role,
        "active": user.active,
        "disabled_at": _iso(user.disabled_at),
        "locked_until": _iso(user.locked_until),
        "created_at": _iso(user.created_at),
        "last_sign_in_at": _iso(user.last_sign_in_at),
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@app.command()
@handle_errors
def add(
    name: Annotated[str, typer.Argument(help="Sign-in name (stored lowercased), e.g. maya.")],
    role: Annotated[Role, typer.Option(help="What they may do.")],
    display_name: Annotated[str | None, typer.Option(help="Shown in the console.")] = None,
    password_stdin: StdinOpt = False,
    actor: ActorOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a user; you are asked for the password twice (nothing is echoed)."""
    who = _actor(actor)
    password = _password(password_stdin)
    user = _admin().add(who, name, role, password, display_name=display_name)
    if json_out:
        emit_json(user_json(user))
    else:
        typer.echo(f"Added {user.name} ({user.role}).")


@app.command("list")
@handle_errors
def list_(json_out: JsonOpt = False) -> None:
    """Every user, with role and status."""
    users = _store().list()
    if json_out:
        for user in users:
            emit_json(user_json(user))
        return
    if not users:
        typer.echo("No users yet: add one with 'assistant users add NAME --role admin'.")
    for user in users:
        status = "active" if user.active else "disabled"
        seen = f"{user.last_sign_in_at:%Y-%m-%d %H:%M}" if user.last_sign_in_at else "never"
        typer.echo(
            f"{user.name:<24} {user.role:<6} {status:<8} last sign-in {seen:<16} "
            f"{user.display_name or ''}"
        )


@app.command()
@handle_errors
def disable(name: str, actor: ActorOpt = None) -> None:
    """Refuse this user's sign-ins from now on (their history stays in the audit trail)."""
    user = _admin().set_active(_actor(actor), name, active=False)
    typer.echo(f"{user.name} is disabled.")


@app.command()
@handle_errors
def enable(name: str, actor: ActorOpt = None) -> None:
    """Let a disabled (or locked-out) user sign in again."""
    user = _admin().set_active(_actor(actor), name, active=True)
    typer.echo(f"{user.name} is active.")


@app.command()
@handle_errors
def password(name: str, password_stdin: StdinOpt = False, actor: ActorOpt = None) -> None:
    """Set a new password (also lifts a lockout)."""
    who = _actor(actor)
    user = _store().get(name)
    _admin().set_password(who, user.name, _password(password_stdin))
    typer.echo(f"Password changed for {user.name}.")


@app.command()
@handle_errors
def role(
    name: str,
    new_role: Annotated[Role, typer.Argument(metavar="ROLE", help="agent, lead or admin.")],
    actor: ActorOpt = None,
) -> None:
    """Change what a user may do."""
    user = _admin().set_role(_actor(actor), name, new_role)
    typer.echo(f"{user.name} is now {user.role}.")


# -- the demo ------------------------------------------------------------------------------


def demo_accounts(engine: Engine | None = None) -> list[dict[str, str]]:
    """The demo's accounts, created on a data folder with no users (else [])."""
    return create_demo_users(engine or records_engine(settings()))


def print_demo_accounts(accounts: list[dict[str, str]]) -> None:
    console = Console()
    if not accounts:
        console.print("Console: sign in with your existing users ('assistant users list').")
        return
    table = Table(title="Demo sign-ins for the console")
    for column in ("user", "role", "password"):
        table.add_column(column)
    for account in accounts:
        table.add_row(account["name"], account["role"], account["password"])
    console.print(table)
    console.print(
        f"These are demo credentials for the local data folder ({settings().data_dir}); they "
        "are shown only now. Change one with 'assistant users password NAME'."
    )
