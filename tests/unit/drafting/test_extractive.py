"""The extractive drafter's evidence logic, with a bag-of-words embedder standing in for MiniLM.

Cosine similarity of word-count vectors is a crude but transparent relatedness measure, so each
test's outcome follows from the words in its sentences.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from reviewer.drafting.extractive import (
    ExtractiveDrafter,
    ExtractiveParams,
    clean_sentences,
    heading_before,
    is_heading,
    lead_in_before,
    sample_sentences,
)
from reviewer.models import (
    Criterion,
    CriterionStatus,
    DocType,
    Draft,
    Evidence,
    Question,
    Verdict,
)
from tests.unit.drafting.conftest import BagOfWords, make_chunk

BACKGROUND = [
    "The canteen is open from eight until six on working days.",
    "Parking permits are issued by the facilities desk in building two.",
    "Expense claims are submitted through the finance portal each month.",
    "The annual report is published on the investor relations website.",
    "Office plants are watered by the cleaning contractor on Fridays.",
    "Travel bookings above the threshold need a manager's sign-off.",
    "The printer on floor three is out of toner more often than not.",
    "New starters receive a laptop and a badge on their first morning.",
] * 8

QUESTION = Question(
    id="q-registry",
    text="Are model versions and the lineage of their training data recorded?",
    criteria=[
        Criterion(id="c1", text="Every model version is recorded in a model registry."),
        Criterion(id="c2", text="The lineage of each training data set is recorded."),
    ],
)


def evidence(*texts: str) -> list[Evidence]:
    return [Evidence(label=f"E{i + 1}", chunk=make_chunk(i + 1, t)) for i, t in enumerate(texts)]


def one_criterion(qid: str, text: str, criterion: str) -> Question:
    """A question with a single criterion, `c1`."""
    return Question(id=qid, text=text, criteria=[Criterion(id="c1", text=criterion)])


def draft_one(question: str, criterion: str, *texts: str, **params: Any) -> Draft:
    """A draft of a one-criterion question over one evidence block per text."""
    return drafter(**params).draft(one_criterion("q", question, criterion), evidence(*texts))


def drafter(**params: Any) -> ExtractiveDrafter:
    return ExtractiveDrafter(
        BagOfWords(), replace(ExtractiveParams(), **params), background=BACKGROUND
    )


def test_evidence_for_every_criterion_is_conformant_with_one_quote_each() -> None:
    ev = evidence(
        "Every model version is recorded in the model registry before release.",
        "The lineage of each training data set is recorded in the data catalogue.",
    )
    d = drafter().draft(QUESTION, ev)
    assert d.verdict == Verdict.conformant
    assert [a.status for a in d.assessments] == [CriterionStatus.met] * 2
    assert {c.label for c in d.citations} == {"E1", "E2"}
    assert all(c.quote in e.chunk.text for c in d.citations for e in ev if e.label == c.label)


def test_off_topic_evidence_abstains_without_citations() -> None:
    d = drafter().draft(QUESTION, evidence(BACKGROUND[0], BACKGROUND[1]))
    assert d.verdict == Verdict.insufficient_evidence
    assert d.citations == []
    assert {a.status for a in d.assessments} == {CriterionStatus.no_evidence}


def test_the_bar_rises_with_the_corpus_baseline() -> None:
    """A sentence that stands out from unrelated prose does not stand out from near-copies."""
    ev = evidence(
        "Model versions are recorded in the registry.",
        "The lineage of training data sets is recorded.",
    )
    lenient = drafter(support_floor=0.0).draft(QUESTION, ev)
    look_alike = [
        "Model versions and registry lineage recorded for training data sets.",
        "Recorded lineage of every model version and training data set in the registry.",
    ] * 30
    strict = ExtractiveDrafter(
        BagOfWords(), replace(ExtractiveParams(), support_floor=0.0), background=look_alike
    ).draft(QUESTION, ev)
    assert lenient.verdict == Verdict.conformant
    assert strict.verdict == Verdict.insufficient_evidence


def test_a_practice_denied_is_a_nonconformity_citing_the_denial() -> None:
    ev = evidence(
        "Every model version is recorded in the model registry before release.",
        "The lineage of training data sets has not been recorded for the current models.",
    )
    d = drafter().draft(QUESTION, ev)
    assert d.verdict == Verdict.nonconformity
    denied = next(a for a in d.assessments if a.status == CriterionStatus.contradicted)
    assert "E2" in denied.evidence
    assert "has not been recorded" in denied.note


def test_a_vendor_permission_contradicts_a_required_prohibition() -> None:
    q = Question(
        id="q-train",
        text="Do AI supplier contracts prohibit training on company data?",
        criteria=[
            Criterion(id="c1", text="Supplier contracts prohibit training models on company data.")
        ],
    )
    ev = evidence(
        "Supplier contracts shall prohibit training models on company data.",
        "The provider may use customer data for training models and improving its services.",
    )
    d = drafter().draft(q, ev)
    assert d.verdict == Verdict.nonconformity
    assert d.assessments[0].status == CriterionStatus.contradicted
    assert {c.label for c in d.citations} == {"E1", "E2"}  # requirement and practice side by side


def test_a_denial_in_the_best_sentence_contradicts_even_below_the_contradiction_bar() -> None:
    """A sentence relevant enough to be the criterion's evidence that denies the practice is
    evidence against it, not partial support (v4)."""
    ev = evidence(
        "Every model version is recorded in the model registry before release.",
        "Lineage of training data is not recorded.",
    )
    strict = drafter(contradict_z=50.0, contradict=5.0)  # no sentence clears the bar
    d = strict.draft(QUESTION, ev)
    lineage = d.assessments[1]
    assert lineage.status == CriterionStatus.contradicted
    assert lineage.note.startswith("weak and negated")
    assert d.verdict == Verdict.nonconformity


def test_hedged_or_planned_practice_is_partial() -> None:
    ev = evidence(
        "Every model version is recorded in the model registry before release.",
        "Recording the lineage of each training data set is planned for next year.",
    )
    d = drafter().draft(QUESTION, ev)
    assert d.verdict == Verdict.partial
    assert d.assessments[1].status == CriterionStatus.partly_met


def test_a_model_that_can_do_something_is_not_an_optional_practice() -> None:
    q = one_criterion(
        "q-inherit",
        "Does a trained model inherit the classification of its training data?",
        "A trained model inherits its training data class.",
    )
    ev = evidence(
        "A trained model inherits the class of its training data because a model can memorise it."
    )
    assert drafter().draft(q, ev).verdict == Verdict.conformant


def test_confidence_grows_with_the_distance_from_the_bar() -> None:
    clear = evidence(
        "Every model version is recorded in the model registry.",
        "The lineage of each training data set is recorded.",
    )
    borderline = evidence(
        "Model versions exist.",
        "Training data lineage is mentioned in passing somewhere.",
    )
    strong = drafter(support_floor=0.0).draft(QUESTION, clear).confidence
    weak = drafter(support_floor=0.0).draft(QUESTION, borderline).confidence
    assert 0.5 <= weak < strong <= 1.0


def test_absolute_thresholds_remain_available() -> None:
    ev = evidence(
        "Every model version is recorded in the model registry before release.",
        "The lineage of each training data set is recorded in the data catalogue.",
    )
    d = ExtractiveDrafter(BagOfWords(), replace(ExtractiveParams(), support_z=None)).draft(
        QUESTION, ev
    )
    assert d.verdict == Verdict.conformant


def test_background_sample_is_deterministic_and_skips_fragments() -> None:
    texts = [
        f"Sentence number {i} of the policy is long enough to count. Short one." for i in range(50)
    ]
    first = sample_sentences(texts, n=10)
    assert first == sample_sentences(texts, n=10)
    assert len(first) == 10
    assert all(len(s) >= ExtractiveParams().min_sentence_chars for s in first)


def test_background_sample_ignores_document_order_and_repeats() -> None:
    # Document ids hash the ingest path, so chunk order differs between checkouts of one corpus;
    # the sample (and so every verdict) must not.
    texts = [f"Clause {i} of the supplier policy sets out a separate duty." for i in range(300)]
    sample = sample_sentences(texts, n=40)
    assert sample_sentences(list(reversed(texts)), n=40) == sample
    assert sample_sentences(texts + texts[:100], n=40) == sample
    assert sample_sentences(texts, n=20) == sample[:20]


@pytest.mark.parametrize("n", [0, 1])
def test_no_sentences_means_insufficient_evidence(n: int) -> None:
    ev = evidence(*(["Too short."] * n))
    assert drafter().draft(QUESTION, ev).verdict == Verdict.insufficient_evidence


def test_a_denial_about_something_else_does_not_contradict() -> None:
    """A negation counts only in a clause that shares a word with the criterion."""
    ev = evidence(
        "Every model version is recorded in the model registry before release.",
        "Lineage dashboards for marketing campaigns are out of scope.",  # about the question only
    )
    q = one_criterion(
        "q-reg",
        "Are model versions and lineage recorded?",
        "Every model version is recorded in a model registry.",
    )
    loose = dict(support_z=None, support=0.0, contradict=0.0, topic=0.0)
    assert drafter(**loose, cue_needs_topic=False).draft(q, ev).verdict == Verdict.nonconformity
    assert drafter(**loose).draft(q, ev).verdict == Verdict.conformant


def test_a_stated_limitation_meets_a_criterion_that_asks_for_limitations() -> None:
    q = one_criterion(
        "q-lim",
        "Does the model card state the model's known limitations?",
        "The model card states known limitations of the model.",
    )
    ev = evidence("Known limitations: the model has not been evaluated on non-English speech.")
    d = drafter().draft(q, ev)
    assert d.verdict == Verdict.conformant
    gap = one_criterion(
        "q-eval",
        "Has the model been evaluated on non-English speech?",
        "The model has been evaluated on non-English speech.",
    )
    assert drafter().draft(gap, ev).verdict == Verdict.nonconformity


def test_a_vendor_term_far_from_the_criterion_still_contradicts_a_prohibition() -> None:
    """Requirement in our policy, practice in the vendor's terms: cite both sides."""
    q = Question(
        id="q-train",
        text="Do AI supplier contracts prohibit training on company data?",
        criteria=[
            Criterion(id="c1", text="Supplier contracts prohibit training models on company data.")
        ],
    )
    policy = Evidence(
        label="E1",
        chunk=make_chunk(1, "Supplier contracts shall prohibit training models on company data."),
    )
    term = Evidence(
        label="E2",
        chunk=make_chunk(
            2, "Acme may reuse submitted inputs to improve its services.", doc_type=DocType.vendor
        ),
    )
    assert drafter(counter_terms=0).draft(q, [policy, term]).verdict == Verdict.conformant
    d = drafter().draft(q, [policy, term])
    assert d.verdict == Verdict.nonconformity
    assert {c.label for c in d.citations} == {"E1", "E2"}
    # The organisation's own policy granting its staff a choice is not a counterparty's term.
    own = Evidence(label="E2", chunk=make_chunk(2, "Staff may reuse inputs to improve services."))
    assert drafter().draft(q, [policy, own]).verdict == Verdict.conformant


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("AI Supplier Register and Annual Review 2025", True),
        ("4. Data sourcing and preparation", True),
        ("Every data set must be classified before use.", False),
        ("Every training data set used by the fraud model to", False),  # a PDF line wrap
        ("b. **Use of Collected Data.**", True),  # a run-in heading in bold
        ("**Model date**", True),
        ("The model is **not** evaluated against adversarial inputs.", False),
        (
            "**Nothing in this card restricts or modifies the licence the model is released under.**",
            False,
        ),
    ],
)
def test_headings_are_not_evidence(line: str, heading: bool) -> None:
    assert is_heading(line) is heading
    assert (line in list(clean_sentences(line, ExtractiveParams()))) is (not heading)


def test_a_tiny_corpus_falls_back_to_absolute_bars() -> None:
    """One policy sentence is no baseline: it must not be judged against itself."""
    ev = evidence("Every model version is recorded in the model registry before release.")
    q = one_criterion(
        "q-one",
        "Are model versions recorded?",
        "Every model version is recorded in a model registry.",
    )
    tiny = ExtractiveDrafter(BagOfWords(), background=[ev[0].chunk.text])
    assert tiny.draft(q, ev).verdict == Verdict.conformant


def test_a_record_denying_a_required_practice_contradicts_it() -> None:
    """A policy requires lineage; a model card says it is not recorded: cite both sides."""
    q = one_criterion(
        "q-lineage",
        "Is the lineage of each training data set recorded?",
        "The lineage of each training data set is recorded.",
    )
    rule = "The lineage of each training data set must be recorded in the lineage tool."
    policy = Evidence(label="E1", chunk=make_chunk(1, rule))
    card = Evidence(
        label="E2",
        chunk=make_chunk(
            2, "Lineage: not recorded in the lineage tool.", doc_type=DocType.model_card
        ),
    )
    # The denial itself stays under the contradiction bar, as short record lines do in practice:
    # only the requirement-vs-practice check can find it.
    strict = {"contradict_z": 50.0}
    off = drafter(practice_gap=0.0, **strict).draft(q, [policy, card])
    assert off.verdict == Verdict.conformant
    d = drafter(**strict).draft(q, [policy, card])
    assert d.verdict == Verdict.nonconformity
    assert {c.label for c in d.citations} == {"E1", "E2"}
    assert "record of practice" in d.assessments[0].note
    # A policy's own exception is not a record of practice.
    exception = Evidence(label="E2", chunk=make_chunk(2, card.chunk.text))
    assert drafter(**strict).draft(q, [policy, exception]).verdict == Verdict.conformant
    # A denial the requirement does not cover is about something else.
    text = "Invoices for the tool are not recorded on paper."
    other = Evidence(label="E2", chunk=make_chunk(2, text, doc_type=DocType.model_card))
    assert drafter(**strict).draft(q, [policy, other]).verdict == Verdict.conformant


# A long, abstract question that shares few words with any one sentence, and a sentence that
# plainly meets its one criterion.
BROAD_QUESTION = one_criterion(
    "q-broad",
    "How does the organisation govern, oversee and communicate its AI management system?",
    "Model versions are recorded in a registry.",
)
REGISTRY_SENTENCE = "Model versions are recorded in a registry before release."


def test_a_clearly_met_criterion_is_answered_under_a_broad_question() -> None:
    """Long, abstract questions share few words with any one sentence; strong criterion evidence
    still counts there, evidence that only just clears the bar does not."""
    q, ev = BROAD_QUESTION, evidence(REGISTRY_SENTENCE)
    gate = {"topic_one_doc": None}  # the gate as it applies to evidence from several documents
    assert drafter(topic_override=0.0, **gate).draft(q, ev).verdict == Verdict.insufficient_evidence
    assert drafter(**gate).draft(q, ev).verdict == Verdict.conformant
    assert drafter(topic_override=1e6, **gate).draft(q, ev).verdict == Verdict.insufficient_evidence


def test_the_topic_gate_does_not_apply_to_evidence_from_one_document() -> None:
    """A question scoped to one document points at it: wording unlike the question's is not a
    sign the document is off topic. Across several documents the gate still holds."""
    q, one_doc = BROAD_QUESTION, evidence(REGISTRY_SENTENCE)
    two_docs = [*one_doc, Evidence(label="E2", chunk=make_chunk(2, BACKGROUND[0]))]
    no_override = drafter(topic_override=0.0)
    assert no_override.draft(q, one_doc).verdict == Verdict.conformant
    assert no_override.draft(q, two_docs).verdict == Verdict.insufficient_evidence
    assert drafter(topic_override=0.0, topic_one_doc=0.2).draft(q, one_doc).verdict == (
        Verdict.insufficient_evidence
    )


def test_confidence_blends_the_margin_with_how_often_the_verdict_kind_was_right() -> None:
    conf = ExtractiveDrafter._confidence
    # Same distance from the bar: an abstention (right 39% of the time on dev) ranks below a
    # nonconformity (92%); with the prior switched off the two are equal.
    assert conf([], Verdict.insufficient_evidence, [1.0]) < conf([], Verdict.nonconformity, [1.0])
    off = replace(ExtractiveParams(), prior_weight=0.0)
    assert conf([], Verdict.insufficient_evidence, [1.0], off) == conf(
        [], Verdict.nonconformity, [1.0], off
    )
    # Within one verdict kind, a clearer decision is still more confident.
    assert conf([], Verdict.partial, [0.2]) < conf([], Verdict.partial, [2.0])


def test_rationale_lines_end_once() -> None:
    """A criterion's own full stop is not doubled, and an ad-hoc question keeps its "?"."""
    ev = evidence("Every model version is recorded in the model registry before release.")
    adhoc = Question(id="q-adhoc", text="Is every model version recorded in the model registry?")
    lines = drafter().draft(adhoc, ev).rationale.splitlines()[1:]
    assert lines and all(not line.endswith(("?.", "..")) for line in lines)
    assert "recorded in the model registry?" in lines[0]
    lines = drafter().draft(QUESTION, ev).rationale.splitlines()[1:]
    assert lines[0].startswith("- Met — Every model version is recorded in a model registry.")


def test_a_prohibitive_question_does_not_turn_a_requested_right_into_a_contradiction() -> None:
    """ "Is telemetry opt-in?" with the criterion "users can switch telemetry off": the evidence
    granting that right meets the criterion rather than contradicting the question's prohibition."""
    q = one_criterion(
        "q-telemetry",
        "Is usage telemetry sent only with the user's opt-in?",
        "Users can switch telemetry off.",
    )
    ev = evidence("Users can switch telemetry off with one setting.")
    d = drafter().draft(q, ev)
    assert d.assessments[0].status == CriterionStatus.met, d.assessments[0].note


def test_an_opt_out_contradicts_a_criterion_that_asks_for_consent_first() -> None:
    q = one_criterion(
        "q-optin",
        "Is usage telemetry collected only with the user's consent?",
        "No usage telemetry is sent unless the user explicitly enables telemetry.",
    )
    d = drafter().draft(q, evidence("Users can disable usage telemetry by setting a variable."))
    assert d.verdict == Verdict.nonconformity
    assert "opt-out" in d.assessments[0].note


def test_a_criterion_asking_for_a_stated_time_needs_one() -> None:
    q = one_criterion(
        "q-ack",
        "Are vulnerability reports acknowledged within a stated time?",
        "Vulnerability reports are acknowledged within a stated time.",
    )
    vague = drafter().draft(q, evidence("Vulnerability reports are acknowledged by a maintainer."))
    timed = drafter().draft(
        q, evidence("Vulnerability reports are acknowledged by a maintainer within 48 hours.")
    )
    assert vague.assessments[0].status == CriterionStatus.partly_met
    assert vague.assessments[0].note == "no time or frequency stated"
    assert timed.assessments[0].status == CriterionStatus.met


def test_a_practice_allowed_but_not_required_partly_meets_a_requirement() -> None:
    q = one_criterion(
        "q-regress",
        "Must customers run regression tests on a new model version before adopting it?",
        "Regression tests on a new model version are required before adopting it.",
    )
    ev = evidence("Customers can run regression tests on a new model version before adopting it.")
    d = drafter().draft(q, ev)
    assert d.assessments[0].status == CriterionStatus.partly_met
    assert "not required" in d.assessments[0].note


def test_the_heading_above_a_sentence() -> None:
    text = "## Out-of-Scope Use\n\nThis model is unsuitable for medical advice.\nMore text here."
    assert heading_before(text, text.find("This model"), "Card") == "Out-of-Scope Use"
    assert heading_before(text, 0, "Card") == "Card"
    assert heading_before(text, -1, "Card") == "Card"
    bold = "**Licensing Information**\nThe data is released under the MIT licence."
    assert heading_before(bold, bold.find("The data")) == "Licensing Information"


def test_a_heading_naming_the_criterion_lifts_the_sentence_under_it() -> None:
    q = one_criterion("q-scope", "Are unsuitable uses stated?", "Unsuitable uses are stated.")
    text = "## Unsuitable Uses\n\nDo not rely on it for medical advice or legal opinions."
    ev = [Evidence(label="E1", chunk=make_chunk(1, text))]
    without = drafter(w_heading=0.0).draft(q, ev)
    with_heading = drafter(w_heading=1.0, heading_floor=0.3).draft(q, ev)
    assert without.verdict == Verdict.insufficient_evidence
    assert with_heading.verdict != Verdict.insufficient_evidence


SLA_QUESTION = one_criterion(
    "q-sla",
    "Does the supplier commit to the availability of its service?",
    "The supplier commits to an uptime service level for the hosted model.",
)
UPTIME_DISCLAIMER = "Uptime is not guaranteed for the preview."


def test_a_disclaimer_contradicts_a_criterion_that_asks_for_an_assurance() -> None:
    """Terms that disclaim what the criterion asks the supplier to promise are a nonconformity,
    even when the disclaimer is worded too unlike the criterion to clear the support bar."""
    ev = evidence(UPTIME_DISCLAIMER)
    assert drafter(disclaimers=0).draft(SLA_QUESTION, ev).verdict == Verdict.insufficient_evidence
    d = drafter().draft(SLA_QUESTION, ev)
    assert d.verdict == Verdict.nonconformity
    assert d.assessments[0].note == "assurance disclaimed ('is not guaranteed')"
    assert [c.label for c in d.citations] == ["E1"]


def test_only_a_denial_covering_the_criterion_disclaims_an_assurance() -> None:
    # A denial sharing only a common word with the criterion stays below disclaim_cover.
    parking = evidence("The supplier does not record the parking permits issued each month.")
    idf = {"supplier": 0.1, "uptime": 5.0}  # "supplier" is in every document

    def draft(**params: Any) -> Verdict:
        p = replace(ExtractiveParams(), **params)
        dr = ExtractiveDrafter(BagOfWords(), p, idf=idf, background=BACKGROUND)
        return dr.draft(SLA_QUESTION, parking).verdict

    assert draft(disclaim_names=False) == Verdict.insufficient_evidence
    assert draft(disclaim_names=False, disclaim_cover=0.0) == Verdict.nonconformity


def test_a_non_commercial_licence_contradicts_a_criterion_asking_for_commercial_use() -> None:
    args = (
        "Can the pre-trained model be used in our product?",
        "The model licence permits commercial use.",
        "The weights are released under CC BY-NC 4.0 for research purposes.",
        "The model was trained on public speech recordings in 40 languages.",
    )
    d = draft_one(*args)
    assert d.verdict == Verdict.nonconformity
    assert d.assessments[0].note == "use limited ('cc by-nc') where commercial use is asked for"
    assert draft_one(*args, commercial=False).verdict != Verdict.nonconformity


def test_a_promise_not_to_do_something_is_not_a_disclaimer() -> None:
    promise = evidence("Acme makes this data commitment: we do not train models on customer logs.")
    assert drafter(disclaim_names=False).draft(SLA_QUESTION, promise).verdict == (
        Verdict.nonconformity
    )
    assert drafter().draft(SLA_QUESTION, promise).verdict == Verdict.insufficient_evidence


def test_a_denial_meets_a_commitment_to_refrain() -> None:
    d = draft_one(
        "Does the provider commit not to train on customer data?",
        "The provider's commitment not to train on customer data is stated.",
        "The provider makes this commitment: we do not train on customer data.",
    )
    assert d.verdict == Verdict.conformant, d.rationale


def test_without_what_the_criterion_asks_for_is_a_denial() -> None:
    d = draft_one(
        "Are cached artefacts integrity-checked before loading?",
        "Cached artefacts are integrity-checked before they are loaded.",
        "Cached artefacts are loaded without integrity verification.",
    )
    assert d.verdict == Verdict.nonconformity
    assert d.assessments[0].note == "denied ('without integrity verification')"
    # A criterion that itself speaks of an absence ("without context") is not denied by one.
    d = draft_one(
        "Is the risk of answers shown without context identified?",
        "The risk of answers shown without context is identified.",
        "Answers may be shown to users without context.",
    )
    assert d.verdict != Verdict.nonconformity


def test_an_admission_contradicts_an_absence_criterion() -> None:
    args = (
        "Is the model prevented from producing violent content?",
        "The model does not produce violence-related content.",
        "When probing for misuse we found the model is capable of producing violent content.",
        "The model was trained on public 3D assets.",
    )
    d = draft_one(*args)
    assert d.verdict == Verdict.nonconformity, d.rationale
    assert d.assessments[0].note == "said to be possible ('is capable of') where it must not happen"
    assert draft_one(*args, absence=False).verdict != Verdict.nonconformity
    # A sentence stating the absence meets it.
    d = draft_one(args[0], args[1], "The model does not produce violence-related content.")
    assert d.verdict == Verdict.conformant, d.rationale


def test_an_admission_among_the_question_related_sentences_contradicts_an_absence() -> None:
    args = (
        "Do LLM providers delete the context after processing?",
        "No LLM provider retains the context sent to it after processing.",
        "The context sent to LLM providers is processed and then deleted by every provider.",
        "One provider may keep the context sent to it for up to 30 days for safety monitoring.",
        "Invoices are issued monthly.",
    )
    d = draft_one(*args)
    assert d.verdict == Verdict.nonconformity, d.rationale
    assert d.assessments[0].note == "permitted ('may') where a prohibition is required"
    assert draft_one(*args, absence=False).verdict == Verdict.conformant
    # With a contradiction bar nothing clears, the search among related sentences still finds it.
    d = draft_one(*args, contradict_z=50)
    assert d.assessments[0].note == "said to be possible ('may') where it must not happen"
    assert draft_one(*args, contradict_z=50, absence_cover=0.0).verdict == Verdict.conformant


def test_a_modal_sentence_states_the_risk_a_criterion_asks_to_be_disclosed() -> None:
    args = (
        "Does the model card disclose the risk of unsafe output?",
        "The risk of inaccurate or unsafe output is disclosed.",
        "The model may in some cases produce inaccurate or unsafe output.",
    )
    d = draft_one(*args)
    assert d.verdict == Verdict.conformant, d.rationale
    assert draft_one(*args, risk_modal=False).verdict == Verdict.partial


def test_a_cue_the_criterion_itself_uses_does_not_weaken_the_evidence() -> None:
    args = (
        "Is optional data collection governed by a user-facing setting?",
        "A user-facing setting governs the optional data collection.",
        "The Usage Statistics setting is the single control for all optional data collection.",
    )
    assert draft_one(*args).verdict == Verdict.conformant
    assert draft_one(*args, echo=False).verdict == Verdict.partial


def test_may_beside_a_privative_word_denies_what_the_criterion_asks_for() -> None:
    q = "Is personal data encrypted in transit?"
    crit = "Communications carrying personal data are encrypted."
    d = draft_one(
        q, crit, "Communication with users about personal data may use unencrypted e-mail."
    )
    assert d.verdict == Verdict.nonconformity, d.rationale
    assert "unencrypted" in d.assessments[0].note
    # Without "may" a privative word alone is not read as a denial (experiments row 52).
    d = draft_one(q, crit, "An unencrypted channel for personal data is treated as public.")
    assert "unencrypted" not in d.assessments[0].note


def test_a_plain_statement_of_the_thing_contradicts_an_absence_criterion() -> None:
    args = (
        "Is browser data kept from model providers?",
        "Data entered in the browser session is not sent to model providers.",
        "The agent shares browser screenshots with model providers, including data entered.",
    )
    d = draft_one(*args)
    assert d.verdict == Verdict.nonconformity, d.rationale
    assert d.assessments[0].note == "stated to happen where it must not"
    assert draft_one(*args, absence_affirm=False).verdict == Verdict.conformant
    # A sentence that keeps the thing from happening still meets it.
    d = draft_one(args[0], args[1], "Data entered in the browser is never sent to model providers.")
    assert d.verdict == Verdict.conformant, d.rationale


@pytest.mark.parametrize(
    ("question", "sentence", "verdict"),
    [
        # an ad-hoc yes/no question is its own criterion: a forsworn practice answers no
        (
            "Does the vendor use customer prompts to train models?",
            "The vendor will not use customer prompts to train models.",
            Verdict.nonconformity,
        ),
        (
            "Does the vendor use customer prompts to train models?",
            "The vendor uses customer prompts to train models.",
            Verdict.conformant,
        ),
        # a conditional prohibition is not a no
        (
            "Is customer data used to train models?",
            "Customer data must not be used to train models unless the customer agrees.",
            None,
        ),
    ],
)
def test_an_ad_hoc_yes_no_question_is_answered_no_by_a_forsworn_practice(
    question: str, sentence: str, verdict: Verdict | None
) -> None:
    draft = drafter().draft(Question(id="adhoc", text=question), evidence(sentence))
    if verdict is None:  # whatever it is, not a no
        assert draft.verdict is not Verdict.nonconformity, draft.rationale
        return
    assert draft.verdict is verdict, draft.rationale
    if verdict is Verdict.nonconformity:
        assert draft.assessments[0].note.startswith("answers no ('will not')")


def test_a_prohibition_still_meets_a_statement_criterion() -> None:
    draft = draft_one(
        "Do contracts bar providers from training on our data?",
        "Contracts prohibit the provider from training models on customer prompts.",
        "The provider will not use customer prompts to train models.",
    )
    assert draft.verdict is Verdict.conformant, draft.rationale


def test_a_bare_question_is_judged_against_its_own_support_bar() -> None:
    bare = Question(id="adhoc", text="Are model versions recorded in a registry before release?")
    ev = evidence("The registry lists models.")
    # with the bag-of-words stand-in the bar bites between z 5 and 10 for this sentence
    assert drafter(support_z=10, bare_support_z=None).draft(bare, ev).verdict is (
        Verdict.insufficient_evidence
    )
    assert drafter(support_z=10, bare_support_z=5).draft(bare, ev).verdict is Verdict.conformant
    # the same words as an explicit criterion keep the shared bar whatever the bare one says
    with_criteria = one_criterion("q", bare.text, bare.text)
    assert drafter(support_z=10, bare_support_z=5).draft(with_criteria, ev).verdict is (
        Verdict.insufficient_evidence
    )


def test_a_refusal_of_what_an_ad_hoc_question_names_answers_no() -> None:
    rule = "Only ONNX files may be loaded; the registry rejects pickle-based model files."
    asked = Question(id="adhoc", text="Can pickle-based model files be loaded?")
    draft = drafter().draft(asked, evidence(rule))
    assert draft.verdict is Verdict.nonconformity, draft.rationale
    assert draft.assessments[0].note == "answers no ('rejects')"
    # a question about the refusal itself is answered yes by it
    about = Question(id="adhoc2", text="Does the registry reject pickle-based model files?")
    assert drafter().draft(about, evidence(rule)).verdict is Verdict.conformant
    # a refusal of something the question does not name says nothing about it
    other = "Pickle-based model files are loaded by the trainer; the proxy blocks unknown hosts."
    assert drafter().draft(asked, evidence(other)).verdict is Verdict.conformant
    # nor does a refusal of the question's example ("for example pickle-based files")
    rescan = Question(
        id="adhoc3",
        text="Are model files (for example pickle-based files) rescanned before loading?",
    )
    scanned = "Model files are rescanned before loading; the registry rejects pickle-based formats."
    assert drafter().draft(rescan, evidence(scanned)).verdict is Verdict.conformant


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        (
            "Are API requests rate limited?",
            "The gateway rejects API requests above 100 per minute.",
        ),
        (
            "Are uploaded files scanned for malware?",
            "The gateway blocks uploaded files that fail the malware scan.",
        ),
        (
            "Is MFA enforced for administrator accounts?",
            "The console blocks administrator accounts that have not enrolled MFA.",
        ),
    ],
)
def test_a_refusal_that_is_the_control_asked_about_answers_yes(
    question: str, sentence: str
) -> None:
    draft = drafter().draft(Question(id="adhoc", text=question), evidence(sentence))
    assert draft.verdict is not Verdict.nonconformity, draft.rationale


def test_a_prohibition_before_without_is_a_requirement_not_a_denial() -> None:
    d = draft_one(
        "Is an approved change record needed before deployment?",
        "An approved change record is needed before a model is deployed.",
        "Pipelines may not deploy a model without an approved change record.",
    )
    assert d.verdict is not Verdict.nonconformity, d.rationale
    # alone, or after a "not" that governs something else, "without" still denies it
    for sentence in (
        "Pipelines deploy a model without an approved change record.",
        "It is not uncommon for pipelines to deploy a model without an approved change record.",
    ):
        d = draft_one(
            "Is an approved change record needed before deployment?",
            "An approved change record is needed before a model is deployed.",
            sentence,
        )
        assert d.verdict is Verdict.nonconformity, (sentence, d.rationale)
    d = draft_one(
        "Is an approved change record needed before deployment?",
        "An approved change record is needed before a model is deployed.",
        "Pipelines deploy a model without an approved change record.",
    )
    assert d.verdict is Verdict.nonconformity, d.rationale


def test_a_maximum_time_to_patch_needs_a_time_in_the_best_sentence() -> None:
    q = one_criterion(
        "q-patch",
        "Is a maximum time to patch vulnerable dependencies stated?",
        "A maximum time to patch vulnerable dependencies is stated.",
    )
    vague = drafter().draft(q, evidence("Vulnerable dependencies are patched as a priority."))
    timed = drafter().draft(q, evidence("Vulnerable dependencies are patched within 14 days."))
    assert vague.assessments[0].status == CriterionStatus.partly_met
    assert timed.assessments[0].status == CriterionStatus.met


def test_a_list_item_carries_the_hedge_of_the_line_that_introduces_the_list() -> None:
    q = one_criterion(
        "q-auth",
        "Is authentication required on exposed API endpoints?",
        "Authentication is required on exposed API endpoints.",
    )
    listed = (
        "For deployments we recommend the following practices:\n\n"
        "1. Keep the server updated.\n"
        "2. Authentication is required on exposed API endpoints.\n"
    )
    assert lead_in_before(listed, listed.find("2. Auth")) == (
        "For deployments we recommend the following practices:"
    )
    assert lead_in_before(listed, listed.find("For")) == ""
    assert drafter().draft(q, evidence(listed)).assessments[0].status == CriterionStatus.partly_met
    assert drafter(lead_ins=False).draft(q, evidence(listed)).verdict == Verdict.conformant


def test_only_advice_in_a_lead_in_hedges_its_items_and_each_sentence_has_its_own_place() -> None:
    q = one_criterion(
        "q-log", "Is access to customer data logged?", "Access to customer data is logged."
    )
    fact = (
        "Access to customer data is limited to the support team, and these safeguards apply:\n\n"
        "- Access to customer data is logged and reviewed monthly.\n"
    )
    assert drafter().draft(q, evidence(fact)).assessments[0].status == CriterionStatus.met
    # The same words as a list item under advice and, later, as the organisation's own practice:
    # the later sentence is not read as the list item.
    text = (
        "We recommend the following to customers:\n"
        "- Access to customer data is logged by every tenant.\n\n"
        "Our own practice is stricter. Access to customer data is logged by every tenant and "
        "reviewed by the security team."
    )
    units = drafter().sentences(evidence(text))
    leads = {u.text[:60]: u.lead_in for u in units}
    assert leads["- Access to customer data is logged by every tenant."] != ""
    assert (
        leads["Access to customer data is logged by every tenant and reviewed by the sec"[:60]]
        == ""
    )


@pytest.mark.parametrize(
    ("form", "criterion", "sentence"),
    [
        (
            "negated_verb",
            "User inputs are sanitized by the inference server by default.",
            "The inference server does not sanitize user inputs by default.",
        ),
        (
            "negated_verb",  # a criterion with no auxiliary: its whole text is what it says
            "The inference server sanitizes user inputs by default.",
            "The inference server does not sanitize user inputs by default.",
        ),
        (
            "negated_participle",
            "The model and its datasets are updated on a defined schedule.",
            "The datasets and the model are not regularly updated.",
        ),
        (
            "negated_noun",
            "Built-in authentication is provided for the web interface.",
            "There is no built-in authentication for the web interface.",
        ),
    ],
)
def test_a_denial_of_what_the_criterion_says_is_a_nonconformity(
    form: str, criterion: str, sentence: str
) -> None:
    d = draft_one("Is it in place?", criterion, sentence)
    assert d.verdict == Verdict.nonconformity, d.rationale
    # each form is its own switch (experiments row 106)
    off = draft_one("Is it in place?", criterion, sentence, **{form: False})
    assert off.verdict != Verdict.nonconformity


@pytest.mark.parametrize(
    ("criterion", "sentence"),
    [
        # the denied word names the criterion's subject, not what is said of it
        (
            "The sources of the training data are documented in the model card.",
            "The model card says the model was not trained on customer data.",
        ),
        # a condition, an instruction, a denial of a harm, a criterion worded in the negative
        (
            "Repository access is granted after security training.",
            "Repository access is not granted until security training.",
        ),
        (
            "Confidential files are uploaded to the approved assistant only.",
            "Do not upload confidential files.",
        ),
        (
            "The presence of personal identifiers in the dataset is addressed.",
            "To our knowledge there are no personal identifiers in the dataset.",
        ),
        (
            "Customer prompts are not retained by the provider.",
            "The provider does not retain customer prompts.",
        ),
        # a denial of a variant, of someone else's practice, or inside a zero relative clause
        ("Customer data is stored in the EU.", "Customer data is not stored outside the EU."),
        (
            "Administrators can disable telemetry for their organization.",
            "Individual users cannot disable telemetry; the organization administrator decides.",
        ),
        (
            "Harmful outputs are blocked by the content filter.",
            "Outputs the content filter does not block are sampled for human review each week.",
        ),
        (
            "User prompts are filtered for harmful content.",
            "User prompts are not merely filtered for harmful content, they are also logged.",
        ),
    ],
)
def test_a_denial_of_something_else_is_not_a_nonconformity(criterion: str, sentence: str) -> None:
    d = draft_one("Is it in place?", criterion, sentence)
    assert d.verdict != Verdict.nonconformity, d.rationale


def test_a_list_item_carries_the_plan_and_the_denial_of_its_lead_in() -> None:
    q = one_criterion(
        "q-admin",
        "Can administrators control which AI providers are used?",
        "Administrators control which AI providers can be used.",
    )
    planned = (
        "Enterprise editions (planned for Q2 2025) will include features that allow admins to:\n\n"
        "* Manage user access with permission levels\n"
        "* Control which AI providers can be used by administrators\n"
    )
    d = drafter().draft(q, evidence(planned))
    assert d.assessments[0].status == CriterionStatus.partly_met, d.rationale
    assert drafter(lead_ins=False).draft(q, evidence(planned)).verdict == Verdict.conformant

    q = one_criterion(
        "q-keys",
        "Are API keys kept from the vendor?",
        "API keys and credentials are never sent to the vendor.",
    )
    never = (
        "**Sent to the vendor:**\n\n- The prompt sent to your target\n\n"
        "**Never sent:**\n\n- API keys or credentials\n"
    )
    item = never.find("- API keys")
    assert lead_in_before(never, item) == "**Never sent:**"
    assert drafter().draft(q, evidence(never)).verdict != Verdict.nonconformity
    assert drafter(lead_ins=False).draft(q, evidence(never)).verdict == Verdict.nonconformity


def test_a_lead_in_that_sets_a_condition_or_reports_work_done_passes_nothing_on() -> None:
    q = one_criterion(
        "q-train",
        "Are conversations kept out of model training?",
        "Conversations are not used to train models.",
    )
    condition = "If you do not opt out:\n\n- Your conversations may be used to train our models\n"
    assert drafter().draft(q, evidence(condition)).verdict == Verdict.nonconformity
    q = one_criterion(
        "q-usage", "Is usage data kept from the vendor?", "Usage data is never collected."
    )
    # only when telemetry is off: by default the data is collected
    condition = "If you disable telemetry, we do not collect:\n\n- Usage data such as page views\n"
    assert drafter().draft(q, evidence(condition)).verdict == Verdict.nonconformity
    q = one_criterion(
        "q-dlp",
        "Is data loss prevention scanning enabled for AI tools?",
        "Data loss prevention scanning is enabled for AI tools.",
    )
    done = (
        "Controls completed by 2024:\n\n- Data loss prevention scanning is enabled for AI tools\n"
    )
    assert drafter().draft(q, evidence(done)).verdict == Verdict.conformant


def test_advice_meets_a_requirement_in_part_and_manual_review_is_human_review() -> None:
    d = draft_one(
        "Must users test the model?",
        "Users must test the model on their own use case before deployment.",
        "Users should test the model on their own use case before deployment.",
    )
    assert d.assessments[0].status == CriterionStatus.partly_met, d.rationale
    assert "advised" in d.assessments[0].note
    d = draft_one(
        "Must customers be told of incidents?",
        "Customers must be told of security incidents within 72 hours.",
        "Should a security incident occur, customers are told within 72 hours.",
    )
    assert "advised" not in d.assessments[0].note, d.rationale  # a condition, not advice
    d = draft_one(
        "Is every change reviewed?",
        "Every change is reviewed by a human maintainer before merging.",
        "Maintainers manually review every change before merging.",
    )
    assert d.assessments[0].status == CriterionStatus.met, d.rationale
    d = draft_one(
        "Is the inventory kept?",
        "The model inventory is kept up to date.",
        "The model inventory is kept up to date manually.",
    )
    assert d.assessments[0].status == CriterionStatus.partly_met, d.rationale


def test_an_abstention_shows_the_sentences_nearest_each_bar_but_cites_none() -> None:
    ev = evidence(
        "Model versions are recorded in the registry.",
        "The lineage of training data sets is recorded.",
    )
    look_alike = [
        "Model versions and registry lineage recorded for training data sets.",
        "Recorded lineage of every model version and training data set in the registry.",
    ] * 30

    def strict(**params: Any) -> Draft:
        p = replace(ExtractiveParams(), support_floor=0.0, **params)
        return ExtractiveDrafter(BagOfWords(), p, background=look_alike).draft(QUESTION, ev)

    d = strict()
    assert d.verdict == Verdict.insufficient_evidence
    assert d.citations == []
    # each criterion's best sentence first (c1 then c2), then the runners-up
    assert [c.quote for c in d.closest[:2]] == [e.chunk.text for e in ev]
    assert [c.label for c in d.closest[:2]] == ["E1", "E2"]
    assert len({c.quote for c in d.closest}) == len(d.closest)  # no sentence twice
    assert [c.label for c in strict(closest=1).closest] == ["E1"]
    assert strict(closest=0).closest == []
    answered = drafter(support_floor=0.0).draft(QUESTION, ev)
    assert answered.verdict == Verdict.conformant and answered.closest == []
