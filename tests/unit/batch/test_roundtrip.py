"""Fill the sample questionnaires with scripted findings and check every cell that matters."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reviewer.batch.reader import QuestionRow, read_questionnaire
from reviewer.batch.runner import run_batch
from reviewer.batch.writer import OPEN_NOTE, open_question
from reviewer.config import BatchSettings
from reviewer.models import Decision, DecisionAction, Finding, FindingStatus, RejectReason, Verdict

EXPECTED = {
    Verdict.conformant: "Yes",
    Verdict.partial: "Partial",
    Verdict.nonconformity: "No",
    Verdict.insufficient_evidence: None,
}
SHEET = "AI Security Questionnaire"


def _expected(row: QuestionRow, verdict: Verdict) -> str | None:
    """The answer cell for a drafted verdict: nothing for an open question ("List the ...")."""
    return None if open_question(row.text) else EXPECTED[verdict]


def _style(cell) -> tuple[str, ...]:
    """Comparable style: openpyxl style objects do not compare equal across loads."""
    return (repr(cell.font), repr(cell.fill), repr(cell.border), repr(cell.alignment))


def _never(row: QuestionRow) -> Finding | None:
    return None


def test_xlsx_round_trip_fills_right_cells_and_keeps_the_workbook(sample_xlsx: Path, h) -> None:
    before = h.sha(sample_xlsx)
    layouts, rows = read_questionnaire(sample_xlsx)
    calls: list[int] = []

    def answer(row: QuestionRow) -> Finding:
        calls.append(row.row)
        return h.make_finding(row, h.verdict_for(row))

    summary = run_batch(sample_xlsx, answer=answer, done=_never)

    assert h.sha(sample_xlsx) == before, "the input must never be written"
    assert summary.out == sample_xlsx.with_name("ai-vendor-assessment.prefilled.xlsx")
    assert calls == [r.row for r in rows]
    assert summary.total == len(rows) >= 45
    assert summary.failed == 0 and summary.skipped == 0
    written = [h.verdict_for(r).value for r in rows if _expected(r, h.verdict_for(r))]
    assert summary.answered == {v: written.count(v) for v in set(written)}
    assert summary.blank == len(rows) - len(written)
    assert sum(open_question(r.text) for r in rows) == 4  # describe / list / how many / which

    src = load_workbook(sample_xlsx)
    out = load_workbook(summary.out)
    ws, ws0 = out[SHEET], src[SHEET]
    layout = layouts[0]
    allowed = set(layout.dropdown or [])
    assert allowed == {"Yes", "No", "Partial", "N/A"}
    for row in rows:
        verdict = h.verdict_for(row)
        value = ws.cell(row=row.row, column=layout.answer_col).value
        assert value == _expected(row, verdict)
        comment = ws.cell(row=row.row, column=layout.comment_col).value
        evidence = ws.cell(row=row.row, column=layout.evidence_col).value
        if verdict is Verdict.insufficient_evidence:
            assert comment.startswith("No answer: insufficient evidence in the reviewed documents")
        elif open_question(row.text):
            assert comment.startswith(OPEN_NOTE)
        # The marker of the verified citation stays, the dropped one goes.
        assert f"judged {verdict.value} [E1]" in comment and "[E2]" not in comment
        assert evidence == (
            f'[E1] policies/ai-policy.pdf p.{row.row % 7 + 1}: "Policy clause for row '
            f'{row.row}: models are reviewed quarterly."'
        )
        assert "soc2" not in evidence
        conf = ws.cell(row=row.row, column=layout.confidence_col)
        assert conf.value == pytest.approx(round(0.5 + (row.row % 5) / 10, 2))
        assert conf.number_format == "0.00"
        assert ws.cell(row=row.row, column=layout.status_col).value == "draft"
    # Every cell in the dropdown column holds an allowed value or nothing.
    for (r, c), cell in ws._cells.items():
        if c == layout.answer_col and r > layout.header_row and cell.value is not None:
            assert cell.value in allowed, (r, cell.value)

    # Workbook structure and formatting survive.
    assert out.sheetnames == src.sheetnames == [SHEET, "Instructions", "Lists"]
    assert {str(m) for m in ws.merged_cells.ranges} == {str(m) for m in ws0.merged_cells.ranges}
    dvs = [(str(d.sqref), d.formula1, d.type) for d in ws.data_validations.dataValidation]
    dvs0 = [(str(d.sqref), d.formula1, d.type) for d in ws0.data_validations.dataValidation]
    assert dvs == dvs0 and dvs
    for col in "ABCDE":
        assert ws.column_dimensions[col].width == ws0.column_dimensions[col].width
        head, head0 = ws[f"{col}4"], ws0[f"{col}4"]
        assert head.value == head0.value
        assert _style(head) == _style(head0)
    assert ws.freeze_panes == ws0.freeze_panes
    assert out["Instructions"]["B7"].value == src["Instructions"]["B7"].value
    assert str(out["Instructions"]["B7"].value).startswith("=COUNTA(")
    assert [c.value for c in out["Lists"]["A"]] == [c.value for c in src["Lists"]["A"]]
    # Added columns get headers styled like their neighbour.
    for col, title in ((layout.confidence_col, "Confidence"), (layout.status_col, "Review status")):
        cell = ws.cell(row=4, column=col)
        assert cell.value == title
        assert _style(cell) == _style(ws0["E4"])
    # Section rows stay untouched.
    assert ws["A5"].value == ws0["A5"].value and ws["C5"].value is None


def test_csv_round_trip_keeps_encoding_delimiter_and_line_endings(sample_csv: Path, h) -> None:
    before = h.sha(sample_csv)
    layouts, rows = read_questionnaire(sample_csv)
    assert len(rows) >= 20

    summary = run_batch(
        sample_csv, answer=lambda r: h.make_finding(r, h.verdict_for(r)), done=_never
    )

    assert h.sha(sample_csv) == before
    raw = summary.out.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    assert "résumé" in text and "\r\n" in text
    table = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert table[0][:4] == ["Ref", "Question", "Answer", "Comments"]
    assert table[0][4:] == ["Evidence", "Confidence", "Review status"]
    layout = layouts[0]
    for row in rows:
        line = table[row.row - 1]
        assert line[1] == row.text
        assert (line[layout.answer_col - 1] or None) == _expected(row, h.verdict_for(row))
        assert line[layout.evidence_col - 1].startswith("[E1] policies/ai-policy.pdf")
        assert line[layout.status_col - 1] == "draft"
    # Section lines are left as they were.
    original = list(
        csv.reader(io.StringIO(sample_csv.read_bytes().decode("cp1252"), newline=""), delimiter=";")
    )
    assert table[1] == original[1]


def test_resume_after_interrupt_answers_only_the_rest(sample_xlsx: Path, tmp_path: Path, h) -> None:
    k = 17
    store: dict[str, Finding] = {}
    first_calls: list[int] = []

    def answer_then_die(row: QuestionRow) -> Finding:
        if len(first_calls) == k:
            raise KeyboardInterrupt
        first_calls.append(row.row)
        f = h.make_finding(row, h.verdict_for(row))
        store[row.source_key] = f  # what the findings DB would hold
        return f

    out = tmp_path / "filled.xlsx"
    with pytest.raises(KeyboardInterrupt):
        run_batch(
            sample_xlsx, answer=answer_then_die, done=lambda r: store.get(r.source_key), out=out
        )
    assert len(store) == k
    layouts, rows = read_questionnaire(sample_xlsx)
    acol = layouts[0].answer_col
    partial = load_workbook(out)[SHEET]
    assert [partial.cell(row=r.row, column=acol).value for r in rows[:k]] == [
        _expected(r, h.verdict_for(r)) for r in rows[:k]
    ]
    assert all(partial.cell(row=r.row, column=acol).value is None for r in rows[k:])

    second_calls: list[int] = []

    def answer(row: QuestionRow) -> Finding:
        second_calls.append(row.row)
        return h.make_finding(row, h.verdict_for(row))

    summary = run_batch(sample_xlsx, answer=answer, done=lambda r: store.get(r.source_key), out=out)
    assert second_calls == [r.row for r in rows[k:]]
    assert summary.resumed == k
    full = load_workbook(out)[SHEET]
    assert [full.cell(row=r.row, column=acol).value for r in rows] == [
        _expected(r, h.verdict_for(r)) for r in rows
    ]
    # Same result as an uninterrupted run.
    ref = run_batch(sample_xlsx, answer=answer, done=_never, out=tmp_path / "ref.xlsx")
    ref_ws = load_workbook(ref.out)[SHEET]
    for r in rows:
        for c in range(1, layouts[0].status_col + 1):
            assert full.cell(row=r.row, column=c).value == ref_ws.cell(row=r.row, column=c).value


def test_intermediate_saves_happen_before_the_end(
    sample_xlsx: Path, tmp_path: Path, h, monkeypatch
) -> None:
    import reviewer.batch.runner as runner

    monkeypatch.setattr(runner, "MIN_SAVE_EVERY", 5)
    out = tmp_path / "filled.xlsx"
    seen_on_disk: list[bool] = []

    def answer(row: QuestionRow) -> Finding:
        seen_on_disk.append(out.exists())
        return h.make_finding(row, Verdict.conformant)

    runner.run_batch(sample_xlsx, answer=answer, done=_never, out=out)
    assert seen_on_disk[:5] == [False] * 5 and seen_on_disk[5] is True
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_approved_only_leaves_drafts_blank_but_writes_status(sample_xlsx: Path, h) -> None:
    statuses = [
        FindingStatus.approved,
        FindingStatus.edited,
        FindingStatus.draft,
        FindingStatus.rejected,
    ]

    def answer(row: QuestionRow) -> Finding:
        return h.make_finding(row, Verdict.conformant, status=statuses[row.row % 4])

    layouts, rows = read_questionnaire(sample_xlsx)
    summary = run_batch(sample_xlsx, answer=answer, done=_never, approved_only=True)
    ws = load_workbook(summary.out)[SHEET]
    lay = layouts[0]
    for row in rows:
        status = statuses[row.row % 4]
        approved = status in (FindingStatus.approved, FindingStatus.edited)
        written = approved and not open_question(row.text)
        assert ws.cell(row=row.row, column=lay.answer_col).value == ("Yes" if written else None)
        assert ws.cell(row=row.row, column=lay.status_col).value == status.value
        if not approved:
            comment = ws.cell(row=row.row, column=lay.comment_col).value
            assert comment.startswith(f"Not written: this answer is {status.value}, not approved")
    assert summary.answered["conformant"] + summary.blank == len(rows)
    assert summary.blank == sum(
        statuses[r.row % 4] in statuses[2:] or open_question(r.text) for r in rows
    )


def test_failures_unsupported_verdicts_and_formula_text(sample_csv: Path, h) -> None:
    _, rows = read_questionnaire(sample_csv)
    bad, unsupported, formula = rows[0].row, rows[1].row, rows[2].row

    def answer(row: QuestionRow) -> Finding:
        if row.row == bad:
            raise RuntimeError("model server unreachable")
        if row.row == unsupported:
            return h.make_finding(row, Verdict.conformant, verified=False)
        if row.row == formula:
            return h.make_finding(row, Verdict.partial, rationale='=HYPERLINK("http://x") [E1]')
        return h.make_finding(row, Verdict.nonconformity)

    summary = run_batch(sample_csv, answer=answer, done=_never, settings=BatchSettings())
    assert summary.failed == 1
    assert any("model server unreachable" in e and f"row {bad}" in e for e in summary.errors)
    table = list(
        csv.reader(
            io.StringIO(summary.out.read_bytes().decode("cp1252"), newline=""), delimiter=";"
        )
    )
    assert table[bad - 1][6] == "failed" and table[bad - 1][2] == ""
    # A supporting verdict with no verified citation is never written as an answer.
    assert table[unsupported - 1][2] == ""
    assert "no verified citation" in table[unsupported - 1][3]
    assert table[formula - 1][2] == "Partial"
    assert table[formula - 1][3].startswith("'=HYPERLINK")
    n_open = sum(open_question(r.text) for r in rows[3:])
    assert n_open == 2  # "Which third-party AI providers ...", "How quickly do you notify ..."
    assert summary.answered == {"nonconformity": len(rows) - 3 - n_open, "partial": 1}
    assert summary.blank == 1 + n_open


def test_formula_like_rationale_is_stored_as_text_in_xlsx(sample_xlsx: Path, h) -> None:
    summary = run_batch(
        sample_xlsx,
        answer=lambda r: h.make_finding(r, Verdict.conformant, rationale="=1+1 [E1]"),
        done=_never,
    )
    cell = load_workbook(summary.out)[SHEET]["D6"]
    assert cell.value == "=1+1 [E1]" and cell.data_type == "s"


def test_existing_answers_in_the_input_are_kept(sample_xlsx: Path, tmp_path: Path, h) -> None:
    wb = load_workbook(sample_xlsx)
    wb[SHEET]["C6"] = "No"
    wb[SHEET]["C7"] = "Select..."
    src = tmp_path / "half.xlsx"
    wb.save(src)
    called: list[int] = []

    def answer(row: QuestionRow) -> Finding:
        called.append(row.row)
        return h.make_finding(row, Verdict.conformant)

    summary = run_batch(src, answer=answer, done=_never)
    assert 6 not in called and 7 in called
    assert summary.skipped == 1
    ws = load_workbook(summary.out)[SHEET]
    assert ws["C6"].value == "No" and ws["C7"].value == "Yes"


def test_human_answers_outside_the_dropdown_are_kept_with_a_note(
    sample_xlsx: Path, tmp_path: Path, h
) -> None:
    wb = load_workbook(sample_xlsx)
    wb[SHEET]["C6"] = "Yes, see DOC-12"
    wb[SHEET]["C7"] = "TBD"
    wb[SHEET]["C8"] = '=IF(1=1,"Yes","No")'
    src = tmp_path / "human.xlsx"
    wb.save(src)
    called: list[int] = []

    def answer(row: QuestionRow) -> Finding:
        called.append(row.row)
        return h.make_finding(row, Verdict.nonconformity)

    summary = run_batch(src, answer=answer, done=_never)
    assert not {6, 7, 8} & set(called)
    ws = load_workbook(summary.out)[SHEET]
    assert ws["C6"].value == "Yes, see DOC-12" and ws["C7"].value == "TBD"
    assert ws["C8"].value == '=IF(1=1,"Yes","No")'
    notes = [e for e in summary.errors if "kept the answer already there" in e]
    assert len(notes) == 3 and "row 7" in notes[1] and "'TBD'" in notes[1]


def _decision(action: DecisionAction, finding: Finding, **kw) -> Decision:
    before = {"status": "draft", "verdict": finding.verdict.value, "rationale": finding.rationale}
    after = {**before, **kw.pop("after", {})}
    return Decision(
        finding_id=finding.id, reviewer="c.ciso", action=action, before=before, after=after, **kw
    )


def test_rejected_and_edited_answers_say_what_the_reviewer_decided(sample_xlsx: Path, h) -> None:
    layouts, rows = read_questionnaire(sample_xlsx)
    rejected, edited = rows[0].row, rows[1].row
    drafted: dict[int, Finding] = {}

    def answer(row: QuestionRow) -> Finding:
        status = {rejected: FindingStatus.rejected, edited: FindingStatus.edited}.get(
            row.row, FindingStatus.draft
        )
        verdict = Verdict.nonconformity if row.row == edited else Verdict.conformant
        f = h.make_finding(row, verdict, status=status, rationale="Every criterion is met [E1].")
        drafted[row.row] = f
        return f

    def decisions_of(f: Finding) -> list[Decision]:
        if f.status is FindingStatus.rejected:
            return [
                _decision(
                    DecisionAction.reject,
                    f,
                    reason_code=RejectReason.wrong_verdict,
                    note="policy only, not practice",
                )
            ]
        if f.status is FindingStatus.edited:
            # the reviewer turned a drafted conformant into nonconformity, rationale untouched
            d = _decision(DecisionAction.edit, f, after={"verdict": "nonconformity"})
            d.before["verdict"] = "conformant"
            return [d]
        return []

    summary = run_batch(sample_xlsx, answer=answer, done=_never, decisions_of=decisions_of)
    ws = load_workbook(summary.out)[SHEET]
    lay = layouts[0]
    cell = lambda r, c: ws.cell(row=r, column=c).value  # noqa: E731
    assert cell(rejected, lay.answer_col) is None
    assert cell(rejected, lay.comment_col) == (
        "No answer: the drafted answer was rejected by c.ciso (wrong verdict): "
        "policy only, not practice"
    )
    assert not cell(rejected, lay.evidence_col)
    assert cell(edited, lay.answer_col) == "No"
    comment = cell(edited, lay.comment_col)
    assert comment.startswith("Verdict set to nonconformity by c.ciso (drafted: conformant)")
    assert "Drafted rationale: Every criterion is met [E1]." in comment
    assert summary.blank >= 1 and "nonconformity" in summary.answered


def test_rerun_over_its_own_output_does_not_repeat_comments(
    sample_xlsx: Path, tmp_path: Path, h
) -> None:
    first = run_batch(
        sample_xlsx,
        answer=lambda r: h.make_finding(r, Verdict.insufficient_evidence),
        done=_never,
        out=tmp_path / "once.xlsx",
    )
    again = run_batch(
        first.out,
        answer=lambda r: h.make_finding(r, Verdict.insufficient_evidence),
        done=_never,
        out=tmp_path / "twice.xlsx",
    )
    once, twice = load_workbook(first.out)[SHEET], load_workbook(again.out)[SHEET]
    assert once["D6"].value and twice["D6"].value == once["D6"].value


def _dropdown_book(
    path: Path, header: list[str], questions: list[str], lists: dict[str, str]
) -> Path:
    """A one-sheet questionnaire: `header`, one question per row, list validations by range."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for q in questions:
        ws.append([q])
    for cells, values in lists.items():
        dv = DataValidation(type="list", formula1=f'"{values}"')
        dv.add(cells)
        ws.add_data_validation(dv)
    wb.save(path)
    return path


def test_open_questions_get_no_yes_or_no(tmp_path: Path, h) -> None:
    src = _dropdown_book(
        tmp_path / "open.xlsx",
        ["Question", "Answer", "Comment"],
        [
            "Within how many hours will you notify us of a breach?",
            "3.2 List the sub-processors that handle our data.",
            "Do you notify customers of breaches?",
        ],
        {"B2:B4": "Yes,No,Partial"},
    )
    summary = run_batch(src, answer=lambda r: h.make_finding(r, Verdict.conformant), done=_never)
    out = load_workbook(summary.out).active
    assert [out[f"B{r}"].value for r in (2, 3, 4)] == [None, None, "Yes"]
    assert out["C2"].value.startswith("No answer: this question asks for details")
    assert "models are reviewed quarterly" in out["D2"].value  # the evidence is still written
    assert summary.blank == 2


def test_each_row_gets_a_value_from_its_own_dropdown(tmp_path: Path, h) -> None:
    src = _dropdown_book(
        tmp_path / "mixed.xlsx",
        ["Question", "Answer"],
        [f"Do you review model {i} before release?" for i in range(6)],
        {"B2:B4": "Yes,No", "B5:B7": "Compliant,Non-compliant"},
    )
    summary = run_batch(src, answer=lambda r: h.make_finding(r, Verdict.conformant), done=_never)
    out = load_workbook(summary.out).active
    assert [out[f"B{r}"].value for r in range(2, 8)] == ["Yes"] * 3 + ["Compliant"] * 3


def test_a_dropdown_no_verdict_fits_gets_one_note(tmp_path: Path, h) -> None:
    src = _dropdown_book(
        tmp_path / "rag.xlsx",
        ["Question", "Answer"],
        [f"Do you review model {i} before release?" for i in range(4)],
        {"B2:B5": "Red,Amber,Green"},
    )
    summary = run_batch(src, answer=lambda r: h.make_finding(r, Verdict.conformant), done=_never)
    notes = [e for e in summary.errors if "value_map" in e]
    assert len(notes) == 1 and "Red, Amber, Green" in notes[0]
    assert summary.blank == 4


def test_an_undone_edit_is_not_the_one_reported(sample_xlsx: Path, h) -> None:
    layouts, rows = read_questionnaire(sample_xlsx)
    target = rows[0].row

    def answer(row: QuestionRow) -> Finding:
        status = FindingStatus.edited if row.row == target else FindingStatus.draft
        return h.make_finding(row, Verdict.partial, status=status)

    def decisions_of(f: Finding) -> list[Decision]:
        if f.status is not FindingStatus.edited:
            return []
        # conformant edited to partial (#1), then to nonconformity (#2), and #2 undone (#3)
        first = _decision(DecisionAction.edit, f, after={"verdict": "partial"}, seq=1)
        first.before["verdict"] = "conformant"
        second = _decision(DecisionAction.edit, f, after={"verdict": "nonconformity"}, seq=2)
        second.before["verdict"] = "partial"
        undo = _decision(DecisionAction.undo, f, after={"undoes": 2}, seq=3)
        return [first, second, undo]

    summary = run_batch(sample_xlsx, answer=answer, done=_never, decisions_of=decisions_of)
    comment = load_workbook(summary.out)[SHEET].cell(row=target, column=layouts[0].comment_col)
    assert comment.value.startswith("Verdict set to partial by c.ciso (drafted: conformant)")


def test_an_abstention_points_to_its_closest_passages_in_the_comment_only(
    sample_xlsx: Path, h
) -> None:
    from reviewer.models import Citation

    near = Citation(
        label="E3",
        chunk_id="chunk-near",
        quote="Query logs are kept for 90 days and reviewed after incidents. " * 4,
        path="policies/monitoring.pdf",
        page=2,
        verified=True,
    )

    def answer(row: QuestionRow) -> Finding:
        f = h.make_finding(row, Verdict.insufficient_evidence)
        return f.model_copy(
            update={"citations": [], "provenance": {"closest": [near.model_dump(mode="json")]}}
        )

    summary = run_batch(sample_xlsx, answer=answer, done=_never)
    layouts, rows = read_questionnaire(sample_xlsx)
    layout, ws = layouts[0], load_workbook(summary.out)[SHEET]
    for row in rows:
        comment = ws.cell(row=row.row, column=layout.comment_col).value
        assert ws.cell(row=row.row, column=layout.answer_col).value is None
        assert comment.startswith("No answer: insufficient evidence")
        where = comment.split("Where to look (closest passages, not evidence):\n", 1)[1]
        assert where.startswith('- policies/monitoring.pdf p.2: "Query logs are kept for 90 days')
        assert where.endswith('…"') and len(where) < 200  # the quote is cut short
        assert not ws.cell(row=row.row, column=layout.evidence_col).value  # never as evidence


def test_a_rerun_replaces_the_closest_passages_instead_of_repeating_the_comment(
    sample_xlsx: Path, h
) -> None:
    from reviewer.models import Citation

    def answer_with(quote: str):  # type: ignore[no-untyped-def]
        near = Citation(label="E3", chunk_id="c", quote=quote, path="policies/monitoring.pdf")

        def answer(row: QuestionRow) -> Finding:
            f = h.make_finding(row, Verdict.insufficient_evidence)
            closest = [near.model_dump(mode="json")]
            return f.model_copy(update={"citations": [], "provenance": {"closest": closest}})

        return answer

    first = run_batch(sample_xlsx, answer=answer_with("Query logs are kept."), done=_never)
    # a document was added since: the closest passage changed, the abstention did not
    second = run_batch(first.out, answer=answer_with("Alerts go to the SOC."), done=_never)
    layouts, rows = read_questionnaire(sample_xlsx)
    ws = load_workbook(second.out)[SHEET]
    for row in rows:
        comment = ws.cell(row=row.row, column=layouts[0].comment_col).value
        assert comment.count("No answer: insufficient evidence") == 1
        assert comment.count("Where to look") == 1
        assert comment.endswith('- policies/monitoring.pdf: "Alerts go to the SOC."')
