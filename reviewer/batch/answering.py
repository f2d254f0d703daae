"""Connect questionnaire rows to the core: match a bank question, retrieve, draft, store.

A row close enough to a bank question (cosine similarity of MiniLM embeddings at or above
`batch.match_threshold`) borrows that question's criteria, control refs and retrieval hints,
so its answer is checked against the same criteria as a bank review; otherwise it is answered
as an ad-hoc question. Every answer is stored as a finding whose source names the
questionnaire's sha256, sheet and row, which is also what a rerun resumes from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from reviewer.batch.reader import QuestionRow
from reviewer.batch.runner import BatchSummary, run_batch
from reviewer.models import Finding, FindingStatus, Question

if TYPE_CHECKING:
    from reviewer.workspace import Workspace


@dataclass
class BankMatcher:
    """Nearest bank question for a free-text questionnaire row."""

    ws: Workspace
    threshold: float
    questions: list[Question] = field(default_factory=list)
    _vecs: np.ndarray | None = None

    def __post_init__(self) -> None:
        from reviewer.banks import all_questions

        self.questions = all_questions()
        if self.questions:
            self._vecs = self.ws.cached_embedder.embed([q.text for q in self.questions])

    def match(self, text: str) -> tuple[Question | None, float]:
        if self._vecs is None:
            return None, 0.0
        sims = self._vecs @ self.ws.cached_embedder.embed([text])[0]
        best = int(np.argmax(sims))
        score = float(sims[best])
        return (self.questions[best] if score >= self.threshold else None), score


def question_for_row(row: QuestionRow, matched: Question | None, file_sha: str) -> Question:
    if matched is not None:
        return matched.model_copy(update={"text": row.text})
    qid = "q-" + hashlib.sha1(f"{file_sha}:{row.sheet}:{row.row}".encode()).hexdigest()[:10]
    return Question(id=qid, text=row.text, family=f"questionnaire: {row.sheet}")


def batch_questionnaire(
    ws: Workspace,
    path: Path,
    *,
    drafter: str | None = None,
    out: Path | None = None,
    sheet: str | None = None,
    question_col: str | None = None,
    answer_col: str | None = None,
    approved_only: bool = False,
    progress: Callable[[int, int], None] | None = None,
    on_match: Callable[[QuestionRow, Question | None, float], None] | None = None,
) -> tuple[BatchSummary, list[dict[str, Any]]]:
    """Pre-fill a questionnaire; returns the summary and one match record per answered row."""
    import uuid

    from reviewer.models import Run

    d = ws.drafter(drafter)
    matcher = BankMatcher(ws, ws.settings.batch.match_threshold)
    store = ws.findings
    file_sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    run = Run(
        id="b" + uuid.uuid4().hex[:11], kind="batch", drafter=d.name, params={"file": str(path)}
    )
    store.start_run(run)
    matches: list[dict[str, Any]] = []

    def source(row: QuestionRow, matched: Question | None, score: float) -> dict[str, Any]:
        return {
            "kind": "questionnaire",
            "key": row.source_key,
            "file": Path(path).name,
            "sha256": file_sha,
            "sheet": row.sheet,
            "row": row.row,
            "section": row.section,
            "bank_match": matched.id if matched else None,
            "match_score": round(score, 3),
        }

    def done(row: QuestionRow) -> Finding | None:
        found = [
            f
            for f in store.list_findings(source_key=row.source_key)
            if f.status != FindingStatus.failed
        ]
        return found[-1] if found else None

    def answer(row: QuestionRow) -> Finding:
        matched, score = matcher.match(row.text)
        matches.append(
            {
                "sheet": row.sheet,
                "row": row.row,
                "bank_question": matched.id if matched else None,
                "score": round(score, 3),
            }
        )
        if on_match:
            on_match(row, matched, score)
        q = question_for_row(row, matched, file_sha)
        evidence = ws.retrieve(q)
        f = ws.draft(q, evidence, d, run_id=run.id, source=source(row, matched, score))
        store.save_finding(f)
        return f

    try:
        summary = run_batch(
            path,
            answer=answer,
            done=done,
            out=out,
            sheet=sheet,
            question_col=question_col,
            answer_col=answer_col,
            approved_only=approved_only,
            settings=ws.settings.batch,
            progress=progress,
        )
    finally:
        store.finish_run(run.id)
    return summary, matches
