"""Crash safety: SIGKILL `reviewer ingest`, `reviewer review`, `reviewer batch` and a decision
stream at random moments, then check that nothing is lost or corrupt and that a rerun finishes.

Checks after every kill: `PRAGMA integrity_check` is ok; after the next ingest the Chroma ids,
the saved BM25 ids and the SQLite chunks table are the same set; every decision seq the killed
process printed as committed is in the log; `reviewer log verify` passes; a rerun completes the
work (every document ingested, every question with a non-failed finding).

python -m evals.hardening.crash --trials 5
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from evals.hardening.common import (
    PYTHON,
    REVIEWER,
    ROOT,
    env,
    integrity,
    run_cli,
    small_bank,
    small_corpus,
)

KINDS = ("ingest", "review", "decisions", "batch")
MINI_BANK_QUESTIONS = 3
# One verification at a time: they share the in-process embedding model.
_VERIFY_LOCK = threading.Lock()


@dataclass
class KindSummary:
    kind: str
    trials: int = 0
    killed: int = 0  # still running when the kill came
    lost: int = 0  # decisions printed as committed but missing afterwards
    corrupt: int = 0  # integrity_check not ok, or chain broken
    disagree: int = 0  # Chroma / BM25 / SQLite chunk ids differ after the next ingest
    incomplete: int = 0  # the rerun did not finish the work
    committed_seen: int = 0  # decisions printed as committed before the kill
    phases: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    skipped: str = ""
    seconds: float = 0.0

    def bad(self, trial: int, what: str) -> None:
        self.problems.append(f"trial {trial}: {what}")

    def seen(self, phase: str, times: int = 1) -> None:
        self.phases[phase] = self.phases.get(phase, 0) + times

    def check_integrity(self, trial: int, ws_dir: Path, when: str) -> None:
        """SQLite's integrity_check on the workspace database; a failure counts as corrupt."""
        state = integrity(ws_dir / "reviewer.db")
        if state != "ok":
            self.corrupt += 1
            self.bad(trial, f"integrity {when}: {state}")


# -- environment ----------------------------------------------------------------------------------


@dataclass
class Fixture:
    """Shared inputs: a small corpus, a mini bank, and a reviewed template workspace."""

    root: Path
    corpus: Path
    banks: Path
    template: Path  # ingested + reviewed workspace (copied per review/decision trial)
    questionnaire: Path
    # First guesses, shrunk by _adapt whenever a run outlives its planned kill. They are kept
    # short: a kill planned too early still lands inside the run, one planned too late misses
    # (the embedder starts in under a second since it runs on onnxruntime).
    ingest_startup_s: float = 3.0  # start to first committed document
    ingest_write_s: float = 3.0  # first committed document to exit
    review_startup_s: float = 3.0
    review_write_s: float = 4.0
    batch_write_s: float = 3.0


def _open(ws_dir: Path) -> Any:
    from reviewer.workspace import Workspace

    return Workspace.open(ws_dir)


def prepare(root: Path) -> Fixture:
    """Build the corpus and the template workspace once (timing a full ingest and review)."""
    corpus = small_corpus(root / "corpus")
    banks = small_bank(root / "banks", MINI_BANK_QUESTIONS)
    template = root / "template-ws"
    ingest_startup, ingest_write = _calibrate(
        [REVIEWER, "ingest", str(corpus)], env(template), first_document(template), root
    )
    review_startup, review_write = _calibrate(
        [REVIEWER, "review", "--bank", "mini", "--drafter", "extractive"],
        env(template, REVIEWER_BANKS_DIR=str(banks)),
        run_started(template),
        root,
    )
    questionnaire = root / "questionnaire.csv"
    # Enough rows that the write phase lasts about as long as the review's (three rows finished
    # before any planned kill once review got faster, and a batch never killed proves nothing).
    asks = [
        "Is customer data used to train the vendor's models",
        "Are AI suppliers assessed before contracts are signed",
        "Is there an acceptable use policy for generative AI tools",
        "Are model versions recorded in a registry",
        "Is training data classified before use",
        "Are models tested against adversarial inputs before release",
    ]
    rows = [f"{ask} (item {n + 1})?," for n in range(30) for ask in [asks[n % len(asks)]]]
    questionnaire.write_text("Question,Answer\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return Fixture(
        root,
        corpus,
        banks,
        template,
        questionnaire,
        ingest_startup,
        ingest_write,
        review_startup,
        review_write,
        review_write,
    )


def _calibrate(
    cmd: list[str], child_env: dict[str, str], trigger: Callable[[], bool], cwd: Path
) -> tuple[float, float]:
    """Run `cmd` to the end: (seconds until `trigger` held, seconds from then to exit)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd, env=child_env, cwd=str(cwd), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    fired: float | None = None
    while proc.poll() is None:
        if fired is None and trigger():
            fired = time.monotonic()
        time.sleep(0.02)
    _, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:3])} failed: {err.decode()[-300:]}")
    end = time.monotonic()
    fired = fired or end
    return fired - started, max(end - fired, 0.5)


def batch_command_available() -> bool:
    proc = subprocess.run(
        [REVIEWER, "batch", "--help"], env=env(), capture_output=True, text=True, timeout=120
    )
    return proc.returncode == 0 and "--out" in proc.stdout


# -- kill one process ---------------------------------------------------------------------------


@dataclass
class Killed:
    finished: bool
    code: int | None
    stdout: str
    stderr: str
    seconds: float
    triggered_s: float | None = None  # seconds from the trigger to exit or kill


def run_and_kill(
    cmd: list[str],
    child_env: dict[str, str],
    after_s: float,
    cwd: Path,
    trigger: Callable[[], bool] | None = None,
) -> Killed:
    """Start `cmd`; SIGKILL it `after_s` seconds after start (or after `trigger()` first holds)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        env=child_env,
        cwd=str(cwd),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    # Drain stdout/stderr while waiting, so a chatty child never blocks on a full pipe.
    chunks: dict[str, list[str]] = {"out": [], "err": []}

    def drain(stream: Any, key: str) -> None:
        for line in stream:
            chunks[key].append(line)

    readers = [
        threading.Thread(target=drain, args=(proc.stdout, "out"), daemon=True),
        threading.Thread(target=drain, args=(proc.stderr, "err"), daemon=True),
    ]
    for r in readers:
        r.start()
    deadline = None if trigger else started + after_s
    fired: float | None = None
    finished = False
    while True:
        if proc.poll() is not None:
            finished = True
            break
        now = time.monotonic()
        if deadline is None and trigger is not None and trigger():
            fired = now
            deadline = now + after_s
        if deadline is not None and now >= deadline:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.02)
    proc.wait(timeout=60)
    for r in readers:
        r.join(10)
    end = time.monotonic()
    return Killed(
        finished,
        proc.returncode,
        "".join(chunks["out"]),
        "".join(chunks["err"]),
        end - started,
        None if fired is None else end - fired,
    )


def _adapt(fx: Fixture, startup_attr: str, write_attr: str, k: Killed) -> None:
    """A run that outlived its planned kill shows a phase is shorter: shrink that window."""
    if not k.finished:
        return
    if k.triggered_s is not None:
        setattr(fx, write_attr, max(0.3, min(getattr(fx, write_attr), 0.95 * k.triggered_s)))
    else:  # a start-up kill that came after the whole run
        setattr(fx, startup_attr, max(0.3, min(getattr(fx, startup_attr), 0.9 * k.seconds)))


def _count(db: Path, sql: str) -> int:
    import sqlite3

    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2)
        try:
            return int(conn.execute(sql).fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def first_document(ws_dir: Path) -> Callable[[], bool]:
    """True once the first document row is committed (the model is loaded, writes began)."""
    return lambda: _count(ws_dir / "reviewer.db", "SELECT count(*) FROM documents") > 0


def run_started(ws_dir: Path, kind: str = "review") -> Callable[[], bool]:
    """True once a run row exists that the template did not have (drafting began)."""
    sql = f"SELECT count(*) FROM runs WHERE status = 'running' AND kind = '{kind}'"
    return lambda: _count(ws_dir / "reviewer.db", sql) > 0


def _kill_plan(rng: random.Random, fx_startup_s: float, write_s: float) -> tuple[float, bool]:
    """(seconds, after_trigger): a quarter of kills land in start-up, the rest while writing."""
    if rng.random() < 0.25:
        return rng.uniform(0.2 * fx_startup_s, fx_startup_s), False
    return rng.uniform(0.0, 1.1 * write_s), True


def planned_kill(
    fx: Fixture,
    rng: random.Random,
    s: KindSummary,
    n: int,
    ws_dir: Path,
    cmd: list[str],
    child_env: dict[str, str],
    trigger: Callable[[], bool],
    startup_attr: str,
    write_attr: str,
) -> Killed:
    """Run `cmd`, SIGKILL it at a planned moment, learn from a miss, check the database."""
    after, triggered = _kill_plan(rng, getattr(fx, startup_attr), getattr(fx, write_attr))
    k = run_and_kill(cmd, child_env, after, fx.root, trigger if triggered else None)
    _adapt(fx, startup_attr, write_attr, k)
    s.killed += not k.finished
    s.check_integrity(n, ws_dir, "after kill")
    return k


# -- checks -------------------------------------------------------------------------------------


def _ids_agree(ws: Any) -> str:
    """'' when Chroma, the saved BM25 index and SQLite hold the same chunk ids."""
    from reviewer.store.lexical import LexicalIndex

    sql = ws.docs.chunk_ids()
    chroma = set(ws.vectors.ids())
    index = LexicalIndex(ws.root / "lexical")
    if not index.load():
        return "BM25 index missing or unreadable"
    bm25 = set(index.ids)
    if not (sql == chroma == bm25):
        return (
            f"ids differ: sqlite {len(sql)}, chroma {len(chroma)}, bm25 {len(bm25)} "
            f"(chroma-sqlite {len(chroma - sql)}, sqlite-chroma {len(sql - chroma)}, "
            f"bm25^sqlite {len(bm25 ^ sql)})"
        )
    if index.version != ws.docs.chunks_version():
        return "BM25 index version differs from the chunks table"
    return ""


def _statuses_match_log(ws: Any) -> str:
    """Each decided finding's status/verdict equals its last decision's `after`."""
    last: dict[str, Any] = {}
    for d in ws.findings.decisions():
        last[d.finding_id] = d
    for fid, d in last.items():
        f = ws.findings.get_finding(fid)
        if f is None:
            return f"finding {fid} of decision #{d.seq} is missing"
        if (f.status.value, f.verdict.value) != (d.after["status"], d.after["verdict"]):
            return f"finding {fid} is {f.status.value}/{f.verdict.value}, log says {d.after}"
    return ""


def _log_verify(ws_dir: Path) -> str:
    res = run_cli(["log", "verify"], ws_dir, timeout=300)
    return "" if res.code == 0 else f"log verify exit {res.code}: {res.stderr.strip()[:200]}"


# -- trials -------------------------------------------------------------------------------------


def trial_ingest(fx: Fixture, ws_dir: Path, rng: random.Random, s: KindSummary, n: int) -> None:
    planned_kill(
        fx,
        rng,
        s,
        n,
        ws_dir,
        [REVIEWER, "ingest", str(fx.corpus)],
        env(ws_dir),
        first_document(ws_dir),
        "ingest_startup_s",
        "ingest_write_s",
    )
    with _VERIFY_LOCK:
        ws = _open(ws_dir)
        try:
            before = len(ws.documents())
            s.seen(f"docs_at_kill={before}")
            report = ws.ingest([fx.corpus])
            if report.failed or len(ws.documents()) != len(list(fx.corpus.iterdir())):
                s.incomplete += 1
                s.bad(n, f"rerun: {report.counts()}, {len(ws.documents())} documents")
            why = _ids_agree(ws)
            if why:
                s.disagree += 1
                s.bad(n, why)
        finally:
            ws.close()
    s.check_integrity(n, ws_dir, "after rerun")


def _review_questions(fx: Fixture) -> list[Any]:
    from reviewer.banks import get_bank

    return list(get_bank("mini", fx.banks).questions)


def trial_review(fx: Fixture, ws_dir: Path, rng: random.Random, s: KindSummary, n: int) -> None:
    shutil.copytree(fx.template, ws_dir)
    # Drop the template's findings so the killed run has real work (and writes) to do.
    import sqlite3

    conn = sqlite3.connect(ws_dir / "reviewer.db")
    conn.execute("DELETE FROM citations")
    conn.execute("DELETE FROM findings")
    conn.commit()
    conn.close()
    planned_kill(
        fx,
        rng,
        s,
        n,
        ws_dir,
        [REVIEWER, "review", "--bank", "mini", "--drafter", "extractive"],
        env(ws_dir, REVIEWER_BANKS_DIR=str(fx.banks)),
        run_started(ws_dir),
        "review_startup_s",
        "review_write_s",
    )
    with _VERIFY_LOCK:
        ws = _open(ws_dir)
        try:
            saved = len(ws.findings.list_findings())
            s.seen(f"findings_at_kill={saved}")
            questions = _review_questions(fx)
            report = ws.review(questions, drafter="extractive")
            current = {f.question.id for f in ws.current_findings() if f.status.value != "failed"}
            missing = [q.id for q in questions if q.id not in current]
            if report.failed or missing:
                s.incomplete += 1
                s.bad(n, f"rerun: failed {report.failed}, questions without finding {missing}")
        finally:
            ws.close()
    s.check_integrity(n, ws_dir, "after rerun")


DECIDE_TARGET = """
import sys
from reviewer.workspace import Workspace
ws = Workspace.open(sys.argv[1])
ids = [f.id for f in ws.findings.list_findings()]
cycle = ["approve", "edit", "undo", "reject"]
i = 0
while True:
    fid = ids[i % len(ids)]
    action = cycle[(i // len(ids)) % len(cycle)]
    if action == "reject":
        d = ws.decide(fid, "reject", reason="wrong_verdict", note=f"n{i}", reviewer="crash")
    elif action == "edit":
        d = ws.decide(fid, "edit", verdict="partial", rationale=f"edited {i}", reviewer="crash")
    else:
        d = ws.decide(fid, action, reviewer="crash")
    print(d.seq, flush=True)
    i += 1
"""


def trial_decisions(fx: Fixture, ws_dir: Path, rng: random.Random, s: KindSummary, n: int) -> None:
    shutil.copytree(fx.template, ws_dir)
    k = run_and_kill(
        [PYTHON, "-c", DECIDE_TARGET, str(ws_dir)], env(ws_dir), rng.uniform(1.5, 6.0), fx.root
    )
    s.killed += not k.finished
    printed = [int(x) for x in k.stdout.split() if x.isdigit()]
    s.committed_seen += len(printed)
    s.seen("printed>0", bool(printed))
    s.check_integrity(n, ws_dir, "after kill")
    ws = _open(ws_dir)
    try:
        present = {d.seq for d in ws.findings.decisions()}
        lost = sorted(set(printed) - present)
        if lost:
            s.lost += len(lost)
            s.bad(n, f"decisions printed as committed but missing: {lost[:10]}")
        check = ws.verify_log()
        if not check.ok:
            s.corrupt += 1
            s.bad(n, f"chain: {check.reason}")
        why = _statuses_match_log(ws)
        if why:
            s.corrupt += 1
            s.bad(n, why)
        # The next decision must still append cleanly after the kill.
        first = ws.findings.list_findings()[0]
        if first.status.value == "approved":  # approving twice is refused
            ws.decide(first.id, "reject", reason="other", note="x", reviewer="after-crash")
        else:
            ws.decide(first.id, "approve", reviewer="after-crash")
    finally:
        ws.close()
    why = _log_verify(ws_dir)
    if why:
        s.corrupt += 1
        s.bad(n, why)


def trial_batch(fx: Fixture, ws_dir: Path, rng: random.Random, s: KindSummary, n: int) -> None:
    shutil.copytree(fx.template, ws_dir)
    out = ws_dir.parent / f"{ws_dir.name}-filled.csv"
    cmd = [REVIEWER, "batch", str(fx.questionnaire), "--out", str(out), "--drafter", "extractive"]
    planned_kill(
        fx,
        rng,
        s,
        n,
        ws_dir,
        cmd,
        env(ws_dir),
        run_started(ws_dir, "batch"),
        "review_startup_s",
        "batch_write_s",
    )
    with _VERIFY_LOCK:
        res = subprocess.run(
            cmd, env=env(ws_dir), cwd=str(fx.root), capture_output=True, text=True, timeout=900
        )
    if res.returncode != 0 or not out.exists():
        s.incomplete += 1
        s.bad(n, f"batch rerun exit {res.returncode}: {res.stderr.strip()[-200:]}")
    s.check_integrity(n, ws_dir, "after rerun")


TRIALS: dict[str, Callable[[Fixture, Path, random.Random, KindSummary, int], None]] = {
    "ingest": trial_ingest,
    "review": trial_review,
    "decisions": trial_decisions,
    "batch": trial_batch,
}


def run_crash(
    trials: dict[str, int],
    seed: int = 7,
    lanes: int = 2,
    workdir: Path | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, KindSummary]:
    """Run `trials[kind]` kill trials per kind; returns a summary per kind."""
    tmp = tempfile.TemporaryDirectory(prefix="crash-")
    root = Path(workdir or tmp.name)
    fx = prepare(root)
    summaries: dict[str, KindSummary] = {}
    for kind, count in trials.items():
        s = KindSummary(kind)
        summaries[kind] = s
        if count <= 0:
            continue
        if kind == "batch" and not batch_command_available():
            s.skipped = "`reviewer batch` (with --out) is not a command yet"
            continue
        started = time.monotonic()
        jobs = iter(range(count))
        lock = threading.Lock()

        def lane(
            kind: str = kind,
            s: KindSummary = s,
            jobs: Any = jobs,
            lock: Any = lock,
            count: int = count,
        ) -> None:
            while True:
                with lock:
                    n = next(jobs, None)
                if n is None:
                    return
                rng = random.Random(seed * 10_007 + n * 31 + KINDS.index(kind))
                ws_dir = root / f"{kind}-{n:03d}" / "ws"
                ws_dir.parent.mkdir(parents=True, exist_ok=True)
                try:
                    TRIALS[kind](fx, ws_dir, rng, s, n)
                except Exception as exc:  # a harness-side failure is a finding too
                    with lock:
                        s.incomplete += 1
                        s.bad(n, f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
                with lock:
                    s.trials += 1
                shutil.rmtree(ws_dir.parent, ignore_errors=True)
                if log:
                    log(f"crash {kind} trial {n + 1}/{count} problems={len(s.problems)}")

        threads = [threading.Thread(target=lane) for _ in range(max(1, lanes))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        s.seconds = round(time.monotonic() - started, 1)
    tmp.cleanup()
    return summaries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--lanes", type=int, default=2)
    args = parser.parse_args()
    counts = {k: args.trials for k in args.kinds.split(",")}
    result = run_crash(counts, lanes=args.lanes, log=lambda m: print(m, file=sys.stderr))
    print(json.dumps({k: asdict(v) for k, v in result.items()}, indent=2))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
