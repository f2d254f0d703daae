"""A small real workspace with drafted findings, built in about two seconds.

Real ingest (parse, chunk, SQLite, Chroma, BM25) and the real extractive drafter with its
citation verification; only MiniLM is replaced by hashed word counts, so no model is loaded
and every finding is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from reviewer.models import ControlRef, Finding, Question
from reviewer.store.vector_cache import CachedEmbedder
from reviewer.workspace import Workspace
from tests.unit.test_retrieval import CountingEmbedder

POLICY = (
    "# Data classification policy\n\n"
    "Training data is classified as Confidential before use. The data owner records the "
    "classification in the dataset register. Access to training data is reviewed every "
    "quarter by the security team.\n"
)
VENDOR = (
    "# Supplier terms\n\n"
    "The supplier notifies security incidents within 24 hours. Customer data is stored in "
    "the EU region and encrypted at rest.\n"
)
QUESTIONS = [
    Question(
        id="Q1",
        text="Is training data classified before use?",
        refs=[ControlRef.parse("ISO27001:2013 A.8.2.1")],
    ),
    Question(
        id="Q2",
        text="Does the supplier notify security incidents?",
        refs=[ControlRef.parse("ISO27001:2013 A.15.1.2")],
    ),
]


@dataclass
class Reviewed:
    ws: Workspace
    evidence: Path
    findings: list[Finding]

    def by_question(self, qid: str) -> Finding:
        return next(f for f in self.findings if f.question.id == qid)


def open_workspace(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Workspace, Path]:
    """An empty workspace under `root` whose embedder is hashed word counts."""
    embedder = CountingEmbedder()
    monkeypatch.setattr(Workspace, "embedder", property(lambda self: embedder))
    ws = Workspace.open(root / "ws", name="test.auditor")
    ws._cached = CachedEmbedder(embedder, None)  # type: ignore[arg-type]
    evidence = root / "evidence"
    evidence.mkdir()
    return ws, evidence


def reviewed_workspace(
    root: Path,
    monkeypatch: pytest.MonkeyPatch,
    questions: list[Question] | None = None,
    docs: dict[str, str] | None = None,
    *,
    all_cited: bool = True,
) -> Reviewed:
    """Ingest `docs` (file name -> text) and review `questions` with the extractive drafter;
    with `all_cited`, every finding must come with a verified citation."""
    ws, evidence = open_workspace(root, monkeypatch)
    for name, text in (docs or {"policy.md": POLICY, "vendor.md": VENDOR}).items():
        (evidence / name).write_text(text, encoding="utf-8")
    report = ws.ingest([evidence])
    assert not report.failed, [r.error for r in report.failed]
    review = ws.review(questions or QUESTIONS, drafter="extractive")
    assert not review.failed, review.failed
    if all_cited:
        assert all(any(c.verified for c in f.citations) for f in review.findings)
    return Reviewed(ws, evidence, review.findings)
