"""The console builds its services once: clicks reuse the engine and the detectors."""

from __future__ import annotations

from typing import Any

import pytest

import assistant.deps as deps_module
from assistant.review.decisions import Reject
from assistant.settings import Settings
from tests.console_support import add_users
from tests.support import message, process, run
from ui import actions


def test_two_clicks_share_one_engine_and_one_detector_set(
    ingested: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_users(ingested)
    first, second = run(
        process(
            ingested,
            message("I want a refund for order FH-1001", id="a"),
            message("Is this a price match?", id="b", author_id="web_2"),
        )
    )
    built: list[Any] = []
    real = deps_module.build_detectors
    monkeypatch.setattr(deps_module, "build_detectors", lambda *a: built.append(1) or real(*a))
    actions._deps.cache_clear()
    engines = set()
    for result, decision in (
        (first, Reject(actor="ann", reason="dupe")),
        (second, Reject(actor="ann", reason="dupe")),
    ):
        version = actions.item("ann", result.item_id).detail.item.version
        decided = actions.decide("ann", result.item_id, decision, version)
        assert decided.status == "rejected"
        engines.add(id(actions.console_deps().engine))
    assert len(built) == 1  # detectors embedded their examples once, not per click
    assert len(engines) == 1
