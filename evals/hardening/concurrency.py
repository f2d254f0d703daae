"""Concurrent reviewers: N processes record decisions through `Workspace.decide` on one
workspace while another process lists findings in a loop.

Pass: every decision is present, the chain verifies, each finding's state equals its last
decision, and no process ever surfaced "database is locked".

python -m evals.hardening.concurrency --workers 4 --decisions 500
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals.hardening.common import PYTHON, ROOT, env, integrity, run_cli

if TYPE_CHECKING:
    from reviewer.store.findings import FindingsStore

FINDINGS_PER_WORKER = 5

DECIDER = """
import sys, traceback
from reviewer.workspace import Workspace
ws_dir, worker, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ws = Workspace.open(ws_dir)
cycle = ["approve", "edit", "undo", "reject"]
errors = 0
for i in range(count):
    fid = f"w{worker}-f{i % 5}"
    action = cycle[(i // 5) % 4]
    try:
        if action == "reject":
            ws.decide(fid, "reject", reason="wrong_verdict", note=f"{worker}/{i}", reviewer=f"rev{worker}")
        elif action == "edit":
            ws.decide(fid, "edit", verdict="nonconformity", rationale=f"edit {i} [E1]", reviewer=f"rev{worker}")
        else:
            ws.decide(fid, action, note=f"{worker}/{i}", reviewer=f"rev{worker}")
    except Exception as exc:
        errors += 1
        print(f"worker {worker} decision {i}: {type(exc).__name__}: {exc}", file=sys.stderr)
print(errors)
"""

READER = """
import os, sys, time
from reviewer.workspace import Workspace
ws = Workspace.open(sys.argv[1])
stop = sys.argv[2]
reads = errors = 0
while not os.path.exists(stop):
    try:
        ws.findings.list_findings()
        ws.findings.chain_head()
        reads += 1
    except Exception as exc:
        errors += 1
        print(f"reader: {type(exc).__name__}: {exc}", file=sys.stderr)
print(reads, errors)
"""


@dataclass
class ConcurrencySummary:
    workers: int
    per_worker: int
    expected: int = 0
    present: int = 0
    worker_errors: int = 0
    reader_reads: int = 0
    reader_errors: int = 0
    locked_messages: int = 0
    chain_ok: bool = False
    chain_reason: str = ""
    cli_verify_ok: bool = False
    state_mismatches: int = 0
    integrity: str = ""
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return (
            self.present == self.expected
            and self.chain_ok
            and self.cli_verify_ok
            and not self.worker_errors
            and not self.reader_errors
            and not self.locked_messages
            and not self.state_mismatches
            and self.integrity == "ok"
        )


def finding_id(worker: int, j: int) -> str:
    """The id of the j-th seeded finding a worker decides on."""
    return f"w{worker}-f{j}"


def seed_findings(store: FindingsStore, workers: int) -> None:
    """FINDINGS_PER_WORKER draft findings per worker (no embedding needed)."""
    from reviewer.models import ControlRef, Finding, Question, Verdict

    question = Question(
        id="q-a826",
        text="Is training data labelled according to the classification scheme?",
        refs=[ControlRef.parse("ISO27001:2013 A.8.2.2")],
    )
    for w in range(workers):
        for j in range(FINDINGS_PER_WORKER):
            store.save_finding(
                Finding(
                    id=finding_id(w, j),
                    question=question,
                    verdict=Verdict.partial,
                    rationale="Labels exist for some datasets [E1].",
                )
            )


def seed_workspace(ws_dir: Path, workers: int) -> None:
    """A workspace holding the seeded findings."""
    from reviewer.workspace import Workspace

    ws = Workspace.open(ws_dir)
    seed_findings(ws.findings, workers)
    ws.close()


def run_concurrency(
    workers: int = 4, per_worker: int = 500, workdir: Path | None = None
) -> ConcurrencySummary:
    tmp = tempfile.TemporaryDirectory(prefix="concurrency-")
    root = Path(workdir or tmp.name)
    ws_dir = root / "ws"
    seed_workspace(ws_dir, workers)
    s = ConcurrencySummary(workers, per_worker, expected=workers * per_worker)
    started = time.monotonic()
    stop = root / "stop"
    child_env = env(ws_dir)
    reader = subprocess.Popen(
        [PYTHON, "-c", READER, str(ws_dir), str(stop)],
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    procs = [
        subprocess.Popen(
            [PYTHON, "-c", DECIDER, str(ws_dir), str(w), str(per_worker)],
            env=child_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(workers)
    ]
    outputs = [p.communicate(timeout=3600) for p in procs]
    stop.touch()
    r_out, r_err = reader.communicate(timeout=300)
    s.seconds = round(time.monotonic() - started, 1)
    for p, (out, err) in zip(procs, outputs, strict=True):
        if p.returncode != 0:
            s.problems.append(f"worker exit {p.returncode}: {err.strip()[-200:]}")
        s.worker_errors += int(out.split()[-1]) if out.split() else 1
        s.locked_messages += err.lower().count("locked")
        if err.strip():
            s.problems.extend(err.strip().splitlines()[:3])
    parts = r_out.split()
    if len(parts) >= 2:
        s.reader_reads, s.reader_errors = int(parts[0]), int(parts[1])
    s.locked_messages += r_err.lower().count("locked")
    if r_err.strip():
        s.problems.extend(r_err.strip().splitlines()[:3])

    from reviewer.workspace import Workspace

    ws = Workspace.open(ws_dir)
    decisions = ws.findings.decisions()
    s.present = len(decisions)
    per_reviewer: dict[str, int] = {}
    for d in decisions:
        per_reviewer[d.reviewer] = per_reviewer.get(d.reviewer, 0) + 1
    for w in range(workers):
        if per_reviewer.get(f"rev{w}", 0) != per_worker:
            s.problems.append(f"rev{w}: {per_reviewer.get(f'rev{w}', 0)} of {per_worker} present")
    check = ws.verify_log()
    s.chain_ok, s.chain_reason = check.ok, check.reason
    last: dict[str, Any] = {}
    for d in decisions:
        last[d.finding_id] = d
    for fid, d in last.items():
        f = ws.findings.get_finding(fid)
        if f is None or (f.status.value, f.verdict.value) != (
            d.after["status"],
            d.after["verdict"],
        ):
            s.state_mismatches += 1
    ws.close()
    s.integrity = integrity(ws_dir / "reviewer.db")
    s.cli_verify_ok = run_cli(["log", "verify"], ws_dir).code == 0
    tmp.cleanup()
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--decisions", type=int, default=500)
    args = parser.parse_args()
    s = run_concurrency(args.workers, args.decisions)
    print(json.dumps({**asdict(s), "ok": s.ok, "root": str(ROOT)}, indent=2))


if __name__ == "__main__":
    main()
