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
        "Is unreviewed code kept out of production?",  # two markers: left as written
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


def test_partial_and_insufficient_answers_are_not_turned_round() -> None:
    negative = Question(id="n", text="Are models released without a safety evaluation?")
    hedged = "Models should be given a safety evaluation before release where feasible."
    assert drafter().draft(negative, evidence(hedged)).verdict is Verdict.partial
    unrelated = "The office is closed on public holidays."
    assert drafter().draft(negative, evidence(unrelated)).verdict is (Verdict.insufficient_evidence)


@pytest.mark.parametrize(
    ("row", "opposite"),
    [
        ("Are providers allowed to train on our data?", True),
        ("Can providers use our data to improve their models?", True),
        ("Do contracts forbid providers from training on our data?", False),
        ("Is our data excluded from provider training?", False),
    ],
)
def test_a_row_asking_the_opposite_of_a_prohibiting_bank_question(row: str, opposite: bool) -> None:
    bank = "Do agreements with AI providers prohibit using the organisation's data to train models?"
    assert asks_opposite(row, bank) is opposite


@pytest.mark.parametrize(
    ("row", "opposite"),
    [
        ("Are inference endpoints rate limited?", False),  # a control, like the bank's
        ("Do you stop extraction through the API?", False),
        ("Can anyone call the inference endpoints without authentication?", True),
        ("Are inference endpoints left unprotected?", True),
        ("Is unauthenticated access never allowed?", False),  # tangled: left alone
    ],
)
def test_wording_aimed_at_a_threat_is_not_a_prohibition(row: str, opposite: bool) -> None:
    bank = "Are inference endpoints protected against model extraction through rate limiting?"
    assert asks_opposite(row, bank) is opposite
