"""Meta signs each webhook with HMAC-SHA256 of the raw body bytes. Meta hashes an escaped
form (``\\u00e4``, ``\\/``), so the bytes as received are hashed, never re-serialised JSON."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any

HEADER = "X-Hub-Signature-256"
PREFIX = "sha256="


def sign(body: bytes, secret: str) -> str:
    """The header value Meta would send for ``body``."""
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(body: bytes, header: str | None, secrets: Iterable[str]) -> bool:
    """True when ``header`` is a valid signature of ``body`` under any of ``secrets`` (each
    compared in constant time, all of them always, so timing says nothing about which)."""
    if not header or not header.startswith(PREFIX):
        return False
    given = header[len(PREFIX) :].strip().lower().encode()
    found = False
    for secret in secrets:
        if secret:
            expected = sign(body, secret)[len(PREFIX) :].encode()
            found |= hmac.compare_digest(expected, given)
    return found


def meta_json(payload: Any) -> bytes:
    """JSON as Meta sends it: non-ASCII escaped as ``\\u00e4`` and ``/`` as ``\\/``."""
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
    return text.replace("/", "\\/").encode()
