"""Deterministic synthetic evidence corpus for the benchmarks: policies, model cards, vendor papers.

`generate(out_dir, pages, seed)` writes about a third of the pages each as PDF (reportlab,
invariant=1), DOCX (python-docx, fixed core properties and zip timestamps) and Markdown, every
page holding 400-500 words of templated prose, headings, bullet lists, small tables, numbers and
control ids. The same (pages, seed) gives byte-identical files; a hidden `.manifest.json` (skipped
by ingest, which ignores dot files) lists the files with their page and word counts.

    python -m evals.bench.corpus OUT_DIR --pages 100 --seed 7
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

MANIFEST = ".manifest.json"
FORMATS = ("pdf", "docx", "md")
FIXED_TIME = datetime(2025, 1, 1, 9, 0, 0)
FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)
WORDS_PER_PAGE = (400, 500)
PAGES_PER_DOC = (3, 14)

# -- vocabulary ------------------------------------------------------------------------------

ORGS = [
    "Halvorsen Mutual",
    "Bracken & Tide Insurance",
    "Oriel Logistics",
    "Kestrel Health Trust",
    "Vantor Retail Group",
    "Lumenfield Bank",
    "Corrin Energy",
    "Ashgrove Municipal Services",
]
VENDORS = [
    "Meridel AI",
    "Tessaloom",
    "Quillfeather Labs",
    "Northbeam Analytics",
    "Parvel Cloud",
    "Sablewind Data",
    "Ondrix Systems",
    "Greyline Vision",
]
SYSTEMS = [
    "claims triage classifier",
    "document reader",
    "fraud signal model",
    "customer assistant",
    "churn forecaster",
    "invoice matcher",
    "call summariser",
    "underwriting scorer",
    "route optimiser",
    "identity verifier",
]
ROLES = [
    "the Chief Information Security Officer",
    "the AI Governance Board",
    "the model owner",
    "the data protection officer",
    "the head of platform engineering",
    "the system owner",
    "the vendor management office",
    "internal audit",
    "the ML operations lead",
    "the information asset owner",
    "the change advisory board",
    "the risk committee",
]
ASSETS = [
    "training data sets",
    "validation data",
    "model weights",
    "feature stores",
    "inference logs",
    "prompt templates",
    "evaluation reports",
    "labelled samples",
    "embedding indexes",
    "fine-tuning checkpoints",
    "model outputs",
    "data lineage records",
]
DATA = [
    "personal data",
    "claims histories",
    "payment card data",
    "health records",
    "customer correspondence",
    "telemetry",
    "pseudonymised identifiers",
    "contract text",
    "call transcripts",
    "geolocation traces",
]
FREQS = [
    "quarterly",
    "monthly",
    "annually",
    "every six months",
    "before each release",
    "weekly",
    "after every significant change",
    "at least once a year",
]
ACTIONS = [
    "reviews",
    "approves",
    "records",
    "monitors",
    "tests",
    "classifies",
    "retains",
    "encrypts",
    "documents",
    "escalates",
    "validates",
    "restricts access to",
]
CLASSES = ["Public", "Internal", "Confidential", "Restricted"]
REGIONS = [
    "the European Economic Area",
    "the United Kingdom",
    "Ireland",
    "Germany",
    "the Netherlands",
    "Canada",
    "Switzerland",
]
METRICS = [
    "precision",
    "recall",
    "F1 score",
    "false positive rate",
    "AUC",
    "calibration error",
    "accuracy",
    "mean absolute error",
    "demographic parity gap",
    "latency p95",
]
DATASETS = [
    "holdout 2024-Q4",
    "claims sample B",
    "synthetic stress set",
    "fairness panel",
    "adversarial suite v3",
    "regional validation split",
    "drift window 2025-03",
]
THREATS = [
    "model evasion",
    "data poisoning",
    "membership inference",
    "model extraction",
    "prompt injection",
    "training data leakage",
    "supply chain tampering",
    "denial of service through oversized inputs",
]
CONTROLS_27001 = [
    "A.5.9",
    "A.5.10",
    "A.5.12",
    "A.5.13",
    "A.5.19",
    "A.5.20",
    "A.5.21",
    "A.5.22",
    "A.5.23",
    "A.5.34",
    "A.8.8",
    "A.8.9",
    "A.8.11",
    "A.8.12",
    "A.8.24",
    "A.8.25",
    "A.8.26",
    "A.8.28",
    "A.8.29",
    "A.8.32",
]
CONTROLS_42001 = [
    "A.2.2",
    "A.3.2",
    "A.4.2",
    "A.4.3",
    "A.5.2",
    "A.5.4",
    "A.6.1.2",
    "A.6.2.4",
    "A.6.2.6",
    "A.7.2",
    "A.7.4",
    "A.7.5",
    "A.8.2",
    "A.9.2",
    "A.10.3",
]
TOOLS = [
    "the model registry",
    "the ticketing system",
    "the GRC platform",
    "the data catalogue",
    "the CI pipeline",
    "the secrets vault",
    "the SIEM",
    "the experiment tracker",
]

TEMPLATES: dict[str, list[str]] = {
    "policy": [
        "{Role} {action} the classification of {asset} {freq} and records the result in {tool}.",
        "All {asset} that contain {data} are classified as {cls} and stored only in {region}.",
        "Access to {asset} is granted on a least-privilege basis and revoked within {days} days of a role change.",
        "This policy implements ISO/IEC 27001:2022 control {c27} and ISO/IEC 42001:2023 control {c42}.",
        "Exceptions to this policy require written approval from {role} and expire after {days} days.",
        "Backups of {asset} are encrypted with AES-256 and tested {freq}.",
        "Before a model enters production, {role} confirms that the risk assessment for {threat} is complete.",
        "Retention of {asset} is limited to {months} months unless a legal hold applies.",
        "Breaches of this policy are reported to {role} within {hours} hours of discovery.",
        "The {system} may not be trained on {data} without a documented lawful basis.",
        "Changes to {asset} follow the change procedure and are logged in {tool}.",
        "Every {asset} entry in the inventory names an owner, a classification and a retention period.",
    ],
    "model-card": [
        "The {system} reached a {metric} of {score} on the {dataset} evaluation set.",
        "It is intended for use by claims handlers at {org} and is not suitable for automated final decisions.",
        "Training used {count} records of {data} collected between {year} and {year2}.",
        "Performance drops to a {metric} of {score2} for records from {region}, which are under-represented.",
        "The model was tested against {threat}; {pct}% of adversarial inputs were detected.",
        "Human reviewers check every output with a confidence below {thr}.",
        "The model card is reviewed {freq} by {role}, and version {ver} replaces version {ver0}.",
        "Known limitations include sensitivity to scanned documents and to text longer than {tokens} tokens.",
        "Outputs are logged for {days} days to support incident investigation and drift monitoring.",
        "Fairness was measured across age bands; the largest gap in {metric} was {gap} points.",
        "The {system} must not be used to profile individuals or to infer protected characteristics.",
        "Monitoring raises an alert when the input distribution shifts by more than {pct}% from the baseline.",
    ],
    "vendor": [
        "{Vendor} processes {data} on behalf of {org} only on documented instructions.",
        "Customer data is not used to train or improve {vendor} models unless the customer opts in.",
        "Sub-processors are listed in Annex {annex} and customers receive {days} days' notice of changes.",
        "{Vendor} holds an ISO/IEC 27001 certificate, last audited in {year}, covering control {c27}.",
        "Security incidents affecting customer data are notified within {hours} hours.",
        "Data is hosted in {region}; transfers elsewhere rely on standard contractual clauses.",
        "Penetration tests are run {freq} by an independent firm and findings are fixed within {days} days.",
        "The service offers single sign-on, role-based access and audit logs retained for {months} months.",
        "{Vendor} maintains an AI risk register aligned with ISO/IEC 42001:2023 control {c42}.",
        "On termination, customer data is deleted within {days} days and a certificate of deletion is issued.",
        "Model updates are announced {days} days in advance together with evaluation results for {metric}.",
        "The SOC 2 Type II report covers the period ending {month} {year} with {count2} exceptions noted.",
    ],
}
HEADINGS: dict[str, list[str]] = {
    "policy": [
        "Purpose",
        "Scope",
        "Roles and responsibilities",
        "Classification of AI assets",
        "Access control",
        "Retention and disposal",
        "Exceptions",
        "Monitoring and review",
        "Related controls",
        "Supplier requirements",
        "Incident reporting",
        "Definitions",
    ],
    "model-card": [
        "Model details",
        "Intended use",
        "Out-of-scope uses",
        "Training data",
        "Evaluation",
        "Fairness analysis",
        "Limitations",
        "Security testing",
        "Monitoring",
        "Human oversight",
        "Version history",
        "Contact",
    ],
    "vendor": [
        "Service description",
        "Data processing",
        "Sub-processors",
        "Security measures",
        "Certifications",
        "Incident management",
        "Data location",
        "Model training",
        "Termination",
        "Audit rights",
        "Service levels",
        "Annexes",
    ],
}
TITLES = {
    "policy": [
        "AI Data Classification Policy",
        "Machine Learning Access Control Standard",
        "Model Risk Management Policy",
        "AI Supplier Security Policy",
        "Secure ML Development Standard",
        "Information Retention Policy",
    ],
    "model-card": ["Model Card", "Model Fact Sheet", "System Card"],
    "vendor": [
        "Data Processing Agreement",
        "Security Whitepaper",
        "Service Terms",
        "Sub-processor Notice",
        "SOC 2 Bridge Letter",
    ],
}
TABLE_HEADS = {
    "policy": ["Control", "Owner", "Frequency"],
    "model-card": ["Metric", "Data set", "Value"],
    "vendor": ["Sub-processor", "Location", "Purpose"],
}
KINDS = ("policy", "model-card", "vendor")


# -- document model ----------------------------------------------------------------------------


@dataclass
class Block:
    """One block of a page: a heading (h1/h2), paragraph, list item or table."""

    kind: str
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)

    def words(self) -> int:
        if self.kind == "table":
            return sum(len(c.split()) for r in self.rows for c in r)
        return len(self.text.split())


@dataclass
class DocSpec:
    name: str
    kind: str
    fmt: str
    title: str
    org: str
    pages: list[list[Block]]

    def words(self) -> int:
        return sum(b.words() for page in self.pages for b in page)


class _Writer:
    """Fills templates for one document; all randomness comes from one seeded Random."""

    def __init__(self, rng: random.Random, kind: str, org: str, system: str, vendor: str):
        self.rng, self.kind, self.org, self.system, self.vendor = rng, kind, org, system, vendor

    def _slots(self) -> dict[str, str]:
        r = self.rng
        year = r.randint(2019, 2024)
        ver = r.randint(2, 9)
        role = r.choice(ROLES)
        return {
            "role": role,
            "Role": role[0].upper() + role[1:],
            "action": r.choice(ACTIONS),
            "asset": r.choice(ASSETS),
            "freq": r.choice(FREQS),
            "tool": r.choice(TOOLS),
            "data": r.choice(DATA),
            "cls": r.choice(CLASSES),
            "region": r.choice(REGIONS),
            "days": str(r.choice([5, 7, 10, 14, 30, 45, 60, 90])),
            "hours": str(r.choice([24, 48, 72])),
            "months": str(r.choice([6, 12, 18, 24, 36, 84])),
            "c27": r.choice(CONTROLS_27001),
            "c42": r.choice(CONTROLS_42001),
            "threat": r.choice(THREATS),
            "system": self.system,
            "org": self.org,
            "vendor": self.vendor,
            "Vendor": self.vendor,
            "metric": r.choice(METRICS),
            "dataset": r.choice(DATASETS),
            "score": f"{r.uniform(0.71, 0.97):.3f}",
            "score2": f"{r.uniform(0.55, 0.80):.3f}",
            "count": f"{r.randint(20, 900) * 1000:,}",
            "count2": str(r.randint(0, 4)),
            "year": str(year),
            "year2": str(year + r.randint(1, 3)),
            "pct": str(r.randint(2, 98)),
            "thr": f"{r.uniform(0.5, 0.9):.2f}",
            "ver": f"{ver}.{r.randint(0, 9)}",
            "ver0": f"{ver - 1}.{r.randint(0, 9)}",
            "tokens": str(r.choice([512, 1024, 2048, 4096])),
            "gap": f"{r.uniform(0.5, 9.5):.1f}",
            "annex": r.choice("ABCD"),
            "month": r.choice(["March", "June", "September", "December"]),
        }

    def sentence(self) -> str:
        return self.rng.choice(TEMPLATES[self.kind]).format(**self._slots())

    def paragraph(self) -> Block:
        return Block("p", " ".join(self.sentence() for _ in range(self.rng.randint(3, 6))))

    def list_items(self) -> list[Block]:
        return [Block("li", self.sentence()) for _ in range(self.rng.randint(3, 5))]

    def table(self) -> Block:
        r = self.rng
        rows = [list(TABLE_HEADS[self.kind])]
        for _ in range(r.randint(3, 5)):
            s = self._slots()
            if self.kind == "policy":
                rows.append([f"{s['c27']} / 42001 {s['c42']}", s["role"], s["freq"]])
            elif self.kind == "model-card":
                rows.append([s["metric"], s["dataset"], s["score"]])
            else:
                rows.append([r.choice(VENDORS) + " Ltd", s["region"], r.choice(ASSETS)])
        return Block("table", rows=rows)


def _page(w: _Writer, first: bool, title: str, heading_no: int) -> list[Block]:
    r = w.rng
    target = r.randint(*WORDS_PER_PAGE)
    blocks: list[Block] = []
    if first:
        blocks.append(Block("h1", title))
        blocks.append(
            Block(
                "p",
                f"Owner: {r.choice(ROLES)}. Version {r.randint(1, 6)}.{r.randint(0, 9)}, "
                f"effective {r.randint(1, 28)} {r.choice(['January', 'April', 'July', 'October'])} "
                f"{r.randint(2022, 2025)}. Classification: {r.choice(CLASSES[1:])}.",
            )
        )
    heads = HEADINGS[w.kind]
    blocks.append(Block("h2", f"{heading_no}. {heads[(heading_no - 1) % len(heads)]}"))
    words = sum(b.words() for b in blocks)
    had_table = False
    while words < target:
        roll = r.random()
        if roll < 0.15 and not had_table:
            new = [w.table()]
            had_table = True
        elif roll < 0.40:
            new = w.list_items()
        else:
            new = [w.paragraph()]
        for b in new:
            if words >= target and b.kind == "li":
                break  # stop a list rather than overshoot the page
            blocks.append(b)
            words += b.words()
    return blocks


def plan(pages: int, seed: int) -> list[DocSpec]:
    """The documents to write for `pages` pages, balanced across formats by page count."""
    rng = random.Random(seed)
    docs: list[DocSpec] = []
    per_format = dict.fromkeys(FORMATS, 0)
    remaining = pages
    n = 0
    while remaining > 0:
        size = min(remaining, rng.randint(*PAGES_PER_DOC))
        fmt = min(FORMATS, key=lambda f: (per_format[f], FORMATS.index(f)))
        kind = KINDS[n % len(KINDS)]
        org, vendor, system = rng.choice(ORGS), rng.choice(VENDORS), rng.choice(SYSTEMS)
        if kind == "model-card":
            title = f"{system.title()} {rng.choice(TITLES[kind])}"
        elif kind == "vendor":
            title = f"{vendor} {rng.choice(TITLES[kind])}"
        else:
            title = f"{org} {rng.choice(TITLES[kind])}"
        w = _Writer(random.Random(rng.getrandbits(64)), kind, org, system, vendor)
        body = [_page(w, i == 0, title, i + 1) for i in range(size)]
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        docs.append(DocSpec(f"{n:04d}-{kind}-{slug}.{fmt}", kind, fmt, title, org, body))
        per_format[fmt] += size
        remaining -= size
        n += 1
    return docs


# -- writers -----------------------------------------------------------------------------------


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_pdf(doc: DocSpec, out: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    sheet = getSampleStyleSheet()
    body = ParagraphStyle(
        "b", parent=sheet["BodyText"], fontName="Helvetica", fontSize=9, leading=11.5, spaceAfter=4
    )
    bullet = ParagraphStyle("li", parent=body, leftIndent=12, bulletIndent=2, spaceAfter=1)
    cell = ParagraphStyle("td", parent=body, fontSize=8, leading=10, spaceAfter=0)
    styles = {
        "h1": ParagraphStyle("h1", parent=sheet["Heading1"], fontSize=15, leading=18),
        "h2": ParagraphStyle("h2", parent=sheet["Heading2"], fontSize=11.5, leading=14),
    }

    def footer(canvas: Any, pdf: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(18 * mm, 9 * mm, f"{doc.org} - {doc.title}")
        canvas.drawRightString(A4[0] - 18 * mm, 9 * mm, f"Page {pdf.page}")
        canvas.restoreState()

    story: list[Any] = []
    for i, page in enumerate(doc.pages):
        if i:
            story.append(PageBreak())
        for b in page:
            if b.kind in styles:
                story.append(Paragraph(_xml(b.text), styles[b.kind]))
            elif b.kind == "p":
                story.append(Paragraph(_xml(b.text), body))
            elif b.kind == "li":
                story.append(Paragraph(_xml(b.text), bullet, bulletText="\u2022"))
            elif b.kind == "table":
                data = [[Paragraph(_xml(c), cell) for c in row] for row in b.rows]
                t = Table(data, colWidths=[55 * mm, 60 * mm, 55 * mm], repeatRows=1)
                t.setStyle(
                    TableStyle(
                        [
                            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                            ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ]
                    )
                )
                story.append(t)
    pdf = SimpleDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=doc.title,
        author=doc.org,
        creator="reviewer bench corpus",
        invariant=1,
    )
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry timestamps so its bytes do not depend on the clock."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return buf.getvalue()


def write_docx(doc: DocSpec, out: Path) -> None:
    import docx

    d = docx.Document()
    for i, page in enumerate(doc.pages):
        if i:
            d.add_page_break()
        for b in page:
            if b.kind in ("h1", "h2"):
                d.add_heading(b.text, level=int(b.kind[1]))
            elif b.kind == "p":
                d.add_paragraph(b.text)
            elif b.kind == "li":
                d.add_paragraph(b.text, style="List Bullet")
            elif b.kind == "table":
                t = d.add_table(rows=0, cols=len(b.rows[0]))
                t.style = "Table Grid"
                for row in b.rows:
                    for c, text in zip(t.add_row().cells, row, strict=True):
                        c.text = text
    cp = d.core_properties
    cp.author = cp.last_modified_by = doc.org
    cp.title = doc.title
    cp.subject = cp.keywords = cp.comments = ""
    cp.revision = 1
    cp.created = cp.modified = cp.last_printed = FIXED_TIME
    buf = io.BytesIO()
    d.save(buf)
    out.write_bytes(_normalise_zip(buf.getvalue()))


def to_markdown(doc: DocSpec) -> str:
    lines: list[str] = []
    if doc.kind == "model-card":
        lines += [
            "---",
            f"model_name: {doc.title}",
            f"owner: {doc.org}",
            "license: internal",
            "---",
            "",
        ]
    for i, page in enumerate(doc.pages):
        if i:
            lines += ["", "---", ""]  # a thematic break where the other formats break the page
        for b in page:
            if b.kind == "h1":
                lines += [f"# {b.text}", ""]
            elif b.kind == "h2":
                lines += [f"## {b.text}", ""]
            elif b.kind == "p":
                lines += [b.text, ""]
            elif b.kind == "li":
                lines.append(f"- {b.text}")
            elif b.kind == "table":
                if lines and lines[-1].startswith("- "):
                    lines.append("")
                head, *rows = b.rows
                lines.append("| " + " | ".join(head) + " |")
                lines.append("|" + "---|" * len(head))
                lines += ["| " + " | ".join(r) + " |" for r in rows]
                lines.append("")
        if lines and lines[-1].startswith("- "):
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_markdown(doc: DocSpec, out: Path) -> None:
    out.write_bytes(to_markdown(doc).encode("utf-8"))


WRITERS = {"pdf": write_pdf, "docx": write_docx, "md": write_markdown}


def generate(out_dir: str | Path, pages: int, seed: int) -> dict[str, Any]:
    """Write the corpus for (pages, seed) into out_dir; returns (and saves) its manifest."""
    if pages < 1:
        raise ValueError("pages must be at least 1")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    docs = plan(pages, seed)
    files: list[dict[str, Any]] = []
    for doc in docs:
        WRITERS[doc.fmt](doc, out / doc.name)
        files.append(
            {
                "name": doc.name,
                "format": doc.fmt,
                "kind": doc.kind,
                "pages": len(doc.pages),
                "words": doc.words(),
            }
        )
    manifest: dict[str, Any] = {
        "pages": pages,
        "seed": seed,
        "words": sum(f["words"] for f in files),
        "pages_by_format": {f: sum(x["pages"] for x in files if x["format"] == f) for f in FORMATS},
        "files": files,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def read_manifest(corpus_dir: str | Path) -> dict[str, Any]:
    return dict(json.loads((Path(corpus_dir) / MANIFEST).read_text(encoding="utf-8")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    m = generate(args.out_dir, args.pages, args.seed)
    print(json.dumps({k: v for k, v in m.items() if k != "files"} | {"files": len(m["files"])}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
