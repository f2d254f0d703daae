"""Several processes record decisions on one database while another keeps reading it.

Children are started with the spawn method and run this very file through `runpy`, so the
test does not depend on pytest's import mode to make its helpers importable in a child.
Set REVIEWER_CONCURRENT_DECISIONS to change the decisions per worker (default 200).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import runpy
import time
import traceback
from pathlib import Path
from typing import Any

from evals.hardening.concurrency import FINDINGS_PER_WORKER, finding_id, seed_findings
from reviewer.models import (
    DecisionAction,
    RejectReason,
    Verdict,
)
from reviewer.store.db import connect
from reviewer.store.findings import FindingsStore

CHILD_RUN_NAME = "__concurrent_decisions_child__"
# Always valid in this order: the undo has the edit to undo, the cycle then starts over.
CYCLE = (DecisionAction.approve, DecisionAction.edit, DecisionAction.undo, DecisionAction.reject)
# Expected (status, verdict) after k decisions on one finding, by k % 4 (k > 0).
EXPECTED_AFTER = {
    1: ("approved", "partial"),
    2: ("edited", "nonconformity"),
    3: ("approved", "partial"),
    0: ("rejected", "partial"),
}


def _wait_for(path: Path, deadline_s: float = 120.0) -> None:
    end = time.monotonic() + deadline_s
    while not path.exists():
        if time.monotonic() > end:
            raise TimeoutError(f"{path} never appeared")
        time.sleep(0.01)


def _decide_worker(db: Path, worker: int, count: int, rendezvous: Path) -> dict[str, Any]:
    store = FindingsStore(connect(db))
    (rendezvous / f"ready-worker{worker}").touch()
    _wait_for(rendezvous / "go")
    for i in range(count):
        fid = finding_id(worker, i % FINDINGS_PER_WORKER)
        action = CYCLE[(i // FINDINGS_PER_WORKER) % len(CYCLE)]
        reviewer = f"reviewer{worker}"
        if action is DecisionAction.reject:
            store.decide(fid, reviewer, action, RejectReason.wrong_verdict, note=f"{worker}/{i}")
        elif action is DecisionAction.edit:
            store.decide(
                fid, reviewer, action, verdict=Verdict.nonconformity, rationale=f"edit {i} [E1]"
            )
        else:
            store.decide(fid, reviewer, action)
    store.conn.close()
    return {"decisions": count}


def _read_worker(db: Path, rendezvous: Path) -> dict[str, Any]:
    store = FindingsStore(connect(db))
    (rendezvous / "ready-reader").touch()
    _wait_for(rendezvous / "go")
    reads, broken = 0, []
    while not (rendezvous / "stop").exists():
        store.list_findings()
        store.list_findings(status=["approved", "edited"])
        check = store.verify_chain()
        if not check.ok:
            broken.append(check.reason)
        reads += 1
    store.conn.close()
    return {"reads": reads, "broken_chains": broken}


def _child_main(args: dict[str, Any]) -> None:
    out = Path(args["out"])
    try:
        if args["role"] == "reader":
            result = _read_worker(Path(args["db"]), Path(args["rendezvous"]))
        else:
            result = _decide_worker(
                Path(args["db"]), args["worker"], args["count"], Path(args["rendezvous"])
            )
        out.write_text(json.dumps({"ok": True, **result}))
    except BaseException:
        out.write_text(json.dumps({"ok": False, "error": traceback.format_exc()}))
        raise


def _spawn(args: dict[str, Any]) -> multiprocessing.process.BaseProcess:
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(
        target=runpy.run_path,
        args=(__file__,),
        kwargs={"init_globals": {"CHILD_ARGS": args}, "run_name": CHILD_RUN_NAME},
    )
    proc.start()
    return proc


def _seed(db: Path, workers: int) -> None:
    store = FindingsStore(connect(db))
    seed_findings(store, workers)
    store.conn.close()


def run_concurrent_decisions(
    tmp_path: Path, workers: int = 4, per_worker: int = 200, timeout_s: float = 600.0
) -> dict[str, Any]:
    """Run `workers` deciding processes plus one reader; returns each child's result by name."""
    db = tmp_path / "ws" / "reviewer.db"
    rendezvous = tmp_path / "rendezvous"
    rendezvous.mkdir()
    _seed(db, workers)

    children: dict[str, tuple[multiprocessing.process.BaseProcess, Path]] = {}
    for w in range(workers):
        out = tmp_path / f"worker{w}.json"
        args = {"role": "worker", "db": str(db), "worker": w, "count": per_worker}
        children[f"worker{w}"] = (
            _spawn({**args, "out": str(out), "rendezvous": str(rendezvous)}),
            out,
        )
    reader_out = tmp_path / "reader.json"
    children["reader"] = (
        _spawn(
            {"role": "reader", "db": str(db), "out": str(reader_out), "rendezvous": str(rendezvous)}
        ),
        reader_out,
    )
    try:
        for name in children:
            _wait_for(rendezvous / f"ready-{name}", deadline_s=timeout_s)
        (rendezvous / "go").touch()
        deadline = time.monotonic() + timeout_s
        for name, (proc, _) in children.items():
            if name != "reader":
                proc.join(max(0.0, deadline - time.monotonic()))
        (rendezvous / "stop").touch()
        children["reader"][0].join(max(5.0, deadline - time.monotonic()))
    finally:
        for proc, _ in children.values():
            if proc.is_alive():
                proc.kill()
                proc.join()
    results: dict[str, Any] = {}
    for name, (proc, out) in children.items():
        results[name] = (
            json.loads(out.read_text())
            if out.exists()
            else {"ok": False, "error": f"no result (exit code {proc.exitcode})"}
        )
        results[name]["exitcode"] = proc.exitcode
    results["db"] = db
    return results


def test_concurrent_decisions_from_four_processes(tmp_path: Path) -> None:
    workers = 4
    per_worker = int(os.environ.get("REVIEWER_CONCURRENT_DECISIONS", "200"))
    results = run_concurrent_decisions(tmp_path, workers=workers, per_worker=per_worker)

    for name in [f"worker{w}" for w in range(workers)] + ["reader"]:
        assert results[name]["ok"], f"{name}: {results[name].get('error')}"
        assert results[name]["exitcode"] == 0
    reader = results["reader"]
    assert reader["reads"] > 0
    assert reader["broken_chains"] == []  # every snapshot the reader took was consistent

    conn = connect(results["db"])
    store = FindingsStore(conn)
    log = store.decisions()
    total = workers * per_worker
    assert len(log) == total
    assert [d.seq for d in log] == list(range(1, total + 1))
    for w in range(workers):
        assert sum(d.reviewer == f"reviewer{w}" for d in log) == per_worker
    check = store.verify_chain()
    assert check.ok, check.reason
    assert check.count == total and store.chain_head() == (total, log[-1].hash)

    for w in range(workers):
        for j in range(FINDINGS_PER_WORKER):
            k = len(range(j, per_worker, FINDINGS_PER_WORKER))  # decisions on this finding
            finding = store.get_finding(finding_id(w, j))
            assert finding is not None
            expected = EXPECTED_AFTER[k % 4] if k else ("draft", "partial")
            assert (finding.status.value, finding.verdict.value) == expected, finding.id
    conn.close()


if __name__ == CHILD_RUN_NAME:
    _child_main(CHILD_ARGS)  # type: ignore[name-defined]  # noqa: F821 - injected by runpy
