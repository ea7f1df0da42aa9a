"""Each item's reply deadline from its platform's window, and what is still possible once it
has closed: shown in `queue list --json`, and an approval the window no longer allows is
refused before anything is sent. Webhooks over real HTTP into the real pipeline."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from assistant.app import open_assistant
from assistant.channels.meta.simulator.payloads import (
    IG,
    PAGE,
    dm,
    ig_comment,
    messaging_entry,
    page_batch,
    wa_message,
    whatsapp,
)
from assistant.channels.reply_deadlines import windows_by_id
from assistant.cli.main import app as cli
from assistant.db import database_url, make_engine
from assistant.errors import ConfigError
from assistant.knowledge.policy import load_policy
from assistant.review.decisions import Approve
from assistant.review.models import ItemStatus, ReviewItem
from assistant.review.queue import Queue
from assistant.settings import Settings
from assistant.users.actor import SYSTEM_ACTOR
from tests.meta_service import Service, running_service

CHANNELS = f"""
pages:
  "{PAGE}": {{token_env: PAGE_TOKEN}}
instagram:
  "{IG}": {{token_env: IG_TOKEN}}
whatsapp:
  "106540352242922":
    token_env: WA_TOKEN
    template: {{name: order_follow_up, language: en_US}}
"""
TOKENS = {"PAGE_TOKEN": "p", "IG_TOKEN": "i", "WA_TOKEN": "w"}
HOUR = 3600


@pytest.fixture
def service(ingested: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Service]:
    for name, value in TOKENS.items():
        monkeypatch.setenv(name, value)
    (ingested.knowledge_dir / "channels.yaml").write_text(CHANNELS)
    with running_service(ingested, env=TOKENS) as running:
        yield running


def ago(hours: float) -> float:
    return time.time() - hours * HOUR


def write(service: Service, psid: str, mid: str, text: str, epoch: float) -> None:
    message = dm(PAGE, psid, mid, text, ts=int(epoch * 1000))
    assert service.meta(page_batch(messaging_entry(PAGE, message))).status_code == 200


def item(settings: Settings, message_id: str) -> ReviewItem:
    found = Queue(make_engine(database_url(settings))).by_message(message_id)
    assert found is not None and found.id is not None
    return found


def deadlines(settings: Settings) -> dict[str, str | None]:
    result = CliRunner().invoke(cli, ["queue", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    return {r["message_id"]: r["reply_deadline"] for r in rows}


def at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def close_to(iso: str | None, expected: datetime) -> bool:
    return iso is not None and abs(datetime.fromisoformat(iso) - expected) < timedelta(
        milliseconds=5
    )


def test_deadlines_and_what_is_still_possible_per_channel(service: Service) -> None:
    s = service.settings
    fresh, person, again = ago(1), ago(72), ago(2)
    write(service, "psid-a", "m_fresh", "Do you restock the tote?", fresh)
    write(service, "psid-b", "m_person", "Do you restock the tote?", person)
    write(service, "psid-c", "m_closed", "Do you restock the tote?", ago(240))
    write(service, "psid-d", "m_old", "Is the candle vegan?", ago(30))  # then they write again:
    write(service, "psid-d", "m_new", "Also, is it soy wax?", again)
    wa = wa_message("wamid.old", "text", {"body": "Hello?"}, ts=int(ago(48)))
    assert service.whatsapp(whatsapp(messages=[wa])).status_code == 200
    lost = {**ig_comment("c_lost", "My parcel never arrived", media="p1"), "time": int(ago(200))}
    assert service.meta({"object": "instagram", "entry": [lost]}).status_code == 200

    listed = deadlines(s)
    assert close_to(listed["m_fresh"], at(fresh) + timedelta(hours=24))
    assert close_to(listed["m_person"], at(person) + timedelta(days=7))  # human-agent tag
    assert listed["m_closed"] is None
    assert close_to(listed["m_old"], at(again) + timedelta(hours=24))  # reopened by m_new
    engine = make_engine(database_url(s))
    policy = load_policy(s.knowledge_dir / "policy.yaml", "policy.yaml")
    ids = {m: item(s, m).id for m in ("m_fresh", "m_person", "m_closed", "wamid.old", "c_lost")}
    windows = windows_by_id(engine, [i for i in ids.values() if i], datetime.now(UTC), s, policy)
    by = {m: windows[i] for m, i in ids.items() if i}
    assert not by["m_fresh"].closed and not by["m_fresh"].needs_person
    assert by["m_person"].needs_person and "human-agent" in by["m_person"].possible()
    assert by["m_closed"].closed and by["m_closed"].possible().startswith("nothing: the window")
    assert "template 'order_follow_up'" in by["wamid.old"].possible()
    assert not by["wamid.old"].closed
    assert by["c_lost"].closed and "privately" in by["c_lost"].possible()


def test_an_approval_the_window_no_longer_allows_is_refused_before_sending(
    service: Service,
) -> None:
    s = service.settings
    write(service, "psid-z", "m_gone", "Can I get a refund for my order?", ago(240))
    write(service, "psid-y", "m_safe", "Do you restock the tote?", ago(240))
    gone, safe = item(s, "m_gone"), item(s, "m_safe")
    assert gone.status is ItemStatus.pending and safe.status is ItemStatus.pending

    async def approve() -> tuple[str, str]:
        async with open_assistant(s) as assistant:
            assert gone.id is not None
            with pytest.raises(ConfigError) as refused:
                await assistant.review.decide(SYSTEM_ACTOR, gone.id, Approve(actor="ann"))
            assert safe.id is not None
            bulk = await assistant.review.decide_many(
                SYSTEM_ACTOR, {safe.id: safe.version}, Approve(actor="ann")
            )
            return str(refused.value), bulk.refused[safe.id]

    reason, bulk_reason = asyncio.run(approve())
    assert "nothing: the window is closed" in reason and "Nothing was sent" in reason
    assert "nothing: the window is closed" in bulk_reason  # bulk approval refuses it too
    assert item(s, "m_safe").status is ItemStatus.pending
    assert item(s, "m_gone").status is ItemStatus.pending
    assert Queue(make_engine(database_url(s))).outbox() == []
