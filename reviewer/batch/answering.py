"""Connect questionnaire rows to the core: match a bank question, retrieve, draft, store.

A row close enough to a bank question (cosine similarity of MiniLM embeddings at or above
`batch.match_threshold`) borrows that question's criteria, control refs and retrieval hints,
so its answer is checked against the same criteria as a bank review; otherwise it is answered
as an ad-hoc question. So is a row that may ask the opposite of its nearest bank question
("Are providers allowed to train on our data?" against "Do agreements prohibit ...
training?"): the bank's criteria would answer the bank's question, and its Yes would be the
row's No. Every answer is stored as a finding whose source names the
questionnaire's sha256, sheet and row.

A rerun reuses a stored finding when its cache key matches: the same question text and criteria,
the same retrieved evidence and the same drafter. So a killed run resumes, an edited copy of the
questionnaire (a row added, a typo fixed elsewhere) keeps the answers and the reviewers'
decisions of every unchanged question, and a row whose evidence changed since (a document
ingested, replaced or forgotten) is drafted again. `fresh=True` drafts every row again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from reviewer.batch.reader import BatchError, QuestionRow
from reviewer.batch.runner import BatchSummary, run_batch
from reviewer.drafting.polarity import asks_opposite
from reviewer.models import Evidence, Finding, FindingStatus, Question

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


def question_for_row(row: QuestionRow, matched: Question | None) -> Question:
    """The question a row asks. An ad-hoc id hashes the question's words, not the file or the
    row, so the same question keeps its stored answer when the questionnaire is edited."""
    if matched is not None:
        return matched.model_copy(update={"text": row.text})
    words = " ".join(row.text.lower().split())
    qid = "q-" + hashlib.sha1(words.encode()).hexdigest()[:10]
    return Question(id=qid, text=row.text, family=f"questionnaire: {row.sheet}")


@dataclass
class Prepared:
    question: Question
    evidence: list[Evidence]
    key: str
    matched: Question | None
    score: float


def _file_sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError as exc:
        raise BatchError(f"{path}: file not found") from exc
    except OSError as exc:
        raise BatchError(f"{path}: cannot read ({exc.strerror})") from exc


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
    fresh: bool = False,
    progress: Callable[[int, int], None] | None = None,
    on_match: Callable[[QuestionRow, Question | None, float], None] | None = None,
) -> tuple[BatchSummary, list[dict[str, Any]]]:
    """Pre-fill a questionnaire; returns the summary and one match record per question row."""
    import uuid

    from reviewer.drafting.finalize import cache_key
    from reviewer.models import Run

    path = Path(path)
    file_sha = _file_sha(path)
    d = ws.drafter(drafter)
    matcher = BankMatcher(ws, ws.settings.batch.match_threshold)
    store = ws.findings
    run = Run(
        id="b" + uuid.uuid4().hex[:11],
        kind="batch",
        drafter=d.name,
        params={"file": str(path), "fresh": fresh},
    )
    store.start_run(run)
    matches: list[dict[str, Any]] = []
    prepared: dict[tuple[str, int], Prepared] = {}

    def source(row: QuestionRow, p: Prepared) -> dict[str, Any]:
        return {
            "kind": "questionnaire",
            "key": row.source_key,
            "file": path.name,
            "sha256": file_sha,
            "sheet": row.sheet,
            "row": row.row,
            "section": row.section,
            "bank_match": p.matched.id if p.matched else None,
            "match_score": round(p.score, 3),
        }

    def prepare(row: QuestionRow) -> Prepared:
        matched, score = matcher.match(row.text)
        opposite = matched is not None and asks_opposite(row.text, matched.text)
        matches.append(
            {
                "sheet": row.sheet,
                "row": row.row,
                "bank_question": matched.id if matched else None,
                "score": round(score, 3),
                "opposite_wording": opposite,
            }
        )
        if opposite:
            matched = None  # answered as asked, not by the bank's criteria
        if on_match:
            on_match(row, matched, score)
        q = question_for_row(row, matched)
        evidence = ws.retrieve(q)
        return Prepared(q, evidence, cache_key(q, evidence, d.describe()), matched, score)

    def done(row: QuestionRow) -> Finding | None:
        p = prepared[(row.sheet, row.row)] = prepare(row)
        if fresh:
            return None
        cached = store.find_cached(p.key)
        if cached is None or cached.status == FindingStatus.stale:
            return None
        store.mark_used([cached.id])
        return cached

    def answer(row: QuestionRow) -> Finding:
        p = prepared.pop((row.sheet, row.row), None) or prepare(row)
        f = ws.draft(p.question, p.evidence, d, run_id=run.id, source=source(row, p))
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
            decisions_of=lambda f: store.decisions(f.id),
        )
    finally:
        store.finish_run(run.id)
    return summary, matches
