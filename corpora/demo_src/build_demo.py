"""Build the Norvane Mutual Assurance demo evidence set in corpora/demo from corpora/demo_src.

Sources:
  docs/*.md         documents rendered to PDF, DOCX or HTML (YAML front matter says which)
  model_cards/*.md  model cards, copied as they are (they are Markdown with YAML front matter)
  text/*.txt        plain-text documents, copied as they are

The output is reproducible byte for byte: reportlab runs with invariant=1, DOCX core properties
are fixed and the DOCX zip entries get a fixed timestamp. Run:

    .venv/bin/python corpora/demo_src/build_demo.py
"""

from __future__ import annotations

import argparse
import html
import io
import re
import shutil
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

SRC = Path(__file__).resolve().parent
DEFAULT_OUT = SRC.parent / "demo"
FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------- tiny Markdown model


@dataclass
class Block:
    """One block of a source document: heading, paragraph, list item, table or layout marker."""

    kind: str  # h1 h2 h3 p li table pagebreak columns
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    arg: str = ""


def split_front_matter(raw: str) -> tuple[dict[str, Any], str]:
    """Return (front matter dict, body) of a Markdown source with a leading --- block."""
    if not raw.startswith("---\n"):
        raise SystemExit("source lacks YAML front matter")
    end = raw.index("\n---\n", 4)
    meta = yaml.safe_load(raw[4:end]) or {}
    return meta, raw[end + 5 :]


def parse_blocks(body: str) -> list[Block]:
    """Parse the small Markdown subset the sources use into blocks."""
    blocks: list[Block] = []
    para: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if para:
            blocks.append(Block("p", " ".join(s.strip() for s in para)))
            para.clear()
        if table:
            blocks.append(Block("table", rows=[r[:] for r in table]))
            table.clear()

    for line in body.splitlines():
        s = line.strip()
        marker = re.fullmatch(r"<!--\s*(pagebreak|columns:(\d))\s*-->", s)
        if marker:
            flush()
            if marker.group(1) == "pagebreak":
                blocks.append(Block("pagebreak"))
            else:
                blocks.append(Block("columns", arg=marker.group(2)))
        elif not s:
            flush()
        elif s.startswith("|"):
            if para:
                flush()
            cells = [c.strip() for c in s.strip("|").split("|")]
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                continue
            table.append(cells)
        elif m := re.match(r"(#{1,3}) (.*)", s):
            flush()
            blocks.append(Block(f"h{len(m.group(1))}", m.group(2)))
        elif s.startswith("- "):
            flush()
            blocks.append(Block("li", s[2:]))
        else:
            if table:
                flush()
            para.append(s)
    flush()
    return blocks


def inline_html(text: str) -> str:
    """Escape text and turn **bold** into <b> (valid for both HTML and reportlab markup)."""
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(text, quote=False))


def plain(text: str) -> str:
    return text.replace("**", "")


# --------------------------------------------------------------------------- PDF


def build_pdf(meta: dict[str, Any], blocks: list[Block], out: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    width, height = A4
    margin = 22 * mm
    sheet = getSampleStyleSheet()
    body = ParagraphStyle(
        "body",
        parent=sheet["BodyText"],
        fontName="Helvetica",
        fontSize=9.8,
        leading=13.2,
        alignment=TA_LEFT,
        spaceAfter=5,
    )
    cell = ParagraphStyle("cell", parent=body, fontSize=8.6, leading=11, spaceAfter=0)
    bullet = ParagraphStyle("bullet", parent=body, leftIndent=12, bulletIndent=2)
    heads = {
        "h1": ParagraphStyle(
            "h1",
            parent=sheet["Heading1"],
            fontName="Helvetica-Bold",
            fontSize=16,
            leading=20,
            spaceAfter=8,
            textColor=colors.HexColor("#1d3557"),
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=sheet["Heading2"],
            fontName="Helvetica-Bold",
            fontSize=12,
            leading=15,
            spaceBefore=8,
            spaceAfter=4,
            textColor=colors.HexColor("#1d3557"),
        ),
        "h3": ParagraphStyle(
            "h3",
            parent=sheet["Heading3"],
            fontName="Helvetica-Bold",
            fontSize=10.5,
            leading=13,
            spaceBefore=5,
            spaceAfter=3,
        ),
    }
    header_text = meta.get("header", "")
    footer_text = meta.get("footer", "")
    letterhead = meta.get("letterhead", "")

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        if letterhead and doc.page == 1:
            canvas.setFont("Helvetica-Bold", 13)
            canvas.setFillColor(colors.HexColor("#2a4d69"))
            canvas.drawString(margin, height - 14 * mm, letterhead)
        elif header_text:
            canvas.setFont("Helvetica", 7.8)
            canvas.setFillColor(colors.grey)
            canvas.drawString(margin, height - 12 * mm, header_text)
            canvas.line(margin, height - 13.5 * mm, width - margin, height - 13.5 * mm)
        if footer_text or meta.get("page_numbers", True):
            canvas.setFont("Helvetica", 7.8)
            canvas.setFillColor(colors.grey)
            if footer_text:
                canvas.drawString(margin, 11 * mm, footer_text)
            if meta.get("page_numbers", True):
                canvas.drawRightString(width - margin, 11 * mm, f"Page {doc.page}")
        canvas.restoreState()

    frame_h = height - 2 * margin
    one = Frame(margin, margin, width - 2 * margin, frame_h, id="one")
    gap = 8 * mm
    col_w = (width - 2 * margin - gap) / 2
    left = Frame(margin, margin, col_w, frame_h, id="left")
    right = Frame(margin + col_w + gap, margin, col_w, frame_h, id="right")
    doc = BaseDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=meta["title"],
        author=meta.get("author", ""),
        subject=meta.get("subject", ""),
        creator="Norvane document publishing",
        invariant=1,
    )
    doc.addPageTemplates(
        [
            PageTemplate(id="one", frames=[one], onPage=decorate),
            PageTemplate(id="two", frames=[left, right], onPage=decorate),
        ]
    )

    story: list[Any] = []
    for b in blocks:
        if b.kind in heads:
            story.append(Paragraph(inline_html(b.text), heads[b.kind]))
        elif b.kind == "p":
            story.append(Paragraph(inline_html(b.text), body))
        elif b.kind == "li":
            story.append(Paragraph(inline_html(b.text), bullet, bulletText="\u2022"))
        elif b.kind == "pagebreak":
            story.append(PageBreak())
        elif b.kind == "columns":
            story.append(NextPageTemplate("two" if b.arg == "2" else "one"))
            story.append(PageBreak())
        elif b.kind == "table":
            ncol = max(len(r) for r in b.rows)
            data = [
                [Paragraph(inline_html(c), cell) for c in r] + [""] * (ncol - len(r))
                for r in b.rows
            ]
            avail = width - 2 * margin
            first = avail * (0.26 if ncol > 2 else 0.34)
            widths = [first] + [(avail - first) / (ncol - 1)] * (ncol - 1)
            t = Table(data, colWidths=widths, repeatRows=1)
            t.setStyle(
                TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#8d99ae")),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9eef5")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("TOPPADDING", (0, 0), (-1, -1), 3),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ]
                )
            )
            story.append(Spacer(1, 3))
            story.append(t)
            story.append(Spacer(1, 6))
    doc.build(story)


# --------------------------------------------------------------------------- DOCX


def build_docx(meta: dict[str, Any], blocks: list[Block], out: Path) -> None:
    import docx
    from docx.shared import Pt

    d = docx.Document()
    d.styles["Normal"].font.name = "Calibri"
    d.styles["Normal"].font.size = Pt(10.5)
    section = d.sections[0]
    if meta.get("header"):
        section.header.paragraphs[0].text = meta["header"]
    if meta.get("footer"):
        section.footer.paragraphs[0].text = meta["footer"]

    def add_runs(paragraph: Any, text: str) -> None:
        for i, part in enumerate(re.split(r"\*\*", text)):
            if part:
                paragraph.add_run(part).bold = i % 2 == 1

    for b in blocks:
        if b.kind in ("h1", "h2", "h3"):
            d.add_heading(plain(b.text), level=int(b.kind[1]))
        elif b.kind == "p":
            add_runs(d.add_paragraph(), b.text)
        elif b.kind == "li":
            add_runs(d.add_paragraph(style="List Bullet"), b.text)
        elif b.kind == "pagebreak":
            d.add_page_break()
        elif b.kind == "table":
            ncol = max(len(r) for r in b.rows)
            t = d.add_table(rows=0, cols=ncol)
            t.style = "Table Grid"
            for ri, r in enumerate(b.rows):
                cells = t.add_row().cells
                for ci in range(ncol):
                    text = r[ci] if ci < len(r) else ""
                    para = cells[ci].paragraphs[0]
                    add_runs(para, f"**{plain(text)}**" if ri == 0 else text)
    fixed = datetime(2025, 1, 1, 9, 0, 0)
    cp = d.core_properties
    cp.author = meta.get("author", "Norvane Mutual Assurance")
    cp.last_modified_by = meta.get("author", "Norvane Mutual Assurance")
    cp.title = meta["title"]
    cp.subject = meta.get("subject", "")
    cp.keywords = ""
    cp.comments = ""
    cp.revision = int(meta.get("revision", 1))
    cp.created = fixed
    cp.modified = fixed
    cp.last_printed = fixed
    buf = io.BytesIO()
    d.save(buf)
    out.write_bytes(normalise_zip(buf.getvalue()))


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry timestamps so the bytes do not depend on the clock."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return buf.getvalue()


# --------------------------------------------------------------------------- HTML

HTML_CSS = (
    "body{font-family:Georgia,serif;max-width:46rem;margin:2rem auto;line-height:1.5;color:#222}"
    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.3rem;"
    "vertical-align:top;text-align:left}header,footer{color:#666;font-size:.85rem}"
)


def build_html(meta: dict[str, Any], blocks: list[Block], out: Path) -> None:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(meta['title'])}</title>",
        f"<style>{HTML_CSS}</style>",
        "</head>",
        "<body>",
    ]
    if meta.get("header"):
        parts.append(f"<header>{html.escape(meta['header'])}</header>")
    parts.append("<main>")
    open_list = False
    for b in blocks:
        if b.kind != "li" and open_list:
            parts.append("</ul>")
            open_list = False
        if b.kind in ("h1", "h2", "h3"):
            parts.append(f"<{b.kind}>{inline_html(b.text)}</{b.kind}>")
        elif b.kind == "p":
            parts.append(f"<p>{inline_html(b.text)}</p>")
        elif b.kind == "li":
            if not open_list:
                parts.append("<ul>")
                open_list = True
            parts.append(f"<li>{inline_html(b.text)}</li>")
        elif b.kind == "table":
            parts.append("<table>")
            for ri, r in enumerate(b.rows):
                tag = "th" if ri == 0 else "td"
                cells = "".join(f"<{tag}>{inline_html(c)}</{tag}>" for c in r)
                parts.append(f"<tr>{cells}</tr>")
            parts.append("</table>")
    if open_list:
        parts.append("</ul>")
    parts.append("</main>")
    if meta.get("footer"):
        parts.append(f"<footer>{html.escape(meta['footer'])}</footer>")
    parts += ["</body>", "</html>", ""]
    out.write_text("\n".join(parts), encoding="utf-8")


# --------------------------------------------------------------------------- driver

BUILDERS = {"pdf": build_pdf, "docx": build_docx, "html": build_html}


def build(out_dir: Path) -> list[Path]:
    """Render every source into out_dir (which is emptied first) and return the files written."""
    if out_dir.exists():
        for p in out_dir.iterdir():
            if p.is_file():
                p.unlink()
            else:
                shutil.rmtree(p)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for src in sorted((SRC / "docs").glob("*.md")):
        meta, body = split_front_matter(src.read_text(encoding="utf-8"))
        out = out_dir / meta["output"]
        fmt = out.suffix.lstrip(".")
        if fmt not in BUILDERS:
            raise SystemExit(f"{src.name}: unsupported output format {fmt!r}")
        BUILDERS[fmt](meta, parse_blocks(body), out)
        written.append(out)
    for folder in ("model_cards", "text"):
        for src in sorted((SRC / folder).iterdir()):
            if src.suffix in (".md", ".txt"):
                dst = out_dir / src.name
                dst.write_bytes(src.read_bytes())
                written.append(dst)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (emptied first)")
    args = ap.parse_args(argv)
    for path in build(args.out):
        print(path.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
