"""Graders: deterministic checks, embedding similarity and (when ``ASSISTANT_JUDGE_MODEL``
is set) LLM judges. ``build_graders`` wires the ones a run uses."""

from __future__ import annotations

from collections.abc import Mapping

from assistant.evals.graders.base import Grader, GraderConfig, Outcome, Score
from assistant.evals.graders.deterministic import (
    Disclosure,
    ForbiddenPhrases,
    Grounded,
    Length,
    RequiredFacts,
    RouteMatch,
)
from assistant.evals.graders.judge import FactsJudge, ToneJudge
from assistant.evals.graders.semantic import Similarity
from assistant.knowledge.embeddings import Embedder
from assistant.knowledge.loader import Knowledge
from assistant.settings import Settings

__all__ = ["GRADERS", "Grader", "GraderConfig", "Outcome", "Score", "build_graders"]

GRADERS: dict[str, type[Grader]] = {
    g.name: g
    for g in (
        RouteMatch,
        Disclosure,
        Grounded,
        RequiredFacts,
        Length,
        ForbiddenPhrases,
        Similarity,
        ToneJudge,
        FactsJudge,
    )
}


def build_graders(
    settings: Settings,
    knowledge: Knowledge,
    embedder: Embedder,
    configs: Mapping[str, GraderConfig] | None = None,
    concurrency: int = 8,
) -> list[Grader]:
    configs = configs or {}

    def config(name: str) -> GraderConfig:
        return configs.get(name) or GRADERS[name].defaults

    graders: list[Grader] = [
        RouteMatch(config("route")),
        Disclosure(knowledge, config("disclosure")),
        Grounded(knowledge, config("grounded")),
        RequiredFacts(knowledge, config("required_facts")),
        Length(knowledge, config("length")),
        ForbiddenPhrases(knowledge, config("forbidden_phrases")),
        Similarity(embedder, config("similarity")),
    ]
    if settings.judge_model:
        model = settings.judge_model
        graders += [
            ToneJudge(settings, knowledge, model, concurrency, config("judge_tone")),
            FactsJudge(settings, knowledge, model, concurrency, config("judge_facts")),
        ]
    return graders
