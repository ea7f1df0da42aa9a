"""Password hashing with scrypt (standard library) and the password policy.

A hash is self-describing, ``scrypt$n$r$p$salt_b64$key_b64``, so the cost can be raised later
without breaking existing hashes. Passwords are never stored, logged or put in messages.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache

from assistant.errors import ConfigError

N, R, P = 2**14, 8, 1  # ~40 ms per hash on the 2-core development machine
SALT_BYTES, KEY_BYTES = 16, 32
MIN_LENGTH, MAX_LENGTH = 10, 1024  # the cap keeps one sign-in from hashing megabytes
_MAX_N = 2**20  # refuse hashes that would make verification absurdly expensive


def check_policy(password: str, name: str | None = None) -> None:
    """Raise ConfigError (exit code 2) saying what the password needs; never echoes it."""
    if len(password) < MIN_LENGTH:
        raise ConfigError(
            f"The password is too short: use at least {MIN_LENGTH} characters "
            "(a few random words work well)."
        )
    if len(password) > MAX_LENGTH:
        raise ConfigError(f"The password is too long: use at most {MAX_LENGTH} characters.")
    if not password.strip():
        raise ConfigError("The password cannot be only spaces.")
    if name and password.strip().lower() == name.strip().lower():
        raise ConfigError("The password cannot be the user name.")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=256 * 1024**2
    )


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, N, R, P, KEY_BYTES)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """True if ``password`` matches; False for a wrong password or a malformed hash."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        n_, r_, p_ = int(n), int(r), int(p)
        salt_raw, key_raw = base64.b64decode(salt), base64.b64decode(key)
    except ValueError:
        return False
    if scheme != "scrypt" or not (1 < n_ <= _MAX_N and 0 < r_ <= 32 and 0 < p_ <= 16):
        return False
    candidate = _derive(password, salt_raw, n_, r_, p_, len(key_raw))
    return hmac.compare_digest(candidate, key_raw)


@cache
def dummy_hash() -> str:
    """A hash no password matches, verified against for unknown names so that a sign-in
    takes as long whether or not the name exists."""
    return hash_password(secrets.token_urlsafe(32))
