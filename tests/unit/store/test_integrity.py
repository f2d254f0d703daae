"""check_findings: hand edits of findings and citations, which the decision chain cannot see."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.models import ControlRef, Question
from reviewer.store.db import connect
from reviewer.store.integrity import check_findings
from tests.unit.reviewed_workspace import POLICY, QUESTIONS, Reviewed, reviewed_workspace

MORE = [
    *QUESTIONS,
    Question(
        id="Q3",
        text="Is customer data encrypted at rest?",
        refs=[ControlRef.parse("ISO27001:2013 A.10.1.1")],
    ),
    Question(
        id="Q4",
        text="Is access to training data reviewed every quarter?",
        refs=[ControlRef.parse("ISO27001:2013 A.9.2.5")],
    ),
]


@pytest.fixture
def reviewed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Reviewed:
    return reviewed_workspace(tmp_path, monkeypatch, MORE)


def _decide_all_ways(r: Reviewed) -> dict[str, str]:
    """Q1 approved, Q2 rejected, Q3 edited, Q4 approved then undone: finding id per question."""
    ids = {q.id: r.by_question(q.id).id for q in MORE}
    r.ws.decide(ids["Q1"], "approve", reviewer="ana")
    r.ws.decide(ids["Q2"], "reject", reason="wrong_verdict", note="no", reviewer="bob")
    r.ws.decide(ids["Q3"], "edit", verdict="partial", rationale="Only some data.", reviewer="ana")
    r.ws.decide(ids["Q4"], "approve", reviewer="ana")
    r.ws.decide(ids["Q4"], "reject", reason="other", reviewer="bob")
    r.ws.decide(ids["Q4"], "undo", reviewer="bob")
    r.ws.decide(ids["Q4"], "undo", reviewer="bob")
    return ids


def _tamper(r: Reviewed, sql: str, *params: object) -> list[str]:
    """Run `sql` on the database file behind the tool's back, then check it afresh."""
    r.ws.close()
    con = sqlite3.connect(r.ws.db_path)
    changed = con.execute(sql, params).rowcount
    con.commit()
    con.close()
    assert changed == 1
    conn = connect(r.ws.db_path)
    try:
        return check_findings(conn)
    finally:
        conn.close()


def test_an_untouched_workspace_reports_nothing(reviewed: Reviewed) -> None:
    assert check_findings(reviewed.ws.conn) == []
    assert check_findings(reviewed.ws.findings) == []


def test_approve_reject_edit_and_undo_report_nothing(reviewed: Reviewed) -> None:
    _decide_all_ways(reviewed)
    assert reviewed.ws.verify_log().ok
    assert check_findings(reviewed.ws.conn) == []


def test_a_reingested_document_leaves_stale_findings_that_are_not_tampered(
    reviewed: Reviewed,
) -> None:
    ids = _decide_all_ways(reviewed)
    (reviewed.evidence / "policy.md").write_text(
        POLICY.replace("every quarter", "every month") + "\nNew section.\n", encoding="utf-8"
    )
    (reviewed.evidence / "vendor.md").write_text("# Supplier terms\n\nRewritten.\n")
    reviewed.ws.ingest([reviewed.evidence])
    statuses = {q: reviewed.ws.findings.get_finding(i).status.value for q, i in ids.items()}  # type: ignore[union-attr]
    assert statuses["Q1"] == "stale" and statuses["Q3"] == "stale"  # approved / edited before
    assert check_findings(reviewed.ws.conn) == []
    # Deciding on a stale finding, and undoing that, stays consistent too.
    reviewed.ws.decide(ids["Q1"], "approve", reviewer="ana")
    reviewed.ws.decide(ids["Q1"], "undo", reviewer="ana")
    assert check_findings(reviewed.ws.conn) == []


def test_rechunking_the_same_document_reports_nothing(reviewed: Reviewed) -> None:
    _decide_all_ways(reviewed)
    # New chunk settings: the same file is cut again, and chunk ids can now hold other text.
    reviewed.ws.settings.ingest.chunk_tokens = 16
    reviewed.ws.settings.ingest.overlap_tokens = 0
    report = reviewed.ws.ingest([reviewed.evidence])
    assert {r.status for r in report.results} == {"replaced"}
    assert check_findings(reviewed.ws.conn) == []


def test_a_forgotten_document_reports_nothing(reviewed: Reviewed) -> None:
    _decide_all_ways(reviewed)
    reviewed.ws.forget(["policy.md"])
    assert check_findings(reviewed.ws.conn) == []


def test_approved_without_a_decision_is_reported(reviewed: Reviewed) -> None:
    fid = reviewed.by_question("Q1").id
    problems = _tamper(reviewed, "UPDATE findings SET status = 'approved' WHERE id = ?", fid)
    assert len(problems) == 1
    assert fid in problems[0] and "'approved'" in problems[0] and "no decision" in problems[0]


TAMPERS: list[tuple[str, str, Callable[[str], object], str]] = [
    ("verdict", "UPDATE findings SET verdict = ? WHERE id = ?", lambda v: v, "verdict"),
    (
        "rationale",
        "UPDATE findings SET rationale = ? WHERE id = ?",
        lambda _: "Fully conformant.",
        "rationale",
    ),
    ("status", "UPDATE findings SET status = ? WHERE id = ?", lambda _: "edited", "status"),
    # A rejected finding is never made stale by a re-ingest.
    ("stale", "UPDATE findings SET status = ? WHERE id = ?", lambda _: "stale", "status"),
]


@pytest.mark.parametrize(("what", "sql", "value", "named"), TAMPERS, ids=[t[0] for t in TAMPERS])
def test_a_changed_decided_finding_is_reported(
    reviewed: Reviewed, what: str, sql: str, value: Callable[[str], object], named: str
) -> None:
    ids = _decide_all_ways(reviewed)
    fid = ids["Q2"] if what == "stale" else ids["Q1"]
    current = reviewed.ws.findings.get_finding(fid)
    assert current is not None
    other = "nonconformity" if current.verdict.value != "nonconformity" else "conformant"
    problems = _tamper(reviewed, sql, value(other), fid)
    assert len(problems) == 1 and fid in problems[0] and named in problems[0], problems
    assert "decision #" in problems[0]


def test_the_decision_chain_alone_does_not_see_a_changed_finding(reviewed: Reviewed) -> None:
    ids = _decide_all_ways(reviewed)
    problems = _tamper(
        reviewed,
        "UPDATE findings SET verdict = 'conformant', status = 'approved' WHERE id = ?",
        ids["Q2"],
    )
    assert problems and ids["Q2"] in problems[0]
    conn = connect(reviewed.ws.db_path)
    from reviewer.store.findings import FindingsStore

    assert FindingsStore(conn).verify_chain().ok  # why check_findings is needed
    conn.close()


def test_an_invented_quote_is_reported(reviewed: Reviewed) -> None:
    ids = _decide_all_ways(reviewed)
    fid = ids["Q1"]
    problems = _tamper(
        reviewed,
        "UPDATE citations SET quote = ? WHERE finding_id = ? AND verified = 1 AND position = "
        "(SELECT MIN(position) FROM citations WHERE finding_id = ? AND verified = 1)",
        "Training data is deleted after every audit",
        fid,
        fid,
    )
    assert len(problems) == 1 and fid in problems[0]
    assert "Training data is deleted after every audit" in problems[0]
    assert "not in chunk" in problems[0]


def test_a_citation_moved_to_another_document_is_reported(reviewed: Reviewed) -> None:
    fid = reviewed.by_question("Q1").id
    problems = _tamper(
        reviewed,
        "UPDATE citations SET doc_sha256 = ? WHERE finding_id = ? AND position = 0",
        "f" * 64,
        fid,
    )
    assert len(problems) == 1 and fid in problems[0] and "belongs to" in problems[0]


def test_a_deleted_decided_finding_is_reported(reviewed: Reviewed) -> None:
    ids = _decide_all_ways(reviewed)
    problems = _tamper(reviewed, "DELETE FROM findings WHERE id = ?", ids["Q2"])
    assert len(problems) == 1 and ids["Q2"] in problems[0] and "missing" in problems[0]
