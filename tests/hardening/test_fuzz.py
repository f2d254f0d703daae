"""Bounded loader fuzzing: hostile files and ~300 seeded mutations end in one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.hardening.common import ROOT
from evals.hardening.fuzz import build_seeds, check_file, hostile_cases, make_case, run_fuzz


def _failures(summary: object) -> str:
    return "\n".join(f"{f.case}.{f.kind} {f.outcome}: {f.detail}" for f in summary.failures)  # type: ignore[attr-defined]


@pytest.mark.slow
def test_hostile_files_fail_cleanly(tmp_path: Path) -> None:
    summary = run_fuzz(cases=0, hostile=True, workdir=tmp_path)
    assert summary.cases >= 40
    assert summary.crashes == 0 and summary.hangs == 0 and summary.bad_messages == 0, _failures(
        summary
    )
    # The bombs and loops must be refused, not parsed.
    for name in ("zipbomb-declared.docx", "zipbomb-real.docx", "kids-self-loop.pdf"):
        assert summary.hostile[name] in ("rejected", "ok"), name
    assert summary.hostile["zipbomb-real.docx"] == "rejected"


@pytest.mark.parametrize("index", [20, 62])
def test_damaged_xlsx_members_are_batch_errors(index: int, tmp_path: Path) -> None:
    # Fails today: ValueError("negative seek value") and zlib.error escape
    # reviewer.batch.reader._load_xlsx from zipfile.testzip() (see the report).
    data = (ROOT / "corpora" / "questionnaires" / "ai-vendor-assessment.xlsx").read_bytes()
    seeds = {kind: [data] for kind in ("pdf", "docx", "xlsx", "csv", "md", "html")}
    _, kind, broken = make_case(index, 11, seeds)
    assert kind == "xlsx"
    path = tmp_path / "vendor questionnaire.xlsx"
    path.write_bytes(broken)
    outcome, detail = check_file(path, "xlsx")
    assert outcome == "rejected", detail


@pytest.mark.slow
def test_seeded_mutations_never_crash_or_hang(tmp_path: Path) -> None:
    summary = run_fuzz(cases=300, seed=11, hostile=False, workdir=tmp_path)
    assert summary.cases == 300
    assert summary.outcomes.get("rejected", 0) > 50  # the mutator really breaks files
    assert summary.crashes == 0 and summary.hangs == 0 and summary.bad_messages == 0, _failures(
        summary
    )


def test_rejections_are_one_line_naming_the_file(tmp_path: Path) -> None:
    seeds = build_seeds(tmp_path / "seeds")
    cases = {f"{name}.{kind}": (kind, data) for name, kind, data in hostile_cases(seeds)}
    for key in ("broken-xref.pdf", "random-bytes.docx", "nul-bytes.md", "random-bytes.xlsx"):
        kind, data = cases[key]
        path = tmp_path / f"evidence file {key}"
        path.write_bytes(data)
        outcome, detail = check_file(path, kind)
        assert outcome in ("rejected", "ok"), (key, detail)
        if outcome == "rejected":
            assert "\n" not in detail and path.name in detail
