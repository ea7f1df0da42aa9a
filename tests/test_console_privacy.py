"""The console's Privacy page (admins only): what is held about a customer, the export as a
download, erasure after typing the key again, and identity links."""

from __future__ import annotations

import json
from typing import Any

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from assistant.db import records_engine
from assistant.review.models import AuditAction
from assistant.review.queue import Queue
from assistant.settings import Settings
from tests.console_support import add_users, audit, click, console, on_screen
from tests.support import message, process, run

IG, WA = "instagram:maya.designs", "whatsapp:+15035550142"
IG_TEXT = "Any update on my order FH-10299?"
WA_TEXT = "Please send the receipt for the lamp to maya.private@example.com"
OTHER_TEXT = "Do you sell gift cards for the Bend shop?"


def _seed(settings: Settings) -> None:
    add_users(settings)
    run(
        process(
            settings,
            message(IG_TEXT, id="ig-1", channel="instagram", author_id="maya.designs"),
            message(WA_TEXT, id="wa-1", channel="whatsapp", author_id="+15035550142"),
            message(OTHER_TEXT, id="web-1", author_id="web_3390", name="Nora Kaplan"),
        )
    )


def _privacy(key: str) -> AppTest:
    at = console("ada", "Privacy")
    at.text_input(key="privacy_key").input(key)
    return at.run()


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """The bytes each download button hands the browser."""
    served: list[bytes] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self: MemoryMediaFileStorage, data: Any, *args: Any, **kwargs: Any) -> str:
        served.append(data.encode() if isinstance(data, str) else bytes(data))
        return original(self, data, *args, **kwargs)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return served


def _exported(at: AppTest, downloads: list[bytes]) -> dict[str, Any]:
    at = click(at, "Prepare export")
    assert [b.label for b in at.get("download_button")] == ["Download export (JSON)"]
    return json.loads(downloads[-1])  # type: ignore[no-any-return]


def _texts(document: dict[str, Any]) -> list[str]:
    return [m["text"] for m in document["messages"]]


def test_an_admin_sees_what_is_held_and_downloads_the_export(
    settings: Settings, downloads: list[bytes]
) -> None:
    _seed(settings)
    at = _privacy(IG)
    screen = on_screen(at)
    assert f"Held about {IG}" in screen
    assert "No identities are linked" in screen
    document = _exported(at, downloads)
    assert document["requested_key"] == IG
    assert _texts(document) == [IG_TEXT]
    exports = [e for e in audit(settings) if e.action == AuditAction.customer_export]
    assert [e.actor for e in exports] == ["ada"]


@pytest.mark.parametrize("user", ["ann", "lea"])
def test_agents_and_leads_do_not_see_the_page(settings: Settings, user: str) -> None:
    _seed(settings)
    at = console(user, "Privacy")
    assert "Privacy" not in at.sidebar.radio(key="page").options
    assert "Held about" not in on_screen(at)


def test_a_malformed_key_gets_a_plain_message(settings: Settings) -> None:
    _seed(settings)
    screen = on_screen(_privacy("maya.designs"))
    assert "write channel:author-id" in screen
    assert "Held about" not in screen


def test_erasure_needs_the_key_typed_again(settings: Settings) -> None:
    _seed(settings)
    at = _privacy(WA)
    at = click(at, "Erase this customer")
    assert "Type the customer key whatsapp:+15035550142 again" in on_screen(at)
    assert any(i.text == WA_TEXT for i in Queue(records_engine(settings)).items())
    at.text_input(key="privacy_confirm").input(WA)
    at = click(at.run(), "Erase this customer")
    assert f"Erased {WA}: 1 identities, 1 messages" in on_screen(at)
    left = [i.text for i in Queue(records_engine(settings)).items()]
    assert WA_TEXT not in left
    assert OTHER_TEXT in left
    erasures = [e for e in audit(settings) if e.action == AuditAction.erasure]
    assert [e.actor for e in erasures] == ["ada"]
    after = _privacy(WA).dataframe[0].value
    assert dict(zip(after["kind"], after["count"], strict=True))["messages"] == 0
    again = click(at, "Erase this customer")
    assert f"Nothing is held about {WA}" in on_screen(again)


def test_linking_two_identities_makes_the_export_cover_both(
    settings: Settings, downloads: list[bytes]
) -> None:
    _seed(settings)
    at = console("ada", "Privacy")
    at.text_input(key="privacy_link_a").input(IG)
    at.text_input(key="privacy_link_b").input(WA)
    at.text_input(key="privacy_person").input("P-7")
    at = click(at.run(), "Link")
    assert f"Linked: {IG}, {WA}" in on_screen(at)
    at = _privacy(IG)
    assert f"`{WA}` (P-7)" in on_screen(at).replace("\\", "")
    assert sorted(_texts(_exported(at, downloads))) == sorted([IG_TEXT, WA_TEXT])
