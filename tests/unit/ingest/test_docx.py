"""DOCX loading on real files written with python-docx, and hostile archives."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from reviewer.config import IngestSettings
from reviewer.ingest.base import IngestError
from reviewer.ingest.loaders import load_file
from tests.fixtures.builders import (
    DOCX_BLOCKS,
    PNG_BYTES,
    build_bytes,
    build_deflate_bomb_docx,
    build_docx,
    build_zip_bomb_docx,
)


def _cause(path: Path, limits: IngestSettings | None = None) -> str:
    with pytest.raises(IngestError) as info:
        load_file(path, limits)
    assert "\n" not in str(info.value)
    return info.value.cause


def test_paragraphs_and_tables_in_body_order(inbox: Path) -> None:
    doc = load_file(build_docx(inbox / "standard.docx", DOCX_BLOCKS, title="Supplier AI risk"))
    text = doc.text
    order = [
        "This standard describes",
        "Scope",
        "Pre-trained models are accepted",
        "Supplier register",
        "Supplier | Service | Risk tier",
        "Larkspur AI | Hosted LLM API | High",
        "Quillmetrics | Labelling service | Medium",
        "The register is reviewed",
    ]
    positions = [text.index(piece) for piece in order]
    assert positions == sorted(positions)
    assert doc.title == "Supplier AI risk"  # core properties win over the Title paragraph
    assert doc.pages is None and doc.page_spans == []


def test_heading_paths_follow_heading_styles(inbox: Path) -> None:
    doc = load_file(build_docx(inbox / "standard.docx", DOCX_BLOCKS))
    at = {doc.text[s.start : s.end].split("\n")[0]: s.heading_path for s in doc.sections}
    assert at["Pre-trained models"] == ["Supplier AI Risk Standard", "Scope", "Pre-trained models"]
    assert at["Supplier register"] == ["Supplier AI Risk Standard", "Supplier register"]
    table_offset = doc.text.index("Larkspur AI")
    assert doc.heading_path_at(table_offset) == ["Supplier AI Risk Standard", "Supplier register"]
    assert doc.title == "Supplier AI Risk Standard"


def test_sections_are_sorted_and_inside_the_text(inbox: Path) -> None:
    doc = load_file(build_docx(inbox / "standard.docx", DOCX_BLOCKS))
    ends = 0
    for section in doc.sections:
        assert ends <= section.start < section.end <= len(doc.text)
        ends = section.end


def test_declared_huge_member_is_refused_before_parsing(inbox: Path) -> None:
    cause = _cause(build_zip_bomb_docx(inbox / "bomb.docx", declared_mb=4096))
    assert "zip bomb" in cause and "limit 200 MB" in cause


def test_member_that_really_inflates_is_refused(inbox: Path) -> None:
    path = build_deflate_bomb_docx(inbox / "padded.docx", real_mb=6)
    assert path.stat().st_size < 100_000
    assert "zip bomb" in _cause(path, IngestSettings(max_decompressed_mb=5))
    assert "padded archive" in load_file(path, IngestSettings(max_decompressed_mb=50)).text


def test_non_zip_docx(inbox: Path) -> None:
    cause = _cause(build_bytes(inbox / "legacy.docx", b"plain words, no archive"))
    assert cause == "not a DOCX (not a zip archive)"


def test_png_named_docx_says_what_it_is(inbox: Path) -> None:
    cause = _cause(build_bytes(inbox / "picture.docx", PNG_BYTES))
    assert cause.startswith("not a DOCX (not a zip archive)") and "PNG image" in cause


def test_xlsx_named_docx(inbox: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "Question"
    book.save(inbox / "questionnaire.docx")
    cause = _cause(inbox / "questionnaire.docx")
    assert "not a DOCX" in cause and "XLSX" in cause


def test_damaged_zip_docx(inbox: Path) -> None:
    good = build_docx(inbox / "good.docx", DOCX_BLOCKS).read_bytes()
    cause = _cause(build_bytes(inbox / "cut.docx", good[: len(good) // 2]))
    assert "not a DOCX" in cause or "cannot parse DOCX" in cause


def test_zip_with_broken_document_xml(inbox: Path) -> None:
    path = build_docx(inbox / "broken.docx", [("p", "text")])
    rebuilt = inbox / "rebuilt.docx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(rebuilt, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]  # unterminated XML
            dst.writestr(item, data)
    assert _cause(rebuilt).startswith("cannot parse DOCX: ")
