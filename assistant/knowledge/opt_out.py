"""Telling an opt-out (or opt-in) keyword from a real message that happens to contain one."""

from __future__ import annotations

import re

# Words around an opt-out keyword that do not change its meaning ("please unsubscribe me
# from all your messages"); anything else makes it a real message, handled as such.
FILLER = {
    "please",
    "pls",
    "plz",
    "me",
    "now",
    "thanks",
    "thank",
    "you",
    "from",
    "this",
    "list",
    "all",
    "your",
    "these",
    "them",
    "messages",
    "texts",
    "emails",
    "notifications",
    "sending",
    "us",
    "any",
    "more",
    "of",
}


def keyword_command(text: str, keywords: list[str]) -> bool:
    """True when the message is just the keyword ('STOP', 'unsubscribe me please')."""
    words = [w for w in re.findall(r"[^\W_]+", text.lower()) if w not in FILLER]
    return bool(words) and " ".join(words) in {k.lower() for k in keywords}
