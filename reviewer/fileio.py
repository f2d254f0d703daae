"""File output shared by exports and filled questionnaires: atomic writes (a reader, or a crash,
sees the old file or the complete new one, never a half-written one) and spreadsheet cells that
stay text."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO


def atomic_write(path: Path, content: bytes | Callable[[BinaryIO], None]) -> None:
    """Write bytes (or let `content` write to the handle) to a temp file beside `path`, fsync, replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.resolve().parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            if callable(content):
                content(fh)
            else:
                fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# A spreadsheet reads a cell starting with one of these as a formula (a leading tab or CR is
# stripped on import and what follows evaluated), so text from people or documents that starts
# with one must stay text: `=HYPERLINK(...)` in a note must not become a live link.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def starts_formula(value: object) -> bool:
    """True for a string a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: object) -> object:
    """A CSV cell value that opens as text: a formula-like string gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def keep_as_text(cell: Any) -> None:
    """Store an openpyxl cell's formula-like string as a string, never a formula (call after
    assigning the value; the text itself is kept as it is)."""
    if starts_formula(cell.value):
        cell.data_type = "s"


def writable(path: Path) -> bool:
    """The file can be written, or created in the nearest folder that exists (false on a
    read-only mount or without write permission)."""
    if path.exists():
        return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return os.access(folder, os.W_OK)
