"""List the dev items the extractive drafter gets wrong, with per-criterion status and quotes.

    python -m evals.tuning.errors --gold evals/gold/demo.jsonl evals/gold/demo_freeform.jsonl --docs corpora/demo
    [--all] [--ids a,b] [--set topic=0]
Dev split only, like every script here. --all prints the items it gets right too; --ids picks items.
"""

from __future__ import annotations

from dataclasses import replace

from evals.tuning.confusion import parse_set
from evals.tuning.devset import dev_parser, drafters_for, load_dev
from reviewer.drafting.extractive import ExtractiveParams


def main() -> None:
    ap = dev_parser(__doc__)
    ap.add_argument("--all", action="store_true", help="print correct items too")
    ap.add_argument("--ids", default="", help="only these item ids (comma-separated)")
    ap.add_argument("--set", default="", help="parameters to change, e.g. topic=0,support_z=3.25")
    args = ap.parse_args()
    devs = load_dev(args.gold, args.docs)
    drafters = drafters_for(devs, replace(ExtractiveParams(), **parse_set(args.set)))
    wrong = 0
    for dev in devs:
        item, q, ev = dev.item, dev.question, dev.evidence
        if args.ids and item.id not in args.ids.split(","):
            continue
        d = drafters[id(dev.ws)].draft(q, ev)
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
    print(f"\n{wrong} of {len(devs)} wrong")


if __name__ == "__main__":
    main()
