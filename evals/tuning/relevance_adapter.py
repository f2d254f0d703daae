"""Can a small learned adapter over MiniLM tell the answering sentence from a near miss?

    python -m evals.tuning.relevance_adapter --gold $G --docs $D [--top 8]

Dev split only. For each dev item and criterion, the drafter's `--top` best sentences (shipped
score) are kept when some but not all of them hold a gold quote. A linear map W (384 x 384,
starting at the identity, pulled back to it by `reg`) is fitted so that cos(W c, s) ranks a gold
sentence s above the others for criterion c (pairwise logistic loss). The shipped score plus
`lam` times the change W makes to the cosine then re-ranks the sentences. Every corpus is scored
with a W fitted on the other corpora only (cross-fitting), and the report counts how often the
top sentence holds a gold quote. Nothing here is shipped; it measures whether the idea is worth
building (row 80).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evals.tuning.devset import dev_parser, drafters_for, load_dev
from evals.tuning.score_stats import criterion_scores, gold_sentences

DIM = 384


def collect(args: Any) -> list[dict[str, Any]]:
    devs = load_dev(args.gold, args.docs)
    drafters = drafters_for(devs)
    rows = []
    for dev in devs:
        sents, scored = criterion_scores(drafters[id(dev.ws)], dev)
        texts = [s.text for s in sents]
        gold = gold_sentences(dev, texts)
        for c in scored:
            top = c.top(args.top)
            flags = np.array([i in gold for i in top])
            if not flags.any() or flags.all():
                continue
            vecs = dev.ws.cached_embedder.embed([c.criterion.text] + [texts[i] for i in top])
            rows.append(
                {
                    "corpus": str(dev.corpus),
                    "c": vecs[0],
                    "s": vecs[1:],
                    "score": np.array([c.scores[i] for i in top]),
                    "gold": flags,
                }
            )
    return rows


def fit(rows: list[dict[str, Any]], reg: float, epochs: int = 80) -> np.ndarray:
    """W by gradient descent on the pairwise logistic loss (gold above non-gold), scale 10."""
    lr = min(2.0, 0.5 / reg)  # the pull to the identity must not overshoot (reg * lr < 1)
    diffs, crits = [], []
    for r in rows:
        for p in np.flatnonzero(r["gold"]):
            for q in np.flatnonzero(~r["gold"]):
                diffs.append(r["s"][p] - r["s"][q])
                crits.append(r["c"])
    ds, cs = np.array(diffs), np.array(crits)
    w = np.eye(DIM)
    for _ in range(epochs):
        margin = np.sum(ds * (cs @ w.T), axis=1)
        weight = 1 / (1 + np.exp(10 * margin))
        grad = -(10 * (ds * weight[:, None]).T @ cs) / len(margin) + reg * (w - np.eye(DIM))
        w -= lr * grad
    return w


def gold_first(rows: list[dict[str, Any]], w: np.ndarray, lam: float) -> int:
    count = 0
    for r in rows:
        change = r["s"] @ (w @ r["c"]) - r["s"] @ r["c"]
        count += bool(r["gold"][int(np.argmax(r["score"] + lam * change))])
    return count


def main() -> None:
    ap = dev_parser(__doc__)
    ap.add_argument("--top", type=int, default=8)
    args = ap.parse_args()
    rows = collect(args)
    corpora = sorted({r["corpus"] for r in rows})
    print(f"{len(rows)} criteria with gold and non-gold sentences among their top {args.top}")
    print(f"shipped score: gold sentence first {gold_first(rows, np.eye(DIM), 0.0)}")
    for reg in (0.1, 1.0):
        fitted = {c: fit([r for r in rows if r["corpus"] != c], reg) for c in corpora}
        for lam in (0.25, 0.5, 1.0, 2.0):
            first = sum(
                gold_first([r for r in rows if r["corpus"] == c], fitted[c], lam) for c in corpora
            )
            print(f"reg {reg} lam {lam}: gold sentence first {first} (cross-fitted by corpus)")


if __name__ == "__main__":
    main()
