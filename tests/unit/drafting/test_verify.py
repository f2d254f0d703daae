"""Citation verification fails closed: only quotes really in the cited chunk survive."""

from __future__ import annotations

import time

from reviewer.drafting.finalize import finalize
from reviewer.drafting.verify import find_references, verify_draft
from reviewer.models import Citation, Draft, Flag, Verdict


def _draft(verdict: str, citations: list[tuple[str, str]], rationale: str = "See [E1].") -> Draft:
    return Draft(
        verdict=Verdict(verdict),
        rationale=rationale,
        citations=[Citation(label=lab, chunk_id="", quote=q) for lab, q in citations],
        confidence=0.8,
    )


def test_real_quote_verified_with_document_offsets(evidence, question):
    quote = "classified as Confidential before use"
    check = verify_draft(_draft("conformant", [("E1", quote)]), evidence, question)
    assert check.flags == [] and check.dropped == []
    [cit] = check.citations
    chunk = evidence[0].chunk
    assert cit.verified and cit.chunk_id == chunk.id and cit.page == 3
    assert cit.path == "ai-policy.pdf" and cit.doc_sha256 == chunk.doc_sha256
    # Offsets are in the document: chunk start plus the position inside the chunk.
    assert cit.char_start == chunk.char_start + chunk.text.index(quote)
    assert cit.char_end == cit.char_start + len(quote)


def test_fabricated_quote_dropped_and_flagged(evidence, question):
    draft = _draft(
        "conformant",
        [
            ("E1", "All training datasets are classified as Confidential"),
            ("E1", "Training data is encrypted with AES-256 at rest"),
        ],
    )
    check = verify_draft(draft, evidence, question)
    assert [c.quote for c in check.dropped] == ["Training data is encrypted with AES-256 at rest"]
    assert len(check.citations) == 1
    assert Flag.unverified_quote.value in check.flags
    assert check.verdict == Verdict.conformant  # one verified citation still supports it


def test_quote_from_another_block_is_not_accepted(evidence, question):
    # The sentence exists, but in E2, not in E1 as claimed.
    draft = _draft("conformant", [("E1", "Model versions are tracked in the MLflow registry")])
    check = verify_draft(draft, evidence, question)
    assert check.citations == [] and len(check.dropped) == 1


def test_citation_to_label_not_given_is_dropped(evidence, question):
    draft = _draft(
        "partial",
        [
            ("E1", "classified as Confidential"),
            ("E7", "classified as Confidential"),  # E7 was never shown to the drafter
        ],
    )
    check = verify_draft(draft, evidence, question)
    assert [c.label for c in check.dropped] == ["E7"]
    assert [c.label for c in check.citations] == ["E1"]
    assert Flag.unverified_quote.value in check.flags


def test_quotes_differing_in_case_whitespace_ligature_verify(evidence, question):
    chunk_text = evidence[0].chunk.text  # contains the ligature "ﬁ" in "classiﬁcation"
    assert "\ufb01" in chunk_text
    draft = _draft(
        "conformant",
        [
            ("E1", "ALL TRAINING   datasets are\nclassified as confidential"),
            ("E1", "records the classification in the dataset register"),  # plain "fi"
        ],
    )
    check = verify_draft(draft, evidence, question)
    assert check.dropped == [] and len(check.citations) == 2
    lig = check.citations[1]
    # The stored quote is the document's own wording (with its ligature) at those offsets.
    start = lig.char_start - evidence[0].chunk.char_start
    assert chunk_text[start : start + len(lig.quote)] == lig.quote
    assert "\ufb01" in lig.quote


def test_near_miss_quote_is_not_fuzzily_accepted(evidence, question):
    draft = _draft("conformant", [("E1", "All training datasets are classified as Secret")])
    assert verify_draft(draft, evidence, question).citations == []


def test_conformant_with_only_fabricated_quote_becomes_insufficient(evidence, question, fake):
    draft = _draft(
        "conformant", [("E2", "Every model is red-teamed before release")], "Red-teamed [E2]."
    )
    check = verify_draft(draft, evidence, question)
    assert check.verdict == Verdict.insufficient_evidence
    assert {Flag.unverified_quote.value, Flag.unsupported_draft.value} <= set(check.flags)

    finding = finalize(
        question, draft, evidence, fake, run_id="r1", retrieval_params={"k": 3},
        cache_key="k", source={"bank": "demo"}, started=time.perf_counter(),
    )  # fmt: skip
    assert finding.verdict == Verdict.insufficient_evidence
    assert Flag.unsupported_draft.value in finding.flags
    original = finding.provenance["original_draft"]
    assert original["verdict"] == "conformant"
    assert original["rationale"] == "Red-teamed [E2]."
    assert original["citations"][0]["quote"] == "Every model is red-teamed before release"
    assert finding.confidence <= 0.2 < draft.confidence


def test_abstention_without_citations_is_left_alone(evidence, question):
    draft = _draft("insufficient_evidence", [], "The evidence does not address this.")
    check = verify_draft(draft, evidence, question)
    assert check.verdict == Verdict.insufficient_evidence and check.flags == []


def test_ungrounded_control_id_and_number_flagged(evidence, question):
    draft = _draft(
        "conformant",
        [("E1", "classified as Confidential before use")],
        "Datasets are classified [E1] under control A.12.6.1 and reviewed every 90 days.",
    )
    check = verify_draft(draft, evidence, question)
    assert Flag.ungrounded_reference.value in check.flags
    assert check.ungrounded == ["A.12.6.1", "90"]


def test_grounded_references_not_flagged(evidence, question):
    # A.8.2.1 comes from the question; 30 days and 4.2 from the cited chunk E1.
    draft = _draft(
        "conformant",
        [("E1", "classified as Confidential before use")],
        "Per A.8.2.1, section 4.2 classifies datasets and records them within 30 days [E1].",
    )
    check = verify_draft(draft, evidence, question)
    assert check.flags == [] and check.ungrounded == []


def test_reference_in_uncited_chunk_still_ungrounded(evidence, question):
    # "30 days" is in E1, but the rationale only cites E2.
    draft = _draft(
        "conformant",
        [("E2", "Model versions are tracked in the MLflow registry")],
        "Lineage is tracked and updated within 30 days [E2].",
    )
    assert verify_draft(draft, evidence, question).ungrounded == ["30"]


def test_find_references_kinds():
    refs = find_references(
        "ISO/IEC 27001:2022 clause 5.12, AML.T0020, Art. 15, on 2024-03-01, 99.9% and "
        "10,000 records; 2 of 3 criteria [E1, E2]."
    )
    assert refs == [
        ("control", "5.12"),
        ("control", "AML.T0020"),
        ("article", "Art. 15"),
        ("date", "2024-03-01"),
        ("number", "99.9%"),
        ("number", "10,000"),
    ]
