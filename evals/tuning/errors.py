"""List the dev items the extractive drafter gets wrong, with per-criterion status and quotes.

    python -m evals.tuning.errors --gold evals/gold/demo.jsonl evals/gold/demo_freeform.jsonl --docs corpora/demo
Dev split only, like every script here.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reviewer.banks import all_questions
from reviewer.evaluation.gold import hide_answers, load_gold
from reviewer.evaluation.runner import corpus_hash, default_workspace, question_for
from reviewer.workspace import Workspace


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", type=Path, nargs="+", required=True)
    ap.add_argument("--docs", type=Path, required=True)
    ap.add_argument("--all", action="store_true", help="print correct items too")
    args = ap.parse_args()
    items = [i for g in args.gold for i in load_gold(g, split="dev")]
    ws = Workspace.open(default_workspace(args.docs, corpus_hash(args.docs)))
    if not ws.documents():
        ws.ingest([args.docs])
    banks = {q.id: q for q in all_questions()}
    drafter = ws.drafter("extractive")
    wrong = 0
    for item in items:
        q = question_for(hide_answers(item), banks)
        ev = ws.retrieve(q, scope=item.scope or None)
        d = drafter.draft(q, ev)
        ok = d.verdict == item.verdict
        wrong += not ok
        if ok and not args.all:
            continue
        print(
            f"\n{'OK ' if ok else 'BAD'} {item.id}: gold {item.verdict.value}, got {d.verdict.value}"
        )
        print(f"    notes: {item.notes[:240]}")
        for g in item.evidence:
            print(f"    gold quote ({g.file}): {g.quote[:140]}")
        quotes = {c.label: c.quote for c in d.citations}
        for a in d.assessments:
            print(f"  [{a.status.value:12}] {a.score:.2f} {a.note[:50]:50} | {a.criterion[:70]}")
            for lbl in dict.fromkeys(a.evidence):
                print(f"        {lbl}: {quotes.get(lbl, '')[:150]!r}")
    print(f"\n{wrong} of {len(items)} wrong")


if __name__ == "__main__":
    main()
