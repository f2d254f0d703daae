"""Grid search of the extractive drafter's thresholds on DEV items only (demo and real-document dev sets).

    python -m evals.tuning.tune --gold G1.jsonl G2.jsonl --docs corpora/demo evals/real_dev/cards

Retrieval runs once per item; each parameter set re-runs only the drafter (embeddings are
cached), so a grid of a few hundred settings takes minutes. Never run this on the test split
or on the held-out real-document set (evals/gold/real.jsonl): those are for reporting.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from evals.tuning.devset import DevItem, dev_parser, drafters_for, load_dev
from reviewer.drafting.extractive import ExtractiveParams
from reviewer.evaluation.metrics import ItemResult, score


def evaluate(devs: list[DevItem], params: ExtractiveParams) -> dict[str, Any]:
    """Scores over all dev items, plus macro-F1 per corpus when they span several."""
    drafters = drafters_for(devs, params)
    results: list[ItemResult] = []
    for dev in devs:
        ev = dev.evidence
        f = dev.ws.draft(dev.question, ev, drafters[id(dev.ws)])
        results.append(
            ItemResult(
                item=dev.item,
                predicted=f.verdict,
                citations=[c for c in f.citations if c.verified],
                fabricated=0,
                retrieved=[e.chunk.text for e in ev],
                retrieved_files=[e.chunk.path for e in ev],
                latency_s=0.0,
                confidence=f.confidence,
            )
        )
    scores = score(results, n_boot=0)
    corpora = sorted({str(dev.corpus) for dev in devs})
    if len(corpora) > 1:
        scores["per_corpus"] = {
            c: score(
                [r for r, d in zip(results, devs, strict=True) if str(d.corpus) == c], n_boot=0
            )
            for c in corpora
        }
    return scores


def main() -> None:
    ap = dev_parser(__doc__)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--out", type=Path)
    ap.add_argument(
        "--grid", default="support=0.40,0.45,0.50;contradict=0.50,0.55,0.60;topic=0.0,0.3,0.5"
    )
    args = ap.parse_args()
    if args.split != "dev":
        raise SystemExit("tune only on the dev split")
    devs = load_dev(args.gold, args.docs)
    grid = {}
    for part in args.grid.split(";"):
        name, values = part.split("=")
        grid[name] = [int(v) if v.isdigit() else float(v) for v in values.split(",")]
    rows = []
    for combo in itertools.product(*grid.values()):
        params = replace(ExtractiveParams(), **dict(zip(grid.keys(), combo, strict=True)))
        m = evaluate(devs, params)
        row = {
            **dict(zip(grid.keys(), combo, strict=True)),
            "macro_f1": m["verdict"]["macro_f1"],
            "accuracy": m["verdict"]["accuracy"],
            "abstention_f1": m["abstention"]["f1"],
            "citation_precision": m["citations"]["precision"],
            "citation_recall": m["citations"]["recall"],
            "confidence_auroc": m["confidence"]["auroc"],
            **{
                f"macro_f1 {corpus}": part["verdict"]["macro_f1"]
                for corpus, part in m.get("per_corpus", {}).items()
            },
        }
        rows.append(row)
        print(json.dumps(row))
    rows.sort(key=lambda r: (-(r["macro_f1"] or 0), -(r["citation_precision"] or 0)))
    print("best:", json.dumps(rows[0]))
    if args.out:
        args.out.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
