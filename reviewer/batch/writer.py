"""Write findings into the in-memory copy of a questionnaire and save it atomically elsewhere.

Cell contents:
- answer: the verdict mapped onto the dropdown (see dropdowns.py); blank when nothing allowed fits
  or when a supporting verdict has no verified citation (citations fail closed).
- comment: the rationale. [E#] markers are kept when they point at a verified citation, because
  the evidence cell lists those citations under the same labels; markers of dropped citations
  are removed so no marker points at nothing. An abstention's comment ends with up to three
  closest passages, marked as not evidence, as a place to start looking; a rerun replaces them.
- evidence: one line per verified citation, `[E1] path p.N: "quote"`.
- confidence: 0-1 with two decimals; status: the finding's status.
Text that would start a formula is stored as text (xlsx) or prefixed with ' (csv).
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from reviewer.batch.columns import ADDED_HEADERS, ROLES
from reviewer.batch.dropdowns import INSUFFICIENT_NOTE, map_verdict
from reviewer.batch.reader import CSV_SUFFIXES, BatchError, Loaded, QuestionRow, SheetLayout
from reviewer.config import BatchSettings
from reviewer.fileio import atomic_write, csv_cell, keep_as_text
from reviewer.models import Citation, Decision, DecisionAction, Finding, FindingStatus, Verdict
from reviewer.store.findings import decision_in_effect

EXCEL_CELL_LIMIT = 32_000  # Excel refuses more than 32,767 characters in a cell
QUOTE_LIMIT = 300
ADDED_WIDTHS = {"answer": 16, "comment": 60, "evidence": 70, "confidence": 12, "status": 14}
PLACEHOLDER_RE = re.compile(r"^(please\s+)?(select|choose)\b.*$|^-+$|^\.+$", re.I)
MARKER_RE = re.compile(r"\s?\[\s*(E\d+(?:\s*[,;]\s*E\d+)*)\s*\]")
APPROVED = {FindingStatus.approved, FindingStatus.edited}


@dataclass
class RowOutcome:
    value: str | None  # what went into the answer cell; None = left blank
    verdict: Verdict | None
    note: str | None = None


def default_output(path: Path) -> Path:
    return path.with_name(f"{path.stem}.prefilled{path.suffix}")


def check_output(path: Path, out: Path | None, kind: str) -> Path:
    """The output path to use; BatchError when it would overwrite the input or cannot be written."""
    out = Path(out) if out is not None else default_output(Path(path))
    if out.resolve() == Path(path).resolve() or (
        out.exists() and Path(path).exists() and os.path.samefile(out, path)
    ):
        raise BatchError(
            f"{out}: output would overwrite the input questionnaire; choose another --out"
        )
    suffix = out.suffix.lower()
    if kind == "xlsx" and suffix != ".xlsx" or kind == "csv" and suffix not in CSV_SUFFIXES:
        raise BatchError(f"{out}: output must be a {kind} file like the input ({path.name})")
    if not out.resolve().parent.is_dir():
        raise BatchError(f"{out}: folder {out.parent} does not exist")
    return out


def _clip(text: str, limit: int = EXCEL_CELL_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def format_evidence(citations: list[Citation]) -> str:
    """One line per verified citation, capped to what a cell can hold."""
    lines: list[str] = []
    total = 0
    verified = [c for c in citations if c.verified]
    for i, c in enumerate(verified):
        quote = " ".join(c.quote.split())
        if len(quote) > QUOTE_LIMIT:
            quote = quote[: QUOTE_LIMIT - 1].rstrip() + "…"
        line = f'[{c.label}] {c.where()}: "{quote}"'
        if total + len(line) + 1 > EXCEL_CELL_LIMIT - 40:
            lines.append(f"… ({len(verified) - i} more citations)")
            break
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines)


CLOSEST_SHOWN = 3
CLOSEST_HEADER = "Where to look (closest passages, not evidence):"
CLOSEST_QUOTE_LIMIT = 160


def format_closest(closest: list[Citation]) -> str:
    """Where to look when the drafter abstained: its closest passages, marked as not evidence."""
    lines = [CLOSEST_HEADER]
    for c in closest[:CLOSEST_SHOWN]:
        quote = " ".join(c.quote.split())
        if len(quote) > CLOSEST_QUOTE_LIMIT:
            quote = quote[: CLOSEST_QUOTE_LIMIT - 1].rstrip() + "…"
        lines.append(f'- {c.where()}: "{quote}"')
    return "\n".join(lines) if closest else ""


def _replace_closest(doc: FilledCopy, layout: SheetLayout, sheet: str, r: int, block: str) -> None:
    """Put `block` (or nothing) where an earlier run's closest passages were, at the end of the
    comment cell, so a rerun over a filled copy shows the current ones once."""
    before = doc.get(sheet, r, layout.comment_col) or ""
    kept = before.split(CLOSEST_HEADER, 1)[0].rstrip("\n")
    text = f"{kept}\n\n{block}" if kept and block else kept or block
    if text != before:
        doc.put(sheet, r, layout.comment_col, text, wrap=doc.added(layout, layout.comment_col))


def clean_rationale(text: str, kept: set[str]) -> str:
    """Keep [E#] markers of verified citations, drop the others."""

    def repl(m: re.Match[str]) -> str:
        labels = [x.strip() for x in re.split(r"[,;]", m.group(1))]
        keep = [x for x in labels if x in kept]
        return f" [{', '.join(keep)}]" if keep else ""

    cleaned = MARKER_RE.sub(repl, text)
    return re.sub(r"[ \t]+([.,;:])", r"\1", cleaned).strip()


class FilledCopy:
    """The questionnaire being filled: the reader's in-memory document plus save logic."""

    def __init__(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.layouts = {layout.sheet: layout for layout in loaded.layouts}
        self._write_headers()

    # -- cells -------------------------------------------------------------------------------

    def _csv_safe(self, text: str) -> str:
        table = self.loaded.table
        assert table is not None
        text = str(csv_cell(text))
        enc = table.encoding
        out = []
        for ch in text:
            try:
                ch.encode(enc)
                out.append(ch)
            except UnicodeEncodeError:
                ascii_ = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
                out.append(ascii_ or "?")
        return "".join(out)

    def get(self, sheet: str, row: int, col: int) -> str:
        if self.loaded.table is not None:
            rows = self.loaded.table.rows
            if row <= len(rows) and col <= len(rows[row - 1]):
                return rows[row - 1][col - 1].strip()
            return ""
        cell = self.loaded.workbook[sheet]._cells.get((row, col))  # noqa: SLF001
        return "" if cell is None or cell.value is None else str(cell.value).strip()

    def put(self, sheet: str, row: int, col: int, value: Any, *, wrap: bool = False) -> bool:
        """Write one cell; False when the cell is hidden in a merged range."""
        if isinstance(value, str):
            value = _clip(ILLEGAL_CHARACTERS_RE.sub("", value))
        if self.loaded.table is not None:
            rows = self.loaded.table.rows
            while len(rows) < row:
                rows.append([])
            line = rows[row - 1]
            line.extend([""] * (col - len(line)))
            text = "" if value is None else str(value)
            line[col - 1] = self._csv_safe(text) if text else ""
            return True
        ws = self.loaded.workbook[sheet]
        cell = ws.cell(row=row, column=col)
        if isinstance(cell, MergedCell):
            for rng in ws.merged_cells.ranges:
                if cell.coordinate in rng:
                    if rng.min_row != row:
                        return False
                    cell = ws.cell(row=rng.min_row, column=rng.min_col)
                    break
        cell.value = value
        keep_as_text(cell)  # evidence is data: never let a quote become a formula
        if wrap:
            base = copy(cell.alignment) if cell.has_style else Alignment()
            cell.alignment = Alignment(
                horizontal=base.horizontal, vertical="top", wrap_text=True, indent=base.indent
            )
        return True

    def _added_roles(self, layout: SheetLayout) -> list[tuple[str, int]]:
        return [
            (role, getattr(layout, f"{role}_col"))
            for role in ROLES
            if ADDED_HEADERS[role] in layout.added_cols
        ]

    def _write_headers(self) -> None:
        for layout in self.loaded.layouts:
            added = self._added_roles(layout)
            if not added or not layout.header_row:
                continue
            if self.loaded.table is not None:
                for role, col in added:
                    self.put(layout.sheet, layout.header_row, col, ADDED_HEADERS[role])
                continue
            ws = self.loaded.workbook[layout.sheet]
            first = min(col for _, col in added)
            neighbour = None
            for c in range(first - 1, 0, -1):
                cand = ws._cells.get((layout.header_row, c))  # noqa: SLF001
                if cand is not None and cand.value is not None:
                    neighbour = cand
                    break
            for role, col in added:
                cell = ws.cell(row=layout.header_row, column=col, value=ADDED_HEADERS[role])
                if neighbour is not None and neighbour.has_style:
                    cell._style = copy(neighbour._style)  # noqa: SLF001 - style like its neighbour
                ws.column_dimensions[get_column_letter(col)].width = ADDED_WIDTHS[role]

    def added(self, layout: SheetLayout, col: int) -> bool:
        return any(c == col for _, c in self._added_roles(layout))

    def existing_answer(self, row: QuestionRow) -> str | None:
        """An answer already in the input (kept, never overwritten), ignoring 'Select…' placeholders."""
        layout = self.layouts[row.sheet]
        if self.added(layout, layout.answer_col):
            return None
        text = self.get(row.sheet, row.row, layout.answer_col)
        if not text or PLACEHOLDER_RE.match(text):
            return None
        return text  # someone's answer, even one outside the dropdown ("TBD", "Yes, see DOC-12")

    def off_list(self, row: QuestionRow, text: str) -> bool:
        """The kept answer is not one of the cell's dropdown values."""
        allowed = self.layouts[row.sheet].dropdown_for(row.row)
        return bool(allowed) and text.lower() not in {v.lower() for v in allowed or []}

    # -- save --------------------------------------------------------------------------------

    def _write_to(self, fh: BinaryIO) -> None:
        table = self.loaded.table
        if table is None:
            self.loaded.workbook.save(fh)
            return
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, delimiter=table.delimiter, lineterminator=table.lineterminator)
        writer.writerows(table.rows)
        fh.write(buf.getvalue().encode(table.encoding, errors="replace"))

    def save(self, out: Path) -> None:
        """Save to `out` through a temp file in the same folder, then os.replace."""
        atomic_write(out, self._write_to)


# A question that asks for a figure, a list or a description, not a yes or no: "Within how many
# hours will you notify us?", "List the sub-processors", "Please describe your process".
OPEN_QUESTION_RE = re.compile(
    r"^(?:please\s+)?(?:(?:within|in|for|by|after|under|to|from|at)\s+)?(?:how\s+(?:many|much|long|often|soon|quickly)|what|which|who|whom|whose"
    r"|when|where|why|list|describe|explain|provide|name|specify|outline|state|identify|give"
    r"|summari[sz]e|detail)\b",
    re.I,
)
OPEN_NOTE = (
    "No answer: this question asks for details, not a yes or no; "
    "the evidence below is what the documents say"
)


def open_question(text: str) -> bool:
    """The question asks for a figure, list or description rather than a yes or no."""
    body = re.sub(r"^(?:\(?[a-z]\)|[a-z][.)]|\d+(?:\.\d+)*[.)]?)\s+", "", text.strip(), flags=re.I)
    return bool(OPEN_QUESTION_RE.match(body))


def _note_then(note: str, text: str) -> str:
    note = note.rstrip(".") + "."
    return f"{note}\n\n{text}" if text else note


def reviewer_note(finding: Finding, decisions: list[Decision]) -> str | None:
    """What a reviewer decided about a rejected or edited answer, for the comment cell."""
    d = decision_in_effect(decisions)
    if finding.status is FindingStatus.rejected:
        d = d if d is not None and d.action is DecisionAction.reject else None
        who = d.reviewer if d else "a reviewer"
        why = f" ({d.reason_code.value.replace('_', ' ')})" if d and d.reason_code else ""
        said = f": {d.note.strip().rstrip('.')}" if d and d.note.strip() else ""
        return f"No answer: the drafted answer was rejected by {who}{why}{said}"
    if finding.status is FindingStatus.edited:
        if d is None or d.action is not DecisionAction.edit:
            return "Edited by a reviewer"
        before, after = d.before.get("verdict"), d.after.get("verdict")
        said = f": {d.note.strip().rstrip('.')}" if d.note.strip() else ""
        if before != after:
            return f"Verdict set to {after} by {d.reviewer} (drafted: {before}){said}"
        return f"Rationale edited by {d.reviewer}{said}"
    return None


def _rationale_edited(decisions: list[Decision]) -> bool:
    d = decision_in_effect(decisions)
    return (
        d is not None
        and d.action is DecisionAction.edit
        and d.before.get("rationale") != d.after.get("rationale")
    )


def _append(doc: FilledCopy, layout: SheetLayout, sheet: str, r: int, col: int, text: str) -> None:
    """Add our text under what the cell holds (a vendor's own note stays first), once: a rerun
    over a filled copy does not repeat it."""
    before = doc.get(sheet, r, col)
    if before and text in before:
        return
    wrap = doc.added(layout, col)  # restyle only the columns we created
    doc.put(sheet, r, col, f"{before}\n\n{text}" if before else text, wrap=wrap)


def fill_row(
    doc: FilledCopy,
    row: QuestionRow,
    finding: Finding,
    settings: BatchSettings,
    approved_only: bool = False,
    decisions: list[Decision] | None = None,
) -> RowOutcome:
    """Write one finding into its row: answer, comment, evidence, confidence, status.

    A rejected answer is not written; the comment says who rejected it and why. An edited one
    is written as the reviewer left it, and the comment says what they changed.
    """
    layout = doc.layouts[row.sheet]
    sheet, r = row.sheet, row.row
    decisions = decisions or []
    doc.put(sheet, r, layout.status_col, finding.status.value)
    if approved_only and finding.status not in APPROVED:
        unapproved = (
            f"Not written: this answer is {finding.status.value}, not approved "
            "(--approved-only); review it with `reviewer tui`"
        )
        _append(doc, layout, sheet, r, layout.comment_col, unapproved)
        return RowOutcome(None, finding.verdict, unapproved)
    decided = reviewer_note(finding, decisions)
    if finding.status is FindingStatus.rejected:
        assert decided is not None
        _append(doc, layout, sheet, r, layout.comment_col, decided)
        return RowOutcome(None, None, decided)
    verified = [c for c in finding.citations if c.verified]
    value, reason = map_verdict(finding.verdict, layout.dropdown_for(row.row), settings)
    by_reviewer = finding.status is FindingStatus.edited
    if finding.verdict is not Verdict.insufficient_evidence and not verified and not by_reviewer:
        value = None
        reason = f"No answer: the drafted verdict '{finding.verdict}' has no verified citation"
    if value is None and finding.verdict is Verdict.insufficient_evidence:
        reason = reason or INSUFFICIENT_NOTE
    elif value is not None and not by_reviewer and open_question(row.text):
        # "Yes" to "List the sub-processors" says nothing; the quotes carry the answer
        value, reason = None, OPEN_NOTE
    comment = clean_rationale(finding.rationale, {c.label for c in verified})
    if decided and not _rationale_edited(decisions):
        comment = f"Drafted rationale: {comment}"
    for note in (reason, decided):
        if note:
            comment = _note_then(note, comment)
    if value is not None:
        doc.put(sheet, r, layout.answer_col, value)
    for col, text in (
        (layout.comment_col, comment),
        (layout.evidence_col, format_evidence(verified)),
    ):
        if text:
            _append(doc, layout, sheet, r, col, text)
    # Replaced, not appended: the passages change with the evidence while the note stays.
    where = "" if by_reviewer else format_closest(finding.closest())
    _replace_closest(doc, layout, sheet, r, where)
    doc.put(sheet, r, layout.confidence_col, round(float(finding.confidence), 2))
    if doc.loaded.table is None:
        cell = doc.loaded.workbook[sheet].cell(row=r, column=layout.confidence_col)
        cell.number_format = "0.00"
    return RowOutcome(value, finding.verdict, reason)


def fill_failed(doc: FilledCopy, row: QuestionRow, error: str) -> None:
    """Mark a row whose drafting failed: status 'failed' and the reason in the comment."""
    layout = doc.layouts[row.sheet]
    doc.put(row.sheet, row.row, layout.status_col, FindingStatus.failed.value)
    wrap = doc.added(layout, layout.comment_col)
    doc.put(
        row.sheet, row.row, layout.comment_col, f"No answer: drafting failed ({error})", wrap=wrap
    )
