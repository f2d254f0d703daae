"""End-to-end timings on the demo corpus: bank review per drafter, a 300-row batch, the TUI.

- extractive: `reviewer review --bank iso27001-ai --drafter extractive --fresh --json`, whole bank
- local: SmolLM2 on CPU takes ~45 s a question on 2 cores, so a fixed subset (the bank's first
  SUBSET = 3 questions) is timed in a child process through `Workspace.review` and the whole
  bank extrapolated from it (labelled so in the report)
- batch: a generated 300-row xlsx (a `Question` column) through `reviewer batch --drafter
  extractive`, when the command exists
- tui: `python -m evals.bench.tui_bench --n 5000 --json OUT`, when that module exists
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evals.bench.common import ROOT, emit, offline_env, run_child, set_offline

MODULE = "evals.bench.e2e_bench"
BANK = "iso27001-ai"
SUBSET = 3
BATCH_ROWS = 300
DEMO = ROOT / "corpora" / "demo"
NOT_AVAILABLE = "not available"


def reviewer_cmd(ws: Path, *args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("reviewer")), "--workspace", str(ws), *args]


def run_cmd(cmd: Sequence[str], timeout: float = 1800) -> dict[str, Any]:
    """Run a command; wall time, exit code, stdout, and the tail of stderr."""
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            list(cmd), capture_output=True, text=True, timeout=timeout, env=offline_env(), cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        return {"rc": -1, "wall_s": timeout, "stdout": "", "stderr": f"timed out after {timeout} s"}
    return {
        "rc": proc.returncode,
        "wall_s": round(time.perf_counter() - started, 3),
        "stdout": proc.stdout,
        "stderr": "\n".join(proc.stderr.strip().splitlines()[-5:]),
    }


def prepare_workspace(ws: Path, docs: Path = DEMO) -> dict[str, Any]:
    r = run_cmd(reviewer_cmd(ws, "ingest", str(docs), "--json"))
    out: dict[str, Any] = {"wall_s": r["wall_s"], "rc": r["rc"]}
    if r["rc"] != 0:
        out["error"] = r["stderr"]
    return out


def review_extractive(ws: Path) -> dict[str, Any]:
    r = run_cmd(
        reviewer_cmd(ws, "review", "--bank", BANK, "--drafter", "extractive", "--fresh", "--json")
    )
    if r["rc"] != 0 and not r["stdout"].strip().startswith("{"):
        return {"error": r["stderr"] or f"exit code {r['rc']}"}
    data = json.loads(r["stdout"])
    n = len(data["findings"])
    return {
        "questions": n,
        "process_s": r["wall_s"],
        "review_s": data["seconds"],
        "per_question_s": round(data["seconds"] / n, 3) if n else None,
        "failed": len(data["failed"]),
        "verdicts": data["verdicts"],
    }


def review_subset(ws_dir: Path, drafter: str, n: int) -> dict[str, Any]:
    """Child entry: time `Workspace.review` of the bank's first n questions (fresh drafts)."""
    from reviewer.workspace import Workspace

    ws = Workspace.open(ws_dir)
    questions = ws.bank(BANK).questions
    t = time.perf_counter()
    d = ws.drafter(drafter)
    _ = ws.embedder
    load_s = time.perf_counter() - t
    report = ws.review(questions[:n], drafter=drafter, fresh=True)
    per_q = report.seconds / max(1, len(report.findings))
    return {
        "drafter": d.name,
        "questions_timed": len(report.findings),
        "bank_questions": len(questions),
        "load_s": round(load_s, 3),
        "review_s": report.seconds,
        "per_question_s": round(per_q, 3),
        "bank_estimate_s": round(per_q * len(questions), 1),
        "extrapolated": len(report.findings) < len(questions),
        "failed": len(report.failed),
    }


def questionnaire(path: Path, rows: int = BATCH_ROWS, seed: int = 5) -> Path:
    """An xlsx with a Question column: bank questions first, then templated variants."""
    import openpyxl

    from reviewer.banks import all_questions

    rng = random.Random(seed)
    bank = [q.text for q in all_questions()]
    subjects = [
        "training data",
        "model outputs",
        "the AI supplier",
        "prompt logs",
        "the model registry",
        "fine-tuning data",
        "third-party models",
        "inference APIs",
    ]
    forms = [
        "Is access to {s} restricted and reviewed?",
        "How is {s} classified?",
        "Who approves changes to {s}?",
        "Is {s} covered by an incident procedure?",
        "Are vulnerabilities affecting {s} tracked and fixed?",
        "Does the contract say how {s} may be used?",
        "Is {s} retained for a defined period?",
    ]
    texts = list(bank[:rows])
    while len(texts) < rows:
        texts.append(rng.choice(forms).format(s=rng.choice(subjects)) + f" (item {len(texts) + 1})")
    wb = openpyxl.Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "Questionnaire"
    sheet.append(["ID", "Question", "Answer", "Comments"])
    for i, text in enumerate(texts, start=1):
        sheet.append([f"Q{i:03d}", text, None, None])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def batch(ws: Path, work: Path) -> dict[str, Any]:
    helps = run_cmd(reviewer_cmd(ws, "batch", "--help"), timeout=120)
    if helps["rc"] != 0:
        return {"status": NOT_AVAILABLE, "reason": "`reviewer batch` does not exist yet"}
    src = questionnaire(work / "batch-300.xlsx")
    out = work / "batch-300-filled.xlsx"
    out.unlink(missing_ok=True)
    args = ["batch", str(src), "--drafter", "extractive"]
    if "--out" in helps["stdout"]:
        args += ["--out", str(out)]
    r = run_cmd(reviewer_cmd(ws, *args))
    result: dict[str, Any] = {"rows": BATCH_ROWS, "process_s": r["wall_s"], "rc": r["rc"]}
    if r["rc"] != 0:
        result["error"] = r["stderr"]
    else:
        result["per_row_s"] = round(r["wall_s"] / BATCH_ROWS, 3)
    return result


def tui(work: Path, n: int = 5000) -> dict[str, Any]:
    if not (ROOT / "evals" / "bench" / "tui_bench.py").is_file():
        return {"status": NOT_AVAILABLE, "reason": "evals/bench/tui_bench.py is missing"}
    out = work / "tui.json"
    out.unlink(missing_ok=True)
    r = run_cmd([sys.executable, "-m", "evals.bench.tui_bench", "--n", str(n), "--json", str(out)])
    if r["rc"] != 0 or not out.is_file():
        return {"status": "failed", "error": r["stderr"] or f"exit code {r['rc']}"}
    data = json.loads(out.read_text())
    return {"process_s": r["wall_s"], **(data if isinstance(data, dict) else {"result": data})}


def copy_workspace(src: Path, dst: Path) -> None:
    """A copy of an ingested workspace without its embedding cache, so reviews in it start cold."""
    import shutil

    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, ignore=lambda _dir, names: [n for n in names if n == "cache"])


def run(work: Path, local: bool = True, base: Path | None = None) -> dict[str, Any]:
    """Every end-to-end timing; `base` is an ingested demo workspace to copy instead of ingesting.

    `section_s` holds the wall time of each part as seen from here, for the bench's time table.
    """
    ws = work / "demo-ws"
    out: dict[str, Any] = {}
    section_s: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        t = time.perf_counter()
        result = fn()
        section_s[name] = round(time.perf_counter() - t, 1)
        return result

    if base is not None and (base / "reviewer.db").is_file():
        copy_workspace(base, ws)
        out["ingest_demo"] = {"reused": str(base)}
    else:
        import shutil

        shutil.rmtree(ws, ignore_errors=True)
        out["ingest_demo"] = timed("demo ingest", lambda: prepare_workspace(ws))
    out["extractive"] = timed("extractive review", lambda: review_extractive(ws))
    if local:
        args = ["review-subset", "--workspace", str(ws), "--drafter", "local", "--n", str(SUBSET)]
        out["local"] = timed(
            f"local LLM review, {SUBSET} questions", lambda: run_child(args, module=MODULE)
        )
    else:
        out["local"] = {"status": "skipped", "reason": "--quick"}
    out["batch"] = timed(f"batch, {BATCH_ROWS} rows", lambda: batch(ws, work))
    out["tui"] = timed("TUI", lambda: tui(work))
    out["section_s"] = section_s
    return out


def main(argv: Sequence[str] | None = None) -> int:
    set_offline()
    ap = argparse.ArgumentParser(description="End-to-end timings (JSON on stdout).")
    ap.add_argument("what", choices=["all", "review-subset"])
    ap.add_argument("--workspace", type=Path)
    ap.add_argument("--work", type=Path)
    ap.add_argument("--drafter", default="local")
    ap.add_argument("--n", type=int, default=SUBSET)
    args = ap.parse_args(argv)
    if args.what == "review-subset":
        emit(review_subset(args.workspace, args.drafter, args.n))
    else:
        emit(run(args.work))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
