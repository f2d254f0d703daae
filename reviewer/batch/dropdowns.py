"""Read an answer column's list validation and map a verdict onto one of its allowed values.

The rule that matters: a value outside the list is never written. When nothing matches, the
answer stays blank and the comment says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl.utils.cell import range_boundaries

from reviewer.config import BatchSettings
from reviewer.models import Verdict

INSUFFICIENT_NOTE = "No answer: insufficient evidence in the reviewed documents"

# Label variants tried in order; the first one the dropdown offers wins.
VERDICT_VARIANTS: dict[Verdict, tuple[str, ...]] = {
    Verdict.conformant: (
        "Yes",
        "Compliant",
        "Fully compliant",
        "Met",
        "Fully met",
        "Implemented",
        "Fully implemented",
        "In place",
        "Conformant",
        "Y",
        "True",
    ),
    Verdict.partial: (
        "Partial",
        "Partially",
        "Partially compliant",
        "Partially met",
        "Partially implemented",
        "Partly",
        "In progress",
    ),
    Verdict.nonconformity: (
        "No",
        "Non-compliant",
        "Not compliant",
        "Not met",
        "Not implemented",
        "Not in place",
        "Nonconformity",
        "N",
        "False",
    ),
    Verdict.insufficient_evidence: (),
}


def _key(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", label.lower())


def _first_word(label: str) -> str:
    words = re.split(r"[\s\-–—:,(]+", label.strip().lower(), maxsplit=1)
    return re.sub(r"[^a-z0-9]+", "", words[0]) if words else ""


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _covers(sqref: str, row: int, col: int) -> bool:
    for part in sqref.split():
        try:
            min_col, min_row, max_col, max_row = range_boundaries(part)
        except ValueError:
            continue
        if min_col is not None and not (min_col <= col <= (max_col or min_col)):
            continue
        if min_row is not None and not (min_row <= row <= (max_row or min_row)):
            continue
        return True
    return False


def list_validation(ws: Any, cells: Iterable[tuple[int, int]]) -> Any | None:
    """The list-type DataValidation covering the most of the given (row, col) cells."""
    cells = list(cells)
    best, best_n = None, 0
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list":
            continue
        sqref = str(dv.sqref)
        n = sum(_covers(sqref, r, c) for r, c in cells)
        if n > best_n:
            best, best_n = dv, n
    return best


def _list_ranges(ws: Any) -> Iterator[tuple[int | None, int | None, int, int, Any]]:
    """(first col, last col, first row, last row, validation) for every range of every list
    validation; columns are None for a whole-row range, rows default to the sheet's bounds."""
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list":
            continue
        for part in str(dv.sqref).split():
            try:
                min_col, min_row, max_col, max_row = range_boundaries(part)
            except ValueError:
                continue
            yield min_col, max_col or min_col, min_row or 1, max_row or 1_048_576, dv


def list_validated_columns(ws: Any, rows: Iterable[int]) -> set[int]:
    """Columns that carry a list validation on any of the given rows."""
    rows = list(rows)
    found: set[int] = set()
    for first, last, lo, hi, _ in _list_ranges(ws):
        if first is not None and last is not None and any(lo <= r <= hi for r in rows):
            found.update(range(first, last + 1))
    return found


def column_validations(ws: Any, col: int) -> list[tuple[int, int, Any]]:
    """(first row, last row, validation) for each list-validated range that covers column `col`."""
    return [
        (lo, hi, dv)
        for first, last, lo, hi, dv in _list_ranges(ws)
        if first is None or last is None or first <= col <= last
    ]


def _range_values(wb: Any, sheet_name: str, ref: str) -> list[str] | None:
    if sheet_name not in wb.sheetnames:
        return None
    ws = wb[sheet_name]
    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    except ValueError:
        return None
    min_col, max_col = min_col or 1, max_col or ws.max_column
    min_row, max_row = min_row or 1, max_row or ws.max_row
    values: list[str] = []
    for row in ws.iter_rows(
        min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True
    ):
        values.extend(_cell_text(v) for v in row if v is not None and _cell_text(v))
    return values


def _split_sheet_ref(ref: str, default_sheet: str) -> tuple[str, str]:
    if "!" not in ref:
        return default_sheet, ref
    sheet, _, cells = ref.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, cells


def resolve_list(wb: Any, ws: Any, formula: str | None) -> list[str] | None:
    """Allowed values of a list validation's formula1; None when it cannot be resolved."""
    if not formula:
        return None
    f = formula.strip()
    if f.startswith('"') and f.endswith('"'):
        return [v.strip() for v in f[1:-1].split(",") if v.strip()]
    f = f.lstrip("=")
    names = [ws.defined_names, wb.defined_names]
    for scope in names:
        if f in scope:
            values: list[str] = []
            for sheet, ref in scope[f].destinations:
                got = _range_values(wb, sheet, ref)
                if got is None:
                    return None
                values.extend(got)
            return values
    if re.fullmatch(r"(('[^']+'|[^'!()]+)!)?\$?[A-Z]{1,3}\$?\d*(:\$?[A-Z]{1,3}\$?\d*)?", f):
        sheet, ref = _split_sheet_ref(f, ws.title)
        return _range_values(wb, sheet, ref)
    return None  # INDIRECT(), OFFSET() and friends: not evaluated here


def _labels(verdict: Verdict, settings: BatchSettings) -> list[str]:
    """Candidate labels for a verdict: the user's `[batch] value_map` first, then the built-in
    variants, so configuring one custom label does not lose the usual ones."""
    configured: list[str] = []
    for key, labels in settings.value_map.items():
        try:
            if Verdict.parse(key) == verdict:
                configured.extend(labels)
        except ValueError:
            continue
    return list(dict.fromkeys([*configured, *VERDICT_VARIANTS[verdict]]))


def match_allowed(candidates: list[str], allowed: list[str]) -> str | None:
    """The allowed value (in its own spelling) matching the first candidate that matches at all."""
    by_key = {_key(a): a for a in reversed(allowed)}
    for cand in candidates:
        if _key(cand) in by_key:
            return by_key[_key(cand)]
    # Second pass: values such as "Yes - fully implemented" or "Partially (explain)".
    for cand in candidates:
        key = _key(cand)
        if " " in cand.strip() or "-" in cand or len(key) < 2:
            continue  # only single words lead a longer option; "N" must not match "N/A"
        for a in allowed:
            if _first_word(a) == key:
                return a
    return None


def map_verdict(
    verdict: Verdict, allowed: list[str] | None, settings: BatchSettings
) -> tuple[str | None, str | None]:
    """(value to write, None) or (None, reason for the comment) for one verdict."""
    if verdict is Verdict.insufficient_evidence:
        candidates = [settings.insufficient_value] if settings.insufficient_value else []
        candidates += _labels(verdict, settings)
        if not candidates:
            return None, INSUFFICIENT_NOTE
        if allowed is None:
            return candidates[0], None
        hit = match_allowed(candidates, allowed)
        return (hit, None) if hit else (None, INSUFFICIENT_NOTE)
    candidates = _labels(verdict, settings)
    if allowed is None:
        return (candidates[0], None) if candidates else (None, f"No answer for '{verdict}'")
    hit = match_allowed(candidates, allowed)
    if hit:
        return hit, None
    offered = ", ".join(allowed) if allowed else "values could not be read"
    return None, f"No answer: verdict '{verdict}' matches no dropdown value ({offered})"


ANSWER_VERDICTS = (Verdict.conformant, Verdict.partial, Verdict.nonconformity)


def fits_no_verdict(allowed: list[str], settings: BatchSettings) -> bool:
    """True when a readable dropdown offers no value for conformant, partial or nonconformity.

    Such a column (Red/Amber/Green, say) would stay blank on every row; checked with the same
    mapping the writer uses so the two cannot disagree.
    """
    return bool(allowed) and all(
        map_verdict(v, allowed, settings)[0] is None for v in ANSWER_VERDICTS
    )
