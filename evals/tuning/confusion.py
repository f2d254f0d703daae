"""Confusion matrix of the extractive drafter on dev items for one parameter setting.

    python -m evals.tuning.confusion --gold ... --docs corpora/demo --set support_z=3.5,topic=0.2
Dev split only.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import replace
from pathlib import Path

from reviewer.banks import all_questions
from reviewer.drafting.extractive import ExtractiveDrafter, ExtractiveParams
from reviewer.evaluation.gold import hide_answers, load_gold
from reviewer.evaluation.runner import corpus_hash, default_workspace, question_for
from reviewer.models import Verdict
from reviewer.workspace import Workspace


def parse_set(text: str) -> dict[str, float | int | bool]:
    out: dict[str, float | int | bool] = {}
    for part in filter(None, text.split(",")):
        name, value = part.split("=")
        out[name] = int(value) if value.isdigit() else float(value)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", type=Path, nargs="+", required=True)
    ap.add_argument("--docs", type=Path, required=True)
    ap.add_argument("--set", default="")
    args = ap.parse_args()
    items = [i for g in args.gold for i in load_gold(g, split="dev")]
    ws = Workspace.open(default_workspace(args.docs, corpus_hash(args.docs)))
    banks = {q.id: q for q in all_questions()}
    params = replace(ExtractiveParams(), **parse_set(args.set))
    drafter = ExtractiveDrafter(
        ws.cached_embedder, params, idf=ws.idf(), background=ws.background_sentences()
    )
    counts: Counter[tuple[str, str]] = Counter()
    for item in items:
        q = question_for(hide_answers(item), banks)
        d = drafter.draft(q, ws.retrieve(q, scope=item.scope or None))
        counts[(item.verdict.value, d.verdict.value)] += 1
    names = [v.value for v in Verdict]
    print("gold \\ drafted".ljust(24) + "".join(n[:11].rjust(13) for n in names))
    for g in names:
        print(g.ljust(24) + "".join(str(counts[(g, p)]).rjust(13) for p in names))
    right = sum(counts[(n, n)] for n in names)
    print(f"accuracy {right}/{len(items)}")


if __name__ == "__main__":
    main()
