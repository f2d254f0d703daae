"""Helpers shared by the benchmark modules: offline env, child processes, RSS, percentiles."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
}


def offline_env() -> dict[str, str]:
    """This process's environment plus the variables that keep every child offline and quiet."""
    env = dict(os.environ)
    env.update(OFFLINE_ENV)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def set_offline() -> None:
    """Apply the offline variables inside a child before heavy imports."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MiB (Linux reports ru_maxrss in KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kib / 1024, 1)


def emit(result: dict[str, Any]) -> None:
    """Print a child's result as the last stdout line, which the parent parses."""
    result["peak_rss_mb"] = peak_rss_mb()
    sys.stdout.write("\n" + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


def run_child(
    args: Sequence[str], timeout: float = 1800, module: str | None = None
) -> dict[str, Any]:
    """Run `python -m module args` (or a command) in a fresh process; its last stdout line is JSON.

    The returned dict gains `process_s` (wall time seen from here); a failing child gives
    {"error": ...} with the tail of its stderr instead of raising.
    """
    cmd = [sys.executable, "-m", module, *args] if module else list(args)
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=offline_env(), cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s", "cmd": " ".join(cmd)}
    elapsed = round(time.perf_counter() - started, 3)
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"error": " | ".join(tail) or f"exit code {proc.returncode}", "cmd": " ".join(cmd)}
    try:
        data = json.loads(lines[-1])
    except json.JSONDecodeError:
        return {"error": f"no JSON result on stdout: {lines[-1][:200]}", "cmd": " ".join(cmd)}
    if not isinstance(data, dict):
        return {"error": "child result is not a JSON object", "cmd": " ".join(cmd)}
    data["process_s"] = elapsed
    return data


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; values need not be sorted."""
    if not values:
        raise ValueError("percentile of no values")
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def latency_summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50 / p95 / mean / max in milliseconds, rounded for the report."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "mean_ms": round(sum(ms) / len(ms), 2),
        "max_ms": round(max(ms), 2),
    }
