"""Findings, runs, cache and staleness on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer.findings_view import cites_control, coverage_rows
from reviewer.models import (
    Citation,
    ControlRef,
    CriterionAssessment,
    CriterionStatus,
    Finding,
    FindingStatus,
    Flag,
    Question,
    Run,
    Verdict,
)
from reviewer.store.db import connect
from reviewer.store.findings import FindingsStore, source_key_of

MakeFinding = Callable[..., Finding]


def test_finding_round_trips_with_citations(
    store: FindingsStore,
    make_finding: MakeFinding,
    make_citation: Callable[..., Citation],
    db_path: Path,
) -> None:
    finding = make_finding(
        citations=[
            make_citation(),
            make_citation(chunk_id="card#4", label="E2", page=None, quote="Versioned in MLflow."),
        ],
        assessments=[
            CriterionAssessment(
                criterion_id="c1", status=CriterionStatus.met, evidence=["E1"], score=0.8
            )
        ],
        flags=[Flag.unverified_quote.value],
        provenance={"backend": "fake", "doc_sha256s": ["a" * 64], "temperature": 0.0},
        source={"bank": "iso27001-ai"},
        cache_key="ck-1",
    )
    store.save_finding(finding)

    # A second connection proves the data is committed, not just visible to the writer.
    reopened = FindingsStore(connect(db_path))
    loaded = reopened.get_finding(finding.id)
    assert loaded == finding
    assert [c.chunk_id for c in loaded.citations] == ["doc1#0", "card#4"]
    assert reopened.get_finding("missing") is None
    row = reopened.conn.execute("SELECT source_key FROM findings").fetchone()
    assert row[0] == "bank:iso27001-ai"
    reopened.conn.close()


def test_saving_again_replaces_the_finding_and_its_citations(
    store: FindingsStore, make_finding: MakeFinding, make_citation: Callable[..., Citation]
) -> None:
    finding = make_finding(citations=[make_citation(), make_citation(chunk_id="x#1")])
    store.save_finding(finding)
    revised = finding.model_copy(
        update={"verdict": Verdict.conformant, "citations": [make_citation(chunk_id="y#2")]}
    )
    store.save_finding(revised)
    assert store.get_finding(finding.id) == revised
    assert len(store.list_findings()) == 1
    count = store.conn.execute("SELECT count(*) FROM citations").fetchone()[0]
    assert count == 1


def test_list_findings_filters(
    store: FindingsStore, make_finding: MakeFinding, make_question: Callable[..., Question]
) -> None:
    a = make_finding(question=make_question("q1"), source={"bank": "b1"})
    b = make_finding(
        question=make_question("q2"), status=FindingStatus.approved, source={"bank": "b1"}
    )
    c = make_finding(
        question=make_question("q1"),
        run_id="run2",
        status=FindingStatus.rejected,
        source={"sha256": "f" * 8, "sheet": "AI", "row": 7},
    )
    for f in (a, b, c):
        store.save_finding(f)

    def ids(found: list[Finding]) -> list[str]:
        return [f.id for f in found]

    assert ids(store.list_findings()) == [a.id, b.id, c.id]
    assert ids(store.list_findings(status="approved")) == [b.id]
    assert ids(store.list_findings(status=["draft", "rejected"])) == [a.id, c.id]
    assert ids(store.list_findings(question_id="q1")) == [a.id, c.id]
    assert ids(store.list_findings(run_id="run2")) == [c.id]
    assert ids(store.list_findings(source_key="ffffffff:AI:7")) == [c.id]
    assert ids(store.list_findings(source_key="bank:b1", question_id="q2")) == [b.id]
    assert store.list_findings(status="stale") == []
    with pytest.raises(ValueError):
        store.list_findings(status="no-such-status")


def test_source_key_forms(make_question: Callable[..., Question]) -> None:
    q = make_question()
    assert source_key_of({"key": "custom"}, q) == "custom"
    assert source_key_of({"sha256": "abc", "sheet": "S1", "row": 12}, q) == "abc:S1:12"
    assert source_key_of({"bank": "iso"}, q) == "bank:iso"
    assert source_key_of({}, make_question(bank="from-question")) == "bank:from-question"
    assert source_key_of({}, q) == "bank:ad-hoc"


def test_find_cached_returns_latest_usable_finding(
    store: FindingsStore, make_finding: MakeFinding
) -> None:
    old = make_finding(cache_key="k", created_at="2024-01-01T00:00:00+00:00")
    new = make_finding(cache_key="k", created_at="2024-02-01T00:00:00+00:00")
    failed = make_finding(
        cache_key="k", status=FindingStatus.failed, created_at="2024-03-01T00:00:00+00:00"
    )
    other = make_finding(cache_key="other")
    for f in (old, new, failed, other):
        store.save_finding(f)
    cached = store.find_cached("k")
    assert cached is not None and cached.id == new.id
    assert store.find_cached("absent") is None
    assert store.find_cached("") is None


def test_latest_by_source_for_resume(
    store: FindingsStore, make_finding: MakeFinding, make_question: Callable[..., Question]
) -> None:
    row = {"sha256": "s" * 64, "sheet": "Sheet1", "row": 4}
    first = make_finding(source=row, created_at="2024-01-01T00:00:00+00:00")
    second = make_finding(source=row, created_at="2024-01-02T00:00:00+00:00")
    elsewhere = make_finding(source={**row, "row": 5}, created_at="2024-01-03T00:00:00+00:00")
    for f in (first, second, elsewhere):
        store.save_finding(f)
    latest = store.latest_by_source(f"{'s' * 64}:Sheet1:4", "q1")
    assert latest is not None and latest.id == second.id
    assert store.latest_by_source(f"{'s' * 64}:Sheet1:4", "other-question") is None


def test_mark_stale_by_citation_and_provenance(
    store: FindingsStore, make_finding: MakeFinding, make_citation: Callable[..., Citation]
) -> None:
    changed, kept = "c" * 64, "k" * 64
    by_citation = make_finding(citations=[make_citation(doc_sha256=changed)])
    by_provenance = make_finding(
        citations=[make_citation(doc_sha256=kept)],
        provenance={"doc_sha256s": [kept, changed]},
        status=FindingStatus.approved,
        flags=[Flag.injection.value],
    )
    rejected = make_finding(
        citations=[make_citation(doc_sha256=changed)], status=FindingStatus.rejected
    )
    unrelated = make_finding(
        citations=[make_citation(doc_sha256=kept)], provenance={"doc_sha256s": [kept]}
    )
    for f in (by_citation, by_provenance, rejected, unrelated):
        store.save_finding(f)

    assert store.mark_stale([changed]) == 2
    stale = {f.id: f for f in store.list_findings(status="stale")}
    assert set(stale) == {by_citation.id, by_provenance.id}
    assert stale[by_provenance.id].flags == [Flag.injection.value, Flag.stale_source.value]
    assert stale[by_citation.id].flags == [Flag.stale_source.value]
    assert store.get_finding(rejected.id).status is FindingStatus.rejected  # type: ignore[union-attr]
    assert store.get_finding(unrelated.id).status is FindingStatus.draft  # type: ignore[union-attr]
    # Already stale findings are not counted (or flagged) twice.
    assert store.mark_stale([changed]) == 0
    assert store.get_finding(by_citation.id).flags == [Flag.stale_source.value]  # type: ignore[union-attr]
    assert store.mark_stale([]) == 0


def test_runs_start_and_finish(store: FindingsStore, db_path: Path) -> None:
    run = Run(id="r1", kind="review", drafter="extractive", params={"k": 10})
    store.start_run(run)
    assert store.get_run("r1") == run
    store.finish_run("r1", status="interrupted")
    finished = store.get_run("r1")
    assert finished is not None
    assert finished.status == "interrupted" and finished.finished_at is not None
    assert finished.params == {"k": 10}
    assert [r.id for r in store.list_runs()] == ["r1"]
    with pytest.raises(ValueError, match="no run"):
        store.finish_run("missing")


def test_coverage_counts_current_findings_by_family_and_control(
    store: FindingsStore, make_finding: MakeFinding, make_question: Callable[..., Question]
) -> None:
    a821 = make_question("q1", "ISO27001:2013 A.8.2.1", family="A.8.2")
    a822 = make_question("q2", "ISO27001:2013 A.8.2.2", family="A.8.2")
    a1261 = make_question("q3", "ISO27001:2013 A.12.6.1")  # no family: falls back to control
    specs = [
        (a821, Verdict.conformant, FindingStatus.approved, []),
        (a821, Verdict.partial, FindingStatus.draft, ["unverified_quote"]),
        (a821, Verdict.partial, FindingStatus.rejected, []),
        (a822, Verdict.insufficient_evidence, FindingStatus.edited, []),
        (a1261, Verdict.nonconformity, FindingStatus.stale, ["stale_source"]),
    ]
    findings = [
        make_finding(question=q, verdict=verdict, status=status, flags=flags)
        for q, verdict, status, flags in specs
    ]
    rows = {(r["family"], r["control"]): r for r in coverage_rows(findings)}
    assert set(rows) == {
        ("A.8.2", "(all)"),
        ("A.8.2", "ISO27001:2013 A.8.2.1"),
        ("A.8.2", "ISO27001:2013 A.8.2.2"),
        ("A.12.6.1", "(all)"),
        ("A.12.6.1", "ISO27001:2013 A.12.6.1"),
        ("TOTAL", ""),
    }
    first = rows[("A.8.2", "ISO27001:2013 A.8.2.1")]
    assert first["n"] == 3
    assert first["verdicts"]["partial"] == 2 and first["verdicts"]["conformant"] == 1
    assert first["statuses"]["approved"] == 1 and first["statuses"]["draft"] == 1
    assert first["reviewed"] == 2 and first["reviewed_pct"] == pytest.approx(66.7)
    assert first["flagged"] == 1
    assert rows[("A.8.2", "(all)")]["n"] == 4 and rows[("A.8.2", "(all)")]["reviewed"] == 3
    last = rows[("A.12.6.1", "ISO27001:2013 A.12.6.1")]
    assert last["reviewed"] == 0 and last["flagged"] == 1 and last["verdicts"]["nonconformity"] == 1
    assert rows[("TOTAL", "")]["n"] == 5 and rows[("TOTAL", "")]["flagged"] == 2


def test_store_works_on_a_plain_connection_too(db_path: Path, make_finding: MakeFinding) -> None:
    connect(db_path).close()
    plain = sqlite3.connect(db_path, isolation_level=None)
    plain.row_factory = sqlite3.Row
    store = FindingsStore(plain)
    finding = make_finding()
    store.save_finding(finding)
    store.decide(finding.id, "ann", "approve")  # type: ignore[arg-type]
    assert store.verify_chain().ok
    plain.close()


def test_a_unique_prefix_names_its_finding(store: FindingsStore, make_finding: MakeFinding) -> None:
    for fid in ("3f9a01bc77d2e410", "3f9a77aa01c2b9e5", "b04c11d2e3f4a5b6"):
        store.save_finding(make_finding(id=fid))
    assert store.resolve_id("b04c11d2e3f4a5b6") == "b04c11d2e3f4a5b6"  # a whole id
    assert store.resolve_id(" b04c ") == "b04c11d2e3f4a5b6"
    assert store.resolve_id("3f9a77") == "3f9a77aa01c2b9e5"
    with pytest.raises(ValueError, match="ambiguous.*3f9a01bc77d2e410, 3f9a77aa01c2b9e5"):
        store.resolve_id("3f9a")
    # Too short to be a prefix: says so. Matching nothing: handed back for the caller's error.
    with pytest.raises(ValueError, match="needs at least 4 characters"):
        store.resolve_id("b04")
    assert store.resolve_id("ffff") == "ffff"


def test_control_filter_matches_frameworks_editions_and_whole_control_parts(
    make_finding: MakeFinding, make_question: Callable[..., Question]
) -> None:
    q = make_question("q1", "ISO27001:2013 A.15.1.2")
    refs = [*q.refs, ControlRef.parse("ISO42001:2023 A.10.3")]
    f = make_finding(question=q.model_copy(update={"refs": refs}))
    for wanted in ("A.15", "A.15.1", "a.15.1.2", "ISO42001", "iso27001:2013", "ISO27001:2013 A.15"):
        assert cites_control(f, wanted), wanted
    for wanted in ("A.1", "A.15.1.20", "A.8", "NIST-AI-RMF", "ISO27001:2022", "ISO42001:2023 A.15"):
        assert not cites_control(f, wanted), wanted
    assert cites_control(f, "ISO42001:2023 A.10")


def test_current_finding_is_the_last_drafted_or_reused_and_never_a_failed_one(
    store: FindingsStore, make_finding: MakeFinding
) -> None:
    from reviewer.findings_view import current_findings

    bank = {"kind": "bank", "bank": "iso27001-ai"}
    good = make_finding(source=bank, created_at="2026-01-01T00:00:00Z")
    store.save_finding(good)
    store.decide(good.id, "a.auditor", "approve")
    scoped = make_finding(
        source={**bank, "scope": ["vendor-dpa.pdf"]}, created_at="2026-01-02T00:00:00Z"
    )
    failed = make_finding(
        source=bank, status=FindingStatus.failed, created_at="2026-01-03T00:00:00Z"
    )
    for f in (scoped, failed):
        store.save_finding(f)
    current = {f.id: f for f in current_findings(store.list_findings())}
    # the scoped answer is a question of its own; the failed rerun hides nothing
    assert set(current) == {good.id, scoped.id}
    assert current[good.id].status is FindingStatus.approved

    newer = make_finding(source=bank, created_at="2026-01-04T00:00:00Z")
    store.save_finding(newer)
    assert {f.id for f in current_findings(store.list_findings())} == {newer.id, scoped.id}
    store.mark_used([good.id])  # a later run reused the approved draft: current again
    assert {f.id for f in current_findings(store.list_findings())} == {good.id, scoped.id}
    assert source_key_of(scoped.source, scoped.question) == "bank:iso27001-ai|scope:vendor-dpa.pdf"


def test_flags_say_what_caused_them(store: FindingsStore, make_finding: MakeFinding) -> None:
    from reviewer.findings_view import flag_reasons

    f = make_finding(
        flags=[Flag.injection.value],
        provenance={
            "doc_sha256s": ["a" * 64],
            "injection_sources": ["E2 vendor/whitepaper.pdf p.3"],
        },
    )
    store.save_finding(f)
    assert store.mark_stale(["a" * 64], {"a" * 64: "policy.docx (changed)"}) == 1
    stale = store.get_finding(f.id)
    assert stale is not None and stale.status is FindingStatus.stale
    assert flag_reasons(stale) == {
        Flag.injection.value: "in E2 vendor/whitepaper.pdf p.3",
        Flag.stale_source.value: "policy.docx (changed)",
    }
