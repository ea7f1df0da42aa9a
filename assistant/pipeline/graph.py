"""The pipeline graph: which node follows which. The nodes live in ``pipeline/nodes``; their
dependencies come in per run as the runtime context (``Services``); nothing connects at import.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from assistant.pipeline.context import Services
from assistant.pipeline.nodes.delivery import opt_change, send
from assistant.pipeline.nodes.grounding import draft, retrieve
from assistant.pipeline.nodes.review import human_review, route
from assistant.pipeline.nodes.screen import classify_message, hide, screen
from assistant.pipeline.state import PipelineInput, PipelineState

Pipeline = CompiledStateGraph[PipelineState, Services, PipelineInput, PipelineState]


def build_graph(checkpointer: BaseCheckpointSaver[Any]) -> Pipeline:
    """Run it with ``context=services``: every node reads its dependencies from there.
    Compiled once per process (it cost a console click about as much as its reads); each
    checkpointer gets a copy, which shares the compiled nodes."""
    return _compiled().copy(update={"checkpointer": checkpointer})


@cache
def _compiled() -> Pipeline:
    graph = StateGraph(PipelineState, context_schema=Services, input_schema=PipelineInput)
    graph.add_node("screen", screen)
    graph.add_node("classify", classify_message)
    graph.add_node("retrieve", retrieve)
    graph.add_node("draft", draft)
    graph.add_node("route", route)
    graph.add_node("human_review", human_review)
    graph.add_node("send", send)
    graph.add_node("opt_change", opt_change)
    graph.add_node("hide", hide)
    graph.add_edge(START, "screen")
    graph.add_edge("retrieve", "draft")
    graph.add_edge("draft", "route")
    graph.add_edge("opt_change", END)
    graph.add_edge("hide", END)
    return graph.compile()
