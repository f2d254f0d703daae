"""Find the header row and the role of each column (question, answer, comment, ...) in a table.

Works on a `Grid`, a read-only view that hides whether the table came from an xlsx sheet or a
CSV file, so the same heuristics serve both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from openpyxl.utils.cell import column_index_from_string, get_column_letter

HEADER_SCAN_ROWS = 15
FALLBACK_SCAN_ROWS = 500
SHORT_HEADER_CHARS = 60
FREE_TEXT_CHARS = 20  # a cell this long with this many words reads as a sentence, not an id
FREE_TEXT_WORDS = 3

# Order matters: an earlier word wins when several columns look like the question column.
QUESTION_WORDS = (
    "question",
    "questions",
    "query",
    "queries",
    "requirement",
    "requirements",
    "control",
    "controls",
    "item",
    "description",
)
NUMBER_WORDS = {"no", "nr", "num", "number", "id", "ref", "#", "s/n", "sl", "seq"}
COMMENT_WORDS = {
    "comment",
    "comments",
    "rationale",
    "justification",
    "explanation",
    "remark",
    "remarks",
    "note",
    "notes",
}
EVIDENCE_WORDS = {
    "evidence",
    "reference",
    "references",
    "supporting",
    "documentation",
    "attachment",
    "attachments",
    "artefacts",
    "artifacts",
}
# Header words that may just as well name a column the requester filled in ("Control
# reference", "Guidance notes"); such a column is only used when it is mostly empty.
LOOSE_WORDS = {
    "comment": {"note", "notes"},
    "evidence": {"reference", "references", "documentation"},
}
ANSWER_WORDS = {"answer", "answers", "response", "responses", "reply"}
ANSWER_PHRASES = {
    "status",
    "compliance",
    "compliant",
    "compliance status",
    "status of control",
    "control status",
    "implementation status",
    "implemented",
    "in place",
    "conformity",
    "met",
}
SECTION_WORDS = {"section", "category", "domain", "area", "topic", "family", "chapter"}
STATUS_RE = re.compile(r"\b(review|finding|approval|draft|reviewer) status\b")
YES_NO_RE = re.compile(r"\b(yes ?/ ?no|y ?/ ?n)\b")

ROLES = ("answer", "comment", "evidence", "confidence", "status")
ADDED_HEADERS = {
    "answer": "Answer",
    "comment": "Comment",
    "evidence": "Evidence",
    "confidence": "Confidence",
    "status": "Review status",
}


class Grid(Protocol):
    """Read-only view of one table: 1-based rows and columns."""

    name: str
    max_row: int
    max_col: int

    def value(self, row: int, col: int) -> Any:
        """Raw cell value; cells hidden inside a merged range give None."""
        ...

    def text(self, row: int, col: int) -> str:
        """Stripped text of a cell, reading merged cells from their range's top-left cell."""
        ...

    def merge(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        """(min_row, min_col, max_row, max_col) of the merged range holding the cell."""
        ...

    def bold(self, row: int, col: int) -> bool: ...

    def is_formula(self, row: int, col: int) -> bool: ...


class ColumnSpecError(ValueError):
    """A --question-col/--answer-col value matched nothing; the caller adds the file name."""

    def __init__(self, message: str, flag: str = "--question-col") -> None:
        super().__init__(message)
        self.flag = flag


def norm_header(text: str) -> str:
    return re.sub(r"[^a-z0-9/#]+", " ", text.lower()).strip()


def header_words(text: str) -> set[str]:
    return {w for w in re.split(r"[\s/]+", norm_header(text)) if w}


def role_of(header: str) -> str | None:
    """Role a header names: question, answer, comment, evidence, confidence, status, number, section."""
    raw = header.strip()
    if not raw or len(raw) > SHORT_HEADER_CHARS or raw.endswith("?"):
        return None
    norm = norm_header(raw)
    words = header_words(raw)
    if len(words) > 6:
        return None
    if "confidence" in words:
        return "confidence"
    if STATUS_RE.search(norm):
        return "status"
    if words & COMMENT_WORDS:
        return "comment"
    numberish = bool(words & NUMBER_WORDS) or "#" in raw
    if words & EVIDENCE_WORDS and not numberish:
        return "evidence"
    if words & ANSWER_WORDS or YES_NO_RE.search(norm) or norm in ANSWER_PHRASES:
        return "answer"
    if norm.startswith("status of"):
        return "answer"
    if words & set(QUESTION_WORDS) and not numberish:
        return "question"
    if numberish and len(words) <= 3:
        return "number"
    if words & SECTION_WORDS and len(words) <= 3:
        return "section"
    return None


def question_rank(header: str) -> int:
    words = header_words(header)
    return min((QUESTION_WORDS.index(w) for w in words if w in QUESTION_WORDS), default=99)


@dataclass
class Columns:
    """What `find_columns` worked out for one table."""

    header_row: int
    question_col: int
    headers: dict[int, str]
    roles: dict[str, int] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    number_col: int | None = None
    section_col: int | None = None


def row_texts(grid: Grid, row: int) -> dict[int, str]:
    return {c: t for c in range(1, grid.max_col + 1) if (t := grid.text(row, c))}


def header_like_rows(grid: Grid) -> list[tuple[int, dict[int, str]]]:
    """Rows of the first 15 that contain at least one short text cell, for error messages."""
    rows = []
    for r in range(1, min(HEADER_SCAN_ROWS, grid.max_row) + 1):
        texts = row_texts(grid, r)
        if texts:
            rows.append((r, texts))
    return rows


def describe_headers(grid: Grid) -> str:
    """The cells of the most header-like row, quoted, for 'no question column' errors."""
    best: dict[int, str] = {}
    for _, texts in header_like_rows(grid):
        short = {c: t for c, t in texts.items() if len(t) <= SHORT_HEADER_CHARS}
        if len(short) > len(best):
            best = short
    if not best:
        return "no header cells"
    cells = [best[c] for c in sorted(best)][:12]
    return "headers: " + ", ".join(repr(t) for t in cells)


def _combined_headers(grid: Grid, rows: list[int]) -> dict[int, str]:
    headers: dict[int, str] = {}
    for c in range(1, grid.max_col + 1):
        parts: list[str] = []
        for r in rows:
            t = grid.text(r, c)
            if t and t not in parts:
                parts.append(t)
        if parts:
            headers[c] = " ".join(parts)
    return headers


def _second_header_row(grid: Grid, row: int, qcol: int) -> bool:
    """True when the header continues on the next row (merged group headers over sub-headers)."""
    nxt = row + 1
    if nxt > grid.max_row:
        return False
    below = grid.merge(nxt, qcol)
    vertical = below is not None and below[0] <= row
    group = any(
        (m := grid.merge(row, c)) is not None and m[3] > m[1] and m[0] == row
        for c in range(1, grid.max_col + 1)
    )
    if not (vertical or group):
        return False
    roles = [
        role_of(grid.text(nxt, c))
        for c in range(1, grid.max_col + 1)
        if grid.merge(nxt, c) is None or grid.merge(nxt, c)[0] == nxt  # type: ignore[index]
    ]
    return any(r in ROLES for r in roles)


def _looks_like_question(text: str) -> bool:
    return len(text) >= 15 and text.rstrip().endswith("?")


def _holds_free_text(grid: Grid, header_row: int, col: int) -> bool:
    """True when most filled cells below the header are sentences rather than ids or codes."""
    last = min(grid.max_row, header_row + FALLBACK_SCAN_ROWS)
    cells = [t for r in range(header_row + 1, last + 1) if (t := grid.text(r, col))]
    free = sum(len(t) >= FREE_TEXT_CHARS and len(t.split()) >= FREE_TEXT_WORDS for t in cells)
    return bool(cells) and free >= 0.5 * len(cells)


def _fallback_question_col(grid: Grid) -> tuple[int, int] | None:
    """(first question row, column) of the column whose cells are mostly long text ending in '?'."""
    best: tuple[int, int, int] | None = None  # (count, col, first row)
    last = min(grid.max_row, FALLBACK_SCAN_ROWS)
    for c in range(1, grid.max_col + 1):
        count = nonempty = 0
        first = 0
        for r in range(1, last + 1):
            v = grid.value(r, c)
            if not isinstance(v, str) or not v.strip():
                continue
            nonempty += 1
            if _looks_like_question(v):
                count += 1
                first = first or r
        if count >= 3 and count >= 0.5 * nonempty and (best is None or count > best[0]):
            best = (count, c, first)
    return (best[2], best[1]) if best else None


def parse_col_spec(spec: str, grid: Grid, header_rows: list[int]) -> tuple[int, int | None]:
    """(column, header row or None) for a header name, a column letter or a 1-based number."""
    s = spec.strip()
    if s.isdigit():  # a number is a column position, never a header name
        if int(s) >= 1:
            return int(s), None
        raise ColumnSpecError(f"column {spec!r}: column numbers start at 1")
    wanted = norm_header(spec)
    for r in header_rows:
        for c, t in row_texts(grid, r).items():
            if norm_header(t) == wanted and wanted:
                return c, r
    if re.fullmatch(r"[A-Za-z]{1,3}", s):
        try:
            return column_index_from_string(s.upper()), None
        except ValueError:
            pass
    raise ColumnSpecError(f"column {spec!r} is neither a header in the first rows nor a column")


def _header_row_for(grid: Grid, col: int) -> int:
    """Header row for an explicitly chosen column: the row above its first question-like cell."""
    for r in range(1, min(grid.max_row, FALLBACK_SCAN_ROWS) + 1):
        t = grid.text(r, col)
        if t and (len(t) > SHORT_HEADER_CHARS or t.endswith("?")):
            return r - 1
    for r in range(1, min(grid.max_row, HEADER_SCAN_ROWS) + 1):
        if grid.text(r, col):
            return r
    return 0


def find_question_col(grid: Grid, question_col: str | None) -> tuple[int, int] | None:
    """(header row, question column), or None when the table has no question column."""
    scan = list(range(1, min(HEADER_SCAN_ROWS, grid.max_row) + 1))
    if question_col:
        col, header_row = parse_col_spec(question_col, grid, scan)
        if header_row is None:
            # A bare letter/number: only accept tables where that column holds real text.
            if not any(len(grid.text(r, col)) >= 15 for r in range(1, min(grid.max_row, 500) + 1)):
                return None
            header_row = _header_row_for(grid, col)
        return header_row, col
    for r in scan:
        candidates = [(question_rank(t), c) for c, t in row_texts(grid, r).items()]
        candidates = [(rank, c) for rank, c in candidates if role_of(grid.text(r, c)) == "question"]
        if len(candidates) > 1:
            # "Control" (ids) next to "Control description" (text): the text column holds the
            # questions whatever the header words' rank says.
            return r, min(candidates, key=lambda rc: (not _holds_free_text(grid, r, rc[1]), rc))[1]
        if candidates:
            return r, candidates[0][1]
    found = _fallback_question_col(grid)
    if found:
        first, col = found
        return first - 1, col
    return None


def _loose_header(header: str, role: str) -> bool:
    """True when only loose words ("reference", "notes") tie the header to the role."""
    role_words = COMMENT_WORDS if role == "comment" else EVIDENCE_WORDS
    return header_words(header) & role_words <= LOOSE_WORDS[role]


OWN_EVIDENCE_RE = re.compile(r"^\[E\d+\] ")  # what the writer puts in an evidence cell


def _mostly_filled(grid: Grid, header_row: int, qcol: int, col: int) -> bool:
    """True when `col` has text in most rows that have a question, not counting our evidence."""
    last = min(grid.max_row, header_row + FALLBACK_SCAN_ROWS)
    rows = [r for r in range(header_row + 1, last + 1) if grid.text(r, qcol)]
    texts = [grid.text(r, col) for r in rows]
    filled = sum(1 for t in texts if t and not OWN_EVIDENCE_RE.match(t))
    return bool(rows) and filled > 0.5 * len(rows)


def _used_max_col(grid: Grid) -> int:
    return grid.max_col


def find_columns(
    grid: Grid,
    question_col: str | None = None,
    answer_col: str | None = None,
    list_validated: set[int] | None = None,
) -> Columns | None:
    """Header row, question column and the other roles; missing roles get new columns."""
    found = find_question_col(grid, question_col)
    if found is None:
        return None
    header_row, qcol = found
    header_rows = [header_row] if header_row else []
    if header_row and _second_header_row(grid, header_row, qcol):
        header_rows.append(header_row + 1)
        header_row += 1
    headers = _combined_headers(grid, header_rows) if header_rows else {}
    cols = Columns(header_row=header_row, question_col=qcol, headers=headers)

    if answer_col:
        try:
            col, _ = parse_col_spec(answer_col, grid, header_rows or [1])
        except ColumnSpecError as exc:
            raise ColumnSpecError(str(exc), "--answer-col") from exc
        if col == qcol:
            raise ColumnSpecError(
                f"answer column {answer_col!r} is the question column", "--answer-col"
            )
        cols.roles["answer"] = col
    # Right of the question first: that is where answer/comment columns live.
    order = [c for c in sorted(headers) if c > qcol] + [c for c in sorted(headers) if c < qcol]
    for c in order:
        role = role_of(headers[c])
        if role is None or role == "question" or c in cols.roles.values():
            continue
        if role in ("number", "section"):
            if c < qcol and role == "number" and cols.number_col is None:
                cols.number_col = c
            if role == "section" and cols.section_col is None:
                cols.section_col = c
            continue
        if c < qcol:
            continue
        requesters = role in LOOSE_WORDS and _loose_header(headers[c], role)
        if requesters and _mostly_filled(grid, header_row, qcol, c):
            continue  # the requester's column: a new one is appended instead
        cols.roles.setdefault(role, c)
    if "answer" not in cols.roles and list_validated:
        right = sorted(c for c in list_validated if c > qcol and c not in cols.roles.values())
        if right:
            cols.roles["answer"] = right[0]
    # After the used columns and after any column the user named, even an empty one past them.
    next_col = max(_used_max_col(grid), qcol, *cols.roles.values()) + 1
    for role in ROLES:
        if role not in cols.roles:
            cols.roles[role] = next_col
            cols.added.append(ADDED_HEADERS[role])
            next_col += 1
    if cols.number_col is None and qcol > 1:
        cols.number_col = _numbering_col(grid, header_row, qcol - 1)
    return cols


SECTION_LETTER = r"(?:[A-Za-z]|[IVXLCDM]+|[ivxlcdm]+)"  # "A", "iv": lettered sections
# "3", "A1", "1.2.3" and lettered ones: "A", "A.1", "IV-2"
NUMBERING_RE = re.compile(
    rf"^(?:[A-Za-z]?\d+(\.\d+)*|{SECTION_LETTER}([.\-]\d+)+|{SECTION_LETTER})\.?$"
)


def _numbering_col(grid: Grid, header_row: int, col: int) -> int | None:
    """The column left of the question when most of its cells look like item numbers."""
    values = [
        grid.text(r, col) for r in range(header_row + 1, min(grid.max_row, header_row + 300) + 1)
    ]
    values = [v for v in values if v]
    if values and sum(bool(NUMBERING_RE.match(v)) for v in values) >= 0.7 * len(values):
        return col
    return None


def letter(col: int) -> str:
    return get_column_letter(col)
