"""HTML loader on the stdlib parser: visible text, block line breaks, h1..h6 heading paths."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from reviewer.config import IngestSettings
from reviewer.ingest.base import IngestError, LoadedDocument, TextBuilder, guess_title
from reviewer.ingest.limits import decode_text, refuse_binary

_SKIP = {
    "script",
    "style",
    "head",
    "nav",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
}
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip
_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "hr",
    "html", "legend", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
    "thead", "tfoot", "ul",
}  # fmt: skip
_TABLE_PARTS = {"table", "tbody", "thead", "tfoot"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


class _VisibleText(HTMLParser):
    """Collects visible text into a TextBuilder: one block per paragraph, one line per row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.builder = TextBuilder()
        self.title = ""
        self.meta: dict[str, str] = {}
        self._skip_stack: list[str] = []
        self._in_title = False
        self._pre = 0
        self._line: list[str] = []
        self._heading: tuple[int, list[str]] | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._newlines = 2  # break to use before the next flushed line

    # -- text assembly -------------------------------------------------------------------
    def _flush(self, newlines: int = 2) -> None:
        raw = "".join(self._line)
        self._line = []
        text = raw.strip("\n") if self._pre else " ".join(raw.split())
        if text.strip():
            self.builder.add_block(text, self._newlines)
        self._newlines = max(newlines, 1) if text.strip() else max(self._newlines, newlines)

    def _emit(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._heading is not None:
            self._heading[1].append(data)
        else:
            self._line.append(data)

    # -- parser callbacks ----------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            attr = dict(attrs)
            name = (attr.get("name") or attr.get("property") or "").lower()
            if name in {"description", "author", "keywords", "og:title"} and attr.get("content"):
                self.meta[name] = attr["content"] or ""
            return
        if tag == "title" and self._skip_stack in ([], ["head"]):
            self._in_title = True
            return
        if tag in _SKIP:
            if tag not in _VOID:
                self._skip_stack.append(tag)
            return
        if self._skip_stack:
            return
        if tag in _HEADINGS:
            self._flush()
            self._heading = (_HEADINGS[tag], [])
        elif tag == "br":
            if self._pre:
                self._emit("\n")
            elif self._cell is not None or self._heading is not None:
                self._emit(" ")
            else:
                self._flush(1)
        elif tag == "li":
            self._flush(1)
            self._line.append("- ")
        elif tag == "tr":
            self._flush(1)
            self._row = []
        elif tag in ("td", "th"):
            if self._row is None:
                self._row = []
            self._cell = []
        elif self._cell is not None:
            self._emit(" ")  # block markup inside a table cell only separates words
        elif tag in _BLOCK:
            self._flush()
            if tag == "pre":
                self._pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
            return
        if self._skip_stack:
            if tag == self._skip_stack[-1]:
                self._skip_stack.pop()
            elif tag in self._skip_stack:  # tolerate missing inner end tags
                while self._skip_stack and self._skip_stack.pop() != tag:
                    pass
            return
        if tag in _HEADINGS and self._heading is not None:
            level, parts = self._heading
            self._heading = None
            self.builder.add_heading(level, " ".join("".join(parts).split()))
            self._newlines = 2
        elif tag in ("td", "th") and self._cell is not None:
            assert self._row is not None
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._close_row()
        elif self._cell is not None:
            self._emit(" ")
        elif tag == "li":
            self._flush(1)
        elif tag in _BLOCK:
            if self._row is not None and tag in _TABLE_PARTS:
                self._close_row()
            self._flush()
            if tag == "pre" and self._pre:
                self._pre -= 1

    def _close_row(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        row, self._row = self._row or [], None
        if any(row):
            self._line.append(" | ".join(row))
        self._flush(1)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
            return
        if self._skip_stack:
            return
        self._emit(data)

    def close(self) -> None:
        super().close()
        if self._heading is not None:
            level, parts = self._heading
            self._heading = None
            self.builder.add_heading(level, " ".join("".join(parts).split()))
        if self._row is not None:
            self._close_row()
        self._flush()


def _decode_html(data: bytes) -> str:
    match = _META_CHARSET.search(data[:4096])
    if match:
        try:
            return data.decode(match.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return decode_text(data)


def load_html(path: Path, data: bytes, limits: IngestSettings) -> LoadedDocument:
    """Parse HTML bytes into visible text with heading sections."""
    refuse_binary(path, data)
    parser = _VisibleText()
    parser.feed(_decode_html(data).replace("\r\n", "\n").replace("\r", "\n"))
    parser.close()
    text, sections = parser.builder.build()
    if not text.strip():
        raise IngestError(path, "no visible text in the HTML page")
    metadata: dict[str, object] = dict(parser.meta)
    title = " ".join(parser.title.split())
    if title:
        metadata["title"] = title
    return LoadedDocument(
        text=text,
        page_spans=[],
        sections=sections,
        title=guess_title(path, metadata, sections, text),
        metadata=metadata,
        pages=None,
    )
