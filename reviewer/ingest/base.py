"""Types shared by every loader: the loaded document, its sections, and the one ingest error.

Loaders turn a file into a `LoadedDocument`: one text string that every offset (page spans,
sections, chunk spans, citations) refers to. `TextBuilder` helps the structured formats
(DOCX, HTML) assemble that string while recording heading paths.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class IngestError(Exception):
    """A file could not be ingested; `str(err)` is one line naming the file and the cause."""

    def __init__(self, path: Path | str, cause: str):
        self.path = path
        self.cause = cause
        super().__init__(f"{path}: {cause}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep the two-argument constructor working across process pools (pickling).
        return (type(self), (self.path, self.cause))


@dataclass
class Section:
    """A char range of `LoadedDocument.text` and the heading path it sits under."""

    start: int
    end: int
    heading_path: list[str]


@dataclass
class LoadedDocument:
    """A parsed file: one text, with page spans (PDF) and heading sections pointing into it."""

    text: str
    page_spans: list[tuple[int, int]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    title: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    pages: int | None = None

    def page_at(self, offset: int) -> int | None:
        """1-based page holding `offset`, or None for formats without pages."""
        if not self.page_spans:
            return None
        for i, (start, end) in enumerate(self.page_spans):
            if offset < end or (start == end == offset):
                return i + 1
            if offset < start:  # in the separator before this page
                return i + 1
        return len(self.page_spans)

    def heading_path_at(self, offset: int) -> list[str]:
        """Heading path of the section holding `offset` ([] outside every section)."""
        for sec in self.sections:
            if sec.start <= offset < sec.end:
                return list(sec.heading_path)
        return []


def jsonable(value: Any) -> Any:
    """Make metadata values JSON-safe (dates become ISO strings, unknown types become str)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, _dt.date | _dt.datetime | _dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return str(value)


def guess_title(path: Path, metadata: dict[str, Any], sections: list[Section], text: str) -> str:
    """Metadata title, else the first heading, else a short first line, else the file stem."""
    meta_title = metadata.get("title")
    if isinstance(meta_title, str) and meta_title.strip():
        return " ".join(meta_title.split())
    for sec in sections:
        if sec.heading_path and sec.heading_path != ["front matter"]:
            return sec.heading_path[0]
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            if len(line) <= 100 and not line.startswith("---"):
                return line
            break
    return path.stem


class TextBuilder:
    """Accumulates text blocks and heading changes into (text, sections)."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._len = 0
        self._stack: list[tuple[int, str]] = []
        self._sections: list[Section] = []
        self._trailing_newlines = 0

    @property
    def heading_path(self) -> list[str]:
        return [title for _, title in self._stack]

    def _append(self, piece: str) -> None:
        self._parts.append(piece)
        self._len += len(piece)
        stripped = piece.rstrip("\n")
        if stripped:
            self._trailing_newlines = len(piece) - len(stripped)
        else:
            self._trailing_newlines += len(piece)

    def _separate(self, newlines: int) -> None:
        """Ensure the text so far ends with `newlines` line breaks (none at the very start)."""
        if self._len and self._trailing_newlines < newlines:
            self._append("\n" * (newlines - self._trailing_newlines))

    def add_heading(self, level: int, title: str) -> None:
        """Add a heading line and open a new section under it."""
        title = " ".join(title.split())
        if not title:
            return
        self._separate(2)
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, title))
        self._open_section()
        self._append(title)

    def add_block(self, text: str, newlines: int = 2) -> None:
        """Add a paragraph-like block after `newlines` line breaks (2 = a paragraph break)."""
        if not text.strip():
            return
        self._separate(newlines)
        self._append(text)

    def _open_section(self) -> None:
        if self._sections:
            self._sections[-1].end = self._len
        self._sections.append(Section(self._len, self._len, self.heading_path))

    def build(self) -> tuple[str, list[Section]]:
        text = "".join(self._parts)
        if self._sections:
            self._sections[-1].end = len(text)
        return text, [s for s in self._sections if s.end > s.start]
