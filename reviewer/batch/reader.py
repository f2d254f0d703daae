"""Read a questionnaire (xlsx or csv): find its question rows and the layout of each sheet.

The input file is read into memory once and never opened for writing; the writer fills the
in-memory copy and saves it elsewhere.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import posixpath
import re
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree

from reviewer.batch.columns import (
    HEADER_SCAN_ROWS,
    SECTION_LETTER,
    Columns,
    ColumnSpecError,
    Grid,
    describe_headers,
    find_columns,
    letter,
    role_of,
    row_texts,
)
from reviewer.batch.dropdowns import (
    column_validations,
    fits_no_verdict,
    list_validated_columns,
    list_validation,
    resolve_list,
)
from reviewer.config import BatchSettings

XLSX_SUFFIXES = {".xlsx"}
CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
CSV_DELIMITERS = (",", ";", "\t", "|")
HEADING_MAX_CHARS = 80
HEADING_MAX_WORDS = 12
NUMBER_RE = re.compile(r"^[+-]?\d+([.,]\d+)*%?$")
SECTION_NUMBER_RE = re.compile(r"^[A-Za-z]?\d+\.?$")
SUBNUMBER_RE = re.compile(r"^[A-Za-z]?\d+\.\d+")
LETTER_NUMBER_RE = re.compile(rf"^({SECTION_LETTER})\.?$")  # "A", "B.", "IV"


class BatchError(ValueError):
    """Bad questionnaire input or output path; the message is one line naming the file."""


@dataclass
class QuestionRow:
    sheet: str
    row: int  # 1-based sheet row, or CSV record number (header = 1)
    text: str
    section: str | None
    source_key: str  # "<sha256 of input file>:<sheet>:<row>"


@dataclass
class SheetLayout:
    sheet: str
    header_row: int  # 0 when the table has no header row
    question_col: int  # 1-based columns throughout
    answer_col: int
    comment_col: int
    evidence_col: int
    confidence_col: int
    status_col: int
    added_cols: list[str]  # headers of the columns the writer appends
    # Allowed answers of the answer column (the list covering most question rows); [] = a list
    # validation we could not resolve. Per-row lists: see `dropdown_for`.
    dropdown: list[str] | None
    skipped: list[str] = field(default_factory=list)  # rows left out (formula/number questions)
    # Each question row's own dropdown when the answer column has one there; a column may carry
    # different lists on different rows.
    row_dropdowns: dict[int, list[str]] = field(default_factory=dict)

    def dropdown_for(self, row: int) -> list[str] | None:
        """Allowed answers for one sheet row: its own dropdown, else the column's."""
        return self.row_dropdowns.get(row, self.dropdown)


@dataclass
class CsvTable:
    rows: list[list[str]]
    encoding: str
    delimiter: str
    lineterminator: str


@dataclass
class Loaded:
    """A parsed questionnaire: what `read_questionnaire` returns plus the in-memory document."""

    path: Path
    sha256: str
    kind: Literal["xlsx", "csv"]
    layouts: list[SheetLayout]
    rows: list[QuestionRow]
    notes: list[str]
    workbook: Any = None
    table: CsvTable | None = None


CSV_SHEET = "csv"


def _text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").strip()


class XlsxGrid:
    """Grid over an openpyxl worksheet, reading its cell dict so nothing new is created."""

    def __init__(self, ws: Any) -> None:
        self.name = ws.title
        self.ws = ws
        self._cells: dict[tuple[int, int], Any] = ws._cells  # noqa: SLF001 - read without creating
        self._merged: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        max_row = max_col = 0
        for (r, c), cell in self._cells.items():
            if cell.value is not None:
                max_row, max_col = max(max_row, r), max(max_col, c)
        for rng in ws.merged_cells.ranges:
            b = (rng.min_row, rng.min_col, rng.max_row, rng.max_col)
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    self._merged[(r, c)] = b
            if (rng.min_row, rng.min_col) in self._cells and self._cells[
                (rng.min_row, rng.min_col)
            ].value is not None:
                max_row, max_col = max(max_row, rng.max_row), max(max_col, rng.max_col)
        self.max_row, self.max_col = max_row, max_col

    def value(self, row: int, col: int) -> Any:
        cell = self._cells.get((row, col))
        return None if cell is None else cell.value

    def text(self, row: int, col: int) -> str:
        m = self._merged.get((row, col))
        if m:
            row, col = m[0], m[1]
        return _text_of(self.value(row, col))

    def merge(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        return self._merged.get((row, col))

    def bold(self, row: int, col: int) -> bool:
        m = self._merged.get((row, col))
        if m:
            row, col = m[0], m[1]
        cell = self._cells.get((row, col))
        return bool(cell is not None and cell.has_style and cell.font and cell.font.b)

    def is_formula(self, row: int, col: int) -> bool:
        m = self._merged.get((row, col))
        if m:
            row, col = m[0], m[1]
        cell = self._cells.get((row, col))
        return cell is not None and cell.data_type == "f"


class CsvGrid:
    def __init__(self, rows: list[list[str]]) -> None:
        self.name = CSV_SHEET
        self.rows = rows
        self.max_row = len(rows)
        self.max_col = max(
            (max((i + 1 for i, v in enumerate(r) if v.strip()), default=0) for r in rows),
            default=0,
        )

    def value(self, row: int, col: int) -> Any:
        if row > len(self.rows) or col > len(self.rows[row - 1]):
            return None
        return self.rows[row - 1][col - 1]

    def text(self, row: int, col: int) -> str:
        return _text_of(self.value(row, col))

    def merge(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        return None

    def bold(self, row: int, col: int) -> bool:
        return False

    def is_formula(self, row: int, col: int) -> bool:
        v = self.value(row, col)
        return isinstance(v, str) and v.strip().startswith("=")


# ---- loading ---------------------------------------------------------------------------------


def _load_xlsx(path: Path, data: bytes) -> tuple[Any, list[str]]:
    name = path.name
    if data.startswith(OLE2_MAGIC):
        raise BatchError(
            f"{name}: encrypted or not an xlsx workbook (OLE2 container); "
            "remove the password or save it as .xlsx"
        )
    if not data.startswith(b"PK"):
        raise BatchError(f"{name}: not an xlsx workbook (no zip signature); save it as .xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            bad = zf.testzip()
            total = sum(i.file_size for i in zf.infolist())
    except (
        zipfile.BadZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        zlib.error,
    ) as exc:
        raise BatchError(f"{name}: corrupt xlsx (damaged zip archive: {_one_line(exc)})") from exc
    if bad is not None:
        raise BatchError(f"{name}: corrupt xlsx (damaged zip member {bad!r})")
    if total > MAX_UNZIPPED_BYTES:
        raise BatchError(f"{name}: xlsx unpacks to {total // 2**20} MB, over the 500 MB limit")
    from openpyxl import load_workbook

    data = _bound_whole_columns(data)
    notes: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            wb = load_workbook(io.BytesIO(data), data_only=False)
    except Exception as exc:  # openpyxl raises KeyError/ValueError/... on damaged parts
        raise BatchError(f"{name}: corrupt xlsx ({type(exc).__name__}: {_one_line(exc)})") from exc
    messages = [str(w.message) for w in caught]
    lost_dv = X14_DV_WARNING in messages
    if lost_dv and _recover_x14_validations(wb, data):
        lost_dv = False
    for msg in dict.fromkeys(messages):
        if msg == X14_DV_WARNING:
            if lost_dv:
                notes.append(f"{name}: {msg} in the filled copy (its dropdowns are not read)")
        elif "extension is not supported" in msg:
            notes.append(f"{name}: {msg} in the filled copy")
    return wb, notes


X14_DV_WARNING = "Data Validation extension is not supported and will be removed"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
NS_XM = "http://schemas.microsoft.com/office/excel/2006/main"
# x14:dataValidation carries the same attributes as a standard one; only these are kept.
DV_ATTRS = (
    "type",
    "operator",
    "allowBlank",
    "showDropDown",
    "showInputMessage",
    "showErrorMessage",
    "errorStyle",
    "errorTitle",
    "error",
    "promptTitle",
    "prompt",
    "imeMode",
)
DV_BOOL_ATTRS = {"allowBlank", "showDropDown", "showInputMessage", "showErrorMessage"}


def _part_target(base_part: str, target: str) -> str:
    """Zip member name of a relationship target, relative to the part that owns the rels."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base_part), target))


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> zip member name for the relationships of `part`."""
    rels_name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    try:
        root = ElementTree.fromstring(zf.read(rels_name))
    except KeyError:
        return {}
    return {
        rel.get("Id", ""): _part_target(part, rel.get("Target", ""))
        for rel in root.iter(f"{{{NS_PKG_REL}}}Relationship")
        if rel.get("TargetMode") != "External"
    }


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its XML, following the package and workbook relationships."""
    root = ElementTree.fromstring(zf.read("_rels/.rels"))
    workbook = next(
        (
            _part_target("", rel.get("Target", ""))
            for rel in root.iter(f"{{{NS_PKG_REL}}}Relationship")
            if rel.get("Type", "").endswith("/officeDocument")
        ),
        "xl/workbook.xml",
    )
    targets = _rels(zf, workbook)
    sheets = ElementTree.fromstring(zf.read(workbook)).iter(f"{{{NS_MAIN}}}sheet")
    return {
        s.get("name", ""): targets[s.get(f"{{{NS_REL}}}id", "")]
        for s in sheets
        if s.get(f"{{{NS_REL}}}id", "") in targets
    }


def _x14_validations(xml: bytes) -> list[Any]:
    """The x14:dataValidation elements of one sheet as openpyxl DataValidations."""
    from openpyxl.worksheet.datavalidation import DataValidation

    found = []
    for _, el in ElementTree.iterparse(io.BytesIO(xml)):
        if el.tag != f"{{{NS_X14}}}dataValidation":
            if el.tag == f"{{{NS_MAIN}}}row":
                el.clear()  # cell data is not needed here; keep memory flat on big sheets
            continue
        kwargs: dict[str, Any] = {}
        for attr in DV_ATTRS:
            value = el.get(attr)
            if value is not None:
                kwargs[attr] = value in ("1", "true") if attr in DV_BOOL_ATTRS else value
        for tag in ("formula1", "formula2"):
            f = el.find(f"{{{NS_X14}}}{tag}/{{{NS_XM}}}f")
            if f is not None and f.text:
                kwargs[tag] = f.text
        sqref = el.findtext(f"{{{NS_XM}}}sqref") or ""
        sqref = COL_ONLY_RE.sub(rb"\g<1>1:\g<2>1048576", sqref.encode()).decode()
        if sqref.strip():
            found.append(DataValidation(sqref=sqref, **kwargs))
    return found


def _recover_x14_validations(wb: Any, data: bytes) -> bool:
    """Add the Excel 2010 (x14) validations openpyxl dropped back onto their sheets.

    Excel stores a dropdown whose list lives on another sheet in the worksheet's extLst, which
    openpyxl does not read. Re-adding it as a standard validation lets the answer column see its
    dropdown and keeps the dropdown in the filled copy. False when the XML could not be read.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for sheet_name, part in _sheet_parts(zf).items():
                if sheet_name not in wb.sheetnames or part not in zf.namelist():
                    continue
                xml = zf.read(part)
                if NS_X14.encode() not in xml:
                    continue
                ws = wb[sheet_name]
                if not hasattr(ws, "add_data_validation"):
                    continue  # a chartsheet
                for dv in _x14_validations(xml):
                    ws.add_data_validation(dv)
    except (KeyError, ElementTree.ParseError, ValueError, TypeError):
        return False
    return True


WHOLE_COL_RE = re.compile(rb'(sqref="[^"]*")')
COL_ONLY_RE = re.compile(rb"\b(\$?[A-Z]{1,3}):(\$?[A-Z]{1,3})\b(?![$0-9])")


def _bound_whole_columns(data: bytes) -> bytes:
    """Rewrite sqref="C:C" as C1:C1048576: openpyxl cannot load whole-column validations."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        sheets = [i for i in src.infolist() if i.filename.startswith("xl/worksheets/sheet")]
        if not any(
            COL_ONLY_RE.search(m) for i in sheets for m in WHOLE_COL_RE.findall(src.read(i))
        ):
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                body = src.read(info)
                if info in sheets:
                    body = WHOLE_COL_RE.sub(
                        lambda m: COL_ONLY_RE.sub(rb"\g<1>1:\g<2>1048576", m.group(1)), body
                    )
                dst.writestr(info, body)
        return out.getvalue()


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    for enc in ("utf-8", "cp1252"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _sniff_delimiter(text: str) -> str:
    """The delimiter giving the most rows with the same (>1) field count in the first lines."""
    lines = text[:50_000]
    best, best_score = ",", (-1.0, 0)
    for delim in CSV_DELIMITERS:
        rows = list(csv.reader(io.StringIO(lines, newline=""), delimiter=delim))[:100]
        counts = Counter(len(r) for r in rows if any(v.strip() for v in r))
        if not counts:
            continue
        modal, n = counts.most_common(1)[0]
        if modal < 2:
            continue
        score = (n / sum(counts.values()), modal)
        if score > best_score:
            best, best_score = delim, score
    return best


def _single_column(text: str, rows: list[list[str]]) -> bool:
    """True when the header line holds no delimiter, so the file is one column of text.

    A title line also has no delimiter, so a header-like line further down (two or more cells
    naming roles, such as "No,Question,Answer") means a real table below a title.
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    one_field = all(len(next(csv.reader([first], delimiter=d), [])) <= 1 for d in CSV_DELIMITERS)
    if not one_field:
        return False
    filled = [r for r in rows if any(v.strip() for v in r)][1:HEADER_SCAN_ROWS]
    return not any(sum(role_of(v) is not None for v in r) >= 2 for r in filled)


def _load_csv(path: Path, data: bytes) -> CsvTable:
    if b"\x00" in data[:4096]:
        raise BatchError(f"{path.name}: binary data, not a CSV file")
    text, encoding = _decode(data)
    delim = _sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delim))
        if _single_column(text, rows):
            # Commas inside the questions are text: parse with "," and glue the pieces back,
            # which keeps unquoted commas and still unquotes quoted fields.
            rows = [
                [",".join(r)] if r else []
                for r in csv.reader(io.StringIO(text, newline=""), delimiter=",")
            ]
            delim = ","  # for the columns the writer appends
    except csv.Error as exc:
        raise BatchError(f"{path.name}: unreadable CSV ({exc})") from exc
    ending = "\r\n" if "\r\n" in text[:50_000] else "\n"
    return CsvTable(rows=rows, encoding=encoding, delimiter=delim, lineterminator=ending)


# ---- rows -------------------------------------------------------------------------------------


def _short_statement(text: str) -> bool:
    return (
        len(text) <= HEADING_MAX_CHARS
        and "?" not in text
        and len(text.split()) <= HEADING_MAX_WORDS
        and any(ch.isalpha() for ch in text)
    )


def _letter_sections(numbers: Iterable[str]) -> set[str]:
    """Letter or roman item numbers ("A", "IV") that other items extend ("A.1", "IV.2")."""
    numbers = list(numbers)
    prefixes = {m.group(1) for v in numbers if (m := LETTER_NUMBER_RE.match(v))}
    return {p for p in prefixes if any(re.match(rf"{re.escape(p)}[.\-]?\d", v) for v in numbers)}


def _scan_rows(
    grid: Grid, cols: Columns, sha: str, answer_is_new: bool
) -> tuple[list[QuestionRow], list[str]]:
    q, a = cols.question_col, cols.roles["answer"]
    start = cols.header_row + 1
    texts = {r: grid.text(r, q) for r in range(start, grid.max_row + 1)}
    nonempty = [r for r, t in texts.items() if t]
    bold_ratio = sum(grid.bold(r, q) for r in nonempty) / max(1, len(nonempty))
    numbers = {r: grid.text(r, cols.number_col) for r in nonempty} if cols.number_col else {}
    multi_level = (
        any(SUBNUMBER_RE.match(v) for v in numbers.values())
        or sum(bool(SUBNUMBER_RE.match(t)) for t in texts.values()) >= 2
    )

    letter_sections = _letter_sections(numbers.values())

    rows: list[QuestionRow] = []
    notes: list[str] = []
    section: str | None = None
    where = "" if grid.name == CSV_SHEET else f"sheet '{grid.name}' "
    for r in range(start, grid.max_row + 1):
        text = texts[r]
        m = grid.merge(r, q)
        if m and m[0] != r:
            continue  # lower part of a vertically merged question: read at its top row
        if not text:
            others = row_texts(grid, r)
            if len(others) == 1 and _short_statement(next(iter(others.values()))):
                section = next(iter(others.values()))
            continue
        if grid.is_formula(r, q):
            notes.append(f"{where}row {r}: question cell holds a formula; skipped")
            continue
        raw = grid.value(r, q) if not m else grid.value(m[0], m[1])
        is_number = (isinstance(raw, int | float) and not isinstance(raw, bool)) or isinstance(
            raw, dt.date | dt.time
        )
        if is_number or NUMBER_RE.match(text):
            notes.append(f"{where}row {r}: question cell holds a number ({text}); skipped")
            continue
        short = _short_statement(text)
        answer_empty = answer_is_new or not grid.text(r, a)
        heading = False
        if m and m[3] > m[1]:
            heading = m[3] - m[1] >= 2 or m[3] >= a > q or short
        elif short and answer_empty:
            num = numbers.get(r, "")
            heading = (
                (grid.bold(r, q) and bold_ratio <= 0.5)
                or (multi_level and bool(SECTION_NUMBER_RE.match(num)))
                or num.rstrip(".") in letter_sections
                or bool(re.match(r"^(section|part|chapter)\s+\w+", text, re.I))
                or (
                    multi_level
                    and bool(re.match(r"^\d+\.?\s+\D", text))
                    and not SUBNUMBER_RE.match(text)
                )
                or (text.isupper() and len(text) >= 4)
                or (cols.number_col is not None and not num and len(row_texts(grid, r)) == 1)
            )
        if heading:
            section = text
            continue
        row_section = grid.text(r, cols.section_col) if cols.section_col else ""
        rows.append(
            QuestionRow(
                sheet=grid.name,
                row=r,
                text=text,
                section=row_section or section,
                source_key=f"{sha}:{grid.name}:{r}",
            )
        )
    return rows, notes


def _layout(
    grid: Grid, cols: Columns, dropdown: list[str] | None, skipped: list[str]
) -> SheetLayout:
    return SheetLayout(
        sheet=grid.name,
        header_row=cols.header_row,
        question_col=cols.question_col,
        answer_col=cols.roles["answer"],
        comment_col=cols.roles["comment"],
        evidence_col=cols.roles["evidence"],
        confidence_col=cols.roles["confidence"],
        status_col=cols.roles["status"],
        added_cols=list(cols.added),
        dropdown=dropdown,
        skipped=skipped,
    )


def _read_dropdowns(
    wb: Any,
    ws: Any,
    layout: SheetLayout,
    rows: list[QuestionRow],
    label: str,
    settings: BatchSettings | None,
) -> list[str]:
    """Fill the layout's column and per-row dropdowns; notes for lists no answer can go into."""
    acol = layout.answer_col
    resolved: dict[str, list[str]] = {}
    notes: list[str] = []

    def values(dv: Any) -> list[str]:
        formula = str(dv.formula1)
        if formula not in resolved:
            got = resolve_list(wb, ws, dv.formula1)
            if got is None:
                notes.append(
                    f"{label}: the dropdown of column {letter(acol)} ({dv.formula1}) could "
                    "not be resolved; answers are left blank"
                )
            elif settings is not None and fits_no_verdict(got, settings):
                note = (
                    f"{label}: no value of the dropdown in column {letter(acol)} "
                    f"({', '.join(got)}) fits a verdict, so its answers are left blank; map "
                    "verdicts onto them with [batch] value_map in reviewer.toml (keys "
                    "conformant, partial, nonconformity)"
                )
                if note not in notes:  # one note per list, even when several ranges repeat it
                    notes.append(note)
            resolved[formula] = got or []
        return resolved[formula]

    probe = [(r.row, acol) for r in rows] or [(layout.header_row + 1, acol)]
    dv = list_validation(ws, probe)
    if dv is not None:
        layout.dropdown = values(dv)
    spans = column_validations(ws, acol)
    for r in rows:
        own = next((dv for lo, hi, dv in spans if lo <= r.row <= hi), None)
        if own is not None:
            layout.row_dropdowns[r.row] = values(own)
    return notes


def _has_questions(grid: Grid, question_col: str | None) -> bool:
    """True when the sheet has question rows; used to tell which skipped sheets are worth a note."""
    try:
        cols = find_columns(grid, question_col)
    except ColumnSpecError:
        return False
    return cols is not None and bool(_scan_rows(grid, cols, "", answer_is_new=True)[0])


def _find(
    grid: Grid,
    label: str,
    question_col: str | None,
    answer_col: str | None,
    validated: set[int],
    named_sheet: bool,
) -> Columns | None:
    try:
        return find_columns(grid, question_col, answer_col, validated)
    except ColumnSpecError as exc:
        if exc.flag == "--answer-col" or named_sheet:
            raise BatchError(f"{label}: {exc}; check {exc.flag}") from exc
        return None  # --question-col names nothing in this sheet: other sheets may have it


def load_questionnaire(
    path: Path,
    sheet: str | None = None,
    question_col: str | None = None,
    answer_col: str | None = None,
    settings: BatchSettings | None = None,
) -> Loaded:
    """Parse the file and keep the in-memory document for the writer.

    With `settings`, a dropdown that none of the verdicts maps onto gets a note.
    """
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if not path.exists():  # before the type checks: a typo in the name is the likelier mistake
        raise BatchError(f"{path}: file not found")
    if suffix == ".xls":
        raise BatchError(f"{name}: legacy .xls workbooks are not supported; save it as .xlsx")
    if suffix == ".xlsm":
        raise BatchError(f"{name}: macro-enabled workbooks are not supported; save it as .xlsx")
    if suffix not in XLSX_SUFFIXES | CSV_SUFFIXES:
        raise BatchError(f"{name}: unsupported questionnaire type '{suffix}'; use .xlsx or .csv")
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise BatchError(f"{path}: file not found") from exc
    except (IsADirectoryError, PermissionError) as exc:
        raise BatchError(f"{path}: cannot read ({exc.strerror})") from exc
    if not data:
        raise BatchError(f"{name}: empty file")
    sha = hashlib.sha256(data).hexdigest()

    grids: list[tuple[Grid, Any]] = []
    notes: list[str] = []
    wb: Any = None
    table: CsvTable | None = None
    if suffix in XLSX_SUFFIXES:
        wb, notes = _load_xlsx(path, data)
        if sheet is not None:
            if sheet not in wb.sheetnames:
                listed = ", ".join(repr(s) for s in wb.sheetnames)
                raise BatchError(f"{name}: no sheet {sheet!r} (sheets: {listed}); check --sheet")
            grids = [(XlsxGrid(wb[sheet]), wb[sheet])]
        else:
            grids = [(XlsxGrid(ws), ws) for ws in wb.worksheets]
    else:
        table = _load_csv(path, data)
        grids = [(CsvGrid(table.rows), None)]

    layouts: list[SheetLayout] = []
    rows: list[QuestionRow] = []
    described: list[tuple[str, str]] = []  # sheets without a question column
    empty: list[str] = []  # sheets whose question column has no question rows
    hidden: list[str] = []  # hidden sheets with questions, left out unless named by --sheet
    for grid, ws in grids:
        if grid.max_row == 0:
            continue
        if ws is not None and sheet is None and ws.sheet_state != "visible":
            if _has_questions(grid, question_col):
                hidden.append(grid.name)
                notes.append(
                    f"{name}: sheet '{grid.name}' is hidden and was skipped; "
                    "name it with --sheet to answer it"
                )
            continue
        validated = (
            list_validated_columns(ws, range(1, min(grid.max_row, 300) + 1)) if ws else set()
        )
        label = name if ws is None else f"{name}: sheet '{grid.name}'"
        cols = _find(grid, label, question_col, answer_col, validated, sheet is not None)
        if cols is None:
            described.append((grid.name, describe_headers(grid)))
            continue
        answer_is_new = "Answer" in cols.added
        sheet_rows, skipped = _scan_rows(grid, cols, sha, answer_is_new)
        layout = _layout(grid, cols, None, skipped)
        if ws is not None and not answer_is_new:
            notes.extend(_read_dropdowns(wb, ws, layout, sheet_rows, label, settings))
        layouts.append(layout)
        rows.extend(sheet_rows)
        notes.extend(f"{name}: {s}" for s in skipped)
        if not sheet_rows and not skipped:
            where = f"column {letter(cols.question_col)}, {describe_headers(grid)}"
            empty.append(where if ws is None else f"sheet '{grid.name}': {where}")

    flag = "pass --question-col" if question_col is None else "check --question-col"
    if hidden and len(empty) == len(layouts):
        listed = ", ".join(repr(s) for s in hidden)
        raise BatchError(
            f"{name}: questions found only on hidden sheets ({listed}); name one with --sheet"
        )
    if layouts and len(empty) == len(layouts):
        listed = "; ".join(empty + [f"sheet '{s}': {h}" for s, h in described])
        raise BatchError(
            f"{name}: no question rows found ({listed}); {flag} to name the column "
            "holding the questions"
        )
    if not layouts:
        if table is not None:
            detail = describe_headers(grids[0][0]) if grids[0][0].max_row else "no rows"
            raise BatchError(f"{name}: no question column found ({detail}); {flag}")
        if not described:
            raise BatchError(f"{name}: the workbook has no filled cells")
        if len(described) == 1:
            sheet_name, headers = described[0]
            raise BatchError(
                f"{name}: sheet '{sheet_name}': no question column found ({headers}); {flag}"
            )
        listed = "; ".join(f"sheet '{s}': {h}" for s, h in described)
        raise BatchError(f"{name}: no question column found in any sheet ({listed}); {flag}")
    return Loaded(
        path=path,
        sha256=sha,
        kind="xlsx" if wb is not None else "csv",
        layouts=layouts,
        rows=rows,
        notes=notes,
        workbook=wb,
        table=table,
    )


def read_questionnaire(
    path: Path,
    sheet: str | None = None,
    question_col: str | None = None,
    answer_col: str | None = None,
) -> tuple[list[SheetLayout], list[QuestionRow]]:
    """Sheet layouts and question rows of a questionnaire; BatchError for bad input."""
    loaded = load_questionnaire(path, sheet, question_col, answer_col)
    return loaded.layouts, loaded.rows


def _one_line(exc: BaseException) -> str:
    """Parser messages may span lines (lxml); an error for people is one line."""
    return " ".join(str(exc).split())
