"""Evidence for one citation: where its quote sits in the chunk and in the whole document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from reviewer.models import Chunk, Citation, Document
from reviewer.text import find_quote

if TYPE_CHECKING:
    from reviewer.workspace import Workspace

HIGHLIGHT = "bold black on yellow"  # ANSI named colours: the same in a 16-colour terminal
CONTEXT_CHARS = 2_000
MAX_SECTION_CHARS = 12_000

Span = tuple[int, int]


def doc_id_of(citation: Citation) -> str:
    return citation.chunk_id.split("-", 1)[0]


def _matches(text: str, span: Span, quote: str) -> bool:
    start, end = span
    if not (0 <= start < end <= len(text)):
        return False
    # The stored offsets are trusted only if they still cover the quote (text may be re-ingested).
    return find_quote(text[start:end], quote) is not None or text[start:end] == quote


def chunk_span(citation: Citation, chunk: Chunk) -> Span | None:
    """The quote's span inside the chunk text: from the stored offsets, else by searching."""
    if citation.char_start is not None and citation.char_end is not None:
        span = (citation.char_start - chunk.char_start, citation.char_end - chunk.char_start)
        if _matches(chunk.text, span, citation.quote):
            return span
    return find_quote(chunk.text, citation.quote)


def document_span(citation: Citation, chunk: Chunk | None, text: str) -> Span | None:
    """The quote's span inside the whole document text."""
    if citation.char_start is not None and citation.char_end is not None:
        span = (citation.char_start, citation.char_end)
        if _matches(text, span, citation.quote):
            return span
    if chunk is not None:
        window = text[chunk.char_start : chunk.char_end]
        local = find_quote(window, citation.quote)
        if local is not None:
            return local[0] + chunk.char_start, local[1] + chunk.char_start
    return find_quote(text, citation.quote)


@dataclass
class EvidenceView:
    """What the evidence pane shows for one citation."""

    citation: Citation
    chunk: Chunk | None
    document: Document | None
    span: Span | None
    near: bool = False  # a closest passage of an abstaining finding, not evidence

    @property
    def doc_changed(self) -> bool:
        """The document was re-ingested with different content since the quote was drafted."""
        if self.document is None or not self.citation.doc_sha256:
            return False
        return self.document.sha256 != self.citation.doc_sha256


def load_evidence(ws: Workspace, citation: Citation, near: bool = False) -> EvidenceView:
    chunk = ws.docs.chunks([citation.chunk_id]).get(citation.chunk_id)
    document = ws.docs.get(chunk.doc_id if chunk else doc_id_of(citation))
    span = chunk_span(citation, chunk) if chunk else None
    return EvidenceView(citation, chunk, document, span, near)


@dataclass
class Passage:
    """A stretch of a document around a citation, for the full-page view."""

    title: str
    text: str
    span: Span | None


def load_passage(ws: Workspace, citation: Citation) -> Passage:
    """The cited PDF page, else the cited section, else +-2,000 chars around the quote."""
    chunk = ws.docs.chunks([citation.chunk_id]).get(citation.chunk_id)
    doc_id = chunk.doc_id if chunk else doc_id_of(citation)
    text = ws.docs.text(doc_id)
    if not text:
        return Passage(f"{citation.path}: document no longer in the workspace", "", None)
    span = document_span(citation, chunk, text)
    anchor = span or ((chunk.char_start, chunk.char_end) if chunk else (0, 0))
    page = (chunk.page if chunk else None) or citation.page
    spans = ws.docs.page_spans(doc_id)
    start, end, what = -1, -1, ""
    if page and 1 <= page <= len(spans):
        start, end = spans[page - 1]
        what = f"page {page} of {len(spans)}"
    elif chunk is not None and chunk.heading_path:
        head = chunk.heading_path
        section = [c for c in ws.docs.chunks_of(doc_id) if c.heading_path[: len(head)] == head]
        start = min(c.char_start for c in section)
        end = max(c.char_end for c in section)
        what = f"section {chunk.heading}"
    if start < 0 or end - start > MAX_SECTION_CHARS or not (start <= anchor[0] <= end):
        start = max(0, anchor[0] - CONTEXT_CHARS)
        end = min(len(text), anchor[1] + CONTEXT_CHARS)
        what = f"characters {start}-{end} of {len(text)}"
    local = (span[0] - start, span[1] - start) if span and start <= span[0] < end else None
    if local is not None:
        local = (local[0], min(local[1], end - start))
    return Passage(f"{citation.path or doc_id} · {what}", text[start:end], local)


def highlighted(text: str, span: Span | None) -> Text:
    out = Text(text)
    if span is not None:
        out.stylize(HIGHLIGHT, span[0], span[1])
    return out


class HighlightedText(Static):
    """Text with one highlighted span; scrolls its scrollable parent to the highlight."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plain = ""
        self.span: Span | None = None

    def show(self, text: str, span: Span | None) -> None:
        self.plain, self.span = text, span
        self.update(highlighted(text, span))
        self.call_after_refresh(self.scroll_to_highlight)

    def scroll_to_highlight(self) -> None:
        parent = self.parent
        if self.span is None or not isinstance(parent, VerticalScroll):
            return
        width = max(1, self.content_region.width)
        start = self.span[0]
        # Lines above the highlight once wrapped at the current width.
        lines = len(Text(self.plain[:start]).wrap(self.app.console, width)) - 1 if start else 0
        parent.scroll_to(y=max(0, self.region.y - parent.region.y + lines - 2), animate=False)


class EvidencePane(Vertical):
    """The selected citation's chunk with the quote highlighted, and where it came from."""

    def compose(self) -> ComposeResult:
        yield Static(id="evidence-meta")
        with VerticalScroll(id="evidence-scroll"):
            yield HighlightedText(id="evidence-text")

    shown: EvidenceView | None = None

    def show(self, view: EvidenceView | None) -> None:
        meta = self.query_one("#evidence-meta", Static)
        body = self.query_one("#evidence-text", HighlightedText)
        if view is not None and view == self.shown:
            # The next finding cites the same passage: nothing to re-render or lay out.
            body.scroll_to_highlight()
            return
        self.shown = view
        if view is None:
            meta.update(Text("No citation selected.", style="italic"))
            body.show("", None)
            return
        meta.update(evidence_meta(view))
        if view.chunk is None:
            body.show(f"Chunk {view.citation.chunk_id} is no longer in the workspace.", None)
            return
        body.show(view.chunk.text, view.span)


def evidence_meta(view: EvidenceView) -> Text:
    c = view.citation
    out = Text()
    out.append(f"[{c.label}] ", style="bold yellow" if view.near else "bold cyan")
    out.append(c.path or (view.chunk.path if view.chunk else "?"), style="bold")
    page = c.page or (view.chunk.page if view.chunk else None)
    if page:
        out.append(f"  p. {page}")
    if view.chunk and view.chunk.heading_path:
        out.append(f"\n§ {view.chunk.heading}")
    sha = view.document.sha256 if view.document else c.doc_sha256
    out.append(f"\nsha256 {sha[:12] or '?'}  ")
    if view.near:
        out.append("closest passage, not evidence", style="bold yellow")
    elif c.verified:
        out.append("quote verified", style="green")
    else:
        out.append("quote NOT verified", style="bold red")
    if view.doc_changed:
        out.append("\ndocument changed since drafting (was ", style="bold yellow")
        out.append(f"{c.doc_sha256[:12]})", style="bold yellow")
    if view.chunk is not None and view.span is None:
        out.append("\nquote not found in this chunk", style="bold red")
    return out
