"""Print, per gold item, the extractive drafter's per-criterion evidence, scores and cues.

Used while tuning on the demo gold's DEV split only:
    python -m evals.tuning.diagnose --gold evals/gold/demo.jsonl --docs corpora/demo --split dev [--ids a,b]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reviewer.banks import all_questions
from reviewer.drafting.cues import governing_clause, read_cues
from reviewer.evaluation.gold import hide_answers, load_gold
from reviewer.evaluation.runner import corpus_hash, default_workspace, question_for
from reviewer.workspace import Workspace


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", type=Path, required=True)
    ap.add_argument("--docs", type=Path, required=True)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--ids", default="")
    args = ap.parse_args()
    items = load_gold(args.gold, split=args.split)
    ws = Workspace.open(default_workspace(args.docs, corpus_hash(args.docs)))
    if not ws.documents():
        ws.ingest([args.docs])
    banks = {q.id: q for q in all_questions()}
    drafter = ws.drafter("extractive")
    wanted = {i for i in args.ids.split(",") if i}
    for item in items:
        if wanted and item.id not in wanted:
            continue
        q = question_for(hide_answers(item), banks)
        ev = ws.retrieve(q, scope=item.scope or None)
        d = drafter.draft(q, ev)
        mark = "OK " if d.verdict == item.verdict else "BAD"
        print(
            f"\n{mark} {item.id} gold={item.verdict.value} pred={d.verdict.value} conf={d.confidence}"
        )
        print(f"   Q: {q.text}")
        for g in item.evidence:
            print(f"   gold: {g.file}: {g.quote[:150]}")
        quotes = {c.label: c.quote for c in d.citations}
        for a in d.assessments:
            print(f"   [{a.status.value:12}] {a.score:.3f} {a.criterion[:90]}")
            for lbl in a.evidence[:1]:
                s = quotes.get(lbl) or ""
                src = next((e.chunk.path for e in ev if e.label == lbl), "?")
                cues = read_cues(governing_clause(s, a.criterion))
                print(f"        {lbl} {src}: {s[:160]}")
                print(
                    f"        cues neg={cues.negation} perm={cues.permission} hedge={cues.hedge} fut={cues.future}"
                )


if __name__ == "__main__":
    main()
