"""How well the ad-hoc path answers: dev items asked as bare questions, with no criteria.

    python -m evals.tuning.adhoc_path --gold ... --docs ...

A questionnaire row with no bank match, and `review --question`, reach the drafter as a question
with no criteria: the question text is its only criterion and the only retrieval query besides
itself. Every gold item has criteria, so `reviewer eval` never measures that path. Here each dev
item is drafted twice over its own corpus and scope: as the gold states it (criteria, bank
hints), and as a bare question (criteria and bank dropped, evidence retrieved again).

Caveat: the gold verdict judges the question through its criteria. For a question where "yes"
is the bad answer ("Do you ... use our data to train ...?" with the gold criterion "providers
are barred from training"), the bare question's honest answer can be the opposite label, so
the bare-question figure is a lower bound on that path's quality, not an exact one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np

from evals.tuning.aggregation import LABELS, macro_f1
from evals.tuning.confusion import parse_set
from evals.tuning.devset import DevItem, dev_parser, drafters_for, load_dev
from reviewer.banks import all_questions
from reviewer.drafting.extractive import ExtractiveDrafter, ExtractiveParams
from reviewer.models import Question


def borrowed(
    devs: list[DevItem], drafters: dict[int, ExtractiveDrafter], thresholds: list[float]
) -> None:
    """Batch's bank matching, measured: a bare question borrows the nearest bank question's
    criteria, keywords and doc-type hints when MiniLM cosine >= t (the item's own bank question,
    if it came from one, is left out so the match is never the answer key)."""
    bank = all_questions()
    embedder = devs[0].ws.cached_embedder
    vecs = embedder.embed([q.text for q in bank])
    pairs: dict[float, list[tuple[str, str]]] = {t: [] for t in thresholds}
    matched: Counter[float] = Counter()
    for dev in devs:
        sims = vecs @ embedder.embed([dev.question.text])[0]
        for i, q in enumerate(bank):
            if q.id == dev.item.bank_id:
                sims[i] = -1.0
        best = int(np.argmax(sims))
        d = drafters[id(dev.ws)]
        scope = dev.item.scope or None
        bare_q = Question(id=dev.question.id, text=dev.question.text)
        for t in thresholds:
            q = bare_q
            if sims[best] >= t:
                matched[t] += 1
                q = bank[best].model_copy(update={"id": dev.question.id, "text": dev.question.text})
            pairs[t].append(
                (dev.item.verdict.value, d.draft(q, dev.ws.retrieve(q, scope)).verdict.value)
            )
    print("bare question borrowing the nearest other bank question's criteria at cosine >= t:")
    for t in thresholds:
        right = sum(g == p for g, p in pairs[t])
        print(
            f"  t {t:.2f}: {matched[t]} of {len(devs)} matched; "
            f"macro-F1 {macro_f1(pairs[t]):.3f}, {right} right"
        )


def main() -> None:
    ap = dev_parser(__doc__)
    ap.add_argument("--borrow", default="", help="bank-match thresholds to try, e.g. 0.6,0.72")
    ap.add_argument(
        "--set", default="", help="drafter parameters for the bare questions, e.g. support_z=4"
    )
    ap.add_argument(
        "--split",
        default="dev",
        help="'dev' (default); 'test' or 'all' only for a recorded held-out look, never tuning",
    )
    args = ap.parse_args()
    devs = load_dev(args.gold, args.docs, None if args.split == "all" else args.split)
    drafters = drafters_for(devs)
    bare_drafters = drafters_for(devs, replace(ExtractiveParams(), **parse_set(args.set)))
    if args.borrow:
        borrowed(devs, drafters, [float(t) for t in args.borrow.split(",")])
        return
    with_criteria: list[tuple[str, str]] = []
    bare: list[tuple[str, str]] = []
    per_corpus: Counter[tuple[str, str]] = Counter()
    for dev in devs:
        d = drafters[id(dev.ws)]
        gold = dev.item.verdict.value
        full = d.draft(dev.question, dev.evidence).verdict.value
        q = Question(id=dev.question.id, text=dev.question.text)
        evidence = dev.ws.retrieve(q, scope=dev.item.scope or None)
        plain = bare_drafters[id(dev.ws)].draft(q, evidence).verdict.value
        with_criteria.append((gold, full))
        bare.append((gold, plain))
        per_corpus[(dev.corpus.name, "criteria")] += gold == full
        per_corpus[(dev.corpus.name, "bare")] += gold == plain
    n = len(devs)
    for name, pairs in (("with criteria (as evaluated)", with_criteria), ("bare question", bare)):
        right = sum(g == p for g, p in pairs)
        drafted = Counter(p for _, p in pairs)
        print(
            f"{name}: macro-F1 {macro_f1(pairs):.3f}, {right}/{n} right; drafted "
            + ", ".join(f"{lab} {drafted[lab]}" for lab in LABELS)
        )
    print("right per corpus (with criteria / bare):")
    for corpus in sorted({c for c, _ in per_corpus}):
        print(f"  {corpus}: {per_corpus[(corpus, 'criteria')]} / {per_corpus[(corpus, 'bare')]}")
    flips = Counter((g, p) for (g, _), (_, p) in zip(with_criteria, bare, strict=True) if g != p)
    print("bare-question errors (gold -> drafted):")
    for (g, p), k in flips.most_common():
        print(f"  {g} -> {p}: {k}")


if __name__ == "__main__":
    main()
