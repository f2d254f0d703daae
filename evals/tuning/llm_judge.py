"""Could an LLM, asked one small question per criterion, fix the evidence logic's unsure calls?

    python -m evals.tuning.llm_judge --gold $G --docs $D --model /path/model.gguf --out judge.json
    python -m evals.tuning.llm_judge --load judge.json

The shipped LLM path drafts a whole finding (JSON, citations, rationale) over eight evidence
blocks, which small models do badly. Here the model gets one criterion and the three sentences
the evidence logic scores highest for it, and picks A (met), B (in part, or only a plan,
recommendation or option), C (the opposite is stated) or D (no sentence is about it); the answer
is read from the next-token probabilities of the four letters, so nothing is generated and no
quote can be invented. Per criterion it records those probabilities next to the extractive
status and the best sentence's distance from the background, then reports dev macro-F1 and
accuracy of several ways to combine the two, each verdict recomputed with the extractive
`aggregate`. Dev items only; a policy picked from this output is picked on dev.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from evals.tuning.devset import add_cache_options, cached_rows, dev_parser, drafters_for, load_dev
from evals.tuning.score_stats import criterion_scores
from reviewer.drafting.extractive import aggregate
from reviewer.evaluation.metrics import _codes, _confusion_counts, _macro_f1_batch, auroc
from reviewer.models import CriterionStatus, Verdict

LETTERS = "ABCD"
STATUS = {
    "A": CriterionStatus.met,
    "B": CriterionStatus.partly_met,
    "C": CriterionStatus.contradicted,
    "D": CriterionStatus.no_evidence,
}
SYSTEM = "You check evidence for an auditor. Reply with one letter."
USER = """Requirement: {criterion}
(Part of the audit question: {question})

Sentences from the organisation's documents:
{sentences}

Which is true?
A. A sentence states that the requirement is met.
B. A sentence meets it only in part, or only as a plan, a recommendation or an option.
C. A sentence states the opposite of the requirement.
D. No sentence is about this requirement.
Answer with A, B, C or D."""


class LetterJudge:
    """Next-token probabilities of A-D after a ChatML prompt, from a GGUF model."""

    def __init__(self, model: Path) -> None:
        from llama_cpp import Llama

        self.llm = Llama(model_path=str(model), n_ctx=2048, verbose=False, n_threads=2)
        self.ids = [self.llm.tokenize(x.encode(), add_bos=False)[0] for x in LETTERS]

    def __call__(self, criterion: str, question: str, sentences: list[str]) -> list[float]:
        listed = "\n".join(f"{i}. {s[:400]}" for i, s in enumerate(sentences, 1))
        user = USER.format(criterion=criterion, question=question, sentences=listed)
        prompt = (
            f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n"
            "<|im_start|>assistant\n"
        )
        tokens = self.llm.tokenize(prompt.encode(), add_bos=False, special=True)
        self.llm.reset()
        self.llm.eval(tokens)
        # Without logits_all, llama.cpp keeps the logits of the batch's last token only.
        last = np.ctypeslib.as_array(self.llm._ctx.get_logits(), shape=(self.llm.n_vocab(),))
        logits = last[self.ids].astype(np.float64)
        p = np.exp(logits - logits.max())
        return [float(x) for x in p / p.sum()]


def collect(args: Any) -> list[dict[str, Any]]:
    devs = load_dev(args.gold, args.docs)
    drafters = drafters_for(devs)
    judge = LetterJudge(args.model)
    rows: list[dict[str, Any]] = []
    start = time.time()
    for n, dev in enumerate(devs, 1):
        drafter = drafters[id(dev.ws)]
        q = dev.question
        draft = drafter.draft(q, dev.evidence)
        status = {a.criterion_id: a.status.value for a in draft.assessments}
        row: dict[str, Any] = {
            "id": dev.item.id,
            "corpus": str(dev.corpus),
            "gold": dev.item.verdict.value,
            "extractive": draft.verdict.value,
            "crit": [],
        }
        sents, scored = criterion_scores(drafter, dev)
        if sents:
            texts = [s.text for s in sents]
            for c in scored:
                top = c.top(3)
                row["crit"].append(
                    {
                        "status": status.get(c.criterion.id, "no_evidence"),
                        "z": c.z(top[0]),
                        "p": judge(c.criterion.text, q.text, [texts[i] for i in top]),
                    }
                )
        rows.append(row)
        if n % 25 == 0:
            print(f"{n}/{len(devs)} items, {time.time() - start:.0f} s", flush=True)
    return rows


def combine(row: dict[str, Any], policy: str, band: float, bar: float = 3.5) -> Verdict:
    """The verdict under one way of combining the extractive statuses with the LLM's letters."""
    if not row["crit"]:
        return Verdict(row["extractive"])
    statuses = []
    for c in row["crit"]:
        own = CriterionStatus(c["status"])
        llm = STATUS[LETTERS[int(np.argmax(c["p"]))]]
        unsure = abs(c["z"] - bar) <= band
        if policy == "llm" or (policy == "unsure" and unsure):
            statuses.append(llm)
        elif policy == "relevance" and unsure:
            # the LLM decides only whether the criterion is addressed; the cues decide how
            if llm == CriterionStatus.no_evidence:
                statuses.append(CriterionStatus.no_evidence)
            elif own == CriterionStatus.no_evidence:
                statuses.append(llm)
            else:
                statuses.append(own)
        else:
            statuses.append(own)
    return aggregate(statuses)


def macro_f1(gold: list[Verdict], pred: list[Verdict]) -> float:
    g, p = _codes(gold, pred)
    return float(_macro_f1_batch(_confusion_counts(g, p)))


def report(rows: list[dict[str, Any]]) -> None:
    gold = [Verdict(r["gold"]) for r in rows]
    print(f"{len(rows)} dev items")
    scored = [r for r in rows if r["crit"]]
    answerable = [r["gold"] != "insufficient_evidence" for r in scored]
    for name, signal in (
        ("best z (shipped score)", lambda r: max(c["z"] for c in r["crit"])),
        ("LLM: 1 - p(D, not about it)", lambda r: max(1 - c["p"][3] for c in r["crit"])),
    ):
        value = auroc([signal(r) for r in scored], answerable)
        print(f"AUROC answerable vs not, {name}: {value:.3f}" if value is not None else "n/a")
    letters = Counter(LETTERS[int(np.argmax(c["p"]))] for r in scored for c in r["crit"])
    print("LLM letters (argmax):", dict(sorted(letters.items())))
    settings = [("extractive", 0.0), ("llm", 0.0)] + [
        (p, b) for p in ("unsure", "relevance") for b in (0.5, 1.0, 1.5, 2.0)
    ]
    for policy, band in settings:
        pred = [combine(r, policy, band) for r in rows]
        right = sum(p == g for p, g in zip(pred, gold, strict=True))
        label = policy if policy in ("extractive", "llm") else f"{policy} (|z - bar| <= {band})"
        print(f"{label:32} macro-F1 {macro_f1(gold, pred):.3f}  right {right}/{len(rows)}")


def main() -> None:
    ap = dev_parser(__doc__)
    ap.add_argument("--model", type=Path, help="GGUF model file")
    add_cache_options(ap, "per-criterion answers")
    report(cached_rows(ap.parse_args(), collect))


if __name__ == "__main__":
    main()
