"""Rerunning a questionnaire with the real workspace: what is reused, what is drafted again.

A stored answer is reused when the question, its retrieved evidence and the drafter are the
same, so edits elsewhere in the questionnaire keep reviewers' decisions, new evidence is read,
and --fresh drafts everything again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import Workbook, load_workbook

from reviewer.models import FindingStatus
from reviewer.workspace import Workspace

QUESTIONS = [
    "Is training data classified before it is used to train a model?",
    "Are models tested against adversarial examples before release?",
    "Is access to restricted training data reviewed every six months?",
]

POLICY = """# Data handling standard

Every dataset used to train a model must be classified as public, internal or restricted
before it is used. The data owner records the classification in the data catalogue.

Models are tested against adversarial examples and prompt injection before each release.
"""

ACCESS = """# Access control standard

Access to restricted training data is limited to named roles. Access rights to restricted
training data are reviewed every six months by the data owner, and the review is recorded.
"""


def _book(path: Path, questions: list[str]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Questions"
    ws.append(["#", "Question", "Answer", "Comment"])
    for i, q in enumerate(questions, start=1):
        ws.append([i, q, None, None])
    wb.save(path)
    return path


def _answers(path: Path) -> dict[str, tuple[str | None, str | None]]:
    ws = load_workbook(path)["Questions"]
    header = [c.value for c in ws[1]]
    status = header.index("Review status")
    return {row[1].value: (row[2].value, row[status].value) for row in ws.iter_rows(min_row=2)}


def test_rerun_keeps_decisions_of_unchanged_rows_and_reads_new_evidence(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "data-standard.md").write_text(POLICY)
    ws = Workspace.open(tmp_path / "ws", name="test.auditor")
    ws.ingest([docs])

    first, _ = ws.batch(_book(tmp_path / "v1.xlsx", QUESTIONS), drafter="extractive")
    assert first.resumed == 0 and first.failed == 0
    by_text = {f.question.text: f for f in ws.current_findings()}
    approved = by_text[QUESTIONS[0]]
    ws.decide(approved.id, "approve")

    # v2: one question added at the top, so every old row moves down one row
    v2 = _book(tmp_path / "v2.xlsx", ["Is there an AI policy?", *QUESTIONS])
    second, _ = ws.batch(v2, drafter="extractive", approved_only=True)
    assert second.resumed == len(QUESTIONS)
    answers = _answers(second.out)
    assert answers[QUESTIONS[0]][1] == FindingStatus.approved.value
    assert answers[QUESTIONS[0]][0] is not None  # written although --approved-only
    assert answers[QUESTIONS[1]] == (None, FindingStatus.draft.value)

    # new evidence for the third question: its row is drafted again and now cites it
    old = {f.question.text: f for f in ws.current_findings()}[QUESTIONS[2]]
    assert not any("access-standard" in (c.path or "") for c in old.citations)
    (docs / "access-standard.md").write_text(ACCESS)
    ws.ingest([docs])
    third, _ = ws.batch(v2, drafter="extractive", out=tmp_path / "v3.xlsx")
    new = {f.question.text: f for f in ws.current_findings()}[QUESTIONS[2]]
    assert new.id != old.id
    assert any("access-standard" in (c.path or "") for c in new.citations if c.verified)
    assert third.resumed < len(QUESTIONS) + 1

    fresh, _ = ws.batch(v2, drafter="extractive", out=tmp_path / "v4.xlsx", fresh=True)
    assert fresh.resumed == 0


DEMO = Path(__file__).resolve().parents[2] / "corpora" / "demo"


def test_a_row_asking_the_other_sense_of_its_bank_question_is_answered_as_asked(
    tmp_path: Path,
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("vendor-meridel-ai-service-terms.pdf", "policy-supplier-security.docx"):
        shutil.copy(DEMO / name, docs / name)
    ws = Workspace.open(tmp_path / "ws", name="test.auditor")
    ws.ingest([docs])
    same = "Do agreements with AI providers prohibit them from training on our data?"
    other = "Are AI providers allowed by our agreements to train on our data?"
    summary, matches = ws.batch(_book(tmp_path / "q.xlsx", [same, other]), drafter="extractive")
    by_row = {m["row"]: m for m in matches}
    # both are nearest to the bank's "Do agreements ... prohibit the provider from using the
    # organisation's data to train ...?", whose "No" would be the second row's "Yes"
    assert by_row[2]["bank_question"] == by_row[3]["bank_question"] == "ai27-a151-02"
    assert (by_row[2]["opposite_wording"], by_row[3]["opposite_wording"]) == (False, True)
    findings = {f.question.text: f for f in ws.current_findings()}
    assert findings[same].source["bank_match"] == "ai27-a151-02"
    assert len(findings[same].question.criteria) == 3
    # the second is answered as its own question, not by the bank's criteria
    assert findings[other].source["bank_match"] is None
    assert findings[other].question.criteria == []
    # the terms let the provider train unless the customer opts out: the prohibition is missing
    assert _answers(summary.out)[same][0] == "No"
