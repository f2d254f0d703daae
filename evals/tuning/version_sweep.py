"""Do the drafter's rules carry to documents they were not written from? Every version, scored
on the same folders.

    python -m evals.tuning.version_sweep --work /tmp/sweep --out evals/results/version-sweep.md

Each fresh folder was scored once by the version current when it was written, then became dev
data that later rules were written from. That first look is one number per folder, and the
folders differ in difficulty, so the first looks of successive checks do not show whether the
drafter got better on unseen documents. Here every version listed in `VERSIONS` (the last commit
before the next version or before the fresh check that came after it) is checked out as a git
worktree and runs `reviewer eval` from its own code over every folder; the table marks which
versions had already seen (been tuned on) each folder. Read a row left to right up to its first
marked cell: that is how the drafter improved on a folder none of those versions had seen.

The held-out sets (real, real2a, real2b, the demo test split) were never tuned on by any version.
Gold files and documents always come from the current checkout, so every version reads the same
items. Slow: about 3.5 minutes a version on 2 cores (18 sets).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from reviewer.evaluation.metrics import _codes, _confusion_counts, _macro_f1_batch
from reviewer.models import Verdict

ROOT = Path(__file__).resolve().parents[2]

# (label, commit): the state of each version when the next fresh check or version began.
VERSIONS: list[tuple[str, str]] = [
    ("v4", "7befa6b^"),
    ("v7", "5d3cafc^"),
    ("v10", "599da8c^"),
    ("v13", "0cda4a9^"),
    ("v16", "18519f9^"),
    ("v17", "07eab78^"),
    ("v20", "a33f2ab^"),
    ("v21", "1ff5507"),
    ("v22", "19d8e0e"),  # v23 changed no verdict (it adds closest passages to abstentions)
]

# (row name, set names, number of the first version whose rules may have seen the folders;
# None: held out from every version).
ROWS: list[tuple[str, list[str], int | None]] = [
    ("held-out real documents", ["real", "real2a", "real2b"], None),
    ("demo test split", ["demotest"], None),
    ("fresh5", ["fresh5a", "fresh5b"], 6),
    ("fresh8", ["fresh8a", "fresh8b"], 11),
    ("fresh12", ["fresh12a", "fresh12b"], 13),
    ("fresh15", ["fresh15a", "fresh15b"], 17),
    ("fresh20", ["fresh20a", "fresh20b"], 21),
    ("fresh21", ["fresh21a", "fresh21b"], 22),
    ("fresh22", ["fresh22a", "fresh22b"], 22),
    ("fresh23", ["fresh23a", "fresh23b"], 24),
]


def sets() -> dict[str, tuple[str, str, str | None]]:
    """Set name -> (gold file, docs folder, split), paths relative to the repository."""
    out: dict[str, tuple[str, str, str | None]] = {
        "real": ("evals/gold/real.jsonl", "evals/real/docs", None),
        "real2a": ("evals/gold/real2a.jsonl", "evals/real2a/docs", None),
        "real2b": ("evals/gold/real2b.jsonl", "evals/real2b/docs", None),
        "demotest": ("evals/gold/demo.jsonl", "corpora/demo", "test"),
    }
    for _, names, first in ROWS:
        if first is not None:
            for name in names:
                out[name] = (f"evals/gold/real_dev_{name}.jsonl", f"evals/real_dev/{name}", None)
    return out


def run_version(label: str, commit: str, work: Path) -> None:
    """`reviewer eval` of one version over every set; results kept, so a rerun resumes."""
    todo = {
        n: s for n, s in sets().items() if not (work / "results" / f"{label}-{n}.json").exists()
    }
    if not todo:
        return
    tree = ROOT if commit == "HEAD" else work / "trees" / label
    if not tree.exists():
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit], check=True
        )
    cwd = work / "workspaces" / label  # each version's eval workspaces apart from the others
    cwd.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(tree))
    for name, (gold, docs, split) in todo.items():
        out = work / "results" / f"{label}-{name}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "reviewer.cli", "eval", "--gold", str(ROOT / gold)]
        cmd += ["--docs", str(ROOT / docs), "--drafter", "extractive", "--out", str(out)]
        if split:
            cmd += ["--split", split]
        done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"{label} {name}: failed\n{done.stderr[-2000:]}", file=sys.stderr)


def load_items(work: Path, label: str, name: str) -> list[dict[str, Any]] | None:
    path = work / "results" / f"{label}-{name}.json"
    if not path.exists():
        return None
    items: list[dict[str, Any]] = json.loads(path.read_text())["items"]["extractive"]
    return items


def cell(items: list[dict[str, Any]]) -> str:
    """'right (macro-F1)' over the classes present in the gold."""
    gold = [Verdict(i["gold"]) for i in items]
    known = {v.value for v in Verdict}  # anything else is a failed draft
    pred = [Verdict(i["predicted"]) if i["predicted"] in known else None for i in items]
    right = sum(g == p for g, p in zip(gold, pred, strict=True))
    f1 = float(_macro_f1_batch(_confusion_counts(*_codes(gold, pred))))  # as `reviewer eval`
    return f"{right} ({f1:.2f})"


def table(work: Path, versions: list[tuple[str, str]]) -> str:
    labels = [label for label, _ in versions]
    lines = [
        "| folders (items) | tuned on from | " + " | ".join(labels) + " |",
        "|---|---|" + "---:|" * len(labels),
    ]
    for row, names, first in ROWS:
        cells, n = [], 0
        for label in labels:
            parts = [load_items(work, label, name) for name in names]
            if any(p is None for p in parts):
                cells.append("")
                continue
            items = [i for p in parts if p for i in p]
            n = len(items)
            text = cell(items)
            seen = first is not None and int(label.lstrip("v")) >= first
            cells.append(f"*{text}*" if seen else text)
        since = "never" if first is None else f"v{first}"
        lines.append(f"| {row} ({n}) | {since} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, required=True, help="worktrees, workspaces, results")
    ap.add_argument("--out", type=Path, help="write the table (Markdown) here")
    ap.add_argument("--only", nargs="*", help="version labels to run (default: all)")
    args = ap.parse_args()
    versions = [v for v in VERSIONS if not args.only or v[0] in args.only]
    for label, commit in versions:
        run_version(label, commit, args.work)
    text = table(args.work, VERSIONS)
    print(text)
    if args.out:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        args.out.write_text(
            "# Every drafter version on the same folders\n\n"
            f"`python -m evals.tuning.version_sweep` at `{head}` on {date.today()}. A cell is "
            "the items drafted right (macro-F1); *italics*: that version's rules had been "
            "written with the folder's items in view (dev data by then). The held-out rows were "
            "never tuned on. Item by item: the JSON file beside this one.\n\n" + text
        )
        args.out.with_suffix(".json").write_text(json.dumps(predictions(args.work), indent=1))


def predictions(work: Path) -> dict[str, dict[str, dict[str, str]]]:
    """{version: {set: {item id: predicted verdict}}}, for diffing two versions item by item."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for label, _ in VERSIONS:
        for name in sets():
            items = load_items(work, label, name)
            if items is not None:
                out.setdefault(label, {})[name] = {i["id"]: i["predicted"] for i in items}
    return out


if __name__ == "__main__":
    main()
