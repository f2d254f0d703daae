"""Markdown loader: the source text as written, YAML front matter as metadata, ATX/setext headings.

The front matter stays in the text (section ["front matter"]) so that a quote taken from it,
such as a model card's license or intended use, can be cited like any other passage.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from reviewer.config import IngestSettings
from reviewer.ingest.base import IngestError, LoadedDocument, Section, guess_title, jsonable
from reviewer.ingest.limits import decode_text, normalize_newlines, refuse_binary

FRONT_MATTER = "front matter"

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BLOCK_START = re.compile(r"^ {0,3}(?:[-*+>]|\d+[.)]|#|\||```|~~~)")


def load_markdown(path: Path, data: bytes, limits: IngestSettings) -> LoadedDocument:
    """Parse Markdown bytes into text, front-matter metadata and heading sections."""
    refuse_binary(path, data)
    text = normalize_newlines(decode_text(data))
    if not text.strip():
        raise IngestError(path, "no text content")
    metadata, fm_end = parse_front_matter(text)
    sections = _heading_sections(text, fm_end)
    title = guess_title(path, metadata, sections, text[fm_end:])
    return LoadedDocument(
        text=text, page_spans=[], sections=sections, title=title, metadata=metadata, pages=None
    )


def parse_front_matter(text: str) -> tuple[dict[str, Any], int]:
    """Return (metadata, end offset of the front-matter block); (({}, 0) when there is none).

    Malformed YAML gives metadata {"front_matter_error": "..."} instead of failing the file.
    """
    if not text.startswith("---\n"):
        return {}, 0
    close = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], re.MULTILINE)
    if close is None:
        return {}, 0  # a lone thematic break, not front matter
    body = text[4 : 4 + close.start()]
    end = 4 + close.end()
    if end < len(text) and text[end] == "\n":
        end += 1
    try:
        loaded = yaml.safe_load(body) if body.strip() else {}
    except yaml.YAMLError as exc:
        return {"front_matter_error": _yaml_error(exc)}, end
    if loaded is None:
        return {}, end
    if not isinstance(loaded, dict):
        return {"front_matter_error": "front matter is not a key: value mapping"}, end
    return {str(k): jsonable(v) for k, v in loaded.items()}, end


def _yaml_error(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or type(exc).__name__
    where = f" at line {mark.line + 2}" if mark is not None else ""  # +2: 0-based, after '---'
    return f"invalid YAML front matter{where}: {problem}"


def _heading_sections(text: str, fm_end: int) -> list[Section]:
    """Flat sections, one per heading, each carrying its full heading path."""
    heads: list[tuple[int, int, str]] = []  # (offset, level, title)
    in_fence: str | None = None
    offset = fm_end
    lines = text[fm_end:].split("\n")
    prev_line = ""
    prev_offset = offset
    prev_is_paragraph = False
    for line in lines:
        fence = _FENCE.match(line)
        if in_fence is not None:
            if fence and fence.group(1)[0] == in_fence[0] and len(fence.group(1)) >= len(in_fence):
                in_fence = None
            prev_is_paragraph = False
        elif fence:
            in_fence = fence.group(1)
            prev_is_paragraph = False
        elif (atx := _ATX.match(line)) is not None:
            heads.append((offset, len(atx.group(1)), (atx.group(2) or "").strip()))
            prev_is_paragraph = False
        elif prev_is_paragraph and (setext := _SETEXT.match(line)) is not None:
            # "Title\n=====" (level 1) or "Title\n-----" (level 2)
            heads.append((prev_offset, 1 if setext.group(1)[0] == "=" else 2, prev_line.strip()))
            prev_is_paragraph = False
        else:
            prev_is_paragraph = bool(line.strip()) and not _BLOCK_START.match(line)
        prev_line, prev_offset = line, offset
        offset += len(line) + 1

    sections: list[Section] = []
    if fm_end:
        sections.append(Section(0, fm_end, [FRONT_MATTER]))
    stack: list[tuple[int, str]] = []
    for i, (start, level, title) in enumerate(heads):
        if not title:
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
        if sections and sections[-1].end > start:  # an empty heading was skipped before
            sections[-1].end = start
        sections.append(Section(start, end, [t for _, t in stack]))
    return [s for s in sections if s.end > s.start]
