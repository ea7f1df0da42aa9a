"""Re-engagement goes only to customers whose consent is current: never to opted-out ones
or possible minors, WhatsApp after 24 hours only with an approved template, once per
customer per period; each send is audited with the consent record it relied on."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.db import records_engine
from assistant.review.models import AuditAction, utcnow
from assistant.review.queue import Queue
from assistant.settings import Settings
from tests.support import message, process, run

runner = CliRunner()
AVA, TESS, KID, WA, NOBODY = (
    "instagram:ava.ngu",
    "instagram:trailmix.tess",
    "instagram:kid.skates",
    "whatsapp:+15035550177",
    "instagram:no.consent",
)


def _seed(settings: Settings, tmp_path: Path) -> Path:
    msgs = [
        message(
            "Is the canvas tote back?",
            id="a",
            channel="instagram",
            author_id="ava.ngu",
            name="Ava Nguyen",
        ),
        message(
            "Love the backpack", id="t", channel="instagram", author_id="trailmix.tess", name="Tess"
        ),
        message(
            "i'm 15 and want the backpack for school",
            id="k",
            channel="instagram",
            author_id="kid.skates",
            name="Sam",
        ),
        message(
            "Do you restock candles?",
            id="w",
            channel="whatsapp",
            author_id="+15035550177",
            name="Will Park",
        ),
        message("hello", id="n", channel="instagram", author_id="no.consent", name="Nia"),
    ]
    run(process(settings, *msgs))
    engine = records_engine(settings)
    three_days_ago = (utcnow() - timedelta(days=3)).replace(tzinfo=None)
    with engine.begin() as conn:  # the WhatsApp customer wrote three days ago
        conn.execute(
            text("UPDATE review_items SET received_at = :at WHERE message_id = 'w'"),
            {"at": three_days_ago if conn.dialect.name == "sqlite" else three_days_ago.isoformat()},
        )
    consent = tmp_path / "consent.csv"
    rows = [f"{k},given,2026-01-05T10:00:00+00:00,Restock alerts" for k in (AVA, TESS, KID, WA)]
    consent.write_text("customer_key,kind,at,wording\n" + "\n".join(rows) + "\n")
    assert runner.invoke(app, ["consent", "import", str(consent)]).exit_code == 0
    run(process(settings, message("STOP", id="t2", channel="instagram", author_id="trailmix.tess")))
    customers = tmp_path / "customers.csv"
    keys = (AVA, TESS, KID, WA, NOBODY)
    customers.write_text(
        "customer_key,product_name\n" + "".join(f"{k},Canvas Tote\n" for k in keys)
    )
    return customers


def _invoke(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["reengage", "--template", "re-engagement", *args, "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_dry_run_says_who_would_get_what_and_why_not_and_sends_nothing(
    ingested: Settings, tmp_path: Path
) -> None:
    customers = _seed(ingested, tmp_path)

    rows = {r["customer_key"]: r for r in _invoke("--customers", str(customers), "--dry-run")}

    assert rows[AVA]["send"] and "Hi Ava" in str(rows[AVA]["text"])
    assert "Canvas Tote" in str(rows[AVA]["text"])
    assert str(rows[AVA]["text"]).startswith("Automated reply:")  # disclosed
    assert rows[TESS]["reason"] == "opted out"  # consent recorded, then withdrawn by STOP
    assert rows[KID]["reason"].startswith("may be a minor")  # type: ignore[union-attr]
    assert rows[NOBODY]["reason"] == "no current consent to marketing messages"
    assert rows[WA]["send"]  # outside 24 h, but re-engagement is an approved template
    assert not [m for m in Queue(records_engine(ingested)).outbox() if m.kind == "re-engagement"]


def test_sends_reach_the_outbox_audited_with_consent_and_once_per_period(
    ingested: Settings, tmp_path: Path
) -> None:
    customers = _seed(ingested, tmp_path)

    first = _invoke("--customers", str(customers))
    again = {r["customer_key"]: r for r in _invoke("--customers", str(customers))}

    queue = Queue(records_engine(ingested))
    sent = [m for m in queue.outbox() if m.kind == "re-engagement"]
    assert sorted(m.customer_key for m in sent) == [AVA, WA]
    assert all(m.text.startswith("Automated reply:") for m in sent)
    assert "fernhillgoods.example" not in " ".join(
        m.text for m in queue.outbox() if m.customer_key == KID
    )
    audited = [e for e in queue.audit_log() if e.action == AuditAction.reengagement_sent]
    by_key = {r["customer_key"]: r["consent_record"] for r in first if r["send"]}
    assert {e.subject: json.loads(e.reason or "")["consent_record"] for e in audited} == by_key
    assert again[AVA]["reason"] == "already got a re-engagement message recently"


def test_whatsapp_after_24_hours_needs_an_approved_template(
    ingested: Settings, tmp_path: Path
) -> None:
    customers = _seed(ingested, tmp_path)
    plain = ingested.knowledge_dir / "templates" / "restock-plain.md"
    plain.write_text(
        "---\nid: restock-plain\npurpose: re_engagement\ndescription: Not approved by Meta.\n"
        "---\nHi {first_name}, the {product_name} is back! {sign_off}\n"
    )

    result = runner.invoke(
        app,
        ["reengage", "--template", "restock-plain", "--customers", str(customers), "--dry-run"],
    )

    assert result.exit_code == 0, result.output
    assert f"SKIP {WA}: WhatsApp: outside the 24-hour window" in result.stdout
    assert f"WOULD SEND {AVA}" in result.stdout and "1 of 5 would get" in result.stdout
