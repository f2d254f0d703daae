"""Per dev item: the best evidence score per criterion next to the corpus background.

Exploration for the relative support threshold (issue 10), dev split only:
    python -m evals.tuning.score_stats --gold evals/gold/demo.jsonl evals/gold/demo_freeform.jsonl --docs corpora/demo
"""

from __future__ import annotations

import numpy as np

from evals.tuning.devset import dev_parser, drafters_for, load_dev
from reviewer.drafting.extractive import content_words, weighted_coverage
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


def main() -> None:
    args = dev_parser(__doc__).parse_args()
    devs = load_dev(args.gold, args.docs)
    drafters = drafters_for(devs)
    for dev in devs:
        item, q, ev, ws = dev.item, dev.question, dev.evidence, dev.ws
        drafter, idf, emb = drafters[id(ws)], ws.idf(), ws.cached_embedder
        background = drafter.background_sample()
        assert background is not None, f"{dev.corpus}: no background sentences"
        bg_vec, bg_words = background
        sents = drafter.sentences(ev)
        crits = q.criteria or [Criterion(id="q", text=q.text)]
        vec = emb.embed([s.text for s in sents] + [q.text] + [c.text for c in crits])
        sv, qv, cv = vec[: len(sents)], vec[len(sents)], vec[len(sents) + 1 :]
        sw = [content_words(s.text) for s in sents]
        out = []
        for c, c_vec in zip(crits, cv, strict=True):
            w = content_words(c.text)
            s = mixed_score(sv, sw, c_vec, qv, w, idf)
            b = mixed_score(bg_vec, bg_words, c_vec, qv, w, idf)
            best = float(s.max()) if len(s) else 0.0
            z = (best - b.mean()) / (b.std() + 1e-6)
            out.append(f"{best:.2f}/{b.mean():.2f}/{np.percentile(b, 99):.2f}/z{z:.1f}")
        print(f"{item.verdict.value[:5]:5} {item.id:22} " + "  ".join(out))


if __name__ == "__main__":
    main()
