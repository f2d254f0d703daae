"""Exports of reviewed findings: Markdown, single-file HTML, JSON, CSV and XLSX.

Every export groups findings by control family, carries the decision in effect (the latest one
no undo cancelled: reviewer, action, time; an edit also shows the drafted verdict), the
citations with document sha256, a coverage table, and the decision-log chain head
so a report can later be checked against the workspace (`reviewer log verify`). Anything not
approved (or edited) by a reviewer is marked DRAFT.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.fileio import atomic_write, csv_cell, keep_as_text
from reviewer.findings_view import (
    coverage_rows,
    current_findings,
    decision_in_effect,
    family,
    natural_key,
)
from reviewer.models import Decision, Finding, FindingStatus, utcnow

if TYPE_CHECKING:
    from reviewer.workspace import Workspace

FORMATS = ("md", "html", "json", "csv", "xlsx")
FINAL = (FindingStatus.approved, FindingStatus.edited)


class ExportError(ValueError):
    """The export cannot be written (bad path or format); the message names it."""


@dataclass
class ExportData:
    findings: list[Finding]
    decisions: dict[str, list[Decision]]
    coverage: list[dict[str, Any]]
    chain_count: int
    chain_head: str
    reviewer: str
    generated_at: str = field(default_factory=utcnow)
    status: list[str] = field(default_factory=list)  # the --status filter, if any
    unfiltered: int = 0  # current findings before that filter

    def history(self, finding_id: str) -> list[Decision]:
        return self.decisions.get(finding_id) or []

    def scope(self) -> str:
        """ "3 findings", or "2 findings with status approved (of 5)" under a status filter."""
        listed = plural(len(self.findings), "finding")
        if not self.status:
            return listed
        return f"{listed} with status {' or '.join(self.status)} (of {self.unfiltered})"

    def empty_note(self) -> str:
        """Why the report lists no findings; empty when it lists some."""
        if self.findings:
            return ""
        return no_findings_text(self.status, self.unfiltered)


def plural(n: int, word: str) -> str:
    """ "1 finding", "2 findings", "0 findings"."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def no_findings_text(status: list[str] | None = None, unfiltered: int | None = None) -> str:
    """One sentence on why an export has no findings (`unfiltered`: how many there are without
    the status filter, when known)."""
    if status:
        wanted = " or ".join(status)
        if unfiltered:
            return (
                f"No findings with status {wanted}: the workspace's "
                f"{plural(unfiltered, 'finding')} all have another status."
            )
        if unfiltered is not None:
            return f"No findings with status {wanted}: the workspace has no findings yet."
        return f"No findings with status {wanted}."
    return (
        "No findings: the workspace has none yet; run `reviewer review` or `reviewer batch` first."
    )


def export_message(path: Path, n: int, status: list[str] | None = None) -> str:
    """What the command line says after an export, e.g. "wrote report.md (1 finding)"."""
    if n:
        return f"wrote {path} ({plural(n, 'finding')})"
    return f"wrote {path}, which lists no findings. {no_findings_text(status)}"


def collect(ws: Workspace, status: list[str] | None = None) -> ExportData:
    status = list(status or [])
    store = ws.findings
    findings = current_findings(store.list_findings())
    unfiltered = len(findings)
    if status:
        wanted = {FindingStatus(s) for s in status}
        findings = [f for f in findings if f.status in wanted]
    findings.sort(
        key=lambda f: (natural_key(family(f)), natural_key(f.question.primary_ref()), f.question.id)
    )
    decisions: dict[str, list[Decision]] = {}
    for d in store.decisions():
        decisions.setdefault(d.finding_id, []).append(d)
    count, head = store.chain_head()
    return ExportData(
        findings,
        decisions,
        coverage_rows(findings),
        count,
        head,
        ws.settings.reviewer_name(),
        status=status,
        unfiltered=unfiltered,
    )


def is_draft(f: Finding) -> bool:
    return f.status not in FINAL


def finding_record(data: ExportData, f: Finding) -> dict[str, Any]:
    history = data.history(f.id)
    # The last row may be an undo, which is no decision of its own: report what is in effect.
    d = decision_in_effect(history)
    return {
        "finding_id": f.id,
        "family": family(f),
        "question_id": f.question.id,
        "question": f.question.text,
        "controls": [str(r) for r in f.question.refs],
        "verdict": f.verdict.value,
        # Only decisions change a verdict, so the first one's snapshot holds the drafted verdict.
        "drafted_verdict": history[0].before.get("verdict") if history else f.verdict.value,
        "confidence": f.confidence,
        "status": f.status.value,
        "draft": is_draft(f),
        "flags": f.flags,
        "rationale": f.rationale,
        "citations": [
            {
                "label": c.label,
                "file": c.path,
                "page": c.page,
                "section": c.section,
                "quote": c.quote,
                "doc_sha256": c.doc_sha256,
            }
            for c in f.citations
            if c.verified
        ],
        "reviewer": d.reviewer if d else None,
        "decision": d.action.value if d else None,
        "reason": d.reason_code.value if d and d.reason_code else None,
        "note": d.note if d else None,
        "decided_at": d.at if d else None,
        "source": f.source,
    }


def decision_text(rec: dict[str, Any], esc: Callable[[str], str] = str) -> str:
    """One line on the decision in effect, e.g. "edited: conformant -> nonconformity by ana at
    ..."; empty when there is none. `esc` escapes what people wrote (reviewer, note)."""
    if not rec["decision"]:
        return ""
    action = {"approve": "approved", "reject": "rejected"}.get(rec["decision"], rec["decision"])
    if rec["decision"] == "edit":
        drafted, verdict = rec["drafted_verdict"], rec["verdict"]
        action = (
            f"edited: {drafted} -> {verdict}"
            if drafted != verdict
            else f"edited (rationale; verdict {verdict} as drafted)"
        )
    text = f"{action} by {esc(rec['reviewer'])} at {esc(rec['decided_at'])}"
    if rec["reason"]:
        text += f" ({rec['reason']})"
    if rec["note"]:
        text += f" — {esc(rec['note'])}"
    if rec["status"] == FindingStatus.stale.value:
        # Deciding on a stale finding ends its staleness, so this decision predates the change.
        text += " [given before the cited evidence changed]"
    return text


# -- writers -----------------------------------------------------------------------------------
def to_json(data: ExportData) -> str:
    return json.dumps(
        {
            "generated_at": data.generated_at,
            "decision_log": {"count": data.chain_count, "head": data.chain_head},
            "status_filter": data.status or None,
            "note": data.empty_note() or None,
            "findings": [finding_record(data, f) for f in data.findings],
            "coverage": data.coverage,
        },
        indent=2,
        ensure_ascii=False,
    )


CSV_COLUMNS = [
    "finding_id",
    "family",
    "question_id",
    "question",
    "controls",
    "verdict",
    "drafted_verdict",
    "confidence",
    "status",
    "draft",
    "flags",
    "rationale",
    "citations",
    "reviewer",
    "decision",
    "reason",
    "note",
    "decided_at",
]


def _section(citation: dict[str, Any]) -> str:
    """' § headings' for a citation record that has them, else ''."""
    return f" § {citation['section']}" if citation.get("section") else ""


def _flat(rec: dict[str, Any]) -> list[Any]:
    row = []
    for col in CSV_COLUMNS:
        v = rec[col]
        if col == "citations":
            v = "\n".join(
                f"{c['file']} p.{c['page'] or '-'}{_section(c)} [{c['doc_sha256'][:12]}]: "
                f'"{c["quote"]}"'
                for c in v
            )
        elif isinstance(v, list):
            v = "; ".join(str(x) for x in v)
        elif v is None:
            v = ""
        row.append(v)
    return row


def to_csv(data: ExportData) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for f in data.findings:
        w.writerow([csv_cell(v) for v in _flat(finding_record(data, f))])
    return buf.getvalue()


# Markdown renders inline HTML and follows links and images, so text from documents, drafters
# and reviewers is escaped: HTML characters as entities (a renderer shows them as typed, never
# runs them), link/image brackets and code, emphasis and table markers with a backslash, and
# block markers at a line start so a rationale cannot open a heading, list or "Decision:" line.
_MD_INLINE = re.compile(r"([\\`\[\]|*_~])")
_MD_LINE_START = re.compile(r"^([#+\-=]|\d+[.)])", re.M)


def md_inline(value: object) -> str:
    """Text for one Markdown line: escaped, with line breaks folded into spaces."""
    return " ".join(_md_escape(str(value)).split())


def md_block(value: object) -> str:
    """Text for Markdown paragraphs: escaped, each line shown as a line (a hard break), blank
    lines kept as paragraph breaks, no line opening a block."""
    paragraphs = []
    for para in re.split(r"\n\s*\n", _md_escape(str(value))):
        lines = [_MD_LINE_START.sub(r"\\\1", x.strip()) for x in para.splitlines() if x.strip()]
        if lines:
            paragraphs.append("\\\n".join(lines))
    return "\n\n".join(paragraphs)


def _md_escape(text: str) -> str:
    return _MD_INLINE.sub(r"\\\1", html.escape(text, quote=False))


def to_markdown(data: ExportData) -> str:
    m = md_inline
    lines = [
        "# AI audit findings report",
        "",
        f"Generated {data.generated_at} by {m(data.reviewer)}. "
        f"Decision log: {plural(data.chain_count, 'decision')}, "
        f"chain head `{data.chain_head}` (check with `reviewer log verify`).",
        "",
        f"This report lists {data.scope()}. Findings not approved by a reviewer are marked "
        "**DRAFT**.",
        "",
    ]
    if not data.findings:
        # Status values are checked names, the rest is our own wording: nothing to escape.
        return "\n".join([*lines, f"**{data.empty_note()}**"]) + "\n"
    lines += [
        "## Coverage",
        "",
        "| family | control | findings | conformant | partial | nonconformity | insufficient | reviewed | flagged |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in data.coverage:
        v = r["verdicts"]
        lines.append(
            f"| {m(r['family'])} | {m(r['control'])} | {r['n']} | {v['conformant']} | {v['partial']} | "
            f"{v['nonconformity']} | {v['insufficient_evidence']} | {r['reviewed_pct']}% | {r['flagged']} |"
        )
    current = None
    for f in data.findings:
        rec = finding_record(data, f)
        if rec["family"] != current:
            current = rec["family"]
            lines += ["", f"## {m(current)}", ""]
        mark = " — **DRAFT**" if rec["draft"] else ""
        lines += [
            f"### {m(f.question.id)}: {rec['verdict']}{mark}",
            "",
            f"**Question.** {m(f.question.text)}",
            "",
            f"**Controls.** {m(', '.join(rec['controls']) or 'ad-hoc')}  ",
            f"**Status.** {rec['status']} · confidence {f.confidence:.2f}"
            + (f" · flags: {m(', '.join(f.flags))}" if f.flags else ""),
            "",
            md_block(f.rationale),
            "",
        ]
        for c in rec["citations"]:
            lines.append(
                f"- [{m(c['label'])}] {m(c['file'])}{' p.' + str(c['page']) if c['page'] else ''}"
                f"{m(_section(c))} "
                f"(sha256 `{m(c['doc_sha256'][:16])}`): “{m(c['quote'])}”"
            )
        if rec["decision"]:
            lines += ["", f"*Decision:* {decision_text(rec, m)}"]
        lines.append("")
    return "\n".join(lines) + "\n"


_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #bbb;padding:.25rem .5rem}
.draft{background:#b00020;color:#fff;padding:0 .4rem;border-radius:.2rem;font-size:.8rem}
.v-conformant{color:#1b6e20}.v-partial{color:#8a5a00}.v-nonconformity{color:#b00020}
.v-insufficient_evidence{color:#555}blockquote{border-left:3px solid #bbb;margin:.3rem 0;padding-left:.6rem}
.meta{color:#555;font-size:.85rem}pre{white-space:pre-wrap;font-family:inherit}
"""


def to_html(data: ExportData) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>AI audit findings report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>AI audit findings report</h1>",
        f"<p class='meta'>Generated {e(data.generated_at)} by {e(data.reviewer)}. Decision log: "
        f"{plural(data.chain_count, 'decision')}, chain head <code>{e(data.chain_head)}</code>. "
        f"This report lists {e(data.scope())}. "
        "Findings not approved by a reviewer are marked DRAFT.</p>",
    ]
    if not data.findings:
        parts += [f"<p><b>{e(data.empty_note())}</b></p>", "</body></html>"]
        return "\n".join(parts)
    parts += [
        "<h2>Coverage</h2><table><tr><th>family</th><th>control</th><th>findings</th><th>conformant</th>"
        "<th>partial</th><th>nonconformity</th><th>insufficient</th><th>reviewed</th><th>flagged</th></tr>",
    ]
    for r in data.coverage:
        v = r["verdicts"]
        parts.append(
            f"<tr><td>{e(r['family'])}</td><td>{e(r['control'])}</td><td>{r['n']}</td><td>{v['conformant']}</td>"
            f"<td>{v['partial']}</td><td>{v['nonconformity']}</td><td>{v['insufficient_evidence']}</td>"
            f"<td>{r['reviewed_pct']}%</td><td>{r['flagged']}</td></tr>"
        )
    parts.append("</table>")
    current = None
    for f in data.findings:
        rec = finding_record(data, f)
        if rec["family"] != current:
            current = rec["family"]
            parts.append(f"<h2>{e(current)}</h2>")
        draft = " <span class='draft'>DRAFT</span>" if rec["draft"] else ""
        parts.append(
            f"<section><h3>{e(f.question.id)}: <span class='v-{rec['verdict']}'>{e(rec['verdict'])}</span>{draft}</h3>"
            f"<p><b>Question.</b> {e(f.question.text)}</p>"
            f"<p class='meta'>Controls: {e(', '.join(rec['controls']) or 'ad-hoc')} · status {e(rec['status'])} · "
            f"confidence {f.confidence:.2f}{' · flags: ' + e(', '.join(f.flags)) if f.flags else ''}</p>"
            f"<pre>{e(f.rationale)}</pre>"
        )
        for c in rec["citations"]:
            page = f" p.{c['page']}" if c["page"] else ""
            parts.append(
                f"<blockquote>[{e(c['label'])}] {e(c['file'])}{page}{e(_section(c))} "
                f"<span class='meta'>sha256 {e(c['doc_sha256'][:16])}</span><br>“{e(c['quote'])}”</blockquote>"
            )
        if rec["decision"]:
            parts.append(f"<p class='meta'>Decision: {decision_text(rec, e)}</p>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _append(sheet: Any, values: list[Any]) -> None:
    """Append a row whose text stays text: never a formula, no characters Excel refuses."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        keep_as_text(cell)


def to_xlsx_bytes(data: ExportData) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Findings"
    ws.append(CSV_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    red = PatternFill("solid", fgColor="F4CCCC")
    for f in data.findings:
        rec = finding_record(data, f)
        _append(ws, _flat(rec))
        if rec["draft"]:
            ws.cell(ws.max_row, CSV_COLUMNS.index("status") + 1).fill = red
    cov = wb.create_sheet("Coverage")
    cov.append(
        [
            "family",
            "control",
            "findings",
            "conformant",
            "partial",
            "nonconformity",
            "insufficient",
            "reviewed %",
            "flagged",
        ]
    )
    for r in data.coverage:
        v = r["verdicts"]
        _append(
            cov,
            [
                r["family"],
                r["control"],
                r["n"],
                v["conformant"],
                v["partial"],
                v["nonconformity"],
                v["insufficient_evidence"],
                r["reviewed_pct"],
                r["flagged"],
            ],
        )
    meta = wb.create_sheet("Log")
    meta.append(["generated_at", data.generated_at])
    meta.append(["decisions", data.chain_count])
    meta.append(["chain_head", data.chain_head])
    if data.status:
        _append(meta, ["status_filter", ", ".join(data.status)])
    if not data.findings:
        meta.append(["note", data.empty_note()])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(data: ExportData, fmt: str) -> bytes:
    if fmt == "md":
        return to_markdown(data).encode()
    if fmt == "html":
        return to_html(data).encode()
    if fmt == "json":
        return to_json(data).encode()
    if fmt == "csv":
        return to_csv(data).encode()
    if fmt == "xlsx":
        return to_xlsx_bytes(data)
    raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def safe_output(out: Path, protected: list[Path]) -> Path:
    """Resolve symlinks and '..'; refuse to overwrite the workspace's own files."""
    target = out.expanduser().resolve()
    for p in protected:
        rp = p.resolve()
        if target == rp or rp in target.parents:
            raise ExportError(f"{out}: refusing to write inside or over {p}")
    if target.is_dir():
        raise ExportError(f"{out}: is a directory; give a file name")
    return target


def export(ws: Workspace, fmt: str, out: Path, status: list[str] | None = None) -> tuple[Path, int]:
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    # Never over the workspace, nor over an evidence file that was ingested (symlinks resolved).
    target = safe_output(out, [ws.root, *(Path(d.source_path) for d in ws.documents())])
    data = collect(ws, status)
    atomic_write(target, render(data, fmt))
    return target, len(data.findings)
