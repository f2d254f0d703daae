"""Do questionnaire answers follow the question's wording? Measured on pairs of opposite questions.

    python -m evals.tuning.polarity evals/polarity/dev.jsonl [--show]

Each pair asks about one fact twice with opposite polarity ("Is customer data used to train your
models?" / "Is customer data excluded from model training?"), so a truthful answer to one is
the flip of the other (Yes <-> No; Partial and blank stay). Every question runs through the
real batch path (`batch_questionnaire`: bank matching, retrieval, extractive drafter, dropdown
mapping) in the eval workspace of its folder, and the answer written into the sheet is
compared with the pair file's expected answer.

Reported: answers right; inverted answers (Yes where No is true or the reverse, the failure
this measures); pairs answered consistently (both answered and flipped, or the same
Partial/blank); all split by the kind of inversion and by whether the row matched a bank
question. `dev.jsonl` is for tuning; `heldout.jsonl` was written over the held-out real
documents by someone who had not read the drafter, and is only looked at to report.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from reviewer.batch.answering import batch_questionnaire
from reviewer.evaluation.runner import corpus_hash, default_workspace
from reviewer.workspace import Workspace

FLIP = {"Yes": "No", "No": "Yes", "Partial": "Partial", "": ""}


def answer_rows(folder: Path, items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(answer written, bank question id or "") per item, from one batch run over `folder`."""
    ws = Workspace.open(default_workspace(folder, corpus_hash(folder)))
    ws.ingest([folder])
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "pairs.csv", Path(tmp) / "pairs.out.csv"
        with src.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["Ref", "Question", "Answer", "Comments"])
            for i, it in enumerate(items):
                w.writerow([f"P{i + 1}", it["question"], "", ""])
        _, matches = batch_questionnaire(ws, src, drafter="extractive", out=out, fresh=True)
        with out.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    by_row = {m["row"]: m["bank_question"] or "" for m in matches}
    return [(r["Answer"].strip(), by_row.get(i + 2, "")) for i, r in enumerate(rows)]


def collect(pairs_file: Path) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in pairs_file.read_text().splitlines() if line.strip()]
    by_folder: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for it in items:
        by_folder[it["docs"]].append(it)
    out = []
    for folder, group in by_folder.items():
        for it, (got, bank) in zip(group, answer_rows(Path(folder), group), strict=True):
            out.append({**it, "got": got, "bank": bank})
    return out


def report(rows: list[dict[str, Any]], show: bool = False) -> None:
    def line(name: str, sub: list[dict[str, Any]]) -> str:
        right = sum(r["got"] == r["expected"] for r in sub)
        inverted = sum({r["got"], r["expected"]} == {"Yes", "No"} for r in sub)
        return f"  {name:<22} {len(sub):>3} questions: right {right:>3}, inverted {inverted:>3}"

    print(line("all", rows))
    for kind in sorted({r["kind"] for r in rows}):
        print(line(kind, [r for r in rows if r["kind"] == kind]))
    for form in ("A", "B"):
        print(line(f"form {form}", [r for r in rows if r["form"] == form]))
    print(line("matched a bank question", [r for r in rows if r["bank"]]))
    print(line("bare question", [r for r in rows if not r["bank"]]))
    pairs: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in rows:
        pairs[r["pair"]][r["form"]] = r
    consistent = sum(FLIP[p["A"]["got"]] == p["B"]["got"] for p in pairs.values())
    both_right = sum(all(x["got"] == x["expected"] for x in p.values()) for p in pairs.values())
    print(f"  pairs: {len(pairs)}; answered consistently {consistent}; both right {both_right}")
    confusion = Counter((r["expected"] or "-", r["got"] or "-") for r in rows)
    print(
        "  expected -> written: "
        + ", ".join(f"{e}->{g} {n}" for (e, g), n in sorted(confusion.items()))
    )
    if show:
        for r in rows:
            mark = "ok " if r["got"] == r["expected"] else "BAD"
            print(
                f"  {mark} {r['pair']}{r['form']} [{r['kind'][:8]}] "
                f"exp {r['expected'] or '-':<7} got {r['got'] or '-':<7} "
                f"{('bank ' + r['bank']) if r['bank'] else ''} {r['question']}"
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pairs", type=Path)
    ap.add_argument("--show", action="store_true", help="one line per question")
    ap.add_argument("--out", type=Path, help="save the rows (JSON)")
    ap.add_argument("--load", type=Path, help="report from rows saved earlier")
    args = ap.parse_args()
    rows = json.loads(args.load.read_text()) if args.load else collect(args.pairs)
    if args.out:
        args.out.write_text(json.dumps(rows))
    report(rows, args.show)


if __name__ == "__main__":
    main()
