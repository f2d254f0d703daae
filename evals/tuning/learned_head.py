"""Could a model learned on the drafter's own signals choose verdicts better than its rules?

    python -m evals.tuning.learned_head --gold $G --docs $D

Per dev item it records the signals the extractive drafter computes anyway: the rule verdict,
the share of criteria met / partly met / contradicted / without evidence, each criterion's
distance from its bar (min, max, mean), the question's best and top-5 word coverage, how many
sentences were scored, denials among the first ten, the top evidence's retrieval score and
document type, the confidence. Two heads are fitted on them (scikit-learn, which
sentence-transformers already installs; this script only) and scored leave-one-corpus-out: each
corpus (the demo corpus, each real dev folder) is predicted by a head fitted on the others, as an
unseen corpus would be:
- a verdict head: logistic regression or a decision tree over all four verdicts;
- an abstention head: logistic regression on "insufficient evidence or not", which may only
  turn the rules' abstention into `partial` or an answer into an abstention.
Dev items only, like every script here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from evals.tuning.devset import dev_parser, drafters_for, load_dev
from reviewer.drafting.extractive import (
    ExtractiveDrafter,
    content_words,
    weighted_coverage,
)
from reviewer.models import CriterionStatus, DocType, Verdict

VERDICTS = [v.value for v in Verdict]
SIGNALS = (
    "n_crit f_met f_part f_con f_none m_min m_max m_mean qcov_max qcov_top5 n_sent neg10 "
    "top_score top_policy top_vendor confidence"
).split()


class RecordingDrafter(ExtractiveDrafter):
    """The shipped drafter, keeping each draft's per-criterion margins for inspection."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.margins: list[float] = []

    def _draft(self, assessments, citations, note="", margins=None, **kw):  # type: ignore[no-untyped-def]
        self.margins = list(margins or [])
        return super()._draft(assessments, citations, note, margins, **kw)


def signals(dr: RecordingDrafter, dev: Any) -> dict[str, Any]:
    d = dr.draft(dev.question, dev.evidence)
    sents = dr.sentences(dev.evidence)
    q_words = content_words(dev.question.text)
    cov = sorted(weighted_coverage(q_words, content_words(s.text), dr.idf) for s in sents) or [0]
    statuses = [a.status for a in d.assessments]
    m = dr.margins or [-3.0]
    top = dev.evidence[0] if dev.evidence else None
    share = {s: statuses.count(s) / len(statuses) for s in CriterionStatus}
    return {
        "gold": VERDICTS.index(dev.item.verdict.value),
        "rule": VERDICTS.index(d.verdict.value),
        "corpus": dev.corpus.name,
        "n_crit": len(statuses),
        "f_met": share[CriterionStatus.met],
        "f_part": share[CriterionStatus.partly_met],
        "f_con": share[CriterionStatus.contradicted],
        "f_none": share[CriterionStatus.no_evidence],
        "m_min": min(m),
        "m_max": max(m),
        "m_mean": float(np.mean(m)),
        "qcov_max": cov[-1],
        "qcov_top5": float(np.mean(cov[-5:])),
        "n_sent": len(sents),
        "neg10": sum(1 for s in sents[:10] if s.cues().negation),
        "top_score": top.score if top else 0.0,
        "top_policy": float(top is not None and top.chunk.doc_type == DocType.policy),
        "top_vendor": float(top is not None and top.chunk.doc_type == DocType.vendor),
        "confidence": d.confidence,
    }


def dev_signals(description: str | None) -> list[dict[str, Any]]:
    """The signals of every dev item named by the command line's --gold / --docs."""
    args = dev_parser(description).parse_args()
    devs = load_dev(args.gold, args.docs)
    drafters = drafters_for(devs, cls=RecordingDrafter)
    return [signals(drafters[id(dev.ws)], dev) for dev in devs]


def matrix(rows: list[dict[str, Any]]) -> np.ndarray:
    return np.array(
        [[r[s] for s in SIGNALS] + [float(r["rule"] == i) for i in range(4)] for r in rows]
    )


def macro_f1(gold: np.ndarray, pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return round(float(f1_score(gold, pred, average="macro", labels=range(4), zero_division=0)), 3)


def leave_one_corpus_out(
    rows: list[dict[str, Any]], predict: Callable[..., Any]
) -> tuple[float, dict[str, float]]:
    """Macro-F1 over all items and per corpus, each corpus predicted by a head fitted without it."""
    gold = np.array([r["gold"] for r in rows])
    pred = np.array([r["rule"] for r in rows])
    corpora = np.array([r["corpus"] for r in rows])
    x = matrix(rows)
    for c in sorted(set(corpora)):
        train, test = corpora != c, corpora == c
        pred[test] = predict(x[train], gold[train], x[test], list(pred[test]))
    per = {str(c): macro_f1(gold[corpora == c], pred[corpora == c]) for c in sorted(set(corpora))}
    return macro_f1(gold, pred), per


def verdict_head(make: Callable[[], Any]):  # type: ignore[no-untyped-def]
    def predict(xtr, ytr, xte, _rule):  # type: ignore[no-untyped-def]
        return make().fit(xtr, ytr).predict(xte)

    return predict


def abstention_head(make: Callable[[], Any], threshold: float):  # type: ignore[no-untyped-def]
    abstain = VERDICTS.index(Verdict.insufficient_evidence.value)
    partial = VERDICTS.index(Verdict.partial.value)

    def predict(xtr, ytr, xte, rule):  # type: ignore[no-untyped-def]
        p = make().fit(xtr, (ytr == abstain).astype(int)).predict_proba(xte)[:, 1]
        out = []
        for r, pi in zip(rule, p, strict=True):
            if r == abstain and pi < 1 - threshold:
                out.append(partial)
            elif r != abstain and pi > threshold:
                out.append(abstain)
            else:
                out.append(r)
        return out

    return predict


def main() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    rows = dev_signals(__doc__)
    gold = np.array([r["gold"] for r in rows])
    rule = np.array([r["rule"] for r in rows])
    print(f"rules as shipped: macro-F1 {macro_f1(gold, rule)} on {len(rows)} dev items")
    where = np.array([r["corpus"] for r in rows])
    per = {str(c): macro_f1(gold[where == c], rule[where == c]) for c in sorted(set(where))}
    print("  per corpus:", per)

    def logistic(c: float) -> Callable[[], Any]:
        return lambda: make_pipeline(
            StandardScaler(), LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
        )

    for c in (0.03, 0.1, 0.3, 1.0, 3.0):
        print(
            f"verdict head, logistic C={c}:", leave_one_corpus_out(rows, verdict_head(logistic(c)))
        )
    for depth in (2, 3, 4):
        tree = lambda d=depth: DecisionTreeClassifier(  # noqa: E731
            max_depth=d, class_weight="balanced", random_state=0
        )
        print(f"verdict head, tree depth {depth}:", leave_one_corpus_out(rows, verdict_head(tree)))
    for c in (0.1, 1.0):
        for t in (0.5, 0.6, 0.7, 0.8):
            print(
                f"abstention head, logistic C={c}, threshold {t}:",
                leave_one_corpus_out(rows, abstention_head(logistic(c), t)),
            )


if __name__ == "__main__":
    main()
