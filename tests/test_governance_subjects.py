"""Data-subject requests: one customer seeded across two linked channels is exported whole
and then erased everywhere (rows, checkpoints, eval files, free pages and WAL), while the
other customers' data stays; consent is recorded, withdrawn, and shown."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert
from sqlmodel import Session, select
from typer.testing import CliRunner

from assistant.channels.meta.config import ChannelsConfig
from assistant.channels.meta.intake import WebhookIntake
from assistant.channels.meta.records import MetaEventRecord, WebhookEndpoint, WebhookPayload
from assistant.channels.meta.simulator.payloads import (
    IG as IG_ACCOUNT,
)
from assistant.channels.meta.simulator.payloads import (
    dm,
    ig_comment,
    messaging_entry,
    page_batch,
)
from assistant.checkpoints import open_checkpointer, psycopg_conninfo
from assistant.cli.main import app
from assistant.db import records_engine
from assistant.evals.cases import case_id_for
from assistant.evals.learned import LearnedCase
from assistant.governance.audit_chain import verify
from assistant.governance.consent import current_consent, history
from assistant.governance.keyword_consent import record_keyword_consent
from assistant.governance.subject_meta import ERASED_NOTE
from assistant.knowledge.proposals import FaqProposal
from assistant.review.models import AuditAction, ItemStatus, utcnow
from assistant.review.queue import Queue
from assistant.settings import Settings
from assistant.users.actor import Actor
from assistant.users.roles import Role
from assistant.workspace.notes import NoteService
from assistant.workspace.presence import heartbeat
from assistant.workspace.snooze import SnoozeService
from tests.console_support import add_users, console, on_screen, open_item
from tests.support import message, process, run

runner = CliRunner()
IG, WA, OTHER = "instagram:maya.designs", "whatsapp:+15035550142", "web_chat:web_3390"
SECRETS = (
    "maya.designs",
    "15035550142",
    "maya.private@example.com",
    "receipt for the lamp",
    "side door code is 4412",  # an agent's internal note
)
META_SECRETS = ("The lamp shade arrived cracked", "m_maya_dm", "Does the brass lamp dim")
OTHER_DM = "m_nora_dm"


async def _no_sink(messages: object) -> None:
    return None


def _post_webhooks(settings: Settings) -> None:
    """Through the webhook intake the router calls: Maya's comment alone, and her DM in a
    batch with another customer's DM."""
    intake = WebhookIntake(records_engine(settings), ChannelsConfig({}), _no_sink)
    comment = page_batch(
        ig_comment("c_maya_1", META_SECRETS[2], user="maya.designs"), object="instagram"
    )
    batch = page_batch(
        messaging_entry(
            IG_ACCOUNT,
            dm(IG_ACCOUNT, "maya.designs", META_SECRETS[1], META_SECRETS[0]),
            dm(IG_ACCOUNT, "17850000000000077", OTHER_DM, "Do you ship to Bend?"),
        ),
        object="instagram",
    )
    for body in (comment, batch):
        run(intake.receive(WebhookEndpoint.meta, json.dumps(body).encode()))


def _seed(settings: Settings, tmp_path: Path) -> dict[str, Any]:
    msgs = [
        message(
            "Any update on my order FH-10299?",
            id="ig-1",
            channel="instagram",
            author_id="maya.designs",
            name="Maya Chen",
            handle="@maya.designs",
        ),
        message(
            "Please send the receipt for the lamp to maya.private@example.com",
            id="wa-1",
            channel="whatsapp",
            author_id="+15035550142",
            name="Maya Chen",
        ),
        message("STOP", id="wa-2", channel="whatsapp", author_id="+15035550142", name="Maya"),
        message(
            "Do you sell gift cards for the Bend shop?",
            id="web-1",
            author_id="web_3390",
            name="Nora Kaplan",
        ),
    ]
    results = run(process(settings, *msgs))
    links = tmp_path / "links.csv"
    links.write_text(f"person,customer_key\nP-7,{IG}\nP-7,{WA}\n", encoding="utf-8")
    consent = tmp_path / "consent.csv"
    consent.write_text(
        "customer_key,kind,at,wording\n"
        f"{IG},given,2026-01-05T10:00:00+00:00,Offers by Instagram DM\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["customer", "link", str(links)]).exit_code == 0
    imported = runner.invoke(app, ["consent", "import", str(consent)])
    assert imported.exit_code == 0, imported.output
    queue = Queue(records_engine(settings))
    theirs, other = queue.get(results[1].item_id), queue.get(results[3].item_id)
    case_id = case_id_for(theirs.message_id)
    with queue.engine.begin() as conn:
        conn.execute(
            insert(LearnedCase.__table__),  # type: ignore[attr-defined]
            {
                "case_id": case_id,
                "topic": "general",
                "channel": "whatsapp",
                "data": {"id": case_id},
            },
        )
        conn.execute(
            insert(FaqProposal.__table__),  # type: ignore[attr-defined]
            {
                "kind": "gap",
                "status": "open",
                "text": theirs.text,
                "examples": [theirs.text, other.text],
                "item_ids": [theirs.id, other.id],
                "count": 2,
            },
        )
    datasets = settings.evals_dir / "datasets"
    datasets.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"id": case_id, "message": {"text": "the receipt for the lamp"}})
    (datasets / "approved-2026-11.jsonl").write_text(line + '\n{"id": "m-other"}\n')
    _post_webhooks(settings)
    assert theirs.id is not None
    lead = Actor("lea", Role.lead)
    NoteService(queue).add(lead, theirs.id, "Her side door code is 4412, per the DM", utcnow())
    if ItemStatus(theirs.status).open:
        SnoozeService(queue).snooze(lead, theirs.id, utcnow() + timedelta(days=1), utcnow())
    heartbeat(queue.engine, theirs.id, "lea", utcnow())
    return {"theirs": theirs, "other": other}


def test_export_holds_every_kind_of_record_across_both_channels(
    ingested: Settings, tmp_path: Path
) -> None:
    _seed(ingested, tmp_path)

    result = runner.invoke(app, ["customer", "export", WA, "--json"])

    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["identities"] == [IG, WA]
    assert set(doc["sections"]) <= set(doc)  # every section is explained
    assert {m["channel"] for m in doc["messages"]} == {"instagram", "whatsapp"}
    assert any("maya.private@example.com" in m["text"] for m in doc["messages"])
    assert doc["replies"] and doc["audit_events"] and doc["identity_links"]
    assert [r["kind"] for r in doc["consent"]["history"]] == ["given", "withdrawn"]
    assert doc["customer_records"][0]["customer_id"] == "C1001"
    assert {o["order_id"] for o in doc["orders"]} >= {"FH-10299"}
    assert doc["eval_cases"]["database"] and doc["eval_cases"]["files"]
    assert doc["faq_proposals"] and doc["conversation_threads"]
    assert [n["text"] for n in doc["internal_notes"]] == ["Her side door code is 4412, per the DM"]
    meta = {e["platform_id"]: e for e in doc["meta_events"]}
    assert set(meta) == {"c_maya_1", META_SECRETS[1]}  # not the other customer's DM
    own, shared = sorted(doc["webhook_payloads"], key=lambda p: p["shared_with_others"])
    assert META_SECRETS[2] in own["body"] and not own["shared_with_others"]
    assert shared["shared_with_others"] and shared["body"] is None  # holds Nora's DM too
    exported = Queue(records_engine(ingested)).last_event(AuditAction.customer_export)
    assert exported is not None and exported.subject == WA


def _bytes_everywhere(settings: Settings, backend: str) -> dict[str, bytes]:
    """Every file's bytes by path (and the Postgres dump), so a failure names where."""
    found: dict[str, bytes] = {}
    for root in (settings.data_dir, settings.evals_dir):
        for path in Path(root).rglob("*"):
            if path.is_file():
                found[str(path)] = path.read_bytes()
    if backend == "postgres":
        assert settings.database_url
        pg_dump = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
        dump = subprocess.run(
            [pg_dump, psycopg_conninfo(settings.database_url)],
            capture_output=True,
            check=True,
            # bytea as escaped text, so raw webhook bodies are readable in the dump
            env={**os.environ, "PGCLIENTENCODING": "UTF8", "PGOPTIONS": "-c bytea_output=escape"},
        )
        found["pg_dump"] = dump.stdout
    return found


def test_erasure_leaves_no_trace_of_them_and_keeps_everyone_else(
    ingested: Settings, tmp_path: Path, backend: str
) -> None:
    seeded = _seed(ingested, tmp_path)
    before = _bytes_everywhere(ingested, backend)
    assert all(any(s.encode() in b for b in before.values()) for s in SECRETS + META_SECRETS)

    refused = runner.invoke(app, ["customer", "erase", IG])
    result = runner.invoke(app, ["customer", "erase", IG, "--yes", "--json"])

    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert result.exit_code == 0, result.output
    erased = json.loads(result.stdout)["erased"]
    assert erased["identities"] == 2 and erased["messages"] == 3
    left = _bytes_everywhere(ingested, backend)
    for secret in SECRETS + META_SECRETS:
        assert not [where for where, b in left.items() if secret.encode() in b], secret
    assert erased["meta_events"] == 2 and erased["webhook_payloads"] == 2
    kept_bytes = b"".join(left.values())
    assert b"gift cards for the Bend shop" in kept_bytes and b"m-other" in kept_bytes
    queue = Queue(records_engine(ingested))
    assert queue.get(seeded["other"].id).text == seeded["other"].text
    with Session(queue.engine) as session:
        kept = session.exec(select(MetaEventRecord)).all()
        payloads = session.exec(select(WebhookPayload)).all()
    assert [e.platform_id for e in kept] == [OTHER_DM]  # Nora's event stays
    assert [(p.body, p.problem) for p in payloads] == [(b"", ERASED_NOTE)]
    replay = runner.invoke(app, ["webhooks", "replay", str(payloads[0].id)])
    assert replay.exit_code == 6 and "cannot be replayed" in replay.stderr

    async def threads() -> Any:
        async with open_checkpointer(ingested) as saver:
            return [
                await saver.aget_tuple({"configurable": {"thread_id": t.thread_id}})
                for t in seeded.values()
            ]

    mine, theirs = run(threads())
    assert mine is None and theirs is not None
    event = queue.last_event(AuditAction.erasure)
    assert event is not None and event.actor == "cli" and json.loads(event.reason or "")
    assert verify(queue.engine).intact
    again = runner.invoke(app, ["customer", "export", WA, "--json"])
    assert json.loads(again.stdout)["messages"] == []


def test_consent_recorded_then_withdrawn_is_history_and_not_current(ingested: Settings) -> None:
    engine = records_engine(ingested)
    key = "instagram:ann.k"

    def say(text: str, n: int) -> None:
        run(process(ingested, message(text, id=f"ig-{n}", channel="instagram", author_id="ann.k")))

    say("STOP", 1)
    say("START", 2)  # back in: consent to the policy's wording, by keyword
    given = current_consent(engine, key)
    say("stop please", 3)

    assert given is not None and given.source == "keyword" and given.evidence == "ig-2"
    assert given.wording.startswith("Messages from Fernhill Goods on this channel")
    assert current_consent(engine, key) is None
    assert [(r.kind, r.wording[:11]) for r in history(engine, key)] == [
        ("withdrawn", "STOP"),
        ("given", "Messages fr"),
        ("withdrawn", "stop please"),
    ]
    assert Queue(engine).customer_state(key).consent_at is None
    replayed = message("START", id="ig-2", channel="instagram", author_id="ann.k")
    record_keyword_consent(engine, replayed, False, "again", utcnow())  # a re-run step
    assert len(history(engine, key)) == 3


def test_the_customer_card_shows_the_consent_history(ingested: Settings) -> None:
    add_users(ingested)
    author = {"channel": "whatsapp", "author_id": "+15035550999"}
    run(process(ingested, message("STOP", id="w1", **author), message("START", id="w2", **author)))
    [result] = run(process(ingested, message("Can I get a refund?", id="w3", **author)))

    screen = on_screen(open_item(console(), result.item_id))

    assert "Consent history (2)" in screen
    assert "withdrawn via keyword · STOP" in screen
    assert "given via keyword · Messages from Fernhill Goods" in screen


def test_an_agent_account_may_not_export_or_erase(
    ingested: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_users(ingested)  # ann is an agent
    monkeypatch.setenv("ASSISTANT_ACTOR", "ann")

    export = runner.invoke(app, ["customer", "export", IG, "--json"])
    erase = runner.invoke(app, ["customer", "erase", IG, "--yes"])

    assert export.exit_code == 8 and erase.exit_code == 8
    assert "cannot manage privacy" in erase.stderr
