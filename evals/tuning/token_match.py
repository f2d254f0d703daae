"""Would matching MiniLM token states (BERTScore-style) tell answerable criteria from the rest?

    python -m evals.tuning.token_match --gold $G --docs $D

The drafter scores a sentence against a criterion with pooled MiniLM vectors plus IDF-weighted
word overlap, and over-abstains: most of its dev errors are answerable items whose best sentence
falls just under the bar. Token matching is a different reading of the same bundled model: each
content token of the criterion takes its best cosine among the sentence's content tokens, and the
mean is the match ("recall" in BERTScore's terms), so "origin" can meet "source" where stems do
not. Each score is turned into standard deviations above the corpus background, as the drafter's
bar is, and reported as AUROC of the best sentence's z for answerable against unanswerable, per
item (best criterion) and per criterion (criteria of conformant items against criteria of
insufficient-evidence items), for the shipped score, the token match, and their sums. Runs on
torch (token states are not in the ONNX graph the drafter uses). Dev items only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from evals.tuning.devset import dev_parser, drafters_for, load_dev
from evals.tuning.score_stats import mixed_score, separation
from reviewer.drafting.extractive import content_words
from reviewer.models import Criterion
from reviewer.store.embeddings import _load_sentence_transformer, model_dir
from reviewer.store.lexical import STOPWORDS

WEIGHTS = (0.0, 0.2, 0.5, 1.0, None)  # None: the token match alone


class TokenStates:
    """Normalised MiniLM token vectors of content tokens, cached per text."""

    def __init__(self) -> None:
        self.model = _load_sentence_transformer(model_dir())
        self.tok = self.model.tokenizer
        self.cache: dict[str, np.ndarray] = {}

    def _content(self, ids: list[int]) -> np.ndarray:
        keep = []
        for t in self.tok.convert_ids_to_tokens(ids):
            word = t.removeprefix("##")
            piece = t.startswith("##")
            keep.append(
                t not in ("[CLS]", "[SEP]")
                and word.isalpha()
                and (piece or (word.lower() not in STOPWORDS and len(word) > 2))
            )
        return np.array(keep)

    def __call__(self, texts: list[str]) -> list[np.ndarray]:
        todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if todo:
            states = self.model.encode(
                todo, output_value="token_embeddings", batch_size=64, show_progress_bar=False
            )
            for text, state in zip(todo, states, strict=True):
                ids = self.tok(text, truncation=True, max_length=256)["input_ids"]
                vec = state.numpy()[: len(ids)]
                vec = vec / (np.linalg.norm(vec, axis=1, keepdims=True) + 1e-9)
                keep = self._content(ids)
                self.cache[text] = vec[keep] if keep.any() else vec
        return [self.cache[t] for t in texts]


def token_match(criterion: np.ndarray, sentence: np.ndarray) -> float:
    if not len(criterion) or not len(sentence):
        return 0.0
    return float((criterion @ sentence.T).max(axis=1).mean())


def z_best(scores: np.ndarray, background: np.ndarray) -> float:
    return float((scores.max() - background.mean()) / (background.std() + 1e-6))


def main() -> None:
    args = dev_parser(__doc__).parse_args()
    devs = load_dev(args.gold, args.docs)
    drafters = drafters_for(devs)
    states = TokenStates()
    per_item: dict[Any, list[tuple[str, list[float]]]] = {w: [] for w in WEIGHTS}
    per_crit: dict[Any, list[tuple[str, float]]] = {w: [] for w in WEIGHTS}
    for dev in devs:
        drafter = drafters[id(dev.ws)]
        sample = drafter.background_sample()
        assert sample is not None, f"{dev.corpus}: no background sentences"
        bg_vecs, bg_words = sample
        bg_tok = states(drafter.background[: drafter.params.background_size])
        sents = drafter.sentences(dev.evidence)
        if not sents:
            continue
        q = dev.question
        crits = q.criteria or [Criterion(id="q", text=q.text)]
        texts = [s.text for s in sents]
        vecs = drafter.embedder.embed(texts + [q.text] + [c.text for c in crits])
        s_vecs, q_vec, c_vecs = vecs[: len(sents)], vecs[len(sents)], vecs[len(sents) + 1 :]
        s_words = [content_words(t) for t in texts]
        s_tok = states(texts)
        zs: dict[Any, list[float]] = {w: [] for w in WEIGHTS}
        for crit, c_vec, c_tok in zip(crits, c_vecs, states([c.text for c in crits]), strict=True):
            words = content_words(crit.text)

            s0 = mixed_score(s_vecs, s_words, c_vec, q_vec, words, drafter.idf)
            b0 = mixed_score(bg_vecs, bg_words, c_vec, q_vec, words, drafter.idf)
            st = np.array([token_match(c_tok, x) for x in s_tok])
            bt = np.array([token_match(c_tok, x) for x in bg_tok])
            for w in WEIGHTS:
                z = z_best(st, bt) if w is None else z_best(s0 + w * st, b0 + w * bt)
                zs[w].append(z)
                per_crit[w].append((dev.item.verdict.value, z))
        for w in WEIGHTS:
            per_item[w].append((dev.item.verdict.value, zs[w]))
    print(f"{len(devs)} dev items")
    for w in WEIGHTS:
        label = "token match alone" if w is None else f"shipped + {w} x token match"
        item_pos = [max(z) for v, z in per_item[w] if v != "insufficient_evidence"]
        item_neg = [max(z) for v, z in per_item[w] if v == "insufficient_evidence"]
        crit_pos = [z for v, z in per_crit[w] if v == "conformant"]
        crit_neg = [z for v, z in per_crit[w] if v == "insufficient_evidence"]
        print(
            f"{label:28} AUROC per item {separation(item_pos, item_neg)}"
            f" ({len(item_pos)}/{len(item_neg)}), per criterion {separation(crit_pos, crit_neg)}"
            f" ({len(crit_pos)}/{len(crit_neg)})"
        )


if __name__ == "__main__":
    main()
