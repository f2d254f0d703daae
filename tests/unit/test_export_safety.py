"""Exports carry text written by people and documents: it must stay inert text in every format."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reviewer.models import ControlRef, Question
from tests.unit.reviewed_workspace import QUESTIONS, VENDOR, Reviewed, reviewed_workspace

FORMULA_NOTE = '=HYPERLINK("http://x","click")'
FORMULA_QUESTION = Question(
    id="Q3",
    text="=1+1 Is access to training data reviewed by the security team?",
    refs=[ControlRef.parse("ISO27001:2013 A.9.2.5")],
)


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Reviewed:
    """A workspace with a formula in a reviewer's note and in an ad-hoc question."""
    r = reviewed_workspace(tmp_path, monkeypatch, [*QUESTIONS, FORMULA_QUESTION])
    r.ws.decide(r.by_question("Q1").id, "reject", reason="other", note=FORMULA_NOTE)
    return r


def test_xlsx_export_stores_formula_like_text_as_text(hostile: Reviewed, tmp_path: Path) -> None:
    out, _ = hostile.ws.export("xlsx", tmp_path / "report.xlsx")
    wb = load_workbook(out)
    cells = [c for sheet in wb for row in sheet.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    values = [c.value for c in cells]
    # Kept as written, not altered: the cell simply is text.
    assert FORMULA_NOTE in values and FORMULA_QUESTION.text in values


def test_csv_export_prefixes_formula_like_text(hostile: Reviewed, tmp_path: Path) -> None:
    out, _ = hostile.ws.export("csv", tmp_path / "report.csv")
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    note = next(r["note"] for r in rows if r["question_id"] == "Q1")
    question = next(r["question"] for r in rows if r["question_id"] == "Q3")
    assert note == "'" + FORMULA_NOTE
    assert question == "'" + FORMULA_QUESTION.text
    assert all(
        not v.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for v in row.values()
    )


SCRIPT_POLICY = (
    "Training data is classified as Confidential before use <script>alert(1)</script>. "
    "The data owner records the classification in the dataset register.\n"
)
HOSTILE_NOTE = (
    '<img src=x onerror="alert(2)"> see [click](javascript:alert(3)) & ![t](http://t.example/p.png)'
)
HOSTILE_RATIONALE = (
    "# Approved by the CISO\n\n<script>alert(4)</script>\n*Decision:* approved | `x`"
)
TRACKER_QUESTION = Question(
    id="Q3",
    text="![pixel](http://tracker.example/p.png) Does the supplier notify security incidents?",
    refs=[ControlRef.parse("ISO27001:2013 A.16.1.2")],
)


def _visible_text(rendered: str) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


def test_markdown_export_renders_hostile_text_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from markdown_it import MarkdownIt

    r = reviewed_workspace(
        tmp_path,
        monkeypatch,
        [*QUESTIONS, TRACKER_QUESTION],
        docs={"policy.txt": SCRIPT_POLICY, "vendor.md": VENDOR},
        all_cited=False,
    )
    q1 = r.by_question("Q1")
    assert any("<script>" in c.quote for c in q1.citations if c.verified)
    r.ws.decide(q1.id, "reject", reason="other", note=HOSTILE_NOTE)
    r.ws.decide(r.by_question("Q2").id, "edit", rationale=HOSTILE_RATIONALE)
    out, _ = r.ws.export("md", tmp_path / "report.md")
    text = out.read_text(encoding="utf-8")
    assert "<script" not in text and "<img" not in text and "[click](javascript:" not in text

    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    for tag in ("<script", "<img", "<a ", "<code>x</code>"):
        assert tag not in rendered, tag
    assert rendered.count("<h1>") == 1  # a rationale line cannot open a heading
    assert rendered.count("<em>Decision:</em>") == 2  # the reviewers', not the rationale's
    assert "<br />\n- Met" in rendered  # the drafter's lines still read as lines
    visible = _visible_text(rendered)
    # Everything still reads exactly as it was written.
    for written in (
        "<script>alert(1)</script>",
        HOSTILE_NOTE,
        TRACKER_QUESTION.text,
        "# Approved by the CISO",
        "*Decision:* approved | `x`",
    ):
        assert written in visible, written


def test_xlsx_export_drops_characters_excel_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = reviewed_workspace(tmp_path, monkeypatch)
    r.ws.decide(r.by_question("Q1").id, "reject", reason="other", note="pasted\x07 from a\x01 log")
    out, _ = r.ws.export("xlsx", tmp_path / "report.xlsx")
    values = [c.value for row in load_workbook(out)["Findings"].iter_rows() for c in row]
    assert "pasted from a log" in values
