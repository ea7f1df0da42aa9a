"""The long-lived parts one process needs, built once by ``build_deps`` and passed in:
tests override any part, and the console keeps one ``Deps`` across clicks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine

from assistant.channels.adapter import ChannelAdapter
from assistant.channels.outbox import OutboxChannel
from assistant.channels.recording import RecordingChannelClient
from assistant.db import database_url, make_engine
from assistant.knowledge.embeddings import Embedder, shared_embedder
from assistant.knowledge.index import KnowledgeIndex, open_chroma
from assistant.knowledge.loader import Knowledge, load_knowledge
from assistant.pipeline.drafting import Drafter, TemplateDrafter
from assistant.pipeline.model_drafter import ModelDrafter
from assistant.safety.detectors import Detector
from assistant.safety.triage import build_detectors
from assistant.settings import Settings


def default_drafter(settings: Settings) -> Drafter:
    return ModelDrafter(settings) if settings.model else TemplateDrafter()


def default_channel(settings: Settings) -> ChannelAdapter:
    if settings.channel_url:
        return RecordingChannelClient(settings.channel_url)
    return OutboxChannel()


def delivery_channel(settings: Settings, engine: Engine, knowledge: Knowledge) -> ChannelAdapter:
    """Webhook items on Meta channels go to the Graph API, the rest to ``default_channel``;
    a bad channels.yaml stops the start with its file:line."""
    from assistant.channels.meta.config import load_channels
    from assistant.channels.meta.wiring import ChannelSelector, MetaAdapters

    replies = knowledge.policy.comment_replies
    meta = MetaAdapters(load_channels(settings), engine, replies, settings.meta_graph_url)
    return ChannelSelector(meta, default_channel(settings))


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    engine: Engine
    index: KnowledgeIndex
    embedder: Embedder
    knowledge: Knowledge
    detectors: list[Detector]
    drafter: Drafter
    channel: ChannelAdapter
    clock: Callable[[], datetime] = field(default=utc_now)

    def override(self, **parts: Any) -> Deps:
        """The same parts but ``parts`` (e.g. a fake drafter or channel in a test)."""
        return replace(self, **{k: v for k, v in parts.items() if v is not None})


def open_index(settings: Settings, min_score: float | None = None) -> KnowledgeIndex:
    """``min_score`` is the policy's floor under the calibrated answer threshold."""
    client = open_chroma(settings.chroma_dir, settings.chroma_url)
    if min_score is None:
        return KnowledgeIndex(client, shared_embedder(), settings.chroma_collection)
    return KnowledgeIndex(client, shared_embedder(), settings.chroma_collection, min_score)


def build_deps(settings: Settings) -> Deps:
    """Everything that is costly to set up: the engine (and its pool), the index client,
    the parsed knowledge and the detectors (which embed their examples)."""
    knowledge = load_knowledge(settings.knowledge_dir)
    engine = make_engine(database_url(settings))
    return Deps(
        settings=settings,
        engine=engine,
        index=open_index(settings, knowledge.policy.retrieval.min_score),
        embedder=shared_embedder(),
        knowledge=knowledge,
        detectors=build_detectors(knowledge, shared_embedder(), settings),
        drafter=default_drafter(settings),
        channel=delivery_channel(settings, engine, knowledge),
    )
