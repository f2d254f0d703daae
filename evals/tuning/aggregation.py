"""Other ways to turn per-criterion statuses into a verdict, on dev items only.

    python -m evals.tuning.aggregation --gold ... --docs ... [--out rows.json | --load rows.json]

The drafter's verdict is a pure function of its criteria statuses (`aggregate`), so the statuses
are collected once and each rule below is scored on them. Per-corpus macro-F1 is printed too, to
see whether a gain is one corpus or spread.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from evals.tuning.devset import add_cache_options, cached_rows, dev_parser, drafters_for, load_dev
from reviewer.models import Verdict

C, P, X, N = "conformant", "partial", "nonconformity", "insufficient_evidence"
LABELS = [C, P, X, N]

Rule = Callable[[list[str]], str]


def collect(args: Any) -> list[dict[str, Any]]:
    devs = load_dev(args.gold, args.docs)
    drafters = drafters_for(devs)
    rows = []
    for dev in devs:
        d = drafters[id(dev.ws)].draft(dev.question, dev.evidence)
        rows.append(
            {
                "id": dev.item.id,
                "corpus": dev.corpus.name,
                "gold": dev.item.verdict.value,
                "drafted": d.verdict.value,
                "statuses": [a.status.value for a in d.assessments],
            }
        )
    return rows


def shipped(s: list[str]) -> str:
    if "contradicted" in s:
        return X
    if all(x == "no_evidence" for x in s):
        return N
    if all(x == "met" for x in s):
        return C
    return P


def met_share(t: float) -> Rule:
    """Conformant when at least share t of the criteria are met and none is only partly met."""

    def rule(s: list[str]) -> str:
        v = shipped(s)
        if v == P and "partly_met" not in s and s.count("met") / len(s) >= t:
            return C
        return v

    return rule


def lone_partial_abstains(s: list[str]) -> str:
    """Nothing met and one partly met criterion among several: too little to answer."""
    v = shipped(s)
    if v == P and s.count("met") == 0 and s.count("partly_met") == 1 and len(s) >= 3:
        return N
    return v


def two_contradictions(s: list[str]) -> str:
    """A lone contradiction among met criteria reads as partial."""
    v = shipped(s)
    if v == X and s.count("contradicted") == 1 and s.count("met") >= 2:
        return P
    return v


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    f1s = []
    for lab in LABELS:
        tp = sum(1 for g, p in pairs if g == lab and p == lab)
        fp = sum(1 for g, p in pairs if g != lab and p == lab)
        fn = sum(1 for g, p in pairs if g == lab and p != lab)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / len(f1s)


def main() -> None:
    ap = dev_parser(__doc__)
    add_cache_options(ap, "per-item criterion statuses")
    args = ap.parse_args()
    rows = cached_rows(args, collect)
    assert all(shipped(r["statuses"]) == r["drafted"] for r in rows), "aggregate changed"
    assert {v.value for v in Verdict} == set(LABELS)
    rules: dict[str, Rule] = {"shipped": shipped}
    for t in (0.5, 0.6, 0.67, 0.75):
        rules[f"met share >= {t}, none partly met -> conformant"] = met_share(t)
    rules["nothing met, one partly met of 3+ -> insufficient"] = lone_partial_abstains
    rules["one contradiction among 2+ met -> partial"] = two_contradictions
    corpora = sorted({r["corpus"] for r in rows})
    base = {
        c: [(r["gold"], shipped(r["statuses"])) for r in rows if r["corpus"] == c] for c in corpora
    }
    print(f"{len(rows)} dev items; statuses per item: {Counter(len(r['statuses']) for r in rows)}")
    for name, rule in rules.items():
        pairs = [(r["gold"], rule(r["statuses"])) for r in rows]
        right = sum(g == p for g, p in pairs)
        moved = []
        for c in corpora:
            mine = [(r["gold"], rule(r["statuses"])) for r in rows if r["corpus"] == c]
            delta = sum(g == p for g, p in mine) - sum(g == p for g, p in base[c])
            if delta:
                moved.append(f"{c} {delta:+d}")
        print(f"{macro_f1(pairs):.3f}  {right:3d} right  {name}  [{', '.join(moved)}]")


if __name__ == "__main__":
    main()
