"""Guards applied before and while parsing: size, time, and "what does this file really hold".

The parse time limit uses `signal.setitimer`, which only works in the main thread of the main
interpreter on POSIX. Elsewhere (worker threads, Windows) `parse_deadline` is a no-op and the
size/page/unzip limits are the only protection; callers that parse in threads should run
untrusted files in a subprocess if they need a hard time limit.
"""

from __future__ import annotations

import codecs
import math
import signal
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from reviewer.ingest.base import IngestError

_MB = 1024 * 1024

# (magic prefix, description); checked in order against the first bytes of a file.
_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", "a BMP image"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office (OLE2 .doc/.xls) file"),
    (b"PK\x03\x04", "a zip archive"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"MZ", "a Windows executable"),
    (b"{\\rtf", "an RTF document"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"ID3", "an MP3 audio file"),
    (b"OggS", "an Ogg media file"),
]


def describe_content(data: bytes, strong_only: bool = False) -> str | None:
    """Say what the leading bytes look like ("a PNG image"), or None when unrecognised.

    `strong_only` ignores two- and three-byte signatures ("BM", "MZ"), which plain text can
    start with by chance.
    """
    head = data[:1024]
    for magic, label in _MAGIC:
        if strong_only and len(magic) < 4:
            continue
        if head.startswith(magic):
            if magic == b"PK\x03\x04":
                return _describe_zip(data)
            return label
    if b"%PDF-" in head:
        return "a PDF document"
    if strong_only:
        return None
    if head[4:12] in (b"ftypisom", b"ftypmp42", b"ftypqt  ") or head[4:8] == b"ftyp":
        return "an MP4/MOV video"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "a WebP image"
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    return None


def _describe_zip(data: bytes) -> str:
    # Member names sit in plain bytes in the local headers; a cheap look is enough for a label.
    head = data[:65536]
    if b"word/document.xml" in head or b"word/" in head:
        return "a Word document (zip)"
    if b"xl/workbook.xml" in head or b"xl/" in head:
        return "an Excel workbook (XLSX)"
    if b"ppt/" in head:
        return "a PowerPoint deck (PPTX)"
    if b"mimetypeapplication/vnd.oasis.opendocument" in head:
        return "an OpenDocument file"
    if b"mimetypeapplication/epub+zip" in head:
        return "an EPUB book"
    return "a zip archive"


def check_file_size(path: Path, size: int, max_file_mb: float) -> None:
    """Refuse empty files and files over the size limit."""
    if size == 0:
        raise IngestError(path, "empty file")
    if size > max_file_mb * _MB:
        raise IngestError(path, f"file too large ({megabytes(size)} MB > limit {max_file_mb:g} MB)")


def megabytes(size: int) -> str:
    """Bytes as MB with enough digits to differ from the limit ("0.0012", "3.4", "250")."""
    mb = size / _MB
    if mb >= 100:
        return f"{mb:.0f}"
    if mb >= 0.1:
        return f"{mb:.1f}"
    return f"{mb:.2g}"


def control_char_share(text: str) -> float:
    """Share of characters that are control characters other than ordinary whitespace."""
    if not text:
        return 0.0
    bad = sum(1 for ch in text if ch not in "\t\n\r\f\v" and unicodedata.category(ch) == "Cc")
    return bad / len(text)


def looks_binary(data: bytes) -> bool:
    """NUL bytes (outside UTF-16/32 text) or many C0 control bytes mean binary content."""
    sample = data[:65536]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in sample:
        return True
    # Bytes 0x80-0x9f are printable in cp1252 (smart quotes, euro), so only C0 counts here.
    controls = sum(1 for b in sample if (b < 0x20 and b not in _TEXT_CONTROLS) or b == 0x7F)
    return controls / len(sample) > 0.05 if sample else False


_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1a")  # \x1a: DOS end-of-file marker


BINARY_CONTENT = "binary content with a text extension"


def refuse_binary(path: Path, data: bytes) -> None:
    """Raise IngestError when bytes meant to be text are binary (naming what they look like)."""
    looks = describe_content(data, strong_only=True)
    if looks is None and not looks_binary(data):
        return
    looks = looks or describe_content(data)
    raise IngestError(path, f"{BINARY_CONTENT} (looks like {looks})" if looks else BINARY_CONTENT)


def decode_text(data: bytes) -> str:
    """Decode text bytes: BOMs, then UTF-8, then cp1252, then latin-1 (which never fails)."""
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(enc, errors="replace")
    for enc in ("utf-8", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


class ParseTimeout(BaseException):
    """Raised by the timer signal; a BaseException so parsers' `except Exception` cannot eat it."""


@contextmanager
def parse_deadline(seconds: float | None) -> Iterator[None]:
    """Raise ParseTimeout if the block runs longer than `seconds` (main thread only, POSIX)."""
    usable = (
        seconds is not None
        and seconds > 0
        and math.isfinite(seconds)
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def _on_alarm(signum: int, frame: FrameType | None) -> None:
        raise ParseTimeout()

    previous_handler = signal.signal(signal.SIGALRM, _on_alarm)
    started = time.monotonic()
    previous_delay, _ = signal.setitimer(signal.ITIMER_REAL, float(seconds or 0))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:
            # An outer timer was running: give it back what is left, never less than a tick.
            left = previous_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
