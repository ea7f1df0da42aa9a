"""``assistant serve`` (the intake API), ``assistant worker`` (procrastinate jobs) and
``assistant jobs`` (list, retry, cancel)."""

from __future__ import annotations

import gc
import os
from typing import Annotated, Any

import typer

from assistant.cli.common import emit_json, handle_errors, run, settings
from assistant.errors import ConfigError, NotFoundError
from assistant.logs import configure_json_logging

JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON object per line, for scripts.")]
jobs_app = typer.Typer(
    help="Background jobs on Postgres: list, retry, cancel.", no_args_is_help=True
)


@handle_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8080,
    api_workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="API processes on the port (Postgres only); default ASSISTANT_API_WORKERS, 1.",
        ),
    ] = None,
) -> None:
    """Start the intake API (POST /v1/messages, /healthz, /readyz, /metrics). On the SQLite
    default it also starts the job runner beside it; on Postgres, start 'assistant worker'."""
    import uvicorn

    from assistant.service.serve import build_service, check_api_workers, service_from_env

    config = settings()
    configure_json_logging(config.log_text)
    workers = check_api_workers(config, api_workers)
    typer.echo(f"Intake API: http://{host}:{port}/v1/messages  (Ctrl+C to stop)", err=True)
    options: dict[str, Any] = {"host": host, "port": port, "log_config": None, "access_log": False}
    if workers > 1:  # uvicorn spawns the processes; each builds its own service
        build_service(config)  # a bad setting stops here, once, not in every process
        os.environ["ASSISTANT_API_WORKERS"] = str(workers)
        factory = f"{service_from_env.__module__}:{service_from_env.__name__}"
        uvicorn.run(factory, factory=True, workers=workers, **options)
        return
    app = build_service(config)
    # Everything built so far lives as long as the process: keep it out of the collector's
    # full passes, which otherwise stop every request for ~0.1 s every few seconds.
    gc.freeze()
    uvicorn.run(app, **options)


@handle_errors
def worker(
    concurrency: Annotated[int, typer.Option(help="Jobs run at once in this process.")] = 4,
    burst: Annotated[bool, typer.Option("--burst", help="Run what is queued, then exit.")] = False,
    queue: Annotated[
        list[str] | None, typer.Option(help="Only these queues (messages, learning, maintenance).")
    ] = None,
) -> None:
    """Run background jobs (Postgres). SIGTERM lets running jobs finish, then exits."""
    from assistant.jobs.worker import run_worker

    config = settings()
    configure_json_logging(config.log_text)
    run(run_worker(config, concurrency=concurrency, burst=burst, queues=queue))


def _job_row(job: Any) -> dict[str, Any]:
    return {
        "id": job.id,
        "task": job.task_name,
        "status": job.status,
        "queue": job.queue,
        "attempts": job.attempts,
        "lock": job.lock,
        "scheduled_at": job.scheduled_at.isoformat() if job.scheduled_at else None,
        "args": job.task_kwargs,
    }


async def _with_manager(work: Any) -> Any:
    from assistant.jobs.engine import job_app

    app = job_app(settings(), periodic=False)
    async with app.open_async():
        return await work(app.job_manager)


@jobs_app.command("list")
@handle_errors
def list_jobs(
    status: Annotated[
        str | None, typer.Option(help="todo, doing, succeeded, failed, cancelled, aborted.")
    ] = None,
    task: Annotated[str | None, typer.Option(help="e.g. process_message.")] = None,
    limit: Annotated[int, typer.Option(help="Most recent first, at most this many.")] = 50,
    json_out: JsonOpt = False,
) -> None:
    """The jobs, newest first."""

    async def work(manager: Any) -> list[Any]:
        return list(await manager.list_jobs_async(status=status, task=task))

    found = sorted(run(_with_manager(work)), key=lambda j: j.id or 0, reverse=True)[:limit]
    for job in found:
        row = _job_row(job)
        if json_out:
            emit_json(row)
        else:
            typer.echo(
                f"#{row['id']} {row['task']} {row['status']} (attempts {row['attempts']}) "
                f"{row['args']}"
            )
    if not found and not json_out:
        typer.echo("No jobs.")


@jobs_app.command("retry")
@handle_errors
def retry_job(job_id: int, json_out: JsonOpt = False) -> None:
    """Run a failed, cancelled or aborted job again, now: a new job with the same task,
    arguments and lock (the old one stays in the list as it ended)."""
    from assistant.jobs.engine import job_app

    app = job_app(settings(), periodic=False)

    async def work() -> int:
        async with app.open_async():
            found = list(await app.job_manager.list_jobs_async(id=job_id))
            if not found:
                raise NotFoundError(f"There is no job #{job_id}.")
            job = found[0]
            if job.status in ("todo", "doing"):
                raise ConfigError(f"Job #{job_id} is {job.status}; nothing to retry.")
            deferrer = app.configure_task(job.task_name, lock=job.lock, queue=job.queue)
            return await deferrer.defer_async(**job.task_kwargs)

    new_id = run(work())
    _done(
        json_out,
        {"id": job_id, "retried_as": new_id},
        f"Job #{job_id} queued again as #{new_id}.",
    )


@jobs_app.command("cancel")
@handle_errors
def cancel_job(job_id: int, json_out: JsonOpt = False) -> None:
    """Cancel a job that has not started (a running job is asked to abort)."""

    async def work(manager: Any) -> bool:
        if not list(await manager.list_jobs_async(id=job_id)):
            raise NotFoundError(f"There is no job #{job_id}.")
        return bool(await manager.cancel_job_by_id_async(job_id, abort=True))

    if not run(_with_manager(work)):
        raise ConfigError(f"Job #{job_id} already finished; nothing to cancel.")
    _done(json_out, {"id": job_id, "cancelled": True}, f"Job #{job_id} cancelled.")


def _done(json_out: bool, row: dict[str, Any], line: str) -> None:
    if json_out:
        emit_json(row)
    else:
        typer.echo(line)
