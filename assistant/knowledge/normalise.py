"""Casual customer text made comparable with FAQ text: handles, links and emoji dropped,
chat shorthand ("u", "ur", "pls") spelled out, repeated letters and punctuation squeezed.
Retrieval only: the message itself, its routing and its reply never see this text."""

from __future__ import annotations

import re
import unicodedata

# Shorthand seen in DMs and comments, spelled out. Only unambiguous forms: "r" and "u" are
# words on their own, never inside one ("ur" in "your" is untouched).
SHORTHAND = {
    "u": "you",
    "ya": "you",
    "ur": "your",
    "urs": "yours",
    "r": "are",
    "y": "why",
    "n": "and",
    "w": "with",
    "w/": "with",
    "b4": "before",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ty": "thank you",
    "smth": "something",
    "sth": "something",
    "abt": "about",
    "bc": "because",
    "cuz": "because",
    "rn": "right now",
    "asap": "as soon as possible",
    "idk": "i do not know",
    "im": "i am",
    "ive": "i have",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "cant": "cannot",
    "wont": "will not",
    "isnt": "is not",
    "whats": "what is",
    "wheres": "where is",
    "hows": "how is",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "have to",
    "xmas": "christmas",
    "addy": "address",
    "pkg": "package",
    "pw": "password",
    "acct": "account",
    "info": "information",
    "giftcard": "gift card",
    "giftcards": "gift cards",
    "e-gift": "gift",
    "lol": "",
    "lmao": "",
    "omg": "",
    "tbh": "",
    "btw": "",
    "hi": "",
    "hey": "",
    "hello": "",
    # Fillers: tone, not the question (and never a topic the knowledge should cover).
    "guys": "",
    "actually": "",
    "literally": "",
    "oops": "",
}

# Words customers use where shop text has one plain word: damage in transit is "damaged" in
# any help centre, a buy-now-pay-later brand asks about instalments.
PLAIN_WORD = {
    **dict.fromkeys(
        ["cracked", "smashed", "shattered", "chipped", "dented", "torn", "ripped"], "damaged"
    ),
    **dict.fromkeys(["klarna", "afterpay", "sezzle"], "installments"),
}
PHRASES = {"mailing list": "newsletter", "email list": "newsletter"}

HANDLE = re.compile(r"(?<!\w)@[\w.]+")
LINK = re.compile(r"https?://\S+|www\.\S+")
REPEATS = re.compile(r"(\w)\1{2,}")  # "sooooo" → "soo": keeps real double letters
WORD = re.compile(r"[^\W_]+(?:[/'-][^\W_]+)*/?")


_ASCII_SYMBOLS = str.maketrans("^`", "  ")


def _is_symbol(char: str) -> bool:
    """Emoji, pictographs and other symbols: they carry tone, not the question."""
    return unicodedata.category(char) in {"So", "Sk", "Cs", "Co", "Mn", "Cf"}


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces, shorthand spelled out."""
    text = HANDLE.sub(" ", LINK.sub(" ", text))
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    if text.isascii():  # the common case: the only ASCII symbols are these two
        text = text.translate(_ASCII_SYMBOLS)
    else:
        text = "".join(" " if _is_symbol(c) else c for c in text)
    text = REPEATS.sub(r"\1\1", text)
    words = []
    for word in WORD.findall(text):
        key = word.replace("'", "")
        expanded = SHORTHAND.get(word, SHORTHAND.get(key, word))
        if expanded:
            words.append(PLAIN_WORD.get(expanded, expanded))
    joined = " ".join(words)
    for phrase, plain in PHRASES.items():
        if phrase in joined:
            joined = re.sub(rf"\b{phrase}\b", plain, joined)
    return joined


_PLAIN = re.compile(r"[^\W_]+")


def same_words(text: str, normalised: str) -> bool:
    """Whether normalising changed only case and punctuation: the model reads both alike."""
    return _PLAIN.findall(normalised) == _PLAIN.findall(text.lower())


def reworded(text: str, normalised: str) -> bool:
    """Whether normalising changed more than case and punctuation (a word spelled out or
    replaced): only then does the normalised text read differently to a model. A greeting
    or filler dropped ("hi", "lol") does not count: it tells the model nothing either way."""
    kept = [w for w in _PLAIN.findall(text.lower()) if SHORTHAND.get(w) != ""]
    return _PLAIN.findall(normalised) != kept
