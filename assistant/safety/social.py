"""Social-media text as the embedding model should see it: what a tweet or comment carries
besides its words (handles, links, HTML entities, hashtags, stretched words) is removed or
folded, so "@brand sooooo slow!!! https://t.co/x" is compared as "so slow!!"."""

from __future__ import annotations

import html
import re

HANDLE = re.compile(r"(?<!\w)[@＠]\w+")
LINK = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
HASHTAG = re.compile(r"#(\w+)")
CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
STRETCHED = re.compile(r"([^\W\d_])\1{2,}")
REPEATED_MARKS = re.compile(r"([!?.])\1{2,}")


def social_normalise(text: str) -> str:
    """Unchanged text for a plain message; the words alone for a social post."""
    cleaned = html.unescape(text)
    cleaned = LINK.sub(" ", cleaned)
    cleaned = HANDLE.sub(" ", cleaned)
    cleaned = HASHTAG.sub(lambda m: CAMEL.sub(" ", m.group(1)), cleaned)
    cleaned = STRETCHED.sub(r"\1\1", cleaned)
    cleaned = REPEATED_MARKS.sub(r"\1\1", cleaned)
    cleaned = " ".join(cleaned.split())
    return cleaned or text
