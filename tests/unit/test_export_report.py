"""What an export says about each finding's decision, and about an export with nothing in it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from tests.unit.reviewed_workspace import Reviewed, reviewed_workspace


@pytest.fixture
def reviewed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Reviewed:
    return reviewed_workspace(tmp_path, monkeypatch)


def _json_record(r: Reviewed, tmp_path: Path, finding_id: str) -> dict[str, Any]:
    out, _ = r.ws.export("json", tmp_path / "report.json")
    return next(x for x in json.loads(out.read_text())["findings"] if x["finding_id"] == finding_id)


def _section(text: str, qid: str, start: str, end: str) -> str:
    """The part of a Markdown/HTML export about question `qid`."""
    begin = text.index(f"{start}{qid}:")
    stop = text.find(end, begin + 1)
    return text[begin : stop if stop > 0 else len(text)]


def test_an_undone_approval_is_no_decision(reviewed: Reviewed, tmp_path: Path) -> None:
    f = reviewed.by_question("Q1")
    reviewed.ws.decide(f.id, "approve", note="looks right")
    reviewed.ws.decide(f.id, "undo")
    rec = _json_record(reviewed, tmp_path, f.id)
    assert rec["status"] == "draft" and rec["draft"] is True
    assert rec["decision"] is None and rec["reviewer"] is None and rec["note"] is None
    md = reviewed.ws.export("md", tmp_path / "report.md")[0].read_text()
    html = reviewed.ws.export("html", tmp_path / "report.html")[0].read_text()
    for section in (_section(md, "Q1", "### ", "\n### "), _section(html, "Q1", "<h3>", "<h3>")):
        assert "Decision" not in section and "undo" not in section


def test_undoing_a_rejection_shows_the_approval_again(reviewed: Reviewed, tmp_path: Path) -> None:
    f = reviewed.by_question("Q1")
    reviewed.ws.decide(f.id, "approve", note="policy section 1", reviewer="ana")
    reviewed.ws.decide(f.id, "reject", reason="wrong_verdict", note="no", reviewer="bob")
    reviewed.ws.decide(f.id, "undo", reviewer="bob")
    rec = _json_record(reviewed, tmp_path, f.id)
    assert rec["status"] == "approved" and rec["draft"] is False
    assert (rec["decision"], rec["reviewer"], rec["note"], rec["reason"]) == (
        "approve",
        "ana",
        "policy section 1",
        None,
    )
    html = reviewed.ws.export("html", tmp_path / "report.html")[0].read_text()
    section = _section(html, "Q1", "<h3>", "<h3>")
    assert "Decision: approved by ana" in section
    assert "undo" not in section and "bob" not in section


def test_an_edit_shows_the_drafted_verdict_beside_the_new_one(
    reviewed: Reviewed, tmp_path: Path
) -> None:
    f = reviewed.by_question("Q2")
    drafted = f.verdict.value
    new = "nonconformity" if drafted != "nonconformity" else "partial"
    reviewed.ws.decide(f.id, "edit", verdict=new, rationale="Only email notice.", reviewer="ana")
    rec = _json_record(reviewed, tmp_path, f.id)
    assert (rec["drafted_verdict"], rec["verdict"], rec["decision"]) == (drafted, new, "edit")
    expected = f"edited: {drafted} -> {new} by ana"
    md = reviewed.ws.export("md", tmp_path / "report.md")[0].read_text()
    assert expected in _section(md, "Q2", "### ", "\n### ")
    html = reviewed.ws.export("html", tmp_path / "report.html")[0].read_text()
    assert expected in _section(html, "Q2", "<h3>", "<h3>")
    out, _ = reviewed.ws.export("csv", tmp_path / "report.csv")
    row = next(r for r in csv.DictReader(io.StringIO(out.read_text())) if r["finding_id"] == f.id)
    assert (row["drafted_verdict"], row["verdict"]) == (drafted, new)


@pytest.mark.parametrize(
    ("actions", "in_effect"),
    [
        (["approve"], "approve"),
        (["approve", "undo"], None),
        (["approve", "reject", "undo"], "approve"),
        (["approve", "reject", "undo", "undo"], None),
        (["approve", "undo", "edit"], "edit"),
        (["edit", "approve", "undo"], "edit"),
    ],
)
def test_decision_in_effect_follows_undo(
    reviewed: Reviewed, actions: list[str], in_effect: str | None
) -> None:
    from reviewer.findings_view import decision_in_effect

    f = reviewed.by_question("Q1")
    for action in actions:
        extra: dict[str, Any] = {
            "reject": {"reason": "other"},
            "edit": {"verdict": "partial"},
        }.get(action, {})
        reviewed.ws.decide(f.id, action, **extra)
    d = decision_in_effect(reviewed.ws.findings.decisions(f.id))
    assert (d.action.value if d else None) == in_effect
    if d is not None:
        assert reviewed.ws.findings.get_finding(f.id).status.value == d.after["status"]  # type: ignore[union-attr]


def test_an_export_with_no_findings_says_so(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from reviewer.export.report import FORMATS, export_message
    from reviewer.workspace import Workspace

    ws = Workspace.open(tmp_path / "ws", name="test.auditor")
    outs = {fmt: ws.export(fmt, tmp_path / f"report.{fmt}") for fmt in FORMATS}
    assert {n for _, n in outs.values()} == {0}
    why = "No findings: the workspace has none yet"
    for fmt in ("md", "html"):
        text = outs[fmt][0].read_text()
        assert why in text and "Coverage" not in text and "0 decisions" in text
    assert why in json.loads(outs["json"][0].read_text())["note"]
    log = load_workbook(outs["xlsx"][0])["Log"]
    assert any(why in str(c.value) for row in log.iter_rows() for c in row)
    message = export_message(outs["md"][0], 0)
    assert "lists no findings" in message and why in message and "0 findings" not in message


def test_a_status_filter_that_matches_nothing_says_why(reviewed: Reviewed, tmp_path: Path) -> None:
    from reviewer.export.report import export_message

    out, n = reviewed.ws.export("md", tmp_path / "report.md", status=["approved"])
    assert n == 0
    assert (
        "No findings with status approved: the workspace's 2 findings all have another status."
        in out.read_text()
    )
    assert "No findings with status approved" in export_message(out, 0, ["approved"])


def test_counts_are_pluralised(reviewed: Reviewed, tmp_path: Path) -> None:
    from reviewer.export.report import export_message

    f = reviewed.by_question("Q1")
    reviewed.ws.decide(f.id, "approve")
    out, n = reviewed.ws.export("md", tmp_path / "report.md", status=["approved"])
    text = out.read_text()
    assert n == 1 and "1 finding with status approved (of 2)" in text
    assert "Decision log: 1 decision," in text and "1 decisions" not in text
    assert export_message(out, 1) == f"wrote {out} (1 finding)"
    assert export_message(out, 2) == f"wrote {out} (2 findings)"
