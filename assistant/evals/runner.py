"""Run the current pipeline (prompts, model, knowledge) on eval cases and grade them.

The run never touches the real queue, outbox or index: it builds the real graph over a
scratch data folder (a temporary directory with its own SQLite queue and checkpoints, and
the eval's own Chroma index, ``<data dir>/evals/index``, synced from the current knowledge
folder at the start of every run), seeds the cases' customers and orders (see
``scratch``), and replies go to a channel that records and sends nothing."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from assistant.app import Assistant, open_assistant
from assistant.evals.cases import EvalCase
from assistant.evals.graders import Grader, GraderConfig, Outcome, build_graders
from assistant.evals.results import CaseResult, GraderInfo, RunResult
from assistant.evals.scratch import RecordingChannel, inbound, seed
from assistant.knowledge.embeddings import shared_embedder
from assistant.llm import model_slots
from assistant.pipeline.drafting import Drafter
from assistant.review.models import DraftKind
from assistant.services.inbox import PIPELINES_PER_MODEL_SLOT
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR

# (stage, done, total): stage is "pipeline" then "grading"
Progress = Callable[[str, int, int], None]


def index_cache_dir(settings: Settings) -> Path:
    return settings.data_dir / "evals" / "index"


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


async def run_eval(
    settings: Settings,
    cases: list[EvalCase],
    configs: Mapping[str, GraderConfig] | None = None,
    *,
    concurrency: int | None = None,
    progress: Progress | None = None,
    drafter: Drafter | None = None,
) -> RunResult:
    started = datetime.now(UTC)
    limit = concurrency or settings.concurrency
    with tempfile.TemporaryDirectory(prefix="assistant-eval-") as scratch_dir:
        # Always embedded: an eval never writes into the deployment's database or server.
        scratch = settings.model_copy(
            update={"data_dir": Path(scratch_dir), "database_url": None, "chroma_url": None}
        )
        # The scratch index lives on between runs (not the real one: the eval's own), so a
        # run embeds only the knowledge chunks that changed since the last run.
        index_cache = index_cache_dir(settings)
        index_cache.mkdir(parents=True, exist_ok=True)
        scratch.chroma_dir.symlink_to(index_cache.resolve(), target_is_directory=True)
        channel = RecordingChannel()
        async with open_assistant(scratch, drafter=drafter, channel=channel) as assistant:
            knowledge = assistant.knowledge
            await asyncio.to_thread(assistant.index.sync, knowledge.chunks)
            seeded = seed(cases, knowledge.policy.order_id_pattern)
            assistant.orders.replace_all(seeded.orders, seeded.customers)
            graders = build_graders(settings, knowledge, shared_embedder(), configs, limit)
            # Cheap graders grade each case as soon as it is drafted, while other cases
            # wait on the model; batched ones (embeddings, judges) go once at the end.
            inline = [g for g in graders if not g.batched]
            # With a model, batched graders start on each case as soon as it is drafted.
            early = [g for g in graders if g.batched] if settings.model else []
            graded = await _run_cases(
                assistant, channel, seeded.cases, inline, early, limit, progress
            )
    batched = [g for g in graders if g.batched]
    pairs = [(result.case, result.outcome) for result in graded]
    finished = 0

    async def grade(grader: Grader) -> None:  # the judges wait on a model: run them together
        nonlocal finished
        for result, score in zip(graded, await grader.grade_all(pairs), strict=True):
            if score is not None:
                result.scores[grader.name] = score
        finished += 1
        if progress:
            progress("grading", finished, len(batched))

    await asyncio.gather(*(grade(g) for g in batched))
    order = [g.name for g in graders]
    results = [
        CaseResult(r.case, r.outcome, {n: r.scores[n] for n in order if n in r.scores})
        for r in graded
    ]
    return RunResult(
        run_id=new_run_id(started),
        started_at=started,
        finished_at=datetime.now(UTC),
        mode=settings.model or "template",
        judge_model=settings.judge_model,
        graders=[GraderInfo(g.name, g.description, g.config) for g in graders],
        results=results,
    )


async def _run_cases(
    assistant: Assistant,
    channel: RecordingChannel,
    cases: list[EvalCase],
    graders: list[Grader],
    early: list[Grader],
    concurrency: int,
    progress: Progress | None,
) -> list[CaseResult]:
    # As in process_many: ``concurrency`` model requests at once, twice as many cases in
    # the pipeline, so the model is kept busy while cases are retrieved and graded.
    limit = asyncio.Semaphore(PIPELINES_PER_MODEL_SLOT * concurrency)
    done = 0

    async def one(case: EvalCase) -> CaseResult:
        nonlocal done
        async with limit:
            outcome = await _run_case(assistant, channel, case)
        scores = {g.name: s for g in graders if (s := g.grade(case, outcome)) is not None}
        for grader in early:
            await grader.observe(case, outcome)
        done += 1
        if progress:
            progress("pipeline", done, len(cases))
        return CaseResult(case, outcome, scores)

    with model_slots(concurrency):
        return list(await asyncio.gather(*(one(c) for c in cases)))


async def _run_case(assistant: Assistant, channel: RecordingChannel, case: EvalCase) -> Outcome:
    message = inbound(case)
    result = await assistant.inbox.process(SYSTEM_ACTOR, message)
    item = assistant.queue.get(result.item_id)
    grounding = ""
    if item.draft_kind == DraftKind.template:  # its template's text may be quoted: read it
        config = {"configurable": {"thread_id": result.thread_id}}
        snapshot = await assistant.graph.aget_state(config)
        grounding = str((snapshot.values.get("draft") or {}).get("grounding", ""))
    knowledge = assistant.knowledge
    # The context the verify step checks a draft against (see pipeline.nodes.review.verify).
    context = "\n".join(
        [
            *(str(s.get("text", "")) for s in item.sources),
            item.order_facts or "",
            grounding,
            knowledge.policy.brand_name,
            knowledge.tone.sign_off,
            message.author.handle or "",
        ]
    )
    return Outcome(
        route=result.route,
        reply=channel.sent.get(message.id) or result.draft,
        body=item.draft,
        channel=message.channel,
        context=context,
        topics=result.topics,
        reasons=result.reasons,
        error=result.error,
    )
