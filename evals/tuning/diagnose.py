"""Print, per gold item, the extractive drafter's per-criterion evidence, scores and cues.

Used while tuning on the demo gold's DEV split only:
    python -m evals.tuning.diagnose --gold evals/gold/demo.jsonl --docs corpora/demo --split dev [--ids a,b]
"""

from __future__ import annotations

from evals.tuning.devset import dev_parser, load_dev
from reviewer.drafting.cues import governing_clause, read_cues


def main() -> None:
    ap = dev_parser(__doc__)
    ap.add_argument("--ids", default="")
    args = ap.parse_args()
    ws, devs = load_dev(args.gold, args.docs)
    drafter = ws.drafter("extractive")
    wanted = {i for i in args.ids.split(",") if i}
    for dev in devs:
        item, q, ev = dev.item, dev.question, dev.evidence
        if wanted and item.id not in wanted:
            continue
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
