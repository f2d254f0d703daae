"""PDF loader (pypdf): page-accurate text without running headers, footers and page numbers."""

from __future__ import annotations

import io
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reviewer.config import IngestSettings
from reviewer.ingest.base import IngestError, LoadedDocument, guess_title, jsonable
from reviewer.ingest.limits import describe_content

PAGE_SEPARATOR = "\n\n"
NO_TEXT_LAYER = "no text layer (scanned image PDF?); run OCR first"

_PAGE_NUMBER = re.compile(
    r"^(?:(?:page|p\.|pg\.?)\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$"
    r"|^[-\u2013\u2014]\s*\d{1,4}\s*[-\u2013\u2014]$"
    r"|^\[\s*\d{1,4}\s*\]$",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EDGE_LINES = 2  # lines at the top and bottom of a page that may hold a running header/footer
_MAX_EDGE_REMOVALS = 4  # two header lines, a footer and a page number may all land on one edge


def load_pdf(path: Path, data: bytes, limits: IngestSettings) -> LoadedDocument:
    """Parse PDF bytes into a LoadedDocument with one span per page."""
    with _captured_pypdf_warnings() as warnings:
        doc = _load_pdf(path, data, limits)
    if warnings:
        # A repaired file still loads; the auditor can see that it needed repair.
        doc.metadata["parse_warnings"] = warnings[:10]
    return doc


@contextmanager
def _captured_pypdf_warnings() -> Iterator[list[str]]:
    """Collect pypdf's repair warnings instead of letting them reach the console."""
    captured: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(" ".join(record.getMessage().split())[:200])

    logger = logging.getLogger("pypdf")
    handler = _Collect(level=logging.WARNING)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield captured
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _load_pdf(path: Path, data: bytes, limits: IngestSettings) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    if b"%PDF-" not in data[:1024]:
        looks = describe_content(data)
        raise IngestError(
            path, f"not a PDF ({'looks like ' + looks if looks else 'no %PDF- header'})"
        )
    if b"%%EOF" not in data:
        raise IngestError(path, "truncated or damaged PDF (no %%EOF end marker)")

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            _decrypt_with_empty_password(path, reader)
        page_count = len(reader.pages)
    except IngestError:
        raise
    except DependencyError:
        raise IngestError(path, "encrypted PDF needs the 'cryptography' package") from None
    except FileNotDecryptedError:
        raise IngestError(path, "password-protected PDF (no empty-password access)") from None
    except PdfReadError as exc:
        raise IngestError(path, f"damaged PDF ({_one_line(exc)})") from None

    if page_count == 0:
        raise IngestError(path, "PDF has no pages")
    if page_count > limits.max_pages:
        raise IngestError(path, f"too many pages ({page_count} > limit {limits.max_pages})")

    raw_pages: list[str] = []
    failed: list[int] = []
    first_error: Exception | None = None
    for number, page in enumerate(reader.pages, start=1):
        try:
            raw_pages.append(page.extract_text() or "")
        except Exception as exc:  # one bad content stream should not sink the document
            raw_pages.append("")
            failed.append(number)
            first_error = first_error or exc
    if failed and len(failed) == page_count and first_error is not None:
        raise IngestError(path, f"damaged PDF (no page could be read: {_one_line(first_error)})")

    pages = strip_running_lines([_clean_lines(t) for t in raw_pages])
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for i, lines in enumerate(pages):
        page_text = "\n".join(lines).strip("\n")
        if i:
            parts.append(PAGE_SEPARATOR)
            pos += len(PAGE_SEPARATOR)
        spans.append((pos, pos + len(page_text)))
        parts.append(page_text)
        pos += len(page_text)
    text = "".join(parts)
    if not text.strip():
        raise IngestError(path, NO_TEXT_LAYER)

    metadata = _info(reader)
    if failed:
        metadata["unreadable_pages"] = failed
    return LoadedDocument(
        text=text,
        page_spans=spans,
        sections=[],
        title=guess_title(path, metadata, [], text),
        metadata=metadata,
        pages=page_count,
    )


def _decrypt_with_empty_password(path: Path, reader: object) -> None:
    from pypdf import PasswordType

    result = reader.decrypt("")  # type: ignore[attr-defined]
    if result == PasswordType.NOT_DECRYPTED:
        raise IngestError(path, "password-protected PDF (no empty-password access)")


def _clean_lines(page_text: str) -> list[str]:
    """NFKC (ligatures), no control characters, no trailing spaces; blank lines dropped."""
    text = unicodedata.normalize("NFKC", page_text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", text)
    return [line.rstrip() for line in text.split("\n") if line.strip()]


def _line_key(line: str) -> str:
    """Compare header/footer lines with digits normalised (page numbers, dates vary)."""
    return " ".join(re.sub(r"\d+", "#", line.casefold()).split())


def is_page_number_line(line: str) -> bool:
    """True for bare page-number lines: "3", "Page 3 of 8", "- 3 -", "3/8"."""
    return bool(_PAGE_NUMBER.match(line.strip()))


def strip_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Remove repeated running headers/footers and bare page numbers at page edges."""
    repeated: set[str] = set()
    if len(pages) >= 3:
        seen: Counter[str] = Counter()
        for lines in pages:
            if len(lines) < 2:  # a page's only line is its content, not a running line
                continue
            edge = lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]
            seen.update({_line_key(line) for line in edge})
        need = max(2, math.ceil(len(pages) / 2))
        repeated = {key for key, count in seen.items() if count >= need and key}

    def removable(line: str) -> bool:
        return is_page_number_line(line) or _line_key(line) in repeated

    out: list[list[str]] = []
    for lines in pages:
        start, end = 0, len(lines)
        while start < end and start < _MAX_EDGE_REMOVALS and removable(lines[start]):
            start += 1
        removed_bottom = 0
        while end > start and removed_bottom < _MAX_EDGE_REMOVALS and removable(lines[end - 1]):
            end -= 1
            removed_bottom += 1
        out.append(lines[start:end])
    return out


def _info(reader: object) -> dict[str, object]:
    """PDF /Info entries as lower-case keys without the slash (damaged /Info is ignored)."""
    try:
        info = reader.metadata  # type: ignore[attr-defined]
        if not info:
            return {}
        return {
            str(key).lstrip("/").lower(): jsonable(str(value))
            for key, value in info.items()
            if value is not None and str(value).strip()
        }
    except Exception:  # /Info is optional decoration; never fail a document over it
        return {}


def _one_line(exc: BaseException) -> str:
    msg = " ".join(str(exc).split()) or type(exc).__name__
    return msg[:200]
