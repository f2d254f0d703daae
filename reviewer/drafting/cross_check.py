"""An LLM judges, the evidence logic checks: disagreements are flagged for the auditor.

When a real LLM backend is configured it drafts the finding, but over a focused evidence set:
the blocks holding the sentences the extractive evidence logic selected for each criterion come
first, then the rest in retrieval order, up to `focus_blocks`. The extractive draft is kept as
a second opinion. Where the two disagree on something the evidence logic is sure of (a denial
or a permission cue in a strongly related sentence, off-topic evidence), the finding carries the
`llm_disagrees_with_evidence` flag and the reasons; the LLM's verdict is never silently replaced.
"""

from __future__ import annotations

from typing import Any

from reviewer.drafting.base import Drafter
from reviewer.models import CriterionAssessment, CriterionStatus, Draft, Evidence, Flag, Question
from reviewer.models import Verdict as V

POSITIVE = {CriterionStatus.met, CriterionStatus.partly_met}


# As many closest passages as the extractive drafter shows at most.
CLOSEST_CAP = 5


def focus_evidence(evidence: list[Evidence], selected: list[str], limit: int) -> list[Evidence]:
    """Blocks labelled in `selected` first (in that order), then the others by rank, capped."""
    by_label = {ev.label: ev for ev in evidence}
    ordered = [by_label[lbl] for lbl in dict.fromkeys(selected) if lbl in by_label]
    ordered += [ev for ev in evidence if ev.label not in set(selected)]
    return ordered[:limit] if limit > 0 else ordered


def selected_labels(reference: Draft) -> list[str]:
    """Evidence labels the evidence logic relied on, criterion by criterion."""
    labels = [lbl for a in reference.assessments for lbl in a.evidence]
    return labels + [c.label for c in reference.citations]


def disagreements(reference: Draft, llm: Draft) -> list[str]:
    """Where the LLM contradicts what the evidence logic is sure of, one sentence each."""
    found: list[str] = []
    ref_by_id = {a.criterion_id: a for a in reference.assessments}
    for a in llm.assessments:
        ref = ref_by_id.get(a.criterion_id)
        if ref is None:
            continue
        if ref.status == CriterionStatus.contradicted and a.status in POSITIVE:
            found.append(
                f"{a.criterion_id}: the model says {a.status.value} but the evidence logic found "
                f"the practice {ref.note} in {_labels(ref)}"
            )
        elif a.status == CriterionStatus.contradicted and ref.status == CriterionStatus.met:
            found.append(
                f"{a.criterion_id}: the model says contradicted but the evidence logic found it "
                f"stated without any denial, hedge or permission in {_labels(ref)}"
            )
    if reference.verdict == V.insufficient_evidence and llm.verdict in (V.conformant, V.partial):
        found.append(
            f"verdict: the model says {llm.verdict.value} but no evidence sentence cleared the "
            "evidence logic's relevance bar"
        )
    if reference.verdict == V.nonconformity and llm.verdict == V.conformant and not found:
        found.append(
            "verdict: the model says conformant but the evidence logic found a contradiction"
        )
    return found


def _labels(a: CriterionAssessment) -> str:
    return ", ".join(f"[{lbl}]" for lbl in dict.fromkeys(a.evidence)) or "the evidence"


class CrossCheckedDrafter(Drafter):
    """Drafts with `llm` over focused evidence; flags disagreement with `logic` (extractive)."""

    def __init__(self, llm: Drafter, logic: Drafter, focus_blocks: int = 8) -> None:
        self.llm = llm
        self.logic = logic
        self.focus_blocks = focus_blocks
        self.name = llm.name

    def describe(self) -> dict[str, Any]:
        check = self.logic.describe()
        return {
            **self.llm.describe(),
            "evidence_check": {"model": check.get("model"), "params": check.get("params")},
            "focus_blocks": self.focus_blocks,
        }

    def draft(self, question: Question, evidence: list[Evidence]) -> Draft:
        reference = self.logic.draft(question, evidence)
        focused = focus_evidence(evidence, selected_labels(reference), self.focus_blocks)
        draft = self.llm.draft(question, focused)
        found = disagreements(reference, draft)
        check = {
            "verdict": reference.verdict.value,
            "criteria": {a.criterion_id: a.status.value for a in reference.assessments},
            "focused_on": [ev.label for ev in focused],
        }
        flags = list(draft.flags)
        if found:
            check["disagreements"] = found
            flags.append(Flag.llm_disagrees_with_evidence.value)
        checks = {**draft.checks, "evidence_logic": check}
        # Should the finding end as an abstention (the model's, or its quotes failing
        # verification), the evidence logic's sentences are where the auditor looks first.
        closest = (draft.closest or reference.closest or reference.citations)[:CLOSEST_CAP]
        return draft.model_copy(update={"flags": flags, "checks": checks, "closest": closest})
