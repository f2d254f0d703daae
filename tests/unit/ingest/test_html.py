"""HTML loading with the stdlib parser."""

from __future__ import annotations

from pathlib import Path

from reviewer.ingest.loaders import load_file
from tests.fixtures.builders import HTML_PAGE, build_html


def test_visible_text_only(inbox: Path) -> None:
    doc = load_file(build_html(inbox / "aup.html"))
    for hidden in ("tracking", "still hidden", "font-family", "Home"):
        assert hidden not in doc.text
    assert doc.title == "Northwind AI acceptable use standard"


def test_entities_are_decoded(inbox: Path) -> None:
    doc = load_file(build_html(inbox / "aup.html"))
    assert "drafting & summarising internal documents." in doc.text
    assert "board \u2014 ai-board@northwind.example" in doc.text
    assert "&amp;" not in doc.text and "&mdash;" not in doc.text


def test_blocks_become_lines_and_rows(inbox: Path) -> None:
    doc = load_file(build_html(inbox / "aup.html"))
    lines = doc.text.split("\n")
    assert "- Pasting customer personal data into public chatbots." in lines
    assert "- Using AI output in a contract without review by a person." in lines
    assert "Tool | Owner | Data allowed" in lines
    assert "Larkspur Assist | Legal | Confidential" in lines


def test_heading_paths(inbox: Path) -> None:
    doc = load_file(build_html(inbox / "aup.html"))
    assert doc.heading_path_at(doc.text.index("Copilot")) == [
        "AI acceptable use standard",
        "Approved tools",
    ]
    assert doc.heading_path_at(doc.text.index("Pasting")) == [
        "AI acceptable use standard",
        "Prohibited uses",
    ]


def test_pre_keeps_line_breaks_and_cells_keep_paragraphs(inbox: Path) -> None:
    html = (
        "<html><body><h3>Config</h3><pre>seed: 7\nepochs: 3</pre>"
        "<table><tr><td><p>first</p><p>second</p></td><td>x<br>y</td></tr></table>"
        "<p>Line one<br>Line two</p></body></html>"
    )
    doc = load_file(build_html(inbox / "misc.htm", html))
    assert "seed: 7\nepochs: 3" in doc.text
    assert "first second | x y" in doc.text
    assert "Line one\nLine two" in doc.text


def test_meta_charset_is_honoured(inbox: Path) -> None:
    html = HTML_PAGE.replace('charset="utf-8"', 'charset="windows-1252"').replace(
        "Staff may", "Staff \u2019s may"
    )
    path = inbox / "cp.html"
    path.write_bytes(html.encode("cp1252"))
    assert "Staff \u2019s may" in load_file(path).text
