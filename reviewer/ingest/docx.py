"""DOCX loader (python-docx): paragraphs and tables in body order, headings from styles."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from reviewer.config import IngestSettings
from reviewer.ingest.base import IngestError, LoadedDocument, TextBuilder, guess_title, jsonable
from reviewer.ingest.limits import describe_content, megabytes

_MB = 1024 * 1024
_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_CORE_PROPS = (
    "title",
    "subject",
    "author",
    "keywords",
    "category",
    "comments",
    "created",
    "modified",
    "last_modified_by",
    "revision",
    "version",
    "identifier",
    "language",
)


def check_zip(path: Path, data: bytes, max_decompressed_mb: float, kind: str = "DOCX") -> None:
    """Refuse non-zips and archives whose members expand beyond the limit (zip bombs)."""
    if not data.startswith(b"PK"):
        looks = describe_content(data)
        cause = f"not a {kind} (not a zip archive)"
        raise IngestError(path, f"{cause}; looks like {looks}" if looks else cause)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise IngestError(path, f"not a {kind} (damaged zip archive: {exc})") from None
    total = sum(info.file_size for info in infos)
    if total > max_decompressed_mb * _MB:
        raise IngestError(
            path,
            f"archive expands to {megabytes(total)} MB (> limit {max_decompressed_mb:g} MB; "
            "zip bomb?)",
        )
    names = {info.filename for info in infos}
    if kind == "DOCX" and "word/document.xml" not in names:
        looks = _describe_members(names)
        raise IngestError(path, f"not a DOCX (zip archive without word/document.xml; {looks})")


def _describe_members(names: set[str]) -> str:
    if "xl/workbook.xml" in names:
        return "looks like an XLSX workbook"
    if any(n.startswith("ppt/") for n in names):
        return "looks like a PPTX deck"
    if "content.xml" in names:
        return "looks like an OpenDocument file"
    return "a plain zip archive"


def load_docx(path: Path, data: bytes, limits: IngestSettings) -> LoadedDocument:
    """Parse DOCX bytes; headings come from Title and Heading 1..9 paragraph styles."""
    check_zip(path, data, limits.max_decompressed_mb)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except PackageNotFoundError:
        raise IngestError(path, "not a DOCX (no Word document part in the package)") from None

    builder = TextBuilder()
    for block in _body_blocks(document):
        if block.__class__.__name__ == "Table":
            rows = _table_rows(block)
            if rows:
                builder.add_block("\n".join(rows))
            continue
        text = block.text.replace("\r", "\n").replace("\x0b", "\n")
        level = _heading_level(block)
        if level is not None:
            builder.add_heading(level, text)
        else:
            builder.add_block(text.strip("\n"))
    text, sections = builder.build()
    if not text.strip():
        raise IngestError(path, "no text content")
    metadata = _core_properties(document)
    return LoadedDocument(
        text=text,
        page_spans=[],
        sections=sections,
        title=guess_title(path, metadata, sections, text),
        metadata=metadata,
        pages=None,
    )


def _body_blocks(document: Any) -> list[Any]:
    """Paragraphs and tables in the order they appear in the body."""
    if hasattr(document, "iter_inner_content"):
        return list(document.iter_inner_content())
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[Any] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(Paragraph(child, document))
        elif tag == "tbl":
            blocks.append(Table(child, document))
    return blocks


def _heading_level(paragraph: Any) -> int | None:
    try:
        name = (paragraph.style.name or "") if paragraph.style is not None else ""
    except (KeyError, AttributeError, ValueError):
        return None
    if name.strip().lower() == "title":
        return 0
    match = _HEADING_STYLE.match(name.strip())
    return int(match.group(1)) if match else None


def _table_rows(table: Any) -> list[str]:
    """One line per row, cells joined by " | "; horizontally merged cells appear once."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if previous is not None and cell._tc is previous:  # merged cell repeats its object
                continue
            previous = cell._tc
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def _core_properties(document: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    try:
        props = document.core_properties
    except Exception:  # damaged docProps/core.xml: metadata is optional
        return meta
    for name in _CORE_PROPS:
        try:
            value = getattr(props, name, None)
        except Exception:
            continue
        if value not in (None, "", 0):
            meta[name] = jsonable(value)
    return meta
