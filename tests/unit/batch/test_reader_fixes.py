"""Reader fixes from the batch audit: each test builds its own workbook or CSV in tmp_path."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.datavalidation import DataValidation

from reviewer.batch.dropdowns import map_verdict
from reviewer.batch.reader import BatchError, QuestionRow, load_questionnaire
from reviewer.batch.runner import run_batch
from reviewer.config import BatchSettings
from reviewer.models import Finding, Verdict

QUESTIONS = [
    "Do you classify every dataset used to train or evaluate models?",
    "Do you test models against adversarial examples before each release?",
    "Are prompts logged from production models given a retention period?",
    "Is access to model weights restricted to named engineers?",
    "Are third-party model providers assessed before onboarding?",
    "Do you keep an inventory of every model in production?",
    "Is there a documented process for retiring a model?",
]
COMPLIANCE = ["Compliant", "Non-compliant", "Partially compliant", "Not applicable"]


def _none(row: QuestionRow) -> Finding | None:
    return None


def _save(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


# ---- 1. Excel 2010 (x14) dropdowns ----------------------------------------------------------

X14_EXT = (
    '<extLst><ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>{formula}</xm:f></x14:formula1><xm:sqref>{sqref}</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext></extLst>"
)


def _inject_x14(path: Path, sheet: str, formula: str, sqref: str) -> None:
    """Add an x14 list validation to `sheet`, as Excel writes cross-sheet dropdowns."""
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    wb = load_workbook(path)
    part = f"xl/worksheets/sheet{wb.sheetnames.index(sheet) + 1}.xml"  # openpyxl's own naming
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, body in members:
            if info.filename == part:
                ext = X14_EXT.format(formula=formula, sqref=sqref).encode()
                body = body.replace(b"</worksheet>", ext + b"</worksheet>")
            zf.writestr(info, body)
    path.write_bytes(out.getvalue())


def _x14_workbook(tmp_path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Questions"
    ws.append(["No.", "Question", "Response"])
    for i, q in enumerate(QUESTIONS[:4], 1):
        ws.append([f"Q{i}", q, None])
    lists = wb.create_sheet("Lists")
    for i, v in enumerate(COMPLIANCE, 1):
        lists.cell(row=i, column=1, value=v)
    lists.sheet_state = "hidden"
    path = _save(wb, tmp_path / "x14.xlsx")
    _inject_x14(path, "Questions", "Lists!$A$1:$A$4", "C2:C5")
    return path


def test_x14_dropdown_is_read_and_kept_in_the_copy(tmp_path: Path) -> None:
    path = _x14_workbook(tmp_path)
    loaded = load_questionnaire(path)
    layout = loaded.layouts[0]
    assert layout.answer_col == 3
    assert layout.dropdown == COMPLIANCE
    assert not any("Data Validation extension" in n for n in loaded.notes)

    out = tmp_path / "out.xlsx"
    loaded.workbook.save(out)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a standard validation now: no extension warning
        saved = load_workbook(out)["Questions"]
    dvs = [(dv.type, dv.formula1, str(dv.sqref)) for dv in saved.data_validations.dataValidation]
    assert dvs == [("list", "Lists!$A$1:$A$4", "C2:C5")]
    dv = saved.data_validations.dataValidation[0]
    assert dv.allow_blank and dv.showErrorMessage


def test_other_unsupported_extensions_still_get_a_note(tmp_path: Path) -> None:
    path = _x14_workbook(tmp_path)
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    sparkline = (
        b'<ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
        b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        b"<x14:sparklineGroups/></ext></extLst>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info, body in members:
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</extLst>", sparkline)
            zf.writestr(info, body)
    path.write_bytes(out.getvalue())
    loaded = load_questionnaire(path)
    assert loaded.layouts[0].dropdown == COMPLIANCE
    assert [n for n in loaded.notes if "extension" in n] == [
        "x14.xlsx: Sparkline Group extension is not supported and will be removed in the "
        "filled copy"
    ]


def test_x14_sheet_found_through_the_workbook_rels(tmp_path: Path) -> None:
    """Excel-style relative targets and part names that do not follow the sheet order."""
    path = _x14_workbook(tmp_path)
    with zipfile.ZipFile(path) as zf:
        members = [(info.filename, zf.read(info)) for info in zf.infolist()]
    # Swap the two sheets' part names and make the targets relative, as Excel writes them.
    renames = {
        "xl/worksheets/sheet1.xml": "xl/worksheets/b.xml",
        "xl/worksheets/sheet2.xml": "xl/worksheets/a.xml",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, body in members:
            for old, new in renames.items():
                if name == "[Content_Types].xml":
                    body = body.replace(f'"/{old}"'.encode(), f'"/{new}"'.encode())
                else:
                    body = body.replace(f'"/{old}"'.encode(), f'"{new[3:]}"'.encode())
            zf.writestr(renames.get(name, name), body)
    path.write_bytes(out.getvalue())
    loaded = load_questionnaire(path)
    assert loaded.layouts[0].sheet == "Questions"
    assert loaded.layouts[0].dropdown == COMPLIANCE
    assert loaded.workbook["Lists"].data_validations.dataValidation == []


# ---- 2. different dropdowns on different rows -----------------------------------------------


def test_each_row_gets_its_own_dropdown(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Question", "Notes", "Response"])
    for q in QUESTIONS:
        ws.append([q, None, None])
    yes_no = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True)
    yes_no.add("C2:C4")
    levels = DataValidation(
        type="list", formula1='"Compliant,Non-compliant,Partially compliant"', allow_blank=True
    )
    levels.add("C5:C8")
    ws.add_data_validation(yes_no)
    ws.add_data_validation(levels)
    loaded = load_questionnaire(_save(wb, tmp_path / "mixed.xlsx"))
    layout = loaded.layouts[0]
    assert layout.answer_col == 3
    levels_list = ["Compliant", "Non-compliant", "Partially compliant"]
    assert layout.dropdown == levels_list  # as before: the list covering most question rows
    assert {r: layout.dropdown_for(r) for r in (2, 4, 5, 8)} == {
        2: ["Yes", "No"],
        4: ["Yes", "No"],
        5: levels_list,
        8: levels_list,
    }
    assert layout.dropdown_for(40) == levels_list  # no list of its own: the column's
    settings = BatchSettings()
    assert map_verdict(Verdict.partial, layout.dropdown_for(6), settings)[0] == (
        "Partially compliant"
    )
    assert map_verdict(Verdict.conformant, layout.dropdown_for(3), settings)[0] == "Yes"


# ---- 3. single-column CSV -------------------------------------------------------------------

ONE_COLUMN = [
    "Do you classify every dataset used to train, fine-tune or evaluate models?",
    "Do you test models for robustness, before each production release?",
    "Is access to restricted training data limited to named roles?",
    '"Are test results recorded, tracked, and remediated?"',
]


def test_single_column_csv_keeps_commas_in_questions(tmp_path: Path, h) -> None:
    path = tmp_path / "one.csv"
    path.write_text("Question\n" + "\n".join(ONE_COLUMN) + "\n")
    loaded = load_questionnaire(path)
    assert [r.text for r in loaded.rows] == [q.strip('"') for q in ONE_COLUMN]
    layout = loaded.layouts[0]
    assert (layout.question_col, layout.answer_col) == (1, 2)

    summary = run_batch(path, answer=lambda r: h.make_finding(r, Verdict.conformant), done=_none)
    out = list(csv.reader(io.StringIO(summary.out.read_text(), newline="")))
    assert out[0][:2] == ["Question", "Answer"]
    assert [(r[0], r[1]) for r in out[1:]] == [(q.strip('"'), "Yes") for q in ONE_COLUMN]


def test_title_line_above_a_csv_table_is_not_one_column(tmp_path: Path) -> None:
    path = tmp_path / "titled.csv"
    path.write_text(
        "Supplier AI questionnaire 2024\nNo,Question,Answer\n"
        + "".join(f"{i},{q},\n" for i, q in enumerate(QUESTIONS[:3], 1))
    )
    loaded = load_questionnaire(path)
    layout = loaded.layouts[0]
    assert (layout.header_row, layout.question_col, layout.answer_col) == (2, 2, 3)
    assert len(loaded.rows) == 3


# ---- 4. picking the question column; files without question rows ----------------------------


def test_description_column_beats_a_column_of_ids(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Control", "Control description", "Response", "Comments"])
    for i, q in enumerate(QUESTIONS, 1):
        ws.append([f"AI-{i:02d}", q, None, None])
    loaded = load_questionnaire(_save(wb, tmp_path / "controls.xlsx"))
    layout = loaded.layouts[0]
    assert (layout.question_col, layout.answer_col, layout.comment_col) == (2, 3, 4)
    assert [r.text for r in loaded.rows] == QUESTIONS


def test_header_rank_still_decides_between_text_columns(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Description", "Question", "Answer"])
    for q in QUESTIONS[:3]:
        ws.append(["Applies to every production model we run", q, None])
    layout = load_questionnaire(_save(wb, tmp_path / "both.xlsx")).layouts[0]
    assert layout.question_col == 2


def test_no_question_rows_is_an_error_naming_sheets_and_headers(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Controls"
    ws.append(["Control", "Response"])
    for i in range(1, 5):
        ws.append([f"AI-{i:02d}", None])
    notes = wb.create_sheet("Notes")
    notes.append(["Name", "Amount"])
    notes.append(["Widget", 12])
    with pytest.raises(BatchError) as err:
        load_questionnaire(_save(wb, tmp_path / "ids.xlsx"))
    assert str(err.value) == (
        "ids.xlsx: no question rows found (sheet 'Controls': column A, headers: 'Control', "
        "'Response'; sheet 'Notes': headers: 'Name', 'Amount'); pass --question-col to name "
        "the column holding the questions"
    )

    header_only = Workbook()
    header_only.active.append(["Question", "Answer"])
    with pytest.raises(BatchError, match=r"^header\.xlsx: no question rows found .*'Question'"):
        load_questionnaire(_save(header_only, tmp_path / "header.xlsx"))

    path = tmp_path / "header.csv"
    path.write_text("Question,Answer\n")
    with pytest.raises(BatchError, match=r"^header\.csv: no question rows found \(column A, "):
        load_questionnaire(path)


# ---- 5. letter-numbered sections ------------------------------------------------------------


@pytest.mark.parametrize("number_header", ["Ref", None])
def test_letter_and_roman_numbered_sections_are_headings(tmp_path: Path, number_header) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append([number_header, "Question", "Answer"])
    ws.append(["A", "Data governance", None])
    ws.append(["A.1", QUESTIONS[0], None])
    ws.append(["A.2", QUESTIONS[1], None])
    ws.append(["B", "Security testing", None])
    ws.append(["B.1", QUESTIONS[2], None])
    ws.append(["IV", "Third parties", None])
    ws.append(["IV.1", QUESTIONS[3], None])
    ws.append(["C", "Models are retrained at least yearly", None])  # no C.x items: a question
    dv = DataValidation(type="list", formula1='"Yes,No,Partial,N/A"', allow_blank=True)
    dv.add("C2:C9")
    ws.add_data_validation(dv)
    loaded = load_questionnaire(_save(wb, tmp_path / "lettered.xlsx"))
    assert [(r.row, r.section) for r in loaded.rows] == [
        (3, "Data governance"),
        (4, "Data governance"),
        (6, "Security testing"),
        (8, "Third parties"),
        (9, "Third parties"),
    ]


# ---- 6. named columns past the used ones ----------------------------------------------------


def test_added_columns_start_after_a_named_empty_answer_column(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["No.", "Question"])
    for i, q in enumerate(QUESTIONS[:3], 1):
        ws.append([i, q])
    path = _save(wb, tmp_path / "narrow.xlsx")
    layout = load_questionnaire(path, answer_col="G").layouts[0]
    assert layout.answer_col == 7
    added = [layout.comment_col, layout.evidence_col, layout.confidence_col, layout.status_col]
    assert added == [8, 9, 10, 11]
    assert layout.added_cols == ["Comment", "Evidence", "Confidence", "Review status"]

    layout = load_questionnaire(path, question_col="B", answer_col="4").layouts[0]
    assert (layout.question_col, layout.answer_col, layout.comment_col) == (2, 4, 5)


# ---- 7. requester-filled columns are not the evidence column --------------------------------


def _with_column(tmp_path: Path, header: str, values: list[str | None]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["Question", header, "Answer"])
    for q, v in zip(QUESTIONS[:4], values, strict=True):
        ws.append([q, v, None])
    return _save(wb, tmp_path / "cols.xlsx")


def test_filled_reference_column_is_not_used_for_evidence(tmp_path: Path, h) -> None:
    refs = ["ISO 27001 A.12.6.1", "ISO 27001 A.8.2.1", "ISO 42001 6.1", "NIST AI RMF MAP 1.1"]
    path = _with_column(tmp_path, "Control reference", refs)
    layout = load_questionnaire(path).layouts[0]
    assert layout.evidence_col == 5 and "Evidence" in layout.added_cols

    summary = run_batch(path, answer=lambda r: h.make_finding(r, Verdict.conformant), done=_none)
    out = load_workbook(summary.out).active
    assert [out.cell(row=r, column=2).value for r in range(2, 6)] == refs
    assert out.cell(row=1, column=5).value == "Evidence"
    assert out.cell(row=2, column=5).value.startswith("[E1] ")


@pytest.mark.parametrize(
    ("header", "values"),
    [
        ("Evidence", ["policy.pdf", "SOC 2 report", "DPIA", None]),  # a real evidence column
        ("Supporting evidence", ["policy.pdf", "SOC 2 report", "DPIA", None]),
        ("References", [None, None, "DPIA", None]),  # loose, but mostly empty: for the vendor
        ("References", ['[E1] policy.pdf p.2: "quote"'] * 4),  # our own evidence, on a rerun
    ],
)
def test_evidence_headers_are_kept_when_they_match(tmp_path: Path, header, values) -> None:
    layout = load_questionnaire(_with_column(tmp_path, header, values)).layouts[0]
    assert layout.evidence_col == 2 and "Evidence" not in layout.added_cols


def test_filled_notes_column_is_not_used_for_comments(tmp_path: Path) -> None:
    notes = ["Applies to all models", "Include vendors", "Scope: production", "See annex"]
    layout = load_questionnaire(_with_column(tmp_path, "Guidance notes", notes)).layouts[0]
    assert layout.comment_col == 4 and "Comment" in layout.added_cols


# ---- 8. hidden sheets -----------------------------------------------------------------------


def _with_hidden_sheet(tmp_path: Path, state: str, visible: bool = True) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Questionnaire"
    ws.append(["Question", "Answer"])
    for q in QUESTIONS[:2] if visible else []:
        ws.append([q, None])
    old = wb.create_sheet("Old version (do not use)")
    old.append(["Question", "Answer"])
    for q in QUESTIONS[2:5]:
        old.append([q, None])
    old.sheet_state = state
    lists = wb.create_sheet("Lists")  # hidden without questions: skipped without a note
    lists.append(["Yes"])
    lists.sheet_state = "hidden"
    return _save(wb, tmp_path / "hidden.xlsx")


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheets_are_skipped_with_a_note(tmp_path: Path, state: str) -> None:
    path = _with_hidden_sheet(tmp_path, state)
    loaded = load_questionnaire(path)
    assert [layout.sheet for layout in loaded.layouts] == ["Questionnaire"]
    assert [r.text for r in loaded.rows] == QUESTIONS[:2]
    assert loaded.notes == [
        "hidden.xlsx: sheet 'Old version (do not use)' is hidden and was skipped; "
        "name it with --sheet to answer it"
    ]
    named = load_questionnaire(path, sheet="Old version (do not use)")
    assert [r.text for r in named.rows] == QUESTIONS[2:5] and named.notes == []


def test_questions_only_on_a_hidden_sheet(tmp_path: Path) -> None:
    path = _with_hidden_sheet(tmp_path, "hidden", visible=False)
    with pytest.raises(BatchError) as err:
        load_questionnaire(path)
    assert str(err.value) == (
        "hidden.xlsx: questions found only on hidden sheets ('Old version (do not use)'); "
        "name one with --sheet"
    )


# ---- 9. missing files -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["nothere.xlsx", "nothere.csv", "nothere.xls", "nothere.pdf"])
def test_missing_file_is_one_line_naming_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BatchError) as err:
        load_questionnaire(Path(name))
    assert str(err.value) == f"{name}: file not found"
    (tmp_path / "folder.xlsx").mkdir()
    with pytest.raises(BatchError, match=r"^folder\.xlsx: cannot read \("):
        load_questionnaire(Path("folder.xlsx"))


# ---- 10. value_map and dropdowns no verdict fits --------------------------------------------


def test_value_map_labels_come_first_and_built_in_ones_still_apply() -> None:
    s = BatchSettings(value_map={"conformant": ["Green"], "supported": ["Fully assured"]})
    assert map_verdict(Verdict.conformant, ["Yes", "No", "Partial"], s) == ("Yes", None)
    assert map_verdict(Verdict.conformant, ["Yes", "Green"], s) == ("Green", None)
    assert map_verdict(Verdict.conformant, ["Yes", "Fully assured"], s) == ("Fully assured", None)
    assert map_verdict(Verdict.conformant, None, s) == ("Green", None)  # no dropdown: the first
    assert map_verdict(Verdict.nonconformity, ["Yes", "No"], s) == ("No", None)


def _rag_workbook(tmp_path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Questions"
    ws.append(["Question", "RAG status"])
    for q in QUESTIONS:
        ws.append([q, None])
    for rng in ("B2:B4", "B5:B8"):  # two ranges, one list: still one note
        dv = DataValidation(type="list", formula1='"Red,Amber,Green"', allow_blank=True)
        dv.add(rng)
        ws.add_data_validation(dv)
    return _save(wb, tmp_path / "rag.xlsx")


def test_dropdown_no_verdict_fits_gets_one_note(tmp_path: Path) -> None:
    path = _rag_workbook(tmp_path)
    loaded = load_questionnaire(path, answer_col="B", settings=BatchSettings())
    assert loaded.notes == [
        "rag.xlsx: sheet 'Questions': no value of the dropdown in column B (Red, Amber, Green) "
        "fits a verdict, so its answers are left blank; map verdicts onto them with "
        "[batch] value_map in reviewer.toml (keys conformant, partial, nonconformity)"
    ]
    mapped = BatchSettings(value_map={"conformant": ["Green"], "nonconformity": ["Red"]})
    assert load_questionnaire(path, answer_col="B", settings=mapped).notes == []
    assert load_questionnaire(path, answer_col="B").notes == []  # no settings: not checked
