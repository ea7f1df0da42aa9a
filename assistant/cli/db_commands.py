"""``assistant db``: bring the database schema up to date (once per deploy)."""

from __future__ import annotations

import typer

from assistant.checkpoints import is_postgres, setup_postgres_checkpoints
from assistant.cli.common import emit_json, handle_errors, settings
from assistant.db import database_url, make_engine
from assistant.migrations import upgrade as apply_migrations

app = typer.Typer(help=__doc__, no_args_is_help=True)


@app.command()
@handle_errors
def upgrade(json_out: bool = typer.Option(False, "--json", help="One JSON object.")) -> None:
    """Apply pending migrations (under a lock on Postgres), set up the checkpoint and job tables."""
    url = database_url(settings())
    engine = make_engine(url, auto_upgrade=False)
    try:
        before, after = apply_migrations(engine)
    finally:
        engine.dispose()
    if is_postgres(url):
        setup_postgres_checkpoints(url)
        _job_tables()
    if json_out:
        emit_json({"from": before, "to": after})
    elif before == after:
        typer.echo(f"The database is up to date (revision {after}).")
    else:
        typer.echo(f"Database upgraded from revision {before or 'none'} to {after}.")


def _job_tables() -> None:
    """procrastinate's schema (the job engine's own tables), created once."""
    from assistant.jobs.engine import apply_schema

    engine = make_engine(database_url(settings()), auto_upgrade=False)
    try:
        if apply_schema(engine):
            typer.echo("Job tables created (procrastinate).", err=True)
    finally:
        engine.dispose()
