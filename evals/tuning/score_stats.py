"""Per dev item: the best evidence score per criterion next to the corpus background.

Exploration for the relative support threshold (issue 10), dev split only:
    python -m evals.tuning.score_stats --gold evals/gold/demo.jsonl evals/gold/demo_freeform.jsonl --docs corpora/demo

`criterion_scores` is the shipped sentence score per criterion that the other diagnostics
(lm_relevance, llm_judge) start from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evals.tuning.devset import DevItem, dev_parser, drafters_for, load_dev
from reviewer.drafting.extractive import (
    ExtractiveDrafter,
    Sentence,
    content_words,
    weighted_coverage,
)
from reviewer.evaluation.metrics import auroc, quotes_overlap
from reviewer.models import Criterion


def mixed_score(
    vecs: np.ndarray,
    words: list[set[str]],
    c_vec: np.ndarray,
    q_vec: np.ndarray,
    crit_words: set[str],
    idf: dict[str, float],
) -> np.ndarray:
    """The drafter's default sentence score (0.55 criterion + 0.25 question + 0.2 lexical)."""
    lex = np.array([weighted_coverage(crit_words, x, idf) for x in words])
    return 0.55 * (vecs @ c_vec) + 0.25 * (vecs @ q_vec) + 0.2 * lex


@dataclass
class CriterionScores:
    criterion: Criterion
    scores: np.ndarray  # the default score of each evidence sentence
    background: np.ndarray  # the same score over the corpus's background sample

    def z(self, i: int) -> float:
        """Sentence i's distance from the background mean, in background deviations."""
        return float((self.scores[i] - self.background.mean()) / (self.background.std() + 1e-6))

    def top(self, k: int) -> list[int]:
        """Indices of the k best-scoring sentences, best first."""
        return [int(i) for i in np.argsort(-self.scores)[:k]]


def criterion_scores(
    drafter: ExtractiveDrafter, dev: DevItem
) -> tuple[list[Sentence], list[CriterionScores]]:
    """The item's evidence sentences and, per criterion (the question when it has none), the
    default score of each sentence and of the background sample."""
    sample = drafter.background_sample()
    assert sample is not None, f"{dev.corpus}: no background sentences"
    bg_vecs, bg_words = sample
    q = dev.question
    sents = drafter.sentences(dev.evidence)
    crits = q.criteria or [Criterion(id="q", text=q.text)]
    vecs = drafter.embedder.embed([s.text for s in sents] + [q.text] + [c.text for c in crits])
    s_vecs, q_vec = vecs[: len(sents)], vecs[len(sents)]
    s_words = [content_words(s.text) for s in sents]
    out = []
    for crit, c_vec in zip(crits, vecs[len(sents) + 1 :], strict=True):
        words = content_words(crit.text)
        out.append(
            CriterionScores(
                crit,
                mixed_score(s_vecs, s_words, c_vec, q_vec, words, drafter.idf),
                mixed_score(bg_vecs, bg_words, c_vec, q_vec, words, drafter.idf),
            )
        )
    return sents, out


def gold_sentences(dev: DevItem, texts: list[str]) -> set[int]:
    """Indices of the sentences that hold one of the item's gold quotes."""
    return {
        i
        for i, t in enumerate(texts)
        if any(quotes_overlap(ev.quote, t) for ev in dev.item.evidence)
    }


def separation(pos: list[float], neg: list[float]) -> str:
    """AUROC of a signal for the `pos` items against the `neg` ones, formatted."""
    value = auroc(pos + neg, [True] * len(pos) + [False] * len(neg))
    return f"{value:.3f}" if value is not None else "n/a"


def main() -> None:
    args = dev_parser(__doc__).parse_args()
    devs = load_dev(args.gold, args.docs)
    drafters = drafters_for(devs)
    for dev in devs:
        _, scored = criterion_scores(drafters[id(dev.ws)], dev)
        out = []
        for c in scored:
            s, b = c.scores, c.background
            best = float(s.max()) if len(s) else 0.0
            z = (best - b.mean()) / (b.std() + 1e-6)
            out.append(f"{best:.2f}/{b.mean():.2f}/{np.percentile(b, 99):.2f}/z{z:.1f}")
        print(f"{dev.item.verdict.value[:5]:5} {dev.item.id:22} " + "  ".join(out))


if __name__ == "__main__":
    main()
