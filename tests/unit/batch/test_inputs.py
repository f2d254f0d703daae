"""Awkward and bad questionnaires: each works or fails with one clear BatchError, input untouched."""

from __future__ import annotations

import csv
import io
import os
import shutil
import time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from reviewer.batch.reader import BatchError, QuestionRow, read_questionnaire
from reviewer.batch.runner import run_batch
from reviewer.models import Finding, Verdict

Q = "Do you test the model against adversarial examples before release?"


def _save(wb: Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def _answer_yes(h):
    return lambda r: h.make_finding(r, Verdict.conformant)


def _none(row: QuestionRow) -> Finding | None:
    return None


# ---- files that are not usable --------------------------------------------------------------


def test_encrypted_workbook(tmp_path: Path) -> None:
    path = tmp_path / "vendor.xlsx"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 2048)
    with pytest.raises(BatchError, match=r"^vendor\.xlsx: encrypted or not an xlsx workbook"):
        read_questionnaire(path)


def test_corrupt_zip_and_non_zip(sample_xlsx: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(sample_xlsx.read_bytes()[:3000])
    with pytest.raises(BatchError, match=r"^cut\.xlsx: corrupt xlsx"):
        read_questionnaire(cut)
    text = tmp_path / "text.xlsx"
    text.write_text("just some text")
    with pytest.raises(BatchError, match=r"^text\.xlsx: not an xlsx workbook"):
        read_questionnaire(text)


def test_unsupported_missing_and_empty_files(tmp_path: Path) -> None:
    (tmp_path / "old.xls").write_bytes(b"x")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(BatchError, match="legacy .xls"):
        read_questionnaire(tmp_path / "old.xls")
    with pytest.raises(BatchError, match="empty file"):
        read_questionnaire(tmp_path / "empty.csv")
    with pytest.raises(BatchError, match="file not found"):
        read_questionnaire(tmp_path / "missing.xlsx")


def test_no_question_column_names_headers_and_flag(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Q"
    ws.append(["No", "Topic text", "Resp"])
    ws.append([1, "Encryption", None])
    path = _save(wb, tmp_path / "vendor.xlsx")
    with pytest.raises(BatchError) as err:
        read_questionnaire(path)
    msg = str(err.value)
    assert msg.startswith("vendor.xlsx: sheet 'Q': no question column found")
    assert "'No', 'Topic text', 'Resp'" in msg and "--question-col" in msg and "\n" not in msg
    # ... and the flag fixes it.
    layouts, rows = read_questionnaire(path, question_col="Topic text", answer_col="Resp")
    assert (layouts[0].question_col, layouts[0].answer_col) == (2, 3)
    assert [r.text for r in rows] == ["Encryption"]


def test_unknown_sheet_lists_sheets(sample_xlsx: Path) -> None:
    with pytest.raises(
        BatchError,
        match=r"no sheet 'Answers' \(sheets: 'AI Security Questionnaire', 'Instructions', 'Lists'\)",
    ):
        read_questionnaire(sample_xlsx, sheet="Answers")


def test_output_may_not_be_the_input(sample_xlsx: Path, tmp_path: Path, h) -> None:
    before = h.sha(sample_xlsx)
    link = tmp_path / "link.xlsx"
    os.symlink(sample_xlsx, link)
    sub = tmp_path / "sub"
    sub.mkdir()
    for out in (sample_xlsx, link, sub / ".." / sample_xlsx.name):
        with pytest.raises(BatchError, match="would overwrite the input"):
            run_batch(sample_xlsx, answer=_answer_yes(h), done=_none, out=out)
    with pytest.raises(BatchError, match="must be a xlsx file"):
        run_batch(sample_xlsx, answer=_answer_yes(h), done=_none, out=tmp_path / "x.csv")
    assert h.sha(sample_xlsx) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ai-vendor-assessment.xlsx",
        "link.xlsx",
        "sub",
    ]


# ---- awkward files that must work -------------------------------------------------------------


def test_merged_two_row_header(tmp_path: Path, h) -> None:
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "Supplier AI questionnaire"
    ws.merge_cells("A1:E1")
    ws["A2"], ws["B2"], ws["C2"] = "#", "Control question", "Supplier response"
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws.merge_cells("C2:D2")
    ws["C3"], ws["D3"] = "Answer", "Comments"
    for i in range(4, 9):
        ws.cell(row=i, column=1, value=f"1.{i}")
        ws.cell(row=i, column=2, value=f"{Q} ({i})")
    path = _save(wb, tmp_path / "merged.xlsx")
    layouts, rows = read_questionnaire(path)
    lay = layouts[0]
    assert (lay.header_row, lay.question_col, lay.answer_col, lay.comment_col) == (3, 2, 3, 4)
    assert [r.row for r in rows] == [4, 5, 6, 7, 8]
    summary = run_batch(path, answer=_answer_yes(h), done=_none)
    out = load_workbook(summary.out).active
    assert [out.cell(row=r, column=3).value for r in range(4, 9)] == ["Yes"] * 5
    assert {str(m) for m in out.merged_cells.ranges} == {"A1:E1", "A2:A3", "B2:B3", "C2:D2"}
    assert out.cell(row=3, column=lay.evidence_col).value == "Evidence"


def test_formula_and_number_questions_are_skipped_with_a_note(tmp_path: Path, h) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Q"
    ws.append(["Item", "Question", "Answer"])
    ws.append(["1", Q, None])
    ws.append(["2", '=A2&" and more"', None])
    ws.append(["3", 42, None])
    ws.append(["4", "Is customer data used for training?", None])
    path = _save(wb, tmp_path / "odd.xlsx")
    calls: list[int] = []

    def answer(row: QuestionRow) -> Finding:
        calls.append(row.row)
        return h.make_finding(row, Verdict.partial)

    summary = run_batch(path, answer=answer, done=_none)
    assert calls == [2, 5]
    assert summary.total == 4 and summary.skipped == 2 and summary.answered == {"partial": 2}
    assert any("row 3: question cell holds a formula" in e for e in summary.errors)
    assert any("row 4: question cell holds a number (42)" in e for e in summary.errors)
    out = load_workbook(summary.out)["Q"]
    assert out["B3"].value == '=A2&" and more"' and out["C3"].value is None


def test_section_rows_and_headings_are_not_questions(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["No.", "Requirement", "Response"])
    ws.append(["1", "Governance", None])
    ws["B2"].font = Font(bold=True)
    ws.append(["1.1", "Describe how models are approved for production", None])
    ws.append(["1.2", Q, None])
    ws.append(["2", "Suppliers", None])
    ws.append(["2.1", "List the AI providers used to process our data", None])
    ws.append([None, "SECURITY TESTING", None])
    ws.append(["3.1", "Are red-team results tracked to closure?", None])
    path = _save(wb, tmp_path / "sections.xlsx")
    _, rows = read_questionnaire(path)
    assert [(r.row, r.section) for r in rows] == [
        (3, "Governance"),
        (4, "Governance"),
        (6, "Suppliers"),
        (8, "SECURITY TESTING"),
    ]


def test_fallback_finds_questions_without_a_known_header(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Ref", "Ask", "Reply value"])
    for i in range(5):
        ws.append([i, f"Is model artefact {i} signed before deployment?", None])
    path = _save(wb, tmp_path / "fallback.xlsx")
    layouts, rows = read_questionnaire(path)
    assert layouts[0].question_col == 2 and layouts[0].header_row == 1
    assert layouts[0].answer_col == 3 and len(rows) == 5


@pytest.mark.parametrize("spec", ["B", "2", "ask"])
def test_question_col_by_letter_number_or_name(tmp_path: Path, spec: str) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Ref", "Ask", "Status of control"])
    ws.append([1, "Model cards exist for all production models", None])
    ws.append([2, "Training data has an owner and a classification", None])
    path = _save(wb, tmp_path / "spec.xlsx")
    layouts, rows = read_questionnaire(path, question_col=spec)
    assert layouts[0].question_col == 2 and layouts[0].answer_col == 3
    assert [r.row for r in rows] == [2, 3]


def test_very_long_cells(tmp_path: Path, h) -> None:
    long_q = "Describe your controls for model poisoning. " * 600  # ~27,000 chars
    wb = Workbook()
    ws = wb.active
    ws.append(["Question", "Answer"])
    ws.append([long_q.strip(), None])
    path = _save(wb, tmp_path / "long.xlsx")
    _, rows = read_questionnaire(path)
    assert rows[0].text == long_q.strip()

    def answer(row: QuestionRow) -> Finding:
        return h.make_finding(row, Verdict.conformant, rationale="Long rationale [E1]. " * 3000)

    summary = run_batch(path, answer=answer, done=_none)
    comment = load_workbook(summary.out).active["C2"].value
    assert 31_000 < len(comment) <= 32_000 and comment.endswith("…")


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("cp1252", ";"), ("utf-8-sig", ","), ("utf-8", "\t"), ("latin-1", "|")],
)
def test_csv_dialects_are_read_and_written_back_alike(
    tmp_path: Path, encoding, delimiter, h
) -> None:
    rows = [["Question", "Response", "Comment"]] + [
        [f"Is the modèle registry, or its backup {i}, access-controlled?", "", ""] for i in range(4)
    ]
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path = tmp_path / "q.csv"
    path.write_bytes(buf.getvalue().encode(encoding))
    before = h.sha(path)
    summary = run_batch(path, answer=_answer_yes(h), done=_none)
    assert h.sha(path) == before
    raw = summary.out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    text = raw.decode(encoding)
    out = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert [r[1] for r in out[1:]] == ["Yes"] * 4
    assert out[1][0] == rows[1][0]


@pytest.mark.slow
def test_ten_thousand_rows(tmp_path: Path, h) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["No.", "Question", "Response", "Comments"])
    for i in range(1, 10_001):
        ws.append([i, f"Question {i}: is control {i} for the model pipeline in place?", None, None])
    path = _save(wb, tmp_path / "big.xlsx")
    start = time.perf_counter()
    summary = run_batch(path, answer=lambda r: h.make_finding(r, h.verdict_for(r)), done=_none)
    elapsed = time.perf_counter() - start
    print(f"10,000 rows filled in {elapsed:.1f} s")
    assert summary.total == 10_000 and summary.failed == 0
    assert sum(summary.answered.values()) + summary.blank == 10_000
    out = load_workbook(summary.out, read_only=True).active
    last = next(out.iter_rows(min_row=10_001, max_row=10_001, values_only=True))
    assert last[2] == {0: "Yes", 1: "Partial", 2: "No", 3: None}[10_001 % 4]


def test_samples_are_reproducible(tmp_path: Path, h) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "build_questionnaires", h.samples / "build_questionnaires.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    built = module.build(tmp_path)
    for path in built:
        assert path.read_bytes() == (h.samples / path.name).read_bytes(), path.name
    shutil.rmtree(tmp_path)
