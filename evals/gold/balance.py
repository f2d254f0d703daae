"""Print the verdict balance of the demo gold files, overall and per split.

Usage: .venv/bin/python evals/gold/balance.py [FILE.jsonl ...]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parent
DEFAULT_FILES = (GOLD_DIR / "demo.jsonl", GOLD_DIR / "demo_freeform.jsonl")
VERDICTS = ("conformant", "partial", "nonconformity", "insufficient_evidence")
SPLITS = ("dev", "test")


def balance(path: Path) -> Counter[tuple[str, str]]:
    """Count items by (verdict, split) in one gold JSONL file."""
    counts: Counter[tuple[str, str]] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            counts[(item["verdict"], item["split"])] += 1
    return counts


def format_balance(name: str, counts: Counter[tuple[str, str]]) -> str:
    """A small table: one row per verdict, columns dev / test / all."""
    lines = [f"{name}", f"  {'verdict':<22}{'dev':>5}{'test':>6}{'all':>6}"]
    for verdict in VERDICTS:
        dev, test = counts[(verdict, "dev")], counts[(verdict, "test")]
        lines.append(f"  {verdict:<22}{dev:>5}{test:>6}{dev + test:>6}")
    dev = sum(v for (_, s), v in counts.items() if s == "dev")
    test = sum(v for (_, s), v in counts.items() if s == "test")
    lines.append(f"  {'total':<22}{dev:>5}{test:>6}{dev + test:>6}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or list(DEFAULT_FILES)
    for path in files:
        print(format_balance(path.name, balance(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
