"""Eval throughput: ``assistant eval`` on many cases, without a model and against a model.

    python bench/evals.py [--cases 500] [--concurrency 16] [--latency 0.3]

Cases are the shipped starter set (``evals/datasets``) cycled to ``--cases``, each copy
with its own id and a text no earlier copy had (a greeting/sign-off variant, as in
``_common``), so nothing is served from the embedder's cache. Order ids shared by copies
are renamed by the runner, as for any dataset.

(a) **Template mode** (no model): ``run_eval`` over all cases; cases/s for the whole run
    (scratch folder, index sync, pipeline, grading) and for the pipeline part alone.
(b) **Model mode**: the fake OpenAI-compatible server of ``concurrency.py`` answers every
    draft request after ``--latency`` seconds; ``run_eval(..., concurrency=16)`` is timed
    against the ideal ``requests x latency / concurrency`` (requests = the drafts the
    pipeline asked for; opt-outs and hidden spam ask for none). **Target: wall / ideal
    <= 1.3**, whole run. The drafting phase alone is reported beside it, and so is the same
    set of messages, customers and orders through ``process_many`` alone (no eval around
    it), measured in the same run: eval / plain is what the eval itself adds.

Both runs follow an untimed warm-up run of 16 cases (model load, index sync into the
eval's index cache, detector set-up, litellm import). The last line printed is one JSON
object with every figure.
"""

from __future__ import annotations

import os

from assistant.users.actor import SYSTEM_ACTOR

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # before anything imports litellm

import argparse
import asyncio
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PREFIXES, ROOT, SUFFIXES, emit, machine, workspace
from concurrency import FakeModelServer
from pydantic import SecretStr

from assistant.app import open_assistant
from assistant.evals.cases import EvalCase
from assistant.evals.dataset import load_cases
from assistant.evals.runner import run_eval
from assistant.evals.scratch import inbound, seed
from assistant.knowledge.embeddings import shared_embedder
from assistant.settings import Settings

TARGET = 1.3


def make_cases(count: int) -> list[EvalCase]:
    starter = load_cases(ROOT / "evals" / "datasets")
    out = []
    for n in range(count):
        case = starter[n % len(starter)]
        round_ = n // len(starter)
        text = case.message.text
        if round_ and text.strip().lower() not in {"stop", "baja", "please unsubscribe me"}:
            text = PREFIXES[round_ % len(PREFIXES)] + text + SUFFIXES[round_ // len(PREFIXES) % 6]
            if round_ >= len(PREFIXES) * len(SUFFIXES):
                text += f" (#{round_})"
        message = case.message.model_copy(update={"text": text, "id": None})
        out.append(case.model_copy(update={"id": f"{case.id}-{n:04d}", "message": message}))
    return out


async def timed(settings: Settings, cases: list[EvalCase], concurrency: int) -> dict[str, float]:
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if done == total:
            marks[stage] = time.perf_counter()

    start = time.perf_counter()
    result = await run_eval(settings, cases, concurrency=concurrency, progress=progress)
    end = time.perf_counter()
    return {
        "wall_s": round(end - start, 3),
        "until_drafts_done_s": round(marks["pipeline"] - start, 3),
        "grading_s": round(end - marks["pipeline"], 3),
        "passed": result.passed,
        "errors": result.errors,
    }


async def plain_pipeline(settings: Settings, cases: list[EvalCase], concurrency: int) -> float:
    """The same messages, customers and orders through ``process_many`` alone: what the
    pipeline costs without the eval around it (scratch set-up, reads-back, grading)."""
    async with open_assistant(settings) as assistant:
        assistant.index.sync(assistant.knowledge.chunks)
        seeded = seed(cases, assistant.knowledge.policy.order_id_pattern)
        assistant.orders.replace_all(seeded.orders, seeded.customers)
        start = time.perf_counter()
        await assistant.inbox.process_many(
            SYSTEM_ACTOR, [inbound(c) for c in seeded.cases], concurrency
        )
        return round(time.perf_counter() - start, 3)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    shared_embedder().embed(["warm up"])
    cases = make_cases(args.cases)
    with workspace("evals") as base:
        settings = Settings(
            data_dir=base / "data",
            knowledge_dir=base / "knowledge",
            evals_dir=base / "evals",
            concurrency=args.concurrency,
        )
        await run_eval(settings, make_cases(16))  # warm-up, not timed
        template = await timed(settings, cases, args.concurrency)
        template["cases_per_s"] = round(len(cases) / template["wall_s"], 1)
        print(
            f"(a) template mode, {len(cases)} cases: {template['wall_s']:.2f} s "
            f"({template['cases_per_s']} cases/s; drafts done at "
            f"{template['until_drafts_done_s']:.2f} s, grading {template['grading_s']:.2f} s)"
        )

        server = FakeModelServer(args.latency)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        model = settings.model_copy(
            update={
                "model": "openai/fake-model",
                "api_base": f"http://127.0.0.1:{server.port}/v1",
                "api_key": SecretStr("sk-fake"),
                "model_retries": 0,
            }
        )
        try:
            await run_eval(model, make_cases(16), concurrency=args.concurrency)  # warm-up
            server.reset()
            drafted = await timed(model, cases, args.concurrency)
            requests, most = server.requests, server.max_in_flight
            bad = server.bad_requests
            plain = await plain_pipeline(
                model.model_copy(update={"data_dir": base / "plain"}), cases, args.concurrency
            )
        finally:
            server.shutdown()
        ideal = requests * args.latency / args.concurrency
        drafted.update(
            requests=requests,
            bad_requests=bad,
            max_in_flight=most,
            ideal_s=round(ideal, 3),
            ratio=round(drafted["wall_s"] / ideal, 3),
            drafting_ratio=round(drafted["until_drafts_done_s"] / ideal, 3),
            plain_pipeline_s=plain,
            plain_pipeline_ratio=round(plain / ideal, 3),
            eval_over_plain=round(drafted["wall_s"] / plain, 3),
        )
        ratio, phase = drafted["ratio"], drafted["drafting_ratio"]
        print(
            f"(b) model mode, {len(cases)} cases, {requests} drafts at "
            f"{args.latency * 1000:.0f} ms, {args.concurrency} at a time: "
            f"{drafted['wall_s']:.2f} s vs ideal {ideal:.2f} s = {ratio:.3f} "
            f"(target <= {TARGET}); drafts done at {drafted['until_drafts_done_s']:.2f} s "
            f"({phase:.3f}), most in flight {most}"
        )
        print(
            f"    the same messages through process_many alone (no eval around them): "
            f"{plain:.2f} s = {drafted['plain_pipeline_ratio']:.3f} of ideal; eval / plain = "
            f"{drafted['eval_over_plain']:.3f}"
        )
    return {
        "benchmark": "evals",
        "cases": len(cases),
        "concurrency": args.concurrency,
        "latency_s": args.latency,
        "template": template,
        "model": drafted,
        "target": f"model wall / ideal <= {TARGET}",
        "meets_target": drafted["ratio"] <= TARGET,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "machine": machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.3)
    emit(asyncio.run(run(parser.parse_args())))


if __name__ == "__main__":
    main()
