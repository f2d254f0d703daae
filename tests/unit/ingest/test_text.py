"""Plain-text loading: encodings and binary detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.ingest.base import IngestError
from reviewer.ingest.loaders import load_file
from tests.fixtures.builders import LATIN1_TEXT, PNG_BYTES, build_bytes, build_text


def _cause(path: Path) -> str:
    with pytest.raises(IngestError) as info:
        load_file(path)
    return info.value.cause


def test_latin1_file_is_decoded(inbox: Path) -> None:
    path = build_text(inbox / "revue.txt", LATIN1_TEXT, encoding="latin-1")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    doc = load_file(path)
    assert doc.text == LATIN1_TEXT
    assert doc.title == "Procédure de revue des modèles"


def test_cp1252_smart_quotes(inbox: Path) -> None:
    text = "The vendor\u2019s \u201cassurance\u201d pack \u2013 2024 \u20ac fees.\n"
    assert load_file(build_text(inbox / "q.txt", text, encoding="cp1252")).text == text


def test_utf8_bom_and_utf16(inbox: Path) -> None:
    text = "Zero-trust access for the model registry.\n"
    assert load_file(build_text(inbox / "bom.txt", text, bom=True)).text == text
    assert load_file(build_text(inbox / "u16.text", text, encoding="utf-16")).text == text


def test_crlf_is_normalised(inbox: Path) -> None:
    doc = load_file(build_bytes(inbox / "win.txt", b"line one\r\nline two\r\n"))
    assert doc.text == "line one\nline two\n"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (PNG_BYTES, "looks like a PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n", "looks like a PDF document"),
        (b"hello\x00world\x00" * 20, "binary content with a text extension"),
        (bytes(range(1, 32)) * 40, "binary content with a text extension"),
    ],
)
def test_binary_content_with_text_extension(inbox: Path, data: bytes, fragment: str) -> None:
    cause = _cause(build_bytes(inbox / "notes.txt", data))
    assert cause.startswith("binary content with a text extension")
    assert fragment in cause


def test_binary_named_markdown_and_html(inbox: Path) -> None:
    assert "looks like a PNG image" in _cause(build_bytes(inbox / "x.md", PNG_BYTES))
    assert "binary content" in _cause(build_bytes(inbox / "x.html", b"\x00\x01\x02" * 50))


def test_whitespace_only_file(inbox: Path) -> None:
    assert "no text content" in _cause(build_bytes(inbox / "blank.txt", b"  \n\n\t \n"))


def test_text_starting_like_a_weak_signature_is_text(inbox: Path) -> None:
    # "BM" (bitmap) and "MZ" (exe) are too short to judge plain text by.
    doc = load_file(build_text(inbox / "bm.txt", "BMW fleet telematics model review.\n"))
    assert doc.text.startswith("BMW")
