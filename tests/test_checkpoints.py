"""The embedded checkpoint saver: threads written before an upgrade carry on after it, and
concurrent runs each keep their own checkpoints."""

from __future__ import annotations

import asyncio
import operator
from pathlib import Path
from typing import Annotated, Any, TypedDict

from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

from assistant.checkpoints import SqliteCheckpoints, open_checkpointer
from assistant.settings import Settings


class State(TypedDict):
    steps: Annotated[list[str], operator.add]


def draft(state: State) -> State:
    return {"steps": ["drafted"]}


def review(state: State) -> State:
    decision = interrupt("waiting for a person")
    return {"steps": [f"decided: {decision}"]}


def graph() -> StateGraph[State, None, State, State]:
    builder = StateGraph(State)
    builder.add_node("draft", draft)
    builder.add_node("review", review)
    builder.add_edge(START, "draft")
    builder.add_edge("draft", "review")
    builder.add_edge("review", END)
    return builder


def test_a_thread_waiting_under_the_previous_saver_resumes(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=tmp_path / "knowledge")
    settings.data_dir.mkdir(parents=True)
    config: Any = {"configurable": {"thread_id": "item-1"}}

    async def before_upgrade() -> None:
        async with AsyncSqliteSaver.from_conn_string(str(settings.checkpoint_path)) as old:
            paused = await graph().compile(checkpointer=old).ainvoke({"steps": []}, config)
            assert "__interrupt__" in paused

    async def after_upgrade() -> list[str]:
        async with open_checkpointer(settings) as saver:
            assert isinstance(saver, SqliteCheckpoints)
            app = graph().compile(checkpointer=saver)
            assert (await app.aget_state(config)).next == ("review",)
            done = await app.ainvoke(Command(resume="approve"), config, durability="sync")
            history = [s async for s in app.aget_state_history(config)]
            assert len(history) >= 3  # every step was kept
            return list(done["steps"])

    asyncio.run(before_upgrade())
    assert asyncio.run(after_upgrade()) == ["drafted", "decided: approve"]


def test_concurrent_runs_keep_their_own_checkpoints(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=tmp_path / "knowledge")

    async def run_many() -> list[tuple[str, ...]]:
        async with open_checkpointer(settings) as saver:
            app = graph().compile(checkpointer=saver)
            configs: list[Any] = [{"configurable": {"thread_id": f"item-{n}"}} for n in range(30)]
            await asyncio.gather(
                *(app.ainvoke({"steps": []}, c, durability="sync") for c in configs)
            )
            await asyncio.gather(
                *(app.ainvoke(Command(resume=f"n{i}"), c) for i, c in enumerate(configs))
            )
            states = [await app.aget_state(c) for c in configs]
            return [tuple(s.values["steps"]) for s in states]

    assert asyncio.run(run_many()) == [("drafted", f"decided: n{i}") for i in range(30)]
