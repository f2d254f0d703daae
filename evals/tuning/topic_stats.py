"""Per dev item: candidate signals for "the evidence is on topic", next to the gold verdict.

    python -m evals.tuning.topic_stats --gold evals/gold/demo.jsonl ... --docs corpora/demo
Dev split only. Columns: best single-sentence IDF coverage of the question's words, coverage by
the five sentences most related to the question together, and the best sentence's question
similarity in standard deviations above the corpus background.
"""

from __future__ import annotations

import numpy as np

from evals.tuning.devset import dev_parser, drafters_for, load_dev
from reviewer.drafting.extractive import content_words, weighted_coverage


def main() -> None:
    args = dev_parser(__doc__).parse_args()
    devs = load_dev(args.gold, args.docs)
    drafters = drafters_for(devs)
    rows = []
    for dev in devs:
        item, q, ws = dev.item, dev.question, dev.ws
        drafter, idf = drafters[id(ws)], ws.idf()
        background = drafter.background_sample()
        assert background is not None, f"{dev.corpus}: no background sentences"
        bg, bg_words = background
        sents = drafter.sentences(dev.evidence)
        vec = ws.cached_embedder.embed([s.text for s in sents] + [q.text])
        sv, qv = vec[:-1], vec[-1]
        words = content_words(q.text)
        s_words = [content_words(s.text) for s in sents]
        cov = np.array([weighted_coverage(words, w, idf) for w in s_words])
        q_sim = sv @ qv
        top = np.argsort(-(0.7 * q_sim + 0.3 * cov))[:5]
        union = set().union(*(s_words[i] for i in top)) if len(top) else set()
        b = bg @ qv
        z = (q_sim.max() - b.mean()) / (b.std() + 1e-6) if len(sents) else 0.0
        bcov = np.array([weighted_coverage(words, w, idf) for w in bg_words])
        cz = (cov.max() - bcov.mean()) / (bcov.std() + 1e-6) if len(sents) else 0.0
        top2 = np.sort(cov)[-2:].mean() if len(sents) > 1 else cov.max()
        rows.append(
            (item.verdict.value, cov.max(), weighted_coverage(words, union, idf), z, cz, top2)
        )
        print(
            f"{item.verdict.value[:5]:5} {item.id:18} single {cov.max():.2f}  top5 "
            f"{rows[-1][2]:.2f}  qz {z:.1f}  covz {cz:.1f}  top2 {top2:.2f}"
        )
    for name, col in (("single", 1), ("top5", 2), ("qz", 3), ("covz", 4), ("top2", 5)):
        ins = [r[col] for r in rows if r[0] == "insufficient_evidence"]
        oth = [r[col] for r in rows if r[0] != "insufficient_evidence"]
        auc = np.mean([a < b for a in ins for b in oth]) + 0.5 * np.mean(
            [a == b for a in ins for b in oth]
        )
        print(
            f"{name}: insufficient mean {np.mean(ins):.2f}, others {np.mean(oth):.2f}, AUROC {auc:.2f}"
        )


if __name__ == "__main__":
    main()
