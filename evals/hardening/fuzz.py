"""Mutation fuzzing of the loaders: every bad file must end in one IngestError/BatchError line.

Seeds are real files (built with tests/fixtures/builders.py, openpyxl and the demo corpus);
a seeded mutator truncates, flips, splices and rezips them, and a fixed list of hostile files
(zip bombs, deep XML, huge lines, broken or cyclic PDFs...) is always included. Each case runs in
a worker process with a hard timeout, so a hang is counted, not waited for.

python -m evals.hardening.fuzz --cases 300 --seed 1
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import multiprocessing as mp
import random
import resource
import tempfile
import threading
import time
import traceback
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from evals.hardening.common import ROOT

FORMATS = ("pdf", "docx", "xlsx", "csv", "md", "html")
INNER_TIMEOUT_S = 20.0  # the loaders' own parse_timeout_s
OUTER_TIMEOUT_S = 60.0  # past this a case is a hang (the worker is killed)
WORKER_MEMORY_BYTES = 3 * 1024**3  # a memory bomb must fail as MemoryError, not take the box


@dataclass
class CaseResult:
    case: str
    kind: str
    outcome: str  # ok | rejected | crash | bad_message | hang
    detail: str = ""
    seconds: float = 0.0


@dataclass
class FuzzSummary:
    cases: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: list[CaseResult] = field(default_factory=list)
    batch_reader: bool = False
    hostile: dict[str, str] = field(default_factory=dict)  # "name.kind" -> outcome
    seconds: float = 0.0

    @property
    def crashes(self) -> int:
        return self.outcomes.get("crash", 0)

    @property
    def hangs(self) -> int:
        return self.outcomes.get("hang", 0)

    @property
    def bad_messages(self) -> int:
        return self.outcomes.get("bad_message", 0)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(crashes=self.crashes, hangs=self.hangs, bad_messages=self.bad_messages)
        return data


# -- seeds --------------------------------------------------------------------------------------


def _xlsx_seed() -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Questions"
    ws.append(["ID", "Question", "Answer", "Comments"])
    ws.append(["1", "Do you classify the data used to train your models?", "", ""])
    ws.append(["2", "Are third-party AI services assessed before use?", "", ""])
    ws.append(["3", "Is model versioning enforced for production models?", "", ""])
    dv = DataValidation(type="list", formula1='"Yes,No,Partial"')
    ws.add_data_validation(dv)
    dv.add("C2:C4")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def build_seeds(workdir: Path) -> dict[str, list[bytes]]:
    """Real seed files per format."""
    from tests.fixtures import builders as b

    workdir.mkdir(parents=True, exist_ok=True)
    demo = ROOT / "corpora" / "demo"
    qdir = ROOT / "corpora" / "questionnaires"
    seeds: dict[str, list[bytes]] = {
        "pdf": [
            b.build_pdf(
                workdir / "s1.pdf", b.POLICY_PAGES, header="Internal", title="Policy"
            ).read_bytes(),
            (demo / "vendor-meridel-ai-dpa.pdf").read_bytes(),
        ],
        "docx": [
            b.build_docx(workdir / "s1.docx", b.DOCX_BLOCKS, title="Standard").read_bytes(),
            (demo / "policy-supplier-security.docx").read_bytes(),
        ],
        "xlsx": [_xlsx_seed(), (qdir / "ai-vendor-assessment.xlsx").read_bytes()],
        "csv": [(qdir / "ai-security-questions.csv").read_bytes()],
        "md": [
            b.build_markdown(
                workdir / "s1.md", b.MODEL_CARD_BODY, b.MODEL_CARD_FRONT_MATTER
            ).read_bytes(),
            (demo / "model-card-docreader.md").read_bytes(),
        ],
        "html": [b.HTML_PAGE.encode(), (demo / "policy-ai-acceptable-use.html").read_bytes()],
    }
    return seeds


# -- hostile files --------------------------------------------------------------------------------


def _rezip(data: bytes, replace: dict[str, bytes], extra: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, payload in (extra or {}).items():
            dst.writestr(name, payload)
    return out.getvalue()


def _pdf(objects: list[str], root: int = 1, xref_ok: bool = True, trailer_extra: str = "") -> bytes:
    """A hand-made PDF from object bodies (numbered from 1) with a correct (or broken) xref."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{(off if xref_ok else off + 7):010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R {trailer_extra}>>\n"
        f"startxref\n{xref if xref_ok else xref + 13}\n%%EOF\n"
    ).encode()
    return bytes(out)


_STREAM = "<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 712 Td (Policy text) Tj ET\nendstream"
_FONT = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _page(parent: int, contents: int = 4, font: int = 5) -> str:
    return (
        f"<< /Type /Page /Parent {parent} 0 R /MediaBox [0 0 612 792] /Contents {contents} 0 R "
        f"/Resources << /Font << /F1 {font} 0 R >> >> >>"
    )


def hostile_cases(seeds: dict[str, list[bytes]]) -> list[tuple[str, str, bytes]]:
    """(name, kind, bytes) for inputs built to hurt a parser."""
    docx, xlsx = seeds["docx"][0], seeds["xlsx"][0]
    cases: list[tuple[str, str, bytes]] = []

    # zip bombs: a declared-size lie, and a member that really inflates past the limit
    from tests.fixtures import builders as b

    with tempfile.TemporaryDirectory() as tmp:
        cases.append(
            ("zipbomb-declared", "docx", b.build_zip_bomb_docx(Path(tmp) / "a.docx").read_bytes())
        )
    zeros = b"\x00" * (260 * 1024 * 1024)
    cases.append(("zipbomb-real", "docx", _rezip(docx, {}, {"word/media/pad.bin": zeros})))
    cases.append(("zipbomb-real", "xlsx", _rezip(xlsx, {}, {"xl/media/pad.bin": zeros})))
    del zeros
    sheet_bomb = b"<worksheet>" + b" " * (250 * 1024 * 1024) + b"</worksheet>"
    cases.append(("zipbomb-sheet", "xlsx", _rezip(xlsx, {"xl/worksheets/sheet1.xml": sheet_bomb})))
    del sheet_bomb

    # deeply nested XML and entity expansion inside the parts the loaders parse
    w_ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    depth = 200_000
    deep = (
        f'<?xml version="1.0"?><w:document {w_ns}><w:body>'.encode()
        + b"<w:p>" * depth
        + b"</w:p>" * depth
        + b"</w:body></w:document>"
    )
    cases.append(("nested-xml", "docx", _rezip(docx, {"word/document.xml": deep})))
    tbl = b"<w:tbl><w:tr><w:tc>" * 5000 + b"<w:p/>" + b"</w:tc></w:tr></w:tbl>" * 5000
    deep_tbl = (
        f'<?xml version="1.0"?><w:document {w_ns}><w:body>'.encode()
        + tbl
        + b"</w:body></w:document>"
    )
    cases.append(("nested-tables", "docx", _rezip(docx, {"word/document.xml": deep_tbl})))
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
            for i in range(1, 10)
        )
        + f"]><w:document {w_ns}><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    cases.append(("billion-laughs", "docx", _rezip(docx, {"word/document.xml": laughs})))
    s_ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    deep_sheet = (
        f'<?xml version="1.0"?><worksheet {s_ns}><sheetData>'.encode()
        + b"<row>" * depth
        + b"</row>" * depth
        + b"</sheetData></worksheet>"
    )
    cases.append(("nested-xml", "xlsx", _rezip(xlsx, {"xl/worksheets/sheet1.xml": deep_sheet})))
    laughs_x = laughs.replace(b"w:document", b"worksheet").replace(w_ns.encode(), s_ns.encode())
    cases.append(("billion-laughs", "xlsx", _rezip(xlsx, {"xl/worksheets/sheet1.xml": laughs_x})))
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>q</t></is></c></row>' % (r, r)
        for r in range(1, 3)
    )
    wide = (
        f'<?xml version="1.0"?><worksheet {s_ns}><dimension ref="A1:XFD1048576"/><sheetData>'.encode()
        + rows
        + b"</sheetData></worksheet>"
    )
    cases.append(("huge-dimension", "xlsx", _rezip(xlsx, {"xl/worksheets/sheet1.xml": wide})))

    # huge single lines, invalid UTF-8, NUL bytes
    line = b"training data classification " * (20 * 1024 * 1024 // 29)
    cases.append(("huge-line", "md", b"# Title\n\n" + line + b"\n"))
    cases.append(("huge-line", "html", b"<html><body><p>" + line + b"</p></body></html>"))
    cases.append(("huge-line", "csv", b"Question,Answer\n" + line.replace(b" ", b"_") + b",\n"))
    bad_utf8 = b"# Model card\n\nThe model \xff\xfe\xc3\x28 uses \xed\xa0\x80 data.\n" * 50
    cases.append(("invalid-utf8", "md", bad_utf8))
    cases.append(("invalid-utf8", "html", b"<p>" + bad_utf8 + b"</p>"))
    cases.append(("invalid-utf8", "csv", b"Question,Answer\n" + bad_utf8.replace(b"\n", b",\n")))
    nul = b"# Policy\n\nData\x00 is\x00 classified.\n" * 20
    cases.append(("nul-bytes", "md", nul))
    cases.append(("nul-bytes", "html", b"<p>" + nul + b"</p>"))
    cases.append(("nul-bytes", "csv", b"Question,Answer\nIs data\x00 classified?,\n" * 20))

    # PDFs: broken xref, cycles in the page tree, reference loops, deep nesting
    ok_objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        _page(2),
        _STREAM,
        _FONT,
    ]
    cases.append(("broken-xref", "pdf", _pdf(ok_objs, xref_ok=False)))
    no_xref = _pdf(ok_objs).split(b"xref\n")[0] + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    cases.append(("missing-xref", "pdf", no_xref))
    kids_loop = list(ok_objs)
    kids_loop[1] = "<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>"
    cases.append(("kids-self-loop", "pdf", _pdf(kids_loop)))
    two_node = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [6 0 R] /Count 1 >>",
        _page(6),
        _STREAM,
        _FONT,
        "<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>",
    ]
    cases.append(("kids-two-node-loop", "pdf", _pdf(two_node)))
    parent_loop = list(ok_objs)
    parent_loop[2] = _page(3)  # the page is its own parent
    cases.append(("parent-self-loop", "pdf", _pdf(parent_loop)))
    ref_loop = list(ok_objs) + ["7 0 R", "6 0 R"]
    ref_loop[2] = _page(2, contents=6)
    cases.append(("reference-loop", "pdf", _pdf(ref_loop)))
    resources_loop = list(ok_objs) + ["<< /Font << /F1 5 0 R >> /Parent 6 0 R /XObject 6 0 R >>"]
    resources_loop[2] = (
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources 6 0 R >>"
    )
    cases.append(("resources-loop", "pdf", _pdf(resources_loop)))
    deep_arr = list(ok_objs)
    deep_arr[2] = _page(2)[:-2] + " /Junk " + "[" * 100_000 + "]" * 100_000 + " >>"
    cases.append(("deep-array", "pdf", _pdf(deep_arr)))
    huge_count = list(ok_objs)
    huge_count[1] = "<< /Type /Pages /Kids [3 0 R] /Count 999999999 >>"
    cases.append(("huge-count", "pdf", _pdf(huge_count)))
    xobj = list(ok_objs) + [
        "<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /X1 6 0 R >> >> "
        "/Length 8 >>\nstream\n/X1 Do  \nendstream"
    ]
    xobj[2] = (
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >> >>"
    )
    xobj[3] = "<< /Length 8 >>\nstream\n/X1 Do  \nendstream"
    cases.append(("xobject-self-loop", "pdf", _pdf(xobj)))
    outline_loop = list(ok_objs) + [
        "<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
        "<< /Title (A) /Parent 6 0 R /Next 7 0 R /Prev 7 0 R >>",
    ]
    outline_loop[0] = "<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R >>"
    cases.append(("outline-loop", "pdf", _pdf(outline_loop)))

    # random bytes and wrong content under every extension
    rng = random.Random(20240501)
    for kind in FORMATS:
        cases.append(("random-bytes", kind, rng.randbytes(4096)))
        cases.append(("empty", kind, b""))
    cases.append(("png-as-pdf", "pdf", b.PNG_BYTES))
    cases.append(("xlsx-as-docx", "docx", xlsx))
    cases.append(("docx-as-xlsx", "xlsx", docx))
    cases.append(("pdf-as-md", "md", seeds["pdf"][0]))
    return cases


# -- mutation -----------------------------------------------------------------------------------


def _flip(data: bytearray, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 16)):
        i = rng.randrange(len(data))
        data[i] = rng.randrange(256)


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """One or more random edits of raw bytes."""
    if not data:
        return rng.randbytes(rng.randint(1, 512))
    buf = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        if not buf:
            break
        op = rng.choice(("truncate", "flip", "insert", "delete", "duplicate", "zero", "magic"))
        i = rng.randrange(len(buf))
        if op == "truncate":
            del buf[rng.randrange(max(1, len(buf))) :]
        elif op == "flip":
            _flip(buf, rng)
        elif op == "insert":
            buf[i:i] = rng.choice(
                [
                    rng.randbytes(rng.randint(1, 64)),
                    b"\x00" * rng.randint(1, 64),
                    b"\xff\xfe\xed\xa0\x80",
                    b"<" * 50,
                    b"[" * 500,
                    b"<<" * 200,
                    b"\n" * 100,
                    b'"' * 20,
                    b"&amp;&#0;&#xD800;",
                ]
            )
        elif op == "delete":
            del buf[i : i + rng.randint(1, 256)]
        elif op == "duplicate":
            j = min(len(buf), i + rng.randint(1, 1024))
            buf[j:j] = buf[i:j] * rng.randint(1, 8)
        elif op == "zero":
            buf[i : i + rng.randint(1, 128)] = b"\x00" * len(buf[i : i + rng.randint(1, 128)])
        else:  # a keyword a parser reacts to
            buf[i:i] = rng.choice(
                [b"obj", b"endobj", b"stream", b"xref", b"trailer", b"R ", b"%%EOF", b"PK\x03\x04"]
            )
    return bytes(buf)


def mutate_zip_member(data: bytes, rng: random.Random) -> bytes:
    """Rezip with one XML member mutated, so the damage gets past the zip layer."""
    try:
        src = zipfile.ZipFile(io.BytesIO(data))
        names = [n for n in src.namelist() if n.endswith((".xml", ".rels"))]
    except zipfile.BadZipFile:
        return mutate_bytes(data, rng)
    if not names:
        return mutate_bytes(data, rng)
    target = rng.choice(names)
    return _rezip(data, {target: mutate_bytes(src.read(target), rng)})


def make_case(index: int, seed: int, seeds: dict[str, list[bytes]]) -> tuple[str, str, bytes]:
    """Case `index` of run `seed`: (name, kind, bytes), deterministic."""
    rng = random.Random(seed * 1_000_003 + index)
    kind = FORMATS[index % len(FORMATS)]
    base = rng.choice(seeds[kind])
    if kind in ("docx", "xlsx") and rng.random() < 0.6:
        return f"mut{index:05d}", kind, mutate_zip_member(base, rng)
    if rng.random() < 0.05:
        other = rng.choice(seeds[rng.choice(FORMATS)])
        cut = rng.randrange(len(base))
        return f"mut{index:05d}", kind, base[:cut] + other[rng.randrange(len(other)) :]
    return f"mut{index:05d}", kind, mutate_bytes(base, rng)


# -- running --------------------------------------------------------------------------------------


def batch_reader_available() -> bool:
    try:
        from reviewer.batch.reader import read_questionnaire  # noqa: F401
    except ImportError:
        return False
    return True


def check_file(path: Path, kind: str) -> tuple[str, str]:
    """Load one file the way the product does; (outcome, detail)."""
    from reviewer.config import IngestSettings
    from reviewer.ingest.base import IngestError

    expected: tuple[type[BaseException], ...] = (IngestError,)
    try:
        if kind in ("xlsx", "csv"):
            from reviewer.batch.reader import BatchError, read_questionnaire

            expected = (BatchError,)
            read_questionnaire(path)
        else:
            from reviewer.ingest.loaders import load_file

            doc = load_file(path, IngestSettings(parse_timeout_s=INNER_TIMEOUT_S))
            for start, end in doc.page_spans:
                if not 0 <= start <= end <= len(doc.text):
                    return "crash", f"page span ({start}, {end}) outside text of {len(doc.text)}"
    except expected as exc:
        msg = str(exc)
        if "\n" in msg or path.name not in msg:
            return "bad_message", msg[:300]
        return "rejected", msg[:200]
    except BaseException as exc:  # noqa: BLE001 - the point is to see what escapes
        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
        first = " ".join(str(exc).split())[:160]
        return "crash", f"{type(exc).__name__} at {where}: {first}"
    return "ok", ""


def _worker(conn: Connection) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))
    while True:
        job = conn.recv()
        if job is None:
            return
        path, kind = job
        conn.send(check_file(Path(path), kind))


class Lane:
    """One worker process fed over a pipe; killed and replaced when a case hangs."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self._start()

    def _start(self) -> None:
        self.parent, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(child,), daemon=True)
        self.proc.start()
        child.close()

    def run(self, path: Path, kind: str, timeout: float) -> tuple[str, str]:
        try:
            self.parent.send((str(path), kind))
            if self.parent.poll(timeout):
                outcome, detail = self.parent.recv()
                return str(outcome), str(detail)
            outcome, detail = "hang", f"no answer within {timeout:g} s"
        except (EOFError, BrokenPipeError, ConnectionResetError):
            self.proc.join(5)
            outcome, detail = "crash", f"worker process died (exit code {self.proc.exitcode})"
        self.proc.kill()
        self.proc.join(10)
        self._start()
        return outcome, detail

    def close(self) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self.parent.send(None)
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()


def run_fuzz(
    cases: int = 300,
    seed: int = 1,
    workers: int = 2,
    timeout: float = OUTER_TIMEOUT_S,
    hostile: bool = True,
    workdir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> FuzzSummary:
    """Run `cases` mutated files (plus the hostile list) through the loaders."""
    started = time.monotonic()
    tmp = tempfile.TemporaryDirectory(prefix="fuzz-")
    root = Path(workdir or tmp.name)
    seeds = build_seeds(root / "seeds")
    use_batch = batch_reader_available()
    jobs: list[Callable[[], tuple[str, str, bytes]]] = []
    if hostile:
        for name, kind, data in hostile_cases(seeds):
            jobs.append(lambda n=name, k=kind, d=data: (n, k, d))  # type: ignore[misc]
    for i in range(cases):
        jobs.append(lambda i=i: make_case(i, seed, seeds))  # type: ignore[misc]
    summary = FuzzSummary(batch_reader=use_batch)
    outcomes: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = {}
    lock = threading.Lock()
    next_job = iter(enumerate(jobs))
    ctx = mp.get_context("fork")

    def lane_loop(lane_no: int) -> None:
        lane = Lane(ctx)
        lane_dir = root / f"lane{lane_no}"
        lane_dir.mkdir(parents=True, exist_ok=True)
        try:
            while True:
                with lock:
                    item = next(next_job, None)
                if item is None:
                    return
                n, job = item
                name, kind, data = job()
                if kind in ("xlsx", "csv") and not use_batch:
                    result = CaseResult(name, kind, "skipped")
                else:
                    path = lane_dir / f"{name}-{n:05d}.{kind}"
                    path.write_bytes(data)
                    t0 = time.monotonic()
                    outcome, detail = lane.run(path, kind, timeout)
                    result = CaseResult(
                        name, kind, outcome, detail, round(time.monotonic() - t0, 3)
                    )
                    path.unlink(missing_ok=True)
                with lock:
                    outcomes[result.outcome] += 1
                    by_kind.setdefault(kind, Counter())[result.outcome] += 1
                    if not name.startswith("mut"):
                        summary.hostile[f"{name}.{kind}"] = result.outcome
                    if result.outcome in ("crash", "hang", "bad_message"):
                        summary.failures.append(result)
                    if progress:
                        progress(sum(outcomes.values()), len(jobs))
        finally:
            lane.close()

    threads = [threading.Thread(target=lane_loop, args=(i,)) for i in range(max(1, workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    tmp.cleanup()
    summary.cases = sum(v for k, v in outcomes.items() if k != "skipped")
    summary.outcomes = dict(outcomes)
    summary.by_kind = {k: dict(v) for k, v in by_kind.items()}
    summary.seconds = round(time.monotonic() - started, 1)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-hostile", action="store_true")
    args = parser.parse_args()
    summary = run_fuzz(args.cases, args.seed, args.workers, hostile=not args.no_hostile)
    print(json.dumps(summary.to_dict(), indent=2))


if __name__ == "__main__":
    main()
