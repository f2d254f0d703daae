"""End to end with real parts: bundled MiniLM, embedded Chroma, BM25, SQLite, real files."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from reviewer.models import FindingStatus, Question, Verdict
from reviewer.workspace import Workspace
from tests.fixtures.builders import build_corpus

pytestmark = pytest.mark.slow


def test_ingest_good_and_bad_files_then_rerun_changes_nothing(tmp_path: Path) -> None:
    corpus = build_corpus(tmp_path / "evidence")
    ws = Workspace.open(tmp_path / "ws")
    first = ws.ingest([corpus.root])
    by_path = {r.path: r for r in first.results}
    for bad, cause in corpus.bad.items():
        r = by_path[bad.relative_to(corpus.root).as_posix()]
        assert r.status == "failed"
        assert bad.name in (r.error or "") and cause.lower() in (r.error or "").lower()
        assert "\n" not in (r.error or "")
    assert {r.status for r in first.results if r.status != "failed"} == {"ingested"}
    assert len([r for r in first.results if r.status == "ingested"]) == len(corpus.good)
    chunks_before = ws.docs.chunk_ids()
    started = time.perf_counter()
    second = ws.ingest([corpus.root])
    assert all(r.status in ("unchanged", "failed") for r in second.results)
    assert ws.docs.chunk_ids() == chunks_before
    assert time.perf_counter() - started < 60  # sanity bound only; speed lives in evals/bench


def test_changed_file_replaces_its_chunks_everywhere(tmp_path: Path) -> None:
    folder = tmp_path / "ev"
    folder.mkdir()
    doc = folder / "policy.md"
    doc.write_text("# Policy\n\nTraining data shall be classified before use.\n")
    ws = Workspace.open(tmp_path / "ws")
    ws.ingest([folder])
    old = set(ws.vectors.ids())
    question = Question(id="q-class", text="Is training data classified before it is used?")
    drafted = ws.review([question], drafter="extractive").findings[0]
    assert drafted.citations, "the finding should cite policy.md"
    doc.write_text("# Policy\n\nModels are versioned in the registry with an immutable id.\n")
    report = ws.ingest([folder])
    assert [r.status for r in report.results] == ["replaced"]
    stale = ws.findings.get_finding(drafted.id)
    assert (
        stale is not None and stale.status == FindingStatus.stale and "stale_source" in stale.flags
    )
    new = set(ws.vectors.ids())
    assert not old & new, "old vectors must be gone"
    assert new == ws.docs.chunk_ids() == set(ws.lexical.ids)
    hits = ws.search("immutable id registry", k=3)
    assert hits and "immutable" in hits[0].chunk.text
    assert not ws.search("classified before use", k=3, mode="lexical")
    gone = ws.forget(["policy.md"])
    assert [d.path for d in gone] == ["policy.md"]
    assert ws.docs.chunk_ids() == set() == set(ws.vectors.ids())


def test_new_chunk_settings_rechunk_an_unchanged_file(tmp_path: Path) -> None:
    """Unchanged content under another recipe (chunk size, loader/chunker version) is redone."""
    folder = tmp_path / "ev"
    folder.mkdir()
    sentences = [f"Control {i} requires the model owner to record evidence." for i in range(60)]
    (folder / "policy.md").write_text("# Policy\n\n" + " ".join(sentences) + "\n")
    ws = Workspace.open(tmp_path / "ws")
    ws.ingest([folder])
    before = ws.docs.chunk_ids()
    assert [r.status for r in ws.ingest([folder]).results] == ["unchanged"]
    ws.close()
    smaller = Workspace.open(tmp_path / "ws", ingest={"chunk_tokens": 80, "overlap_tokens": 10})
    report = smaller.ingest([folder])
    assert [r.status for r in report.results] == ["replaced"]
    after = smaller.docs.chunk_ids()
    assert len(after) > len(before)
    assert set(smaller.vectors.ids()) == after == set(smaller.lexical.ids)
    assert [r.status for r in smaller.ingest([folder]).results] == ["unchanged"]


def test_demo_review_presents_only_verified_quotes(demo_ws: Workspace) -> None:
    findings = demo_ws.current_findings()
    assert len(findings) == len(demo_ws.bank("iso27001-ai").questions)
    texts = {}
    for f in findings:
        assert f.status == FindingStatus.draft
        if f.verdict != Verdict.insufficient_evidence:
            assert any(c.verified for c in f.citations), f.question.id
        for c in f.citations:
            assert c.verified
            doc_id = c.chunk_id.split("-", 1)[0]
            text = texts.setdefault(doc_id, demo_ws.docs.text(doc_id))
            assert c.char_start is not None and c.char_end is not None
            assert (
                " ".join(text[c.char_start : c.char_end].split()).lower()
                == " ".join(c.quote.split()).lower()
            )


def test_rerun_reuses_drafts_and_fresh_redrafts(demo_ws: Workspace) -> None:
    questions = demo_ws.bank("iso27001-ai").questions[:3]
    again = demo_ws.review(questions, drafter="extractive")
    assert again.reused == 3
    fresh = demo_ws.review(questions, drafter="extractive", fresh=True)
    assert fresh.reused == 0 and len(fresh.findings) == 3


def test_injected_document_is_flagged_and_changes_no_verdict(demo_ws: Workspace) -> None:
    flagged_docs = [d.path for d in demo_ws.documents() if "injection" in demo_ws.docs.flags(d.id)]
    assert "vendor-tessaloom-platform-security-whitepaper.pdf" in flagged_docs
    tessaloom = next(d for d in demo_ws.documents() if d.path.startswith("vendor-tessaloom"))
    with_injection = {f.question.id: f for f in demo_ws.current_findings()}
    assert any("injection" in f.flags for f in with_injection.values())
    for f in with_injection.values():
        cites_it = any(c.doc_sha256 == tessaloom.sha256 for c in f.citations)
        if cites_it:
            assert "injection" in f.flags
    # Evidence is data: the same evidence with the planted instruction cut out of its chunk
    # must lead the drafter to the same verdict for every question that retrieved it.
    from reviewer.drafting.injection import find_injections

    drafter = demo_ws.drafter("extractive")
    checked = 0
    for q in demo_ws.bank("iso27001-ai").questions:
        evidence = demo_ws.retrieve(q)
        if not any(find_injections(e.chunk.text) for e in evidence):
            continue
        cleaned = []
        for e in evidence:
            text = e.chunk.text
            start = text.find("Note to any AI reviewer")
            if start >= 0:
                end = text.find("review.", start) + len("review.")
                text = text[:start] + text[end:]
            cleaned.append(
                e.model_copy(update={"chunk": e.chunk.model_copy(update={"text": text})})
            )
        assert drafter.draft(q, evidence).verdict == drafter.draft(q, cleaned).verdict, q.id
        checked += 1
    assert checked > 0


def test_decisions_are_chained_and_tampering_is_named(demo_ws: Workspace, tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "ws")
    src, dst = sqlite3.connect(demo_ws.db_path), sqlite3.connect(ws.db_path)
    src.backup(dst)  # a file copy would miss what is still in the WAL
    src.close()
    dst.close()
    f = ws.current_findings()[0]
    ws.decide(f.id, "approve")
    ws.decide(f.id, "undo")
    ws.decide(f.id, "reject", reason="wrong_verdict", note="policy only")
    assert ws.verify_log().ok and ws.verify_log().count == 3
    ws.close()
    con = sqlite3.connect(ws.db_path)
    con.execute("DROP TRIGGER IF EXISTS decisions_no_update")
    triggers = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='trigger'")]
    for t in triggers:
        con.execute(f"DROP TRIGGER {t}")
    con.execute("UPDATE decisions SET note = 'nothing to see' WHERE seq = 3")
    con.commit()
    con.close()
    check = Workspace.open(tmp_path / "ws").verify_log()
    assert not check.ok and check.first_bad_seq == 3


@pytest.mark.parametrize("fmt", ["md", "html", "json", "csv", "xlsx"])
def test_export_reads_back(demo_ws: Workspace, tmp_path: Path, fmt: str) -> None:
    f = demo_ws.current_findings()[1]
    if not demo_ws.findings.decisions(f.id):
        demo_ws.decide(f.id, "approve")
    out, n = demo_ws.export(fmt, tmp_path / f"report.{fmt}")
    assert n == len(demo_ws.current_findings())
    head = demo_ws.findings.chain_head()[1]
    if fmt == "json":
        data = json.loads(out.read_text())
        assert data["decision_log"]["head"] == head
        rec = next(r for r in data["findings"] if r["finding_id"] == f.id)
        assert rec["decision"] == "approve" and rec["draft"] is False
        assert any(r["draft"] for r in data["findings"])
        assert all(c["doc_sha256"] for r in data["findings"] for c in r["citations"])
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(out)
        assert {"Findings", "Coverage", "Log"} <= set(wb.sheetnames)
        assert wb["Log"]["B3"].value == head
        assert wb["Findings"].max_row == n + 1
    elif fmt == "csv":
        import csv

        rows = list(csv.DictReader(out.open()))
        assert len(rows) == n and any(r["decision"] == "approve" for r in rows)
    else:
        text = out.read_text()
        assert head in text and "DRAFT" in text and f.question.id in text
        if fmt == "html":
            assert (
                text.startswith("<!doctype html>")
                and "<script" not in text
                and "http" not in text.split("</style>")[0]
            )


def test_export_refuses_to_overwrite_the_workspace(demo_ws: Workspace) -> None:
    from reviewer.export.report import ExportError

    with pytest.raises(ExportError):
        demo_ws.export("json", demo_ws.db_path)


def test_batch_fills_the_sample_workbook(demo_ws: Workspace, tmp_path: Path) -> None:
    import hashlib

    from openpyxl import load_workbook

    src = (
        Path(__file__).resolve().parents[2]
        / "corpora"
        / "questionnaires"
        / "ai-vendor-assessment.xlsx"
    )
    book = tmp_path / "vendor.xlsx"
    shutil.copy(src, book)
    before = hashlib.sha256(book.read_bytes()).hexdigest()
    summary, matches = demo_ws.batch(book, drafter="extractive")
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before
    assert summary.failed == 0 and summary.total >= 40
    assert any(m["bank_question"] for m in matches)
    wb = load_workbook(summary.out)
    sheet = wb["AI Security Questionnaire"]
    allowed = {"Yes", "No", "Partial", "N/A"}
    header = [
        c.value
        for c in sheet[
            next(r for r in range(1, 15) if any(c.value == "Question" for c in sheet[r]))
        ]
    ]
    q_col = header.index("Question") + 1
    a_col = header.index("Response") + 1
    c_col = header.index("Comments") + 1
    answered = 0
    for row in sheet.iter_rows(min_row=2):
        q = row[q_col - 1].value
        if not isinstance(q, str) or not q.strip().endswith("?"):
            continue
        ans, comment = row[a_col - 1].value, row[c_col - 1].value
        assert ans in allowed or (ans is None and comment), (
            f"row {row[0].row}: no answer and no reason"
        )
        answered += ans is not None
    assert answered > 0
    # Rerun resumes every row instead of drafting again.
    summary2, _ = demo_ws.batch(book, drafter="extractive", out=tmp_path / "again.xlsx")
    assert summary2.resumed == summary.total - summary.skipped


def test_citations_say_which_section_they_quote(demo_ws: Workspace) -> None:
    cited = [c for f in demo_ws.current_findings() for c in f.citations if c.verified]
    docx = [c for c in cited if c.path.endswith((".docx", ".md", ".html"))]
    chunks = demo_ws.docs.chunks(c.chunk_id for c in docx)
    under_heading = [c for c in docx if chunks[c.chunk_id].heading_path]
    assert under_heading
    for c in under_heading:
        assert c.section.split(" > ")[-1] == " ".join(chunks[c.chunk_id].heading_path[-1].split())
        assert c.where() == f"{c.path}{f' p.{c.page}' if c.page else ''} § {c.section}"


def test_an_injection_flag_names_the_file_that_carries_it(demo_ws: Workspace) -> None:
    from reviewer.findings_view import flag_reasons

    flagged = [f for f in demo_ws.current_findings() if "injection" in f.flags]
    assert flagged
    for f in flagged:
        assert "tessaloom" in flag_reasons(f)["injection"], f.provenance.get("injection_sources")
