"""Verdict -> dropdown value mapping, and resolving list validations in real workbooks."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from reviewer.batch.dropdowns import INSUFFICIENT_NOTE, map_verdict
from reviewer.batch.reader import read_questionnaire
from reviewer.batch.runner import run_batch
from reviewer.config import BatchSettings
from reviewer.models import Verdict

C, P, N, IE = (
    Verdict.conformant,
    Verdict.partial,
    Verdict.nonconformity,
    Verdict.insufficient_evidence,
)


@pytest.mark.parametrize(
    ("allowed", "expected"),
    [
        (["Yes", "No", "Partial", "N/A"], {C: "Yes", P: "Partial", N: "No", IE: None}),
        (
            ["compliant", "non-compliant", "partially compliant"],
            {C: "compliant", P: "partially compliant", N: "non-compliant", IE: None},
        ),
        (["Met", "Not met", "N/A"], {C: "Met", P: None, N: "Not met", IE: None}),
        (["Y", "N"], {C: "Y", P: None, N: "N", IE: None}),
        (["TRUE", "FALSE"], {C: "TRUE", P: None, N: "FALSE", IE: None}),
        (
            ["Implemented", "In progress", "Not implemented"],
            {C: "Implemented", P: "In progress", N: "Not implemented", IE: None},
        ),
        (
            ["Yes - fully in place", "Partially (explain)", "No - not in place"],
            {C: "Yes - fully in place", P: "Partially (explain)", N: "No - not in place", IE: None},
        ),
        (["Agree", "Disagree", "N/A"], {C: None, P: None, N: None, IE: None}),
    ],
)
def test_map_verdict_only_returns_allowed_values(allowed, expected) -> None:
    for verdict, want in expected.items():
        value, reason = map_verdict(verdict, allowed, BatchSettings())
        assert value == want
        if value is None:
            assert reason and reason.startswith("No answer")
        else:
            assert value in allowed and reason is None


def test_insufficient_value_is_used_only_when_allowed() -> None:
    allowed = ["Yes", "No", "Unknown"]
    s = BatchSettings(insufficient_value="unknown")
    assert map_verdict(IE, allowed, s) == ("Unknown", None)
    s = BatchSettings(insufficient_value="Cannot tell")
    assert map_verdict(IE, allowed, s) == (None, INSUFFICIENT_NOTE)
    assert map_verdict(IE, None, s) == ("Cannot tell", None)
    assert map_verdict(IE, allowed, BatchSettings()) == (None, INSUFFICIENT_NOTE)


def test_value_map_overrides_the_variants() -> None:
    allowed = ["Yes", "No", "Partial", "Largely"]
    s = BatchSettings(value_map={"partial": ["Largely"], "supported": ["Partial"]})
    assert map_verdict(P, allowed, s) == ("Largely", None)
    assert map_verdict(C, allowed, s) == ("Partial", None)  # gold-file alias keys work too
    value, reason = map_verdict(P, ["Yes", "No"], s)
    assert value is None and "Yes, No" in (reason or "")


def test_without_dropdown_plain_labels() -> None:
    s = BatchSettings()
    assert [map_verdict(v, None, s)[0] for v in (C, P, N, IE)] == ["Yes", "Partial", "No", None]


def _workbook(tmp_path: Path, formula: str, name: str | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Q"
    ws.append(["Ref", "Requirement", "Compliance status", "Justification"])
    for i in range(1, 6):
        ws.append([i, f"Does the supplier protect model number {i} against inversion?", None, None])
    other = wb.create_sheet("Value lists")
    for i, v in enumerate(["Compliant", "Partially compliant", "Non-compliant"], 1):
        other.cell(row=i, column=2, value=v)
    if name:
        wb.defined_names[name] = DefinedName(name, attr_text="'Value lists'!$B$1:$B$3")
    dv = DataValidation(type="list", formula1=formula)
    dv.add("C2:C6")
    ws.add_data_validation(dv)
    path = tmp_path / "q.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("formula", "name"),
    [
        ('"Compliant,Partially compliant,Non-compliant"', None),
        ("'Value lists'!$B$1:$B$3", None),
        ("Statuses", "Statuses"),
    ],
)
def test_dropdown_is_resolved_inline_by_range_and_by_name(tmp_path: Path, formula, name, h) -> None:
    path = _workbook(tmp_path, formula, name)
    layouts, rows = read_questionnaire(path)
    assert layouts[0].dropdown == ["Compliant", "Partially compliant", "Non-compliant"]
    assert (layouts[0].answer_col, layouts[0].comment_col) == (3, 4)
    verdicts = [C, P, N, IE, C]
    summary = run_batch(
        path,
        answer=lambda r: h.make_finding(r, verdicts[r.row - 2]),
        done=lambda r: None,
    )
    ws = load_workbook(summary.out)["Q"]
    assert [ws.cell(row=r, column=3).value for r in range(2, 7)] == [
        "Compliant",
        "Partially compliant",
        "Non-compliant",
        None,
        "Compliant",
    ]


def test_unresolvable_dropdown_writes_nothing(tmp_path: Path, h) -> None:
    path = _workbook(tmp_path, 'INDIRECT("list_"&A1)')
    layouts, _ = read_questionnaire(path)
    assert layouts[0].dropdown == []
    summary = run_batch(path, answer=lambda r: h.make_finding(r, C), done=lambda r: None)
    ws = load_workbook(summary.out)["Q"]
    assert all(ws.cell(row=r, column=3).value is None for r in range(2, 7))
    assert summary.blank == 5 and any("could not be resolved" in e for e in summary.errors)
    assert "matches no dropdown value" in ws["D2"].value


def test_whole_column_validation_is_read(tmp_path: Path, h) -> None:
    """openpyxl cannot load sqref="C:C"; the reader bounds it first, the input stays as it was."""
    import zipfile

    path = _workbook(tmp_path, '"Compliant,Non-compliant"')
    patched = tmp_path / "whole.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet1"):
                assert b'sqref="C2:C6"' in body
                body = body.replace(b'sqref="C2:C6"', b'sqref="C:C"')
            dst.writestr(info, body)
    before = h.sha(patched)
    layouts, _ = read_questionnaire(patched)
    assert layouts[0].dropdown == ["Compliant", "Non-compliant"]
    summary = run_batch(patched, answer=lambda r: h.make_finding(r, C), done=lambda r: None)
    assert h.sha(patched) == before
    assert load_workbook(summary.out)["Q"]["C2"].value == "Compliant"
