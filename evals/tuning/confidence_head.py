"""Would a confidence learned on dev separate right from wrong drafts better than the shipped one?

    python -m evals.tuning.confidence_head --gold $G --docs $D

The shipped confidence blends the weakest criterion's distance from its bar with a per-verdict
prior. Here a logistic regression predicts "the rule verdict is right" from signals the drafter
has when it drafts (the same per-item signals as `learned_head.py`), and is scored
leave-one-corpus-out: each corpus (the demo corpus, each real dev folder) gets confidences from a
head fitted on the others, as an unseen corpus would. Reported per feature set and strength C:
AUROC of confidence for correctness pooled over all dev items and per corpus (median), and
accuracy per confidence quartile, next to the same figures for the shipped confidence.
The verdicts do not change. Dev items only, like every script here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evals.tuning.learned_head import dev_signals
from reviewer.evaluation.metrics import auroc

# Signals the drafter holds at the point it drafts; "verdict" expands to four indicators.
DRAFT = ["n_crit", "f_met", "f_part", "f_con", "f_none", "m_min", "m_max", "m_mean"]
RETRIEVAL = ["qcov_max", "qcov_top5", "n_sent", "neg10", "top_score", "top_policy", "top_vendor"]
SETS = {
    "margins": ["m_min", "m_max", "m_mean", "verdict"],
    "draft": [*DRAFT, "verdict"],
    "all": [*DRAFT, *RETRIEVAL, "verdict"],
}


def features(rows: list[dict[str, Any]], names: list[str]) -> np.ndarray:
    cols: list[list[float]] = []
    for r in rows:
        row: list[float] = []
        for n in names:
            if n == "verdict":
                row += [float(r["rule"] == i) for i in range(4)]
            else:
                row.append(float(r[n]))
        cols.append(row)
    return np.array(cols)


def quartile_accuracy(conf: np.ndarray, right: np.ndarray) -> list[float]:
    order = np.argsort(conf, kind="stable")
    return [round(float(right[g].mean()), 2) for g in np.array_split(order, 4)]


def summary(conf: np.ndarray, right: np.ndarray, corpora: np.ndarray) -> str:
    per = [
        auroc(conf[corpora == c].tolist(), right[corpora == c].tolist())
        for c in sorted(set(corpora))
    ]
    per_ok = [a for a in per if a is not None]
    pooled = auroc(conf.tolist(), right.tolist()) or 0.0
    return (
        f"AUROC pooled {pooled:.3f}, per corpus median {np.median(per_ok):.3f} "
        f"(min {min(per_ok):.3f}); quartile accuracy {quartile_accuracy(conf, right)}"
    )


def loco(x: np.ndarray, right: np.ndarray, corpora: np.ndarray, c: float) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    out = np.zeros(len(right))
    for k in sorted(set(corpora)):
        train, test = corpora != k, corpora == k
        head = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))
        head.fit(x[train], right[train])
        out[test] = head.predict_proba(x[test])[:, 1]
    return out


def main() -> None:
    rows = dev_signals(__doc__)
    right = np.array([r["gold"] == r["rule"] for r in rows])
    corpora = np.array([r["corpus"] for r in rows])
    shipped = np.array([r["confidence"] for r in rows])
    print(f"{len(rows)} dev items, {int(right.sum())} right; corpora {sorted(set(corpora))}")
    print("shipped confidence:", summary(shipped, right, corpora))
    for name, cols in SETS.items():
        x = features(rows, cols)
        for c in (0.03, 0.1, 0.3, 1.0):
            print(f"head '{name}' C={c}:", summary(loco(x, right, corpora, c), right, corpora))


if __name__ == "__main__":
    main()
