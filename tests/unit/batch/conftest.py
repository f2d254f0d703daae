"""Shared helpers for batch tests: real Finding objects and sample paths."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from reviewer.batch.reader import QuestionRow
from reviewer.models import Citation, Finding, FindingStatus, Question, Verdict

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "corpora" / "questionnaires"
VERDICTS = list(Verdict)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_finding(
    row: QuestionRow,
    verdict: Verdict,
    status: FindingStatus = FindingStatus.draft,
    rationale: str | None = None,
    verified: bool = True,
) -> Finding:
    """A finding as the drafting layer would produce it: one verified, one dropped citation."""
    cites = [
        Citation(
            label="E1",
            chunk_id=f"chunk-{row.row}",
            quote=f"Policy clause for row {row.row}: models are reviewed quarterly.",
            path="policies/ai-policy.pdf",
            page=row.row % 7 + 1,
            verified=verified,
        ),
        Citation(
            label="E2",
            chunk_id="chunk-x",
            quote="a quote the verifier could not find",
            path="vendor/soc2.pdf",
            verified=False,
        ),
    ]
    return Finding(
        id=f"f-{row.row}",
        question=Question(id=f"q-{row.sheet}-{row.row}", text=row.text),
        verdict=verdict,
        rationale=rationale
        if rationale is not None
        else f"Row {row.row} judged {verdict.value} [E1]; a further claim [E2].",
        citations=cites,
        confidence=0.5 + (row.row % 5) / 10,
        status=status,
        source={"key": row.source_key},
    )


def verdict_for(row: QuestionRow) -> Verdict:
    return VERDICTS[row.row % 4]


@pytest.fixture
def h() -> SimpleNamespace:
    """Helpers as a fixture: with --import-mode=importlib tests cannot import conftest."""
    return SimpleNamespace(
        make_finding=make_finding, verdict_for=verdict_for, sha=sha, samples=SAMPLES
    )


@pytest.fixture
def sample_xlsx(tmp_path: Path) -> Path:
    dst = tmp_path / "ai-vendor-assessment.xlsx"
    shutil.copy(SAMPLES / dst.name, dst)
    return dst


@pytest.fixture
def sample_csv(tmp_path: Path) -> Path:
    dst = tmp_path / "ai-security-questions.csv"
    shutil.copy(SAMPLES / dst.name, dst)
    return dst
