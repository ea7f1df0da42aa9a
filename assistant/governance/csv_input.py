"""The CSV files a brand hands in (CRM exports, identity links, re-engagement lists)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from assistant.errors import ConfigError


def read_csv(path: Path, needed: set[str]) -> csv.DictReader[str]:
    """Rows of ``path`` by column name. A byte-order mark (common in spreadsheet exports) is
    dropped; a missing file, a file that is not UTF-8 or one without the ``needed`` columns
    is a ConfigError naming the file and line."""
    try:
        body = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file.") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 (byte {exc.start + 1}); save it as UTF-8") from None
    reader = csv.DictReader(io.StringIO(body, newline=""))
    if not needed <= set(reader.fieldnames or []):
        raise ConfigError(f"{path}:1: the CSV needs columns {', '.join(sorted(needed))}")
    return reader
