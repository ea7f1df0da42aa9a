"""A customer who writes in a language the brand has a hand-off for gets the hand-off in
that language; anything unclear gets the default one."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.db import records_engine
from assistant.errors import KnowledgeError
from assistant.knowledge.language import message_language
from assistant.knowledge.loader import load_knowledge
from assistant.review.queue import Queue
from assistant.settings import Settings
from tests.support import message, process, run


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hola, todavía no llegó mi pedido y necesito ayuda", "es"),
        ("Bonjour, je n'ai pas reçu ma commande", "fr"),
        ("Wo ist meine Bestellung? Danke", "de"),
        ("Olá, ainda não recebi a minha encomenda", "pt"),
        ("Ciao, non ho ancora ricevuto il mio ordine", "it"),
        ("Hi, where is my order please?", "en"),
        ("ok", None),  # one word is not a language
        ("gracias!", None),
        ("Danke, merci", None),  # a tie
    ],
)
def test_the_language_a_message_is_written_in(text: str, language: str | None) -> None:
    assert message_language(text) == language


def _draft(settings: Settings, text: str, id: str) -> str:
    new_customer = message(text, id=id, author_id=f"web_{id}", name="Lucía Gómez")
    [result] = run(process(settings, new_customer))
    return Queue(records_engine(settings)).get(result.item_id).draft or ""


def test_a_hand_off_is_drafted_in_the_customers_language(ingested: Settings) -> None:
    spanish = _draft(ingested, "Hola, necesito hablar con alguien de mi cuenta, gracias", "es-1")
    french = _draft(ingested, "Bonjour, je voudrais parler à quelqu'un de mon compte", "fr-1")
    # In English the FAQ answers "talk to someone about my account" (faq:contact-us): a
    # request it does not answer gets the hand-off.
    english = _draft(ingested, "Hi, I would like to talk to someone about a partnership", "en-1")
    dutch = _draft(ingested, "Hallo, ik wil graag iemand spreken over mijn account", "nl-1")

    assert "Gracias por tu mensaje, Lucía" in spanish
    assert "Merci pour votre message, Lucía" in french
    assert "Thanks for your message, Lucía" in english
    assert "Thanks for your message" in dutch  # no Dutch hand-off: the default one


def test_a_template_language_that_is_not_a_code_is_reported_with_file_and_line(
    knowledge_dir: Path,
) -> None:
    path = knowledge_dir / "templates" / "handoff-es.md"
    path.write_text(path.read_text().replace("language: es", "language: spanish"))

    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(knowledge_dir)

    [problem] = caught.value.problems
    assert problem.startswith("templates/handoff-es.md:4: language:")
