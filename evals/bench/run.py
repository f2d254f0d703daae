"""Run every benchmark and write evals/results/bench.json and evals/results/bench.md.

    python -m evals.bench.run            # 100 and 1,000 pages; 10k and 100k chunks; ~15 min idle
    python -m evals.bench.run --quick    # 100 pages; 10k chunks; no local-LLM review

Each measurement runs in a fresh child process, one after another, on this machine. Goals are
reported as met / not met; nothing here fails because a number is slow.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from evals.bench import e2e_bench, ingest_bench
from evals.bench.common import ROOT, run_child
from evals.bench.corpus import MANIFEST, generate, read_manifest

RESULTS = ROOT / "evals" / "results"
DEFAULT_WORK = Path(os.environ.get("REVIEWER_BENCH_WORK", "/tmp/reviewer-bench"))
GOLD = ROOT / "evals" / "gold" / "demo.jsonl"
SEED = 7
PROFILE_PAGES = 30  # the ingest profile's corpus: its function mix, at a third of the time
CORPUS_STAMP = ".bench-stamp"  # hidden, so ingest and the naive loaders skip it
T = TypeVar("T")


# -- machine -------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                capture_output=True,
                text=True,
                cwd=ROOT,
            ).stdout.strip()
        )
    except OSError:
        commit, dirty = "", False
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "git_commit": commit + ("+uncommitted changes" if dirty else ""),
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
    }


# -- goals -----------------------------------------------------------------------------------------


@dataclass
class Goal:
    name: str
    measured: float | None
    unit: str
    goal: str
    met: bool | None  # None: not measured

    def cells(self) -> list[str]:
        value = "—" if self.measured is None else f"{self.measured:g} {self.unit}".strip()
        state = "not measured" if self.met is None else ("met" if self.met else "not met")
        return [self.name, value, self.goal, state]


def _get(data: dict[str, Any], *path: str) -> Any:
    cur: Any = data
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            return None
        cur = cur[key]
    return cur


def _goal(name: str, value: Any, unit: str, text: str, ok: Callable[[float], bool]) -> Goal:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return Goal(name, None, unit, text, None)
    return Goal(name, round(float(value), 3), unit, text, ok(float(value)))


def evaluate_goals(results: dict[str, Any]) -> list[Goal]:
    """The issue's goals against whatever was measured (largest size where there are several)."""
    ingest = results.get("ingest", {})
    big = str(max((int(k) for k in ingest), default=0))
    sizes = _get(results, "retrieval", "sizes") or {}
    biggest = str(max((int(k) for k in sizes), default=0))
    tui = results.get("e2e", {}).get("tui", {})
    keys = [_get(tui, k, "p95_ms") for k in ("down_j", "approve_a", "search_keystroke")]
    keys = [k for k in keys if isinstance(k, int | float)]
    return [
        _goal(
            f"ingest / floor (work, {big} pages)",
            _get(ingest, big, "ratios", "ours_over_floor_work"),
            "x",
            "<= 1.2",
            lambda v: v <= 1.2,
        ),
        _goal(
            f"naive / ours (work, {big} pages)",
            _get(ingest, big, "ratios", "naive_over_ours_work"),
            "x",
            ">= 1.5",
            lambda v: v >= 1.5,
        ),
        _goal(
            f"unchanged re-ingest / first ingest ({big} pages)",
            _get(ingest, big, "ratios", "reingest_over_ours_work"),
            "x",
            "<= 0.03",
            lambda v: v <= 0.03,
        ),
        _goal(
            f"hybrid retrieval p95 ({biggest} chunks)",
            _get(sizes, biggest, "fused", "p95_ms"),
            "ms",
            "<= 30 ms at 100k",
            lambda v: v <= 30,
        ),
        _goal(
            "review, bank, extractive (process wall)",
            _get(results, "e2e", "extractive", "process_s"),
            "s",
            "<= 20 s (32+ questions)",
            lambda v: v <= 20,
        ),
        _goal(
            "300-row batch, extractive",
            _get(results, "e2e", "batch", "process_s"),
            "s",
            "<= 120 s",
            lambda v: v <= 120,
        ),
        _goal("TUI load, 5,000 findings", _get(tui, "load_s"), "s", "< 1 s", lambda v: v < 1),
        _goal(
            "TUI keypress p95 (worst of j / a / search)",
            max(keys) if keys else None,
            "ms",
            "< 50 ms",
            lambda v: v < 50,
        ),
        _goal(
            f"peak RSS, ingest ({big} pages)",
            _get(ingest, big, "ours", "peak_rss_mb"),
            "MiB",
            "<= 1536 MiB",
            lambda v: v <= 1536,
        ),
    ]


# -- Markdown ------------------------------------------------------------------------------------


def table(head: list[str], rows: list[list[Any]]) -> str:
    def cell(v: Any) -> str:
        if v is None:
            return "—"
        if isinstance(v, float):
            return f"{v:g}"
        return str(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)


def _ingest_section(pages: str, data: dict[str, Any]) -> list[str]:
    rows = []
    for name in ("floor", "ours", "naive", "reingest"):
        r = data.get(name, {})
        if "error" in r:
            rows.append(
                [name, "error: " + str(r["error"])[:120], None, None, None, None, None, None]
            )
            continue
        rows.append(
            [
                name,
                r.get("load_s"),
                r.get("work_s"),
                r.get("wall_s"),
                r.get("chunks"),
                r.get("chunks_per_s"),
                r.get("pages_per_s"),
                r.get("peak_rss_mb"),
            ]
        )
    ratios = data.get("ratios", {})
    out = [
        f"### Ingest, {pages} pages",
        "",
        table(
            [
                "config",
                "model load s",
                "work s",
                "load+work s",
                "chunks",
                "chunks/s (work)",
                "pages/s (work)",
                "peak RSS MiB",
            ],
            rows,
        ),
        "",
        table(
            ["ratio", "work only", "incl. model load", "goal"],
            [
                [
                    "ours / floor",
                    ratios.get("ours_over_floor_work"),
                    ratios.get("ours_over_floor_wall"),
                    "<= 1.2",
                ],
                [
                    "naive / ours",
                    ratios.get("naive_over_ours_work"),
                    ratios.get("naive_over_ours_wall"),
                    ">= 1.5",
                ],
                [
                    "re-ingest / ours",
                    ratios.get("reingest_over_ours_work"),
                    ratios.get("reingest_over_ours_wall"),
                    "<= 0.03",
                ],
            ],
        ),
        "",
    ]
    return out


def render_markdown(results: dict[str, Any]) -> str:
    """bench.md: machine, goals, then one table per section."""
    m = results.get("machine", {})
    lines = [
        "# Performance benchmarks",
        "",
        f"Generated by `python -m evals.bench.run{' --quick' if results.get('quick') else ''}` "
        f"on {m.get('date', '?')}, commit `{m.get('git_commit', '?')}`.",
        "",
        table(
            ["machine", "value"],
            [
                ["CPU", m.get("cpu")],
                ["cores (nproc)", m.get("nproc")],
                ["RAM GB", m.get("ram_gb")],
                ["Python", m.get("python")],
                [
                    "load average at start / end",
                    f"{m.get('load_avg_start')} / {m.get('load_avg_end')}",
                ],
                ["total bench time s", results.get("total_s")],
            ],
        ),
        "",
        "## Goals",
        "",
        table(
            ["metric", "measured", "goal", "status"], [g.cells() for g in evaluate_goals(results)]
        ),
        "",
        "## Ingest",
        "",
        "floor = load MiniLM and embed exactly the chunk texts our ingest stored, batched; ours = "
        "`Workspace.ingest` end to end; naive = LangChain loaders -> RecursiveCharacterTextSplitter "
        "(1000/200) -> Chroma.from_documents with the same MiniLM; re-ingest = ours again, corpus "
        "unchanged. Each row is a fresh process; model load is timed apart from the work.",
        "",
    ]
    for pages, data in sorted(results.get("ingest", {}).items(), key=lambda kv: int(kv[0])):
        corpus = data.get("corpus", {})
        if corpus:
            lines += [
                f"Corpus: {corpus.get('files')} files, {corpus.get('words')} words, pages by format "
                f"{corpus.get('pages_by_format')}.",
                "",
            ]
        lines += _ingest_section(pages, data)
    recall = results.get("recall", {})
    lines += ["## Recall sanity (evidence recall@10 on the demo gold)", ""]
    if "ours" in recall:
        lines += [
            table(
                ["retriever", "quote recall@10", "items fully found", "quotes", "items"],
                [
                    [name, r.get("recall"), r.get("item_recall"), r.get("quotes"), r.get("items")]
                    for name, r in (
                        ("ours (Workspace.retrieve)", recall["ours"]),
                        ("naive dense (Chroma k=10)", recall["naive_dense"]),
                    )
                ],
            ),
            "",
        ]
    else:
        lines += [f"Skipped: {recall.get('note') or recall.get('error') or 'not run'}", ""]
    lines += ["## Retrieval latency (warm, one query at a time, query embedding included)", ""]
    for n, entry in sorted(
        (_get(results, "retrieval", "sizes") or {}).items(), key=lambda kv: int(kv[0])
    ):
        rows = [
            [
                label,
                entry[key]["p50_ms"],
                entry[key]["p95_ms"],
                entry[key]["mean_ms"],
                entry[key]["n"],
            ]
            for key, label in (
                ("fused", "hybrid (fused_search, fused)"),
                ("dense", "dense only"),
                ("lexical", "lexical only (BM25)"),
                ("fused_repeat", "hybrid, repeated query (cached embedding)"),
                ("retrieve", "Workspace.retrieve (sub-queries, merge, pack)"),
            )
            if key in entry
        ]
        b = entry.get("build", {})
        lines += [
            f"### {int(n):,} chunks",
            "",
            table(["search", "p50 ms", "p95 ms", "mean ms", "queries"], rows),
            "",
            f"Build: {b.get('real_vectors')} real MiniLM vectors (cached: {b.get('vectors_cached')}), "
            f"generate {b.get('generate_s')} s, embed {b.get('embed_s')} s, SQLite+Chroma "
            f"{b.get('store_s')} s (Chroma add {b.get('vectors_add_s')} s), BM25 {b.get('bm25_s')} s.",
            "",
        ]
    if "error" in results.get("retrieval", {}):
        lines += [f"Retrieval benchmark failed: {results['retrieval']['error']}", ""]
    e2e = results.get("e2e", {})
    lines += ["## End to end (demo corpus)", ""]
    ext, loc, bat, tui = (e2e.get(k, {}) for k in ("extractive", "local", "batch", "tui"))
    rows = [
        [
            "review --bank iso27001-ai, extractive",
            ext.get("questions"),
            ext.get("process_s"),
            ext.get("review_s"),
            ext.get("per_question_s"),
            ext.get("error", ""),
        ],
        [
            "review, local (SmolLM2), first questions timed",
            loc.get("questions_timed"),
            loc.get("bank_estimate_s"),
            loc.get("review_s"),
            loc.get("per_question_s"),
            loc.get("error")
            or loc.get("reason")
            or (
                f"bank of {loc.get('bank_questions')} extrapolated"
                if loc.get("extrapolated")
                else ""
            ),
        ],
        [
            "batch, 300-row xlsx, extractive",
            bat.get("rows"),
            bat.get("process_s"),
            None,
            bat.get("per_row_s"),
            bat.get("status") or bat.get("error", ""),
        ],
    ]
    lines += [
        table(["run", "questions", "wall s", "drafting s", "s / question", "note"], rows),
        "",
    ]
    if "load_s" in tui:
        trows = [["load (app start -> queue shown)", tui.get("load_s") * 1000, None]]
        for key in ("down_j", "approve_a", "sort_s_full_rebuild", "search_keystroke"):
            if isinstance(tui.get(key), dict):
                trows.append([key, tui[key].get("median_ms"), tui[key].get("p95_ms")])
        lines += [
            f"TUI with {tui.get('findings')} findings:",
            "",
            table(["action", "median ms", "p95 ms"], trows),
            "",
        ]
    else:
        lines += [
            f"TUI: {tui.get('status', 'not run')} ({tui.get('reason') or tui.get('error', '')})",
            "",
        ]
    prof = results.get("profile", {})
    profiled = _get(prof, "ingest", "pages") or 100
    for key, title in (("ingest", f"ingest (ours, {profiled} pages)"), ("query", "hybrid query")):
        p = prof.get(key)
        if isinstance(p, dict) and "by_own_time" in p:
            lines += [
                f"## Where the time goes: {title}",
                "",
                table(
                    ["function", "calls", "own s", "cumulative s"],
                    [
                        [r["function"], r["calls"], r["own_s"], r["cum_s"]]
                        for r in p["by_own_time"][:10]
                    ],
                ),
                "",
            ]
    sections = results.get("sections", [])
    if sections:
        lines += [
            "## Where the bench time goes",
            "",
            table(["section", "wall s"], [[name, secs] for name, secs in sections]),
            "",
        ]
    notes = results.get("notes", [])
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


# -- orchestration ----------------------------------------------------------------------------------


NOTES = [
    "Ratios compare work (model load excluded); the incl.-load column adds each process's model "
    "load. Process start and imports are in `process_s` in bench.json only.",
    "Retrieval workspaces are synthetic: templated chunk texts stored through DocumentStore and "
    "VectorStore. The first 2,000 vectors are real MiniLM embeddings of each chunk's first 40 "
    "words (cached in the work dir); every further vector blends two of them (0.75 / 0.25) plus "
    "N(0, 0.01) noise per dimension, renormalised.",
    "Every timed query is new to the workspace's query-embedding cache, except the "
    "'repeated query' row.",
    "The naive pipeline reads HTML with TextLoader (raw markup), the loader it names; PDF pages "
    "with PyPDFLoader, DOCX with Docx2txtLoader (docx2txt installed into the venv for it).",
    "The local-drafter review times the bank's first 3 questions and extrapolates to the bank "
    "(its 'wall s' cell is that estimate).",
    "The demo corpus is ingested once (`reviewer ingest`); the recall and end-to-end workspaces "
    "are copies of it without the embedding cache, so every review starts cold.",
    "Other processes sharing the machine slow every number; see the load averages above.",
]


def corpus(work: Path, pages: int) -> tuple[Path, dict[str, Any]]:
    """The generated corpus for `pages`: reused when the generator and its inputs are unchanged."""
    out = work / f"corpus-{pages}"
    source = (ROOT / "evals" / "bench" / "corpus.py").read_bytes()
    key = hashlib.sha256(source + f"|{pages}|{SEED}".encode()).hexdigest()
    stamp = out / CORPUS_STAMP
    if stamp.is_file() and stamp.read_text() == key and (out / MANIFEST).is_file():
        manifest = read_manifest(out)
        if all((out / f["name"]).is_file() for f in manifest["files"]):
            return out, manifest
    shutil.rmtree(out, ignore_errors=True)
    manifest = generate(out, pages, SEED)
    stamp.write_text(key)
    return out, manifest


class Sections:
    """Wall time per bench section, in run order, for the report's 'where the time goes'."""

    def __init__(self) -> None:
        self.rows: list[list[Any]] = []

    def timed(self, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        print(f"[bench] {name}", flush=True)
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.rows.append([name, round(time.perf_counter() - t, 1)])


def run_all(
    quick: bool, work: Path, profile: bool = True, out_dir: Path | None = None
) -> dict[str, Any]:
    """Run every section; with `out_dir`, write the report after each one (a partial run counts)."""
    started = time.perf_counter()
    sections = Sections()

    def checkpoint() -> None:
        results["sections"] = sections.rows
        if out_dir is not None:
            results["total_s"] = round(time.perf_counter() - started, 1)
            write(results, out_dir)

    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"quick": quick, "machine": machine(), "notes": list(NOTES)}
    page_sizes = [100] if quick else [100, 1000]
    results["ingest"] = {}
    for pages in page_sizes:
        path, manifest = sections.timed(f"corpus, {pages} pages", corpus, work, pages)
        suite = sections.timed(
            f"ingest suite, {pages} pages ({len(manifest['files'])} files)",
            ingest_bench.run_suite,
            path,
            work,
            pages,
        )
        suite["corpus"] = {k: manifest[k] for k in ("words", "pages_by_format")} | {
            "files": len(manifest["files"])
        }
        results["ingest"][str(pages)] = suite
        checkpoint()
    # One ingest of the demo corpus serves the recall check and every end-to-end run.
    demo_base = work / "demo-base"
    shutil.rmtree(demo_base, ignore_errors=True)
    demo_ingest = sections.timed(
        "demo corpus ingest (reviewer ingest)", lambda: e2e_bench.prepare_workspace(demo_base)
    )
    if GOLD.is_file():
        e2e_bench.copy_workspace(demo_base, work / "recall-ws")
        results["recall"] = sections.timed(
            "recall (ours and naive on the demo gold)",
            lambda: run_child(
                [
                    "recall",
                    "--gold",
                    str(GOLD),
                    "--corpus",
                    str(e2e_bench.DEMO),
                    "--workspace",
                    str(work / "recall-ws"),
                    "--persist",
                    str(work / "recall-naive"),
                ],
                module=ingest_bench.MODULE,
            ),
        )
    else:
        results["recall"] = {"note": f"{GOLD.relative_to(ROOT)} is missing"}
    checkpoint()
    sizes = ["10000"] if quick else ["10000", "100000"]
    results["retrieval"] = sections.timed(
        f"retrieval {', '.join(sizes)} chunks (build and measure)",
        lambda: run_child(
            ["--sizes", *sizes, "--work", str(work), *(["--profile"] if profile else [])],
            module="evals.bench.retrieval_bench",
            timeout=3600,
        ),
    )
    checkpoint()
    results["e2e"] = sections.timed(
        "end to end (review, local LLM, batch, TUI)",
        lambda: e2e_bench.run(work, local=not quick, base=demo_base),
    )
    results["e2e"]["ingest_demo"] = demo_ingest
    for name, secs in results["e2e"].pop("section_s", {}).items():
        sections.rows.append([f"  end to end: {name}", secs])
    checkpoint()
    results["profile"] = {}
    if profile:
        path, _ = corpus(work, PROFILE_PAGES)
        shutil.rmtree(work / "profile-ws", ignore_errors=True)
        results["profile"]["ingest"] = sections.timed(
            f"profile ingest, {PROFILE_PAGES} pages",
            lambda: run_child(
                ["profile", "--corpus", str(path), "--workspace", str(work / "profile-ws")],
                module=ingest_bench.MODULE,
            ),
        )
        results["profile"]["ingest"]["pages"] = PROFILE_PAGES
        big = str(max(int(k) for k in results["retrieval"].get("sizes", {"0": 0})))
        q = _get(results, "retrieval", "sizes", big, "profile_fused")
        if q:
            results["profile"]["query"] = q
    results["sections"] = sections.rows
    results["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    results["total_s"] = round(time.perf_counter() - started, 1)
    results["goals"] = [g.__dict__ for g in evaluate_goals(results)]
    return results


def write(results: dict[str, Any], out_dir: Path = RESULTS) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    js, md = out_dir / "bench.json", out_dir / "bench.md"
    js.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    md.write_text(render_markdown(results), encoding="utf-8")
    return js, md


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Run all performance benchmarks.")
    ap.add_argument("--quick", action="store_true", help="100 pages, 10k chunks, no local LLM")
    ap.add_argument("--work", type=Path, default=DEFAULT_WORK, help="scratch dir (kept: caches)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--no-profile", action="store_true")
    args = ap.parse_args(argv)
    results = run_all(args.quick, args.work, profile=not args.no_profile, out_dir=args.out)
    js, md = write(results, args.out)
    for g in evaluate_goals(results):
        print(" | ".join(g.cells()))
    print(f"wrote {js} and {md} in {results['total_s']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
