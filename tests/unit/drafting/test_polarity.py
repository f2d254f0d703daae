"""Negatively worded yes/no questions: their positive twin, and the flipped answer."""

from __future__ import annotations

import pytest

from reviewer.drafting.polarity import asks_opposite, negated_question
from reviewer.models import CriterionStatus, Question, Verdict
from tests.unit.drafting.test_extractive import drafter, evidence


@pytest.mark.parametrize(
    ("question", "positive", "marker"),
    [
        (
            "Is production data kept off personal workstations?",
            "Is production data kept on personal workstations?",
            "kept off",
        ),
        (
            "Are models released without a safety evaluation?",
            "Are models released with a safety evaluation?",
            "without",
        ),
        ("Isn't telemetry sent?", "Is telemetry sent?", "not"),
        (
            "Are vulnerability reports withheld from public trackers?",
            "Are vulnerability reports shared with public trackers?",
            "withheld from",
        ),
        (
            "Is customer data left out of training?",
            "Is customer data included in training?",
            "left out of",
        ),
        (
            "Is PII left unredacted in the corpus?",
            "Is PII left redacted in the corpus?",
            "unredacted",
        ),
        (
            "Does the vendor advise against commercial use?",
            "Does the vendor recommend commercial use?",
            "advise against",
        ),
        ("Is analytics disabled by default?", "Is analytics enabled by default?", "disabled"),
    ],
)
def test_a_question_with_one_negating_marker_has_a_positive_twin(
    question: str, positive: str, marker: str
) -> None:
    rewrite = negated_question(question)
    assert rewrite is not None
    assert (rewrite.positive, rewrite.marker) == (positive, marker)


@pytest.mark.parametrize(
    "question",
    [
        "Are model versions recorded in a registry?",  # nothing negated
        "Are models never released without review?",  # two markers: left as written
        "Is unauthenticated access to the API blocked?",  # "un-" before a noun
        "Are incidents reported without undue delay?",  # an idiom, no negation
        "Can users delete their data without contacting support?",  # an ease, not a gap
        "Can a model be rolled back without downtime?",
        "Is all data encrypted with or without a customer key?",
        "Is data redacted before it is sent to the model, not after?",
        "Are models re-validated to confirm their behaviour has not changed?",
        "Do you delete training data that is no longer needed?",  # in a relative clause
        "Is access revoked when staff no longer need it?",  # in a condition
        "Describe how data is kept off workstations.",  # not a yes/no question
        "Is data not only encrypted but also signed?",  # "not only ... but also"
        "Are customers notified no later than 72 hours after a breach?",  # a time limit
    ],
)
def test_questions_left_as_written(question: str) -> None:
    assert negated_question(question) is None


def test_a_negatively_worded_bare_question_is_answered_the_right_way_round() -> None:
    rule = "Production data must not be copied to personal workstations."
    negative = Question(id="n", text="Is production data kept off personal workstations?")
    positive = Question(id="p", text="Is production data copied to personal workstations?")
    # the rule forswears copying: "no" to the positive question, "yes" to the negative one
    assert drafter().draft(positive, evidence(rule)).verdict is Verdict.nonconformity
    draft = drafter().draft(negative, evidence(rule))
    assert draft.verdict is Verdict.conformant, draft.rationale
    assert draft.assessments[0].status is CriterionStatus.met
    assert draft.assessments[0].criterion == negative.text
    assert "worded in the negative ('kept off')" in draft.rationale
    assert draft.citations and draft.citations[0].quote == rule
    # a sentence saying it happens answers the negative question no
    practice = "Production data is copied to personal workstations for debugging."
    assert drafter().draft(negative, evidence(practice)).verdict is Verdict.nonconformity
    # switched off, the question is read as written (the old, inverted answer)
    off = drafter(question_polarity=False).draft(negative, evidence(rule))
    assert off.verdict is Verdict.nonconformity


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("Is telemetry disabled by default?", "Telemetry is disabled by default."),
        (
            "Is the admin console not exposed to the internet?",
            "The admin console is not exposed to the internet.",
        ),
        ("Is customer data left out of training?", "Customer data is left out of training."),
        (
            "Are vulnerability reports withheld from public trackers?",
            "Vulnerability reports are withheld from public trackers until a fix ships.",
        ),
    ],
)
def test_evidence_in_the_question_s_own_negative_terms_answers_yes(
    question: str, sentence: str
) -> None:
    draft = drafter().draft(Question(id="n", text=question), evidence(sentence))
    assert draft.verdict is Verdict.conformant, draft.rationale


def test_never_without_is_a_requirement() -> None:
    negative = Question(id="n", text="Are models released without a safety evaluation?")
    rule = "Models are never released without a safety evaluation."
    draft = drafter().draft(negative, evidence(rule))
    assert draft.verdict is Verdict.nonconformity, draft.rationale


def test_partial_and_insufficient_answers_are_not_turned_round() -> None:
    negative = Question(id="n", text="Are models released without a safety evaluation?")
    hedged = "Models should be given a safety evaluation before release where feasible."
    assert drafter().draft(negative, evidence(hedged)).verdict is Verdict.partial
    unrelated = "The office is closed on public holidays."
    assert drafter().draft(negative, evidence(unrelated)).verdict is (Verdict.insufficient_evidence)


BANK = {
    "train": (
        "Do agreements with AI service providers prohibit the provider from using the "
        "organisation's data to train or improve its models?"
    ),
    "endpoints": (
        "Are inference endpoints protected against model extraction and abuse through "
        "authentication, rate limiting and restricted outputs?"
    ),
    "incidents": "Do AI supplier agreements require notification of security incidents?",
    "revalidate": (
        "After changes to the ML platform, are models re-validated to confirm their behaviour "
        "has not changed?"
    ),
}


@pytest.mark.parametrize(
    ("row", "bank", "opposite"),
    [
        # the other sense: the bank's criteria would answer the bank's question
        ("Are providers allowed to train on our data?", "train", True),
        ("Can providers use our data to improve their models?", "train", True),
        ("Can anyone call the inference endpoints without authentication?", "endpoints", True),
        ("Are inference endpoints left unprotected?", "endpoints", True),
        # the same sense, in other words: the bank's criteria are kept
        ("Do contracts forbid providers from training on our data?", "train", False),
        ("Do agreements prevent the AI provider from using our data to train?", "train", False),
        ("Are providers contractually barred from training on our data?", "train", False),
        ("Are inference endpoints rate limited?", "endpoints", False),
        ("Are suppliers required to report incidents without undue delay?", "incidents", False),
        (
            "Are models re-validated after upgrades to confirm behaviour has not changed?",
            "revalidate",
            False,
        ),
    ],
)
def test_a_row_that_may_ask_the_other_sense_of_its_bank_question(
    row: str, bank: str, opposite: bool
) -> None:
    assert asks_opposite(row, BANK[bank]) is opposite
