"""Which language a customer wrote in, for picking a template written in it (a hand-off in
Spanish to a customer who wrote Spanish). Common function words, counted: transparent,
offline and instant, and enough to tell the languages a brand writes templates in apart on
a sentence or two. When the words do not clearly point one way, the answer is None and the
brand's default template is used."""

from __future__ import annotations

import regex

DEFAULT_LANGUAGE = "en"
MIN_MARKERS = 2  # one word ("no", a name) is not a language
_WORDS = regex.compile(r"\p{L}+(?:'\p{L}+)?")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words frequent in one language and rare in the others listed (words shared by two or
# more, such as "de", "la" or "que", are left out: they cannot tell them apart).
MARKERS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and is my i you your it with not please thanks thank hi hello where when how "
        "what can does was have this that would"
    ),
    "es": _words(
        "el los las mi hola gracias estoy cuando dónde donde cómo qué pero muy tengo "
        "quiero puedo también todavía pedido envío ayuda necesito llegó"
    ),
    "fr": _words(
        "le les des est et je mon ma mes pas bonjour merci commande vous nous où quand "
        "comment pourquoi mais très suis ai reçu colis toujours aide"
    ),
    "de": _words(
        "der die das und ich ist nicht mein meine bitte danke hallo wann wo wie warum "
        "bestellung mit für ein eine habe noch paket hilfe"
    ),
    "pt": _words(
        "não meu minha obrigado obrigada olá você encomenda ainda ajuda onde recebi estou "
        "tenho quero"
    ),
    "it": _words(
        "il gli che non mio mia grazie ciao ordine sono è ancora aiuto dove perché ricevuto voglio"
    ),
}


def message_language(text: str) -> str | None:
    """The language ``text`` is clearly written in (ISO 639-1), or None when unsure."""
    words = [w.lower() for w in _WORDS.findall(text)]
    scores = {lang: sum(w in markers for w in words) for lang, markers in MARKERS.items()}
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, runner_up) = ranked[0], ranked[1]
    if top < MIN_MARKERS or top == runner_up:
        return None
    return best
