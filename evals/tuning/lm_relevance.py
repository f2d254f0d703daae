"""Does the bundled SmolLM2 tell relevant sentences from near misses, read as a likelihood?

    python -m evals.tuning.lm_relevance --gold $G --docs $D [--top 4] [--out lm.json]

The tiny LLM cannot judge a verdict (offline-stack.md), but a language model can still score
how well a sentence *predicts* a criterion: the mean log-probability of the criterion's tokens
after the sentence, minus the same with no sentence (pointwise mutual information). This is
query-likelihood reranking, which needs no instruction following. For each dev item and
criterion, the drafter's `--top` best sentences (shipped score) are scored; reported are
(1) AUROC of the best criterion's signal for answerable against unanswerable items, for the
shipped z, the LM PMI and their sums, and (2) how often the sentence that holds a gold quote is
ranked first among the top sentences by the shipped score and by the PMI. Dev items only;
any weight picked from this output is picked on dev.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from evals.tuning.devset import add_cache_options, cached_rows, dev_parser, drafters_for, load_dev
from evals.tuning.score_stats import criterion_scores, gold_sentences, separation

PROMPT = "Excerpt from a company document: {s}\nWhat this excerpt shows:"


class Likelihood:
    """Mean log-probability of a target text after a prefix, under SmolLM2-135M."""

    def __init__(self) -> None:
        from llama_cpp import Llama

        from reviewer.llm.local import bundled_model_path, check_model_file

        path = bundled_model_path()
        check_model_file(path)  # the pinned hash
        self.llm = Llama(
            model_path=str(path), n_ctx=512, logits_all=True, verbose=False, n_threads=2
        )
        self.cache: dict[tuple[str, str], float] = {}

    def __call__(self, prefix: str, target: str) -> float:
        key = (prefix, target)
        if key not in self.cache:
            a = self.llm.tokenize(prefix.encode(), add_bos=True)[:380]
            b = self.llm.tokenize((" " + target).encode(), add_bos=False)[:120]
            self.llm.reset()
            self.llm.eval(a + b)
            rows = np.asarray(self.llm.scores[len(a) - 1 : len(a) + len(b) - 1], dtype=np.float64)
            top = rows.max(axis=1, keepdims=True)
            logz = top[:, 0] + np.log(np.exp(rows - top).sum(axis=1))
            self.cache[key] = float(np.mean(rows[np.arange(len(b)), b] - logz))
        return self.cache[key]


def pmi(lm: Likelihood, sentence: str, target: str) -> float:
    return lm(PROMPT.format(s=sentence), target) - lm(PROMPT.format(s=""), target)


def abstention_f1(pos: list[float], neg: list[float], bar: float) -> float:
    """F1 of "insufficient evidence" when items whose signal is under `bar` abstain."""
    tp = sum(x < bar for x in neg)
    fp = sum(x < bar for x in pos)
    fn = len(neg) - tp
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def signal_rows(
    args: Any, key: str, signal: Callable[[list[str], str], list[float]]
) -> list[dict[str, Any]]:
    """Per dev item and criterion: the `--top` sentences' shipped z, `signal(sentences,
    criterion)` stored under `key`, and which of them hold a gold quote."""
    devs = load_dev(args.gold, args.docs)
    drafters = drafters_for(devs)
    rows: list[dict[str, Any]] = []
    start = time.time()
    for n, dev in enumerate(devs, 1):
        sents, scored = criterion_scores(drafters[id(dev.ws)], dev)
        row: dict[str, Any] = {"id": dev.item.id, "verdict": dev.item.verdict.value, "crit": []}
        if sents:
            texts = [s.text for s in sents]
            gold = gold_sentences(dev, texts)
            for c in scored:
                top = c.top(args.top)
                row["crit"].append(
                    {
                        "z": [c.z(i) for i in top],
                        key: signal([texts[i] for i in top], c.criterion.text),
                        "gold": [i in gold for i in top],
                    }
                )
        rows.append(row)
        if n % 25 == 0:
            print(f"{n}/{len(devs)} items, {time.time() - start:.0f} s", flush=True)
    return rows


def collect(args: Any) -> list[dict[str, Any]]:
    lm = Likelihood()
    return signal_rows(args, "pmi", lambda texts, crit: [pmi(lm, s, crit) for s in texts])


def report(rows: list[dict[str, Any]], key: str = "pmi", label: str = "PMI") -> None:
    """AUROC and best abstention F1 of z, of the signal stored under `key`, and of their sums;
    how often each ranks the gold sentence first."""
    answerable = [r for r in rows if r["crit"] and r["verdict"] != "insufficient_evidence"]
    unanswerable = [r for r in rows if r["crit"] and r["verdict"] == "insufficient_evidence"]
    print(f"{len(answerable)} answerable / {len(unanswerable)} unanswerable dev items")
    for w in (0.0, 0.5, 1.0, 2.0, 4.0, None):

        def signal(r: dict[str, Any], w: float | None = w) -> float:
            if w is None:
                return max(max(c[key]) for c in r["crit"])
            return max(
                max(z + w * p for z, p in zip(c["z"], c[key], strict=True)) for c in r["crit"]
            )

        name = f"{label} alone" if w is None else f"z + {w} x {label}"
        pos, neg = [signal(r) for r in answerable], [signal(r) for r in unanswerable]
        print(f"{name:16} AUROC answerable vs not {separation(pos, neg)}", end="")
        if w is not None:
            # Abstain when no criterion's signal reaches a bar; the bar is chosen on these very
            # items, so this is an optimistic ceiling, comparable between weights only.
            f1, bar = max((abstention_f1(pos, neg, b), b) for b in np.arange(2.0, 7.0, 0.1))
            print(f"; best abstention F1 {f1:.3f} (bar {bar:.1f})", end="")
        print()
    first_z = first_lm = with_gold = 0
    for r in rows:
        for c in r["crit"]:
            if any(c["gold"]) and not all(c["gold"]):
                with_gold += 1
                first_z += c["gold"][0]
                first_lm += c["gold"][int(np.argmax(c[key]))]
    print(
        f"criteria whose top sentences hold a gold quote and a non-gold one: {with_gold};"
        f" gold sentence first by shipped score {first_z}, by {label} {first_lm}"
    )


def main() -> None:
    ap = dev_parser(__doc__)
    ap.add_argument("--top", type=int, default=4)
    add_cache_options(ap, "per-item signals")
    report(cached_rows(ap.parse_args(), collect))


if __name__ == "__main__":
    main()
