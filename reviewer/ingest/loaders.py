"""Pick the loader for a file by extension and apply the common guards around it.

`load_file` raises `IngestError` and nothing else: bad input (wrong type, damaged, encrypted,
too large, too slow) becomes one line naming the file and the cause.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reviewer.config import IngestSettings
from reviewer.ingest.base import IngestError, LoadedDocument
from reviewer.ingest.docx import load_docx
from reviewer.ingest.html import load_html
from reviewer.ingest.limits import ParseTimeout, check_file_size, parse_deadline
from reviewer.ingest.markdown import load_markdown
from reviewer.ingest.pdf import load_pdf
from reviewer.ingest.text import load_text

Loader = Callable[[Path, bytes, IngestSettings], LoadedDocument]

_LOADERS: dict[str, tuple[str, Loader]] = {
    ".pdf": ("PDF", load_pdf),
    ".docx": ("DOCX", load_docx),
    ".md": ("Markdown", load_markdown),
    ".markdown": ("Markdown", load_markdown),
    ".txt": ("text", load_text),
    ".text": ("text", load_text),
    ".html": ("HTML", load_html),
    ".htm": ("HTML", load_html),
}
SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(_LOADERS)


def is_supported(path: Path) -> bool:
    """True when the file's extension has a loader (case-insensitive)."""
    return path.suffix.lower() in SUPPORTED_EXTENSIONS


def load_file(path: Path, limits: IngestSettings | None = None) -> LoadedDocument:
    """Load one evidence file into a LoadedDocument; raises IngestError only."""
    path = Path(path)
    limits = limits or IngestSettings()
    ext = path.suffix.lower()
    if ext not in _LOADERS:
        shown = f"'{ext}'" if ext else "(no extension)"
        supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        raise IngestError(path, f"unsupported file type {shown} (supported: {supported})")
    kind, loader = _LOADERS[ext]

    try:
        size = path.stat().st_size
        check_file_size(path, size, limits.max_file_mb)
        data = path.read_bytes()
    except IngestError:
        raise
    except OSError as exc:
        raise IngestError(path, f"cannot read: {exc.strerror or exc}") from None
    check_file_size(path, len(data), limits.max_file_mb)  # the file may change after stat

    try:
        with parse_deadline(limits.parse_timeout_s):
            return loader(path, data, limits)
    except IngestError:
        raise
    except ParseTimeout:
        raise IngestError(
            path, f"parsing took longer than {limits.parse_timeout_s:g} s (parse_timeout_s)"
        ) from None
    except RecursionError:
        raise IngestError(path, f"cannot parse {kind}: structure nested too deeply") from None
    except MemoryError:
        raise IngestError(path, f"cannot parse {kind}: out of memory") from None
    except Exception as exc:  # parser internals (pypdf, lxml, zipfile...) must not escape
        detail = " ".join(str(exc).split())[:200]
        name = type(exc).__name__
        raise IngestError(
            path,
            f"cannot parse {kind}: {name}: {detail}" if detail else f"cannot parse {kind}: {name}",
        ) from None
