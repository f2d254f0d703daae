"""Markdown loading: front matter kept and parsed, heading paths."""

from __future__ import annotations

from pathlib import Path

from reviewer.ingest.loaders import load_file
from reviewer.ingest.markdown import FRONT_MATTER
from reviewer.text import find_quote
from tests.fixtures.builders import MODEL_CARD_FRONT_MATTER, build_markdown


def test_front_matter_is_metadata_and_citable_text(inbox: Path) -> None:
    path = build_markdown(inbox / "card.md", front_matter=MODEL_CARD_FRONT_MATTER)
    doc = load_file(path)
    assert doc.metadata["base_model"] == "distilbert-base-uncased"
    assert doc.metadata["datasets"] == ["northwind/crm-events-2023"]
    span = find_quote(doc.text, "license: apache-2.0")
    assert span is not None
    assert doc.heading_path_at(span[0]) == [FRONT_MATTER]
    assert doc.text == path.read_text(encoding="utf-8")  # the source, unchanged


def test_atx_heading_paths(inbox: Path) -> None:
    doc = load_file(build_markdown(inbox / "card.md", front_matter=MODEL_CARD_FRONT_MATTER))
    offset = doc.text.index("Scoring conversations in languages")
    assert doc.heading_path_at(offset) == [
        "Northwind churn classifier",
        "Intended use",
        "Out-of-scope use",
    ]
    offset = doc.text.index("Performance drops")
    assert doc.heading_path_at(offset) == ["Northwind churn classifier", "Limitations"]
    assert doc.title == "Northwind churn classifier"


def test_malformed_front_matter_is_a_note_not_a_failure(inbox: Path) -> None:
    path = build_markdown(
        inbox / "bad.md", body="# Notes\n\nBody text.\n", front_matter="title: [unclosed\nowner: x"
    )
    doc = load_file(path)
    assert set(doc.metadata) == {"front_matter_error"}
    assert "invalid YAML front matter" in doc.metadata["front_matter_error"]
    assert doc.text.startswith("---\ntitle: [unclosed")
    assert doc.heading_path_at(doc.text.index("Body text")) == ["Notes"]


def test_non_mapping_front_matter(inbox: Path) -> None:
    doc = load_file(build_markdown(inbox / "list.md", body="Text.\n", front_matter="- a\n- b"))
    assert "not a key: value mapping" in doc.metadata["front_matter_error"]


def test_thematic_break_without_closing_is_not_front_matter(inbox: Path) -> None:
    path = inbox / "rule.md"
    path.write_text("---\n# Heading\n\nText under it.\n", encoding="utf-8")
    doc = load_file(path)
    assert doc.metadata == {}
    assert doc.heading_path_at(doc.text.index("Text under")) == ["Heading"]


def test_fenced_code_and_setext_headings(inbox: Path) -> None:
    body = (
        "Overview\n========\n\nIntro text.\n\n"
        "```bash\n# not a heading, a shell comment\nmake train\n```\n\n"
        "Details\n-------\n\nDetail text.\n"
    )
    doc = load_file(build_markdown(inbox / "setext.md", body=body))
    assert doc.heading_path_at(doc.text.index("make train")) == ["Overview"]
    assert doc.heading_path_at(doc.text.index("Detail text")) == ["Overview", "Details"]
    assert all("not a heading" not in s.heading_path for s in doc.sections)


def test_crlf_and_bom_are_normalised(inbox: Path) -> None:
    path = inbox / "win.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\ntitle: Windows file\r\n---\r\n# Head\r\nLine.\r\n")
    doc = load_file(path)
    assert doc.metadata == {"title": "Windows file"}
    assert "\r" not in doc.text and not doc.text.startswith("\ufeff")
    assert doc.title == "Windows file"
