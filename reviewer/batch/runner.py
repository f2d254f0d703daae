"""Fill a questionnaire row by row from injected callables, saving a copy as it goes.

`answer` drafts a finding for a row; `done` returns the finding a previous (killed) run already
stored for the row, so a rerun only drafts what is missing. Answers live in the findings DB the
caller provides; the output file is a rebuildable view saved every N rows and at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.batch.reader import BatchError, QuestionRow, load_questionnaire
from reviewer.batch.writer import FilledCopy, check_output, fill_failed, fill_row
from reviewer.config import BatchSettings
from reviewer.models import Decision, Finding

MIN_SAVE_EVERY = 50
SAVES_PER_RUN = 10


@dataclass
class BatchSummary:
    total: int  # question rows, including those skipped
    answered: dict[str, int]  # per verdict, rows whose answer cell got a value
    blank: int  # drafted but answer left blank (insufficient evidence, no allowed value, ...)
    failed: int  # drafting raised
    skipped: int  # formula/number question cells, and answers already filled in the input
    resumed: int  # findings reused from a previous run via `done`
    out: Path
    errors: list[str] = field(default_factory=list)


def save_interval(rows: int) -> int:
    """Rows between intermediate saves: about ten saves per run, never fewer than 50 rows apart."""
    return max(MIN_SAVE_EVERY, rows // SAVES_PER_RUN)


def _where(row: QuestionRow, name: str) -> str:
    sheet = "" if row.sheet == "csv" else f"sheet '{row.sheet}' "
    return f"{name}: {sheet}row {row.row}"


def run_batch(
    path: Path,
    *,
    answer: Callable[[QuestionRow], Finding],
    done: Callable[[QuestionRow], Finding | None],
    out: Path | None = None,
    sheet: str | None = None,
    question_col: str | None = None,
    answer_col: str | None = None,
    approved_only: bool = False,
    settings: BatchSettings | None = None,
    progress: Callable[[int, int], None] | None = None,
    decisions_of: Callable[[Finding], list[Decision]] | None = None,
) -> BatchSummary:
    """Answer every question row of `path` and write a filled copy to `out` (never `path`)."""
    settings = settings or BatchSettings()
    path = Path(path)
    loaded = load_questionnaire(path, sheet, question_col, answer_col, settings=settings)
    target = check_output(path, out, loaded.kind)
    doc = FilledCopy(loaded)
    skipped_in_reader = sum(len(layout.skipped) for layout in loaded.layouts)
    summary = BatchSummary(
        total=len(loaded.rows) + skipped_in_reader,
        answered={},
        blank=0,
        failed=0,
        skipped=skipped_in_reader,
        resumed=0,
        out=target,
        errors=list(loaded.notes),
    )
    n = len(loaded.rows)
    every = save_interval(n)
    since_save = 0
    name = path.name
    try:
        for i, row in enumerate(loaded.rows, start=1):
            kept = doc.existing_answer(row)
            if kept is not None:
                summary.skipped += 1
                if doc.off_list(row, kept):
                    summary.errors.append(
                        f"{_where(row, name)}: kept the answer already there ({kept!r}), "
                        "which is not one of the dropdown's values"
                    )
            else:
                finding: Finding | None
                try:
                    finding = done(row)
                    if finding is not None:
                        summary.resumed += 1
                    else:
                        finding = answer(row)
                except Exception as exc:  # one bad row must not stop the batch
                    summary.failed += 1
                    msg = f"{type(exc).__name__}: {exc}"
                    summary.errors.append(f"{_where(row, name)}: drafting failed ({msg})")
                    fill_failed(doc, row, msg)
                else:
                    decisions = decisions_of(finding) if decisions_of else []
                    outcome = fill_row(doc, row, finding, settings, approved_only, decisions)
                    if outcome.value is not None and outcome.verdict is not None:
                        key = outcome.verdict.value
                        summary.answered[key] = summary.answered.get(key, 0) + 1
                    else:
                        summary.blank += 1
            since_save += 1
            if progress is not None:
                progress(i, n)
            if since_save >= every and i < n:
                doc.save(target)
                since_save = 0
    finally:
        # Also on KeyboardInterrupt: what was answered so far reaches the copy.
        try:
            doc.save(target)
        except OSError as exc:
            raise BatchError(f"{target}: cannot write the filled copy ({exc.strerror})") from exc
    return summary
