"""LLM drafts checked against the extractive evidence logic: focus, flags, provenance."""

from __future__ import annotations

from reviewer.drafting.base import Drafter
from reviewer.drafting.cross_check import CrossCheckedDrafter, disagreements, focus_evidence
from reviewer.drafting.extractive import ExtractiveDrafter
from reviewer.drafting.finalize import finalize
from reviewer.models import (
    CriterionAssessment,
    CriterionStatus,
    Draft,
    Evidence,
    Finding,
    Flag,
    Question,
    Verdict,
)
from tests.unit.drafting.conftest import BagOfWords, reply


class Fixed(Drafter):
    """A stand-in evidence logic that always returns the same draft."""

    name = "fixed"

    def __init__(self, draft: Draft) -> None:
        self.fixed = draft

    def draft(self, question: Question, evidence: list[Evidence]) -> Draft:
        return self.fixed


def assessed(verdict: Verdict, *statuses: tuple[str, CriterionStatus, list[str]]) -> Draft:
    return Draft(
        verdict=verdict,
        rationale="reference",
        assessments=[
            CriterionAssessment(criterion_id=cid, criterion=cid, status=st, evidence=ev, note="n")
            for cid, st, ev in statuses
        ],
    )


def finalized(
    question: Question, draft: Draft, evidence: list[Evidence], drafter: Drafter
) -> Finding:
    """The finding a run would store for `draft`."""
    return finalize(
        question,
        draft,
        evidence,
        drafter,
        run_id="r1",
        retrieval_params={},
        cache_key="k",
        source={},
        started=0.0,
    )


def test_focus_puts_the_selected_blocks_first_and_caps(evidence):
    focused = focus_evidence(evidence, ["E3", "E1", "E3"], limit=2)
    assert [e.label for e in focused] == ["E3", "E1"]
    assert [e.label for e in focus_evidence(evidence, [], limit=0)] == ["E1", "E2", "E3"]


def test_the_llm_sees_the_focused_blocks_and_agreement_raises_no_flag(fake, question, evidence):
    logic = Fixed(
        assessed(
            Verdict.conformant,
            ("c1", CriterionStatus.met, ["E1"]),
            ("c2", CriterionStatus.met, ["E1"]),
        )
    )
    checked = CrossCheckedDrafter(fake, logic, focus_blocks=1)
    fake.queue.append(reply())
    draft = checked.draft(question, evidence)
    prompt = str(fake.prompts[0][-1].content)
    assert "E1" in prompt and "MLflow registry" not in prompt  # E2 was left out
    assert draft.verdict == Verdict.conformant and draft.flags == []
    assert draft.checks["evidence_logic"]["focused_on"] == ["E1"]
    assert checked.name == "fake" and "evidence_check" in checked.describe()


def test_an_llm_that_overrides_a_denial_is_flagged_not_overruled(fake, question, evidence):
    logic = Fixed(
        assessed(
            Verdict.nonconformity,
            ("c1", CriterionStatus.met, ["E1"]),
            ("c2", CriterionStatus.contradicted, ["E2"]),
        )
    )
    fake.queue.append(reply())  # the model says every criterion is met
    draft = CrossCheckedDrafter(fake, logic).draft(question, evidence)
    assert draft.verdict == Verdict.conformant
    assert draft.flags == [Flag.llm_disagrees_with_evidence.value]
    [reason] = draft.checks["evidence_logic"]["disagreements"]
    assert reason.startswith("c2:") and "[E2]" in reason


def test_verdict_level_disagreements():
    insufficient = assessed(Verdict.insufficient_evidence, ("c1", CriterionStatus.no_evidence, []))
    conformant = assessed(Verdict.conformant, ("c1", CriterionStatus.met, ["E1"]))
    assert disagreements(insufficient, conformant)
    assert disagreements(conformant, conformant) == []
    said_contradicted = assessed(
        Verdict.nonconformity, ("c1", CriterionStatus.contradicted, ["E1"])
    )
    assert disagreements(conformant, said_contradicted)


def test_flags_and_checks_reach_the_finding(fake, question, evidence):
    logic = Fixed(assessed(Verdict.insufficient_evidence, ("c1", CriterionStatus.no_evidence, [])))
    checked = CrossCheckedDrafter(fake, logic)
    fake.queue.append(reply())
    draft = checked.draft(question, evidence)
    finding = finalized(question, draft, evidence, checked)
    assert Flag.llm_disagrees_with_evidence.value in finding.flags
    assert finding.provenance["evidence_logic"]["verdict"] == "insufficient_evidence"


def test_with_the_real_evidence_logic(fake, question, evidence):
    logic = ExtractiveDrafter(BagOfWords(), background=["The canteen opens at eight."] * 20)
    fake.queue.append(reply())
    draft = CrossCheckedDrafter(fake, logic).draft(question, evidence)
    focused = draft.checks["evidence_logic"]["focused_on"]
    assert focused[0] == "E1"  # the classification policy holds the selected sentences
    assert draft.checks["evidence_logic"]["criteria"].keys() == {"c1", "c2"}


def test_a_downgraded_llm_draft_points_at_the_evidence_logic_sentences(fake, question, evidence):
    from reviewer.models import Citation

    quote = "All training datasets are classified as Confidential"
    logic_cites = [Citation(label="E1", chunk_id=evidence[0].chunk.id, quote=quote)]
    logic = Fixed(
        assessed(Verdict.conformant, ("c1", CriterionStatus.met, ["E1"])).model_copy(
            update={"citations": logic_cites}
        )
    )
    checked = CrossCheckedDrafter(fake, logic)
    # the model cites words that are not in E1: verification downgrades its draft
    fake.queue.append(reply(citations=[{"evidence": "E1", "quote": "a sentence nobody wrote"}]))
    draft = checked.draft(question, evidence)
    finding = finalized(question, draft, evidence, checked)
    assert finding.verdict == Verdict.insufficient_evidence and finding.citations == []
    assert [c.quote for c in finding.closest()] == [quote]
    assert finding.closest()[0].path == evidence[0].chunk.path
