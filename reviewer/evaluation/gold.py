"""Gold sets: one JSON object per line, each a question with the verdict and evidence an auditor expects.

A line holds `id`, `question`, `scope` (file names relative to the docs dir; empty = all files),
`verdict`, `evidence` (a list of `{file, quote, page?}`) and optionally `criteria`, `bank_id`,
`theme`, `notes` and `split`. Verdicts use our names or the aliases supported / partial /
contradicted / not_addressed. Unknown fields are ignored so a gold file can carry annotator
notes of its own; blank lines and lines starting with `//` are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reviewer.models import Verdict

MAX_REPORTED_ERRORS = 20


class GoldError(ValueError):
    """A gold file cannot be used: missing, unreadable, or with malformed lines (all listed)."""


class _Lenient(BaseModel):
    # Gold files are written by people and tools we do not control: extra fields are ignored.
    model_config = ConfigDict(extra="ignore")


class GoldEvidence(_Lenient):
    """A passage that supports the gold verdict."""

    file: str = Field(description="Document path relative to the docs dir")
    quote: str = Field(description="Verbatim passage from that document")
    page: int | None = Field(default=None, description="1-based page, when the file is paged")


class GoldItem(_Lenient):
    """One labelled question: what should be asked, of which files, and the expected answer."""

    id: str
    question: str
    scope: list[str] = Field(default_factory=list, description="Files to search; empty = all")
    verdict: Verdict
    evidence: list[GoldEvidence] = Field(default_factory=list)
    criteria: list[str] = Field(default_factory=list)
    bank_id: str | None = Field(default=None, description="Question id in a bank, if from one")
    theme: str | None = None
    notes: str = ""
    split: str | None = None

    @field_validator("verdict", mode="before")
    @classmethod
    def _parse_verdict(cls, value: Any) -> Verdict:
        if isinstance(value, Verdict):
            return value
        if not isinstance(value, str):
            raise ValueError(f"verdict must be a string, not {type(value).__name__}")
        return Verdict.parse(value)


class GoldQuery(_Lenient):
    """What a drafter may see of a gold item: the question, never the answer."""

    id: str
    question: str
    scope: list[str] = Field(default_factory=list)
    criteria: list[str] = Field(default_factory=list)
    bank_id: str | None = None


def hide_answers(item: GoldItem) -> GoldQuery:
    """The question part of `item`, with the verdict, evidence and notes left out."""
    return GoldQuery(
        id=item.id,
        question=item.question,
        scope=list(item.scope),
        criteria=list(item.criteria),
        bank_id=item.bank_id,
    )


def load_gold(path: Path, split: str | None = None) -> list[GoldItem]:
    """Read a JSONL gold file, optionally keeping one split; every bad line is reported at once."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM from a Windows editor is fine
    except FileNotFoundError:
        raise GoldError(f"{path}: gold file not found") from None
    except IsADirectoryError:
        raise GoldError(f"{path}: is a directory, expected a JSONL gold file") from None
    except UnicodeDecodeError:
        raise GoldError(f"{path}: not UTF-8 text, expected a JSONL gold file") from None
    except OSError as exc:
        raise GoldError(f"{path}: cannot read the gold file ({exc.strerror})") from None

    items: list[GoldItem] = []
    errors: list[str] = []
    first_line_of: dict[str, int] = {}
    for lineno, line in _content_lines(text):
        try:
            item = _parse_line(line)
        except _LineError as exc:
            errors.append(f"{path}:{lineno}: {exc}")
            continue
        if item.id in first_line_of:
            errors.append(
                f"{path}:{lineno}: duplicate id {item.id!r} (first used on line {first_line_of[item.id]})"
            )
            continue
        first_line_of[item.id] = lineno
        items.append(item)

    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        if more:
            shown.append(f"... and {more} more malformed line(s)")
        raise GoldError(f"{path}: {len(errors)} malformed line(s)\n" + "\n".join(shown))
    if not items:
        raise GoldError(f"{path}: no gold items (the file is empty or holds only comments)")
    if split is None:
        return items
    kept = [item for item in items if item.split == split]
    if not kept:
        present = sorted({item.split for item in items if item.split})
        hint = ", ".join(present) if present else "none; no line sets 'split'"
        raise GoldError(f"{path}: no gold items in split {split!r} (splits present: {hint})")
    return kept


def _content_lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, stripped line) of every line that is neither blank nor a comment."""
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line and not line.startswith("//"):
            yield lineno, line


class _LineError(ValueError):
    """One line's problem, phrased for a person."""


_REQUIRED = ("id", "question", "verdict")


def _parse_line(line: str) -> GoldItem:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _LineError(f"not valid JSON ({exc.msg}, column {exc.colno})") from None
    if not isinstance(data, dict):
        raise _LineError(f"expected a JSON object, got {type(data).__name__}")
    missing = [key for key in _REQUIRED if data.get(key) in (None, "")]
    if missing:
        raise _LineError("missing " + ", ".join(repr(key) for key in missing))
    for key in ("id", "question"):
        if not isinstance(data[key], str):
            raise _LineError(f"{key!r} must be a string, not {type(data[key]).__name__}")
    _check_evidence(data.get("evidence", []))
    try:
        return GoldItem.model_validate(data)
    except ValidationError as exc:
        raise _LineError(_describe(exc)) from None


def _check_evidence(evidence: Any) -> None:
    shape = "'evidence' must be a list of objects with 'file' and 'quote'"
    if evidence is None:
        return
    if not isinstance(evidence, list):
        raise _LineError(f"{shape}, got {type(evidence).__name__}")
    for n, entry in enumerate(evidence, start=1):
        if not isinstance(entry, dict):
            raise _LineError(f"{shape}; entry {n} is {type(entry).__name__}")
        absent = [
            k
            for k in ("file", "quote")
            if not isinstance(entry.get(k), str) or not entry[k].strip()
        ]
        if absent:
            raise _LineError(f"{shape}; entry {n} has no " + " or ".join(repr(k) for k in absent))


def _describe(exc: ValidationError) -> str:
    """The first pydantic error as one phrase: which field, what is wrong."""
    err = exc.errors()[0]
    where = ".".join(str(part) for part in err["loc"]) or "line"
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{where!r}: {message}"


def unknown_keys(path: Path) -> list[str]:
    """Keys a gold file uses that the gold format does not know, by line ("evidnce" for
    "evidence" would otherwise be ignored and the item scored as having no evidence)."""
    known_item = set(GoldItem.model_fields)
    known_evidence = set(GoldEvidence.model_fields)
    notes: list[str] = []
    text = Path(path).read_text(encoding="utf-8-sig")
    for lineno, line in _content_lines(text):
        try:
            data = json.loads(line)
        except ValueError:
            continue  # load_gold has already refused the file
        if not isinstance(data, dict):
            continue
        odd = sorted(set(data) - known_item)
        for ev in data.get("evidence") or []:
            if isinstance(ev, dict):
                odd += [f"evidence.{k}" for k in sorted(set(ev) - known_evidence)]
        if odd:
            notes.append(f"{path}:{lineno}: unknown key(s) ignored: {', '.join(odd)}")
    return notes
