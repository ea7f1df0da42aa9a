"""Reading knowledge files safely: regular files inside the folder only, size-capped,
UTF-8 with or without a BOM. Every refusal is a problem with the file's name (and line),
so a broken file is reported, never silently treated as absent or followed outside."""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024  # far above any hand-written file; stops /dev/zero-like reads
BOM = "\ufeff"


class FileError(Exception):
    """A file that cannot be used; ``message`` already names the file and line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def visible(path: Path) -> bool:
    """Dotfiles (editor backups, ``.hidden.md``) are never knowledge."""
    return not path.name.startswith(".")


def entries(folder: Path, suffix: str) -> list[Path]:
    """The visible entries of ``folder`` ending in ``suffix``, whatever their type, so a
    directory or special file named ``x.md`` is reported rather than skipped."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.endswith(suffix) and visible(p))


def exists(path: Path) -> bool:
    """True for anything at ``path``, a dangling link included: only absence is absence."""
    return os.path.lexists(path)


def read_text(root: Path, path: Path, where: str, max_bytes: int = MAX_BYTES) -> str:
    """The file's text, or FileError saying what is wrong with it."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling link, loop, permission
        raise FileError(f"{where}:1: is a broken link or cannot be reached") from None
    if not target.is_relative_to(root.resolve()):
        raise FileError(f"{where}:1: links outside the knowledge folder; copy the file in")
    try:
        info = target.stat()
    except OSError as exc:
        raise FileError(f"{where}:1: cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise FileError(f"{where}:1: is {kind}; knowledge files are plain text files")
    if info.st_size > max_bytes:
        raise FileError(f"{where}:1: is {info.st_size:,} bytes; the limit is {max_bytes:,}")
    try:
        with target.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise FileError(f"{where}:1: cannot be read ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise FileError(f"{where}:1: is over {max_bytes:,} bytes")
    return decode(data, where)


def decode(data: bytes, where: str) -> str:
    """UTF-8, a leading BOM dropped (what Excel and Notepad write); NUL bytes refused."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileError(f"{where}:{line}: not UTF-8 text; save the file as UTF-8") from None
    text = text.removeprefix(BOM)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise FileError(f"{where}:{line}: contains a NUL character; is it a text file?")
    return text
