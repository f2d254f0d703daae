"""Secrets and files: an API key never lands on disk or in output, workspace files are private,
exports cannot overwrite the workspace or an input, and a read-only or full disk fails cleanly.

python -m evals.hardening.secrets
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from evals.hardening.common import (
    PYTHON,
    REVIEWER,
    env,
    integrity,
    mode_of,
    run_cli,
    small_bank,
    small_corpus,
)
from evals.hardening.concurrency import seed_workspace

SECRET = "sk-test-SECRET123"


@dataclass
class SecretsSummary:
    review_exit: int = 0
    # a dead server is refused before the first question: the error names it, nothing is drafted
    unreachable_error: str = ""
    secret_hits: list[str] = field(default_factory=list)  # where the key was found
    permission_violations: list[str] = field(default_factory=list)
    export_checks: dict[str, str] = field(default_factory=dict)  # case -> outcome
    export_problems: list[str] = field(default_factory=list)
    disk_checks: dict[str, str] = field(default_factory=dict)
    disk_problems: list[str] = field(default_factory=list)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _scan_tree(root: Path, needle: bytes) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and needle in path.read_bytes():
            hits.append(str(path.relative_to(root.parent)))
    return hits


def _private(ws: Path) -> list[str]:
    """Files and folders in the workspace readable or writable by group/other."""
    bad = []
    for path in [ws, *ws.rglob("*")]:
        if path.is_symlink():
            continue
        if mode_of(path) & 0o077:
            bad.append(f"{path.relative_to(ws.parent)} {oct(mode_of(path))}")
    return bad


def check_secrets(root: Path, s: SecretsSummary) -> Path:
    corpus = small_corpus(root / "corpus")
    banks = small_bank(root / "banks", 3)
    ws = root / "ws"
    ws.mkdir(mode=0o700)
    port = _closed_port()
    (ws / "reviewer.toml").write_text(
        '[llm]\nbackend = "openai"\nmodel = "gpt-test"\n'
        f'base_url = "http://127.0.0.1:{port}/v1"\ntimeout_s = 3\nretries = 0\n',
        encoding="utf-8",
    )
    os.chmod(ws / "reviewer.toml", 0o600)
    outputs: list[str] = []
    res = run_cli(["ingest", str(corpus)], ws, OPENAI_API_KEY=SECRET)
    outputs += [res.stdout, res.stderr]
    res = run_cli(
        ["review", "--bank", "mini", "--drafter", "openai", "--json"],
        ws,
        OPENAI_API_KEY=SECRET,
        REVIEWER_BANKS_DIR=str(banks),
    )
    s.review_exit = res.code
    outputs += [res.stdout, res.stderr]
    s.unreachable_error = res.stderr.strip()
    res = run_cli(
        ["--debug", "review", "--bank", "mini", "--drafter", "openai", "--fresh"],
        ws,
        OPENAI_API_KEY=SECRET,
        REVIEWER_BANKS_DIR=str(banks),
    )
    outputs += [res.stdout, res.stderr]
    exports = root / "exports"
    for fmt in ("json", "md", "html", "csv", "xlsx"):
        res = run_cli(
            ["export", "--format", fmt, "--out", str(exports / f"report.{fmt}")],
            ws,
            OPENAI_API_KEY=SECRET,
        )
        outputs += [res.stdout, res.stderr]
    for name, text in (("cli output", "\n".join(outputs)),):
        if SECRET in text:
            s.secret_hits.append(name)
    s.secret_hits += _scan_tree(ws, SECRET.encode())
    if exports.exists():
        s.secret_hits += _scan_tree(exports, SECRET.encode())
    conn = sqlite3.connect(ws / "reviewer.db")
    dump = "\n".join(conn.iterdump())
    conn.close()
    if SECRET in dump:
        s.secret_hits.append("sqlite dump")
    s.permission_violations = _private(ws)
    return ws


def check_exports(root: Path, ws: Path, s: SecretsSummary) -> None:
    """Export targets: symlinks and '..' resolve; the workspace DB and inputs are refused."""
    db_before = (ws / "reviewer.db").read_bytes()
    corpus_file = root / "corpus" / "model-card-docreader.md"
    input_before = corpus_file.read_bytes()
    link_dir = root / "links"
    link_dir.mkdir()
    (link_dir / "db-link.json").symlink_to(ws / "reviewer.db")
    (link_dir / "ws-link").symlink_to(ws)
    (link_dir / "input-link.md").symlink_to(corpus_file)
    cases = {
        "onto workspace db": ws / "reviewer.db",
        "via .. onto db": root / "exports" / ".." / "ws" / "reviewer.db",
        "symlink to db": link_dir / "db-link.json",
        "into workspace via dir symlink": link_dir / "ws-link" / "report.json",
        "onto an input file": corpus_file,
        "symlink to an input file": link_dir / "input-link.md",
        "onto a directory": root / "exports",
    }
    for name, target in cases.items():
        # the format the file name says, so the refusal is the target check, not a mismatch
        fmt = "md" if target.suffix == ".md" else "json"
        res = run_cli(["export", "--format", fmt, "--out", str(target)], ws)
        logical, physical = one_message(res.stderr)
        refused = res.code != 0
        s.export_checks[name] = ("refused" if refused else "WRITTEN") + (
            ""
            if physical or not refused
            else " (one message, wrapped)"
            if logical
            else " (bad error)"
        )
        if not refused:
            s.export_problems.append(f"{name}: export was written to {target}")
        elif not logical:
            s.export_problems.append(f"{name}: not a one-message error: {res.stderr.strip()[:200]}")
    if (ws / "reviewer.db").read_bytes() != db_before:
        s.export_problems.append("workspace DB bytes changed by an export attempt")
    if corpus_file.read_bytes() != input_before:
        s.export_problems.append(f"input file {corpus_file.name} was overwritten by an export")
    state = integrity(ws / "reviewer.db")
    if state != "ok":
        s.export_problems.append(f"integrity after exports: {state}")


def _decide_cli(ws: Path) -> tuple[int, str]:
    """One decision that must be written: approving twice is refused, so approve and reject
    take turns (the status is read without writing, which a full or read-only disk allows)."""
    try:
        con = sqlite3.connect(f"file:{ws / 'reviewer.db'}?mode=ro", uri=True)
        try:
            (status,) = con.execute("SELECT status FROM findings WHERE id = 'w0-f0'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        status = ""  # unreadable here too: the decision below reports why
    action = ["approve"] if status != "approved" else ["reject", "--reason", "other"]
    res = run_cli(["decide", "w0-f0", *action, "--note", "x" * 2000], ws)
    return res.code, res.stderr.strip()


def _fsize_limited(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def check_disk(root: Path, s: SecretsSummary) -> None:
    """A read-only workspace and a full disk: one-line errors, database still sound."""
    mnt = root / "mnt"
    mnt.mkdir()
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", str(mnt)],
            capture_output=True,
        ).returncode
        == 0
    )
    try:
        ws = (mnt if mounted else root) / "ws"
        seed_workspace(ws, 1)
        code, err = _decide_cli(ws)
        if code != 0:
            s.disk_problems.append(f"baseline decision failed: {err[:200]}")
        if mounted:
            # Full disk: leave a few KB, then keep deciding until a write fails.
            filler = mnt / "filler"
            free = shutil.disk_usage(mnt).free
            with filler.open("wb") as fh:
                fh.write(b"\0" * max(0, free - 48 * 1024))
            failures = []
            for _ in range(40):
                code, err = _decide_cli(ws)
                if code != 0:
                    failures.append(err)
                    break
            s.disk_checks["full disk (tmpfs)"] = _judge(failures, ws, s, "full disk")
            filler.unlink()
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
            code, err = _decide_cli(ws)
            s.disk_checks["read-only workspace (ro mount)"] = _judge(
                [err] if code else [], ws, s, "read-only"
            )
            subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
        else:
            proc = subprocess.run(
                [REVIEWER, "decide", "w0-f0", "approve", "--note", "x" * 200_000],
                env=env(ws),
                capture_output=True,
                text=True,
                preexec_fn=lambda: _fsize_limited(ws.joinpath("reviewer.db").stat().st_size),
            )
            s.disk_checks["full disk (RLIMIT_FSIZE)"] = _judge(
                [proc.stderr.strip()] if proc.returncode else [], ws, s, "full disk"
            )
            os.chmod(ws, 0o500)
            code, err = _decide_cli(ws)
            os.chmod(ws, 0o700)
            s.disk_checks["read-only workspace (chmod)"] = _judge(
                [err] if code else [], ws, s, "read-only"
            )
        state = integrity(ws / "reviewer.db")
        s.disk_checks["integrity afterwards"] = state
        if state != "ok":
            s.disk_problems.append(f"integrity after disk errors: {state}")
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def one_message(stderr: str) -> tuple[bool, bool]:
    """(one logical error message, printed on one physical line).

    The CLI's rich console wraps long messages at 80 columns when stderr is not a terminal, so
    a one-sentence error can span two lines; both views are reported.
    """
    text = stderr.strip()
    logical = text.count("error:") == 1 and "Traceback" not in text and text.startswith("error:")
    return logical, logical and len(text.splitlines()) == 1


def _judge(failures: list[str], ws: Path, s: SecretsSummary, what: str) -> str:
    if not failures:
        s.disk_problems.append(f"{what}: no write ever failed (check not exercised)")
        return "not exercised"
    err = failures[0]
    logical, physical = one_message(err)
    flat = " ".join(err.split())
    if not logical:
        s.disk_problems.append(f"{what}: not a one-message error: {err[:300]}")
        return f"NOT one message: {flat[:160]}"
    return ("one line: " if physical else "one message, wrapped by rich: ") + flat[:160]


def run_secrets(workdir: Path | None = None) -> SecretsSummary:
    tmp = tempfile.TemporaryDirectory(prefix="secrets-")
    root = Path(workdir or tmp.name)
    s = SecretsSummary()
    ws = check_secrets(root, s)
    check_exports(root, ws, s)
    check_disk(root, s)
    tmp.cleanup()
    return s


def main() -> None:
    print(json.dumps(asdict(run_secrets()), indent=2))


if __name__ == "__main__":
    _ = PYTHON
    main()
