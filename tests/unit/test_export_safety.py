"""Exports carry text written by people and documents: it must stay inert text in every format."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reviewer.models import ControlRef, Question
from tests.unit.reviewed_workspace import QUESTIONS, Reviewed, reviewed_workspace

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
