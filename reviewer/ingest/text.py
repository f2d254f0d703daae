"""Plain-text loader: UTF-8 (BOM aware), then cp1252/latin-1; binary content is refused."""

from __future__ import annotations

from pathlib import Path

from reviewer.config import IngestSettings
from reviewer.ingest.base import IngestError, LoadedDocument, guess_title
from reviewer.ingest.limits import (
    BINARY_CONTENT,
    control_char_share,
    decode_text,
    normalize_newlines,
    refuse_binary,
)


def load_text(path: Path, data: bytes, limits: IngestSettings) -> LoadedDocument:
    """Decode a plain-text file; the text is kept as written (newlines unified)."""
    refuse_binary(path, data)
    text = normalize_newlines(decode_text(data))
    if control_char_share(text[:65536]) > 0.05:
        raise IngestError(path, BINARY_CONTENT)
    if not text.strip():
        raise IngestError(path, "no text content (only whitespace)")
    return LoadedDocument(
        text=text,
        page_spans=[],
        sections=[],
        title=guess_title(path, {}, [], text),
        metadata={},
        pages=None,
    )
