"""Shared helpers for the hardening suite: the offline env, CLI runs, a small corpus, DB checks."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # tests.fixtures.builders lives under the repo root
    sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
REVIEWER = str(Path(PYTHON).with_name("reviewer"))
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}
# Files of the demo corpus that make a small, mixed crash-test corpus (one per format).
SMALL_CORPUS = (
    "model-card-docreader.md",
    "policy-ai-acceptable-use.html",
    "vendor-meridel-ai-dpa.pdf",
    "policy-supplier-security.docx",
)


def env(workspace: Path | None = None, **extra: str) -> dict[str, str]:
    """A child environment: offline switches, the workspace, no inherited REVIEWER_* settings."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWER_")}
    base.update(OFFLINE_ENV)
    base["PYTHONPATH"] = str(ROOT) + os.pathsep + base.get("PYTHONPATH", "")
    if workspace is not None:
        base["REVIEWER_WORKSPACE"] = str(workspace)
    base.update(extra)
    return base


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


def run_cli(args: list[str], workspace: Path, timeout: float = 600, **extra_env: str) -> CliResult:
    """Run `reviewer ARGS` against `workspace` and capture its output."""
    proc = subprocess.run(
        [REVIEWER, *args],
        env=env(workspace, **extra_env),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=str(workspace.parent),
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def small_corpus(target: Path, names: tuple[str, ...] = SMALL_CORPUS) -> Path:
    """Copy a few demo files (md, html, pdf, docx) into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        (target / name).write_bytes((ROOT / "corpora" / "demo" / name).read_bytes())
    return target


def small_bank(target_dir: Path, n: int = 4, bank: str = "iso27001-ai") -> Path:
    """A bank folder holding the first `n` questions of a real bank under the name `mini`."""
    data: dict[str, Any] = yaml.safe_load(
        (ROOT / "corpora" / "banks" / f"{bank}.yaml").read_text(encoding="utf-8")
    )
    data["bank"] = "mini"
    data["questions"] = data["questions"][:n]
    target_dir.mkdir(parents=True, exist_ok=True)
    (target_dir / "mini.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return target_dir


def integrity(db: Path) -> str:
    """`PRAGMA integrity_check` of a database file ("ok" when sound)."""
    if not db.exists():
        return "ok"  # nothing written yet
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"error: {exc}"
    return "; ".join(str(r[0]) for r in rows)


def mode_of(path: Path) -> int:
    return path.stat().st_mode & 0o777


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table."""
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)
