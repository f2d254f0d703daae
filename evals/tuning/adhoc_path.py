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

from evals.tuning.aggregation import LABELS, macro_f1
from evals.tuning.devset import dev_parser, drafters_for, load_dev
from reviewer.models import Question


def main() -> None:
    args = dev_parser(__doc__).parse_args()
    devs = load_dev(args.gold, args.docs)
    drafters = drafters_for(devs)
    with_criteria: list[tuple[str, str]] = []
    bare: list[tuple[str, str]] = []
    per_corpus: Counter[tuple[str, str]] = Counter()
    for dev in devs:
        d = drafters[id(dev.ws)]
        gold = dev.item.verdict.value
        full = d.draft(dev.question, dev.evidence).verdict.value
        q = Question(id=dev.question.id, text=dev.question.text)
        evidence = dev.ws.retrieve(q, scope=dev.item.scope or None)
        plain = d.draft(q, evidence).verdict.value
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
