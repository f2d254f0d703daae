"""Template questions (datasheets, forms, FAQs): the answer is the evidence, not the question."""

from __future__ import annotations

from reviewer.drafting.extractive import ExtractiveDrafter, ExtractiveParams, evidence_units
from reviewer.drafting.qa_pairs import (
    answer_denies,
    field_values,
    inline_answer,
    is_prompt_line,
    question_answers,
)
from reviewer.models import Criterion, CriterionStatus, Draft, Evidence, Question, Verdict
from reviewer.text import find_quote
from tests.unit.drafting.conftest import BagOfWords, make_chunk
from tests.unit.drafting.test_extractive import BACKGROUND

DATASHEET = """## Collection process

* **Were any ethical review processes conducted (e.g., by an institutional review board)? If so, please provide a description of these review processes.**
No.

* **Is the software used to clean the instances available? If so, please provide a link.**
The software is proprietary and currently unavailable publicly.

* **Does the dataset identify any subpopulations?**

* **Any other comments?**
The data was collected in 2021. It covers news articles only.
"""


def test_prompt_lines_are_questions_with_nothing_but_instructions_after_them() -> None:
    assert is_prompt_line("* **Were any reviews conducted? If so, please describe them.**")
    assert is_prompt_line("How do I report a vulnerability?")
    assert not is_prompt_line("Why does this matter? Because models memorise their data.")
    assert not is_prompt_line("Models are reviewed before release.")


def test_each_question_takes_the_lines_under_it_as_its_answer() -> None:
    qas = question_answers(DATASHEET)
    answers = [qa.answer(DATASHEET) for qa in qas]
    assert answers == [
        "No.",
        "The software is proprietary and currently unavailable publicly.",
        "",  # unanswered: the next line is blank
        "The data was collected in 2021. It covers news articles only.",
    ]
    assert DATASHEET[qas[0].start :].startswith("Were any ethical review")


def test_units_cite_question_and_answer_verbatim_and_drop_unanswered_questions() -> None:
    units = list(evidence_units(DATASHEET, ExtractiveParams()))
    texts = [t for t, _ in units]
    assert not any("subpopulations" in t for t in texts)
    assert all(find_quote(DATASHEET, t) for t in texts)
    ethics = next((t, a) for t, a in units if "ethical review" in t)
    assert ethics[1] == "No." and ethics[0].endswith("No.")


def test_a_bare_no_denies_and_a_statement_does_not() -> None:
    assert answer_denies("No.") and answer_denies("N/A") and answer_denies(" None ")
    assert not answer_denies("No personal data was collected.")
    assert not answer_denies("Yes.")


def draft_over(text: str, question: str, criterion: str) -> Draft:
    """The default extractive draft of a one-criterion question over one evidence block."""
    q = Question(id="q", text=question, criteria=[Criterion(id="c", text=criterion)])
    ev = [Evidence(label="E1", chunk=make_chunk(1, text))]
    return ExtractiveDrafter(BagOfWords(), background=BACKGROUND).draft(q, ev)


def test_a_datasheet_no_contradicts_instead_of_meeting_the_criterion() -> None:
    d = draft_over(
        DATASHEET,
        "Was an ethics review of the data collection conducted?",
        "An ethical review process was conducted.",
    )
    assert d.assessments[0].status == CriterionStatus.contradicted
    assert d.verdict == Verdict.nonconformity
    assert any(c.quote.endswith("No.") for c in d.citations)


CARD = """# Model Details

**License**  CC BY-NC

**Model type**  A speech model based on the transformer architecture, in two sizes, whose
details are in the paper.

### Licensing Information

MIT Licence

### Discussion of Biases

[More Information Needed]

## Training Data

Overview

The model was trained on read speech in 1,100 languages.

# Model Date

April 2023"""


def test_card_fields_pair_a_label_with_its_short_value() -> None:
    fields = {CARD[f.start : f.end]: f.answer(CARD) for f in field_values(CARD)}
    assert fields == {
        "**License**  CC BY-NC": "CC BY-NC",
        "Licensing Information\n\nMIT Licence": "MIT Licence",
        "Model Date\n\nApril 2023": "April 2023",
    }
    # Not fields: a bold label whose value runs on to the next line, a placeholder section, and
    # a heading whose first line is a subheading followed by prose.


def test_card_fields_are_evidence_cited_verbatim() -> None:
    with_fields = dict(evidence_units(CARD, ExtractiveParams()))
    assert with_fields["Model Date\n\nApril 2023"] == "April 2023"
    assert all(find_quote(CARD, t) for t in with_fields)
    without = dict(evidence_units(CARD, ExtractiveParams(fields=False)))
    assert not any("April 2023" in t or "MIT Licence" in t for t in without)


def test_a_non_commercial_licence_field_contradicts_commercial_use() -> None:
    d = draft_over(
        CARD, "May the model be used commercially?", "The model licence permits commercial use."
    )
    assert d.verdict == Verdict.nonconformity
    assert [c.quote for c in d.citations] == ["**License**  CC BY-NC"]


VENDOR_FORM = """### Security questionnaire

Has the Vendor been audited / certified? Currently undergoing SOC-2 Certification from Drata

Does the vendor perform vulnerability scans? No

Why does this matter? Because a model that was trained on scraped pages can repeat what they said, word for word, to anyone.
"""


def test_a_question_answered_on_its_own_line_is_one_unit_with_that_answer() -> None:
    qas = question_answers(VENDOR_FORM)
    answers = [qa.answer(VENDOR_FORM) for qa in qas]
    assert answers == ["Currently undergoing SOC-2 Certification from Drata", "No"]
    assert (
        VENDOR_FORM[qas[1].start : qas[1].end] == "Does the vendor perform vulnerability scans? No"
    )


def test_prose_after_a_rhetorical_question_is_no_inline_answer() -> None:
    assert inline_answer("Why does this matter? " + "Because models memorise. " * 5) is None
    assert inline_answer("Models are scanned? Sometimes, we think.") is None  # not a question
    assert inline_answer("Is the data encrypted? If so, describe how.") is None  # an instruction
    assert inline_answer("Is the data encrypted? Yes") == len("Is the data encrypted? ")


def test_an_inline_no_contradicts_the_practice_its_question_asks_about() -> None:
    d = draft_over(
        VENDOR_FORM,
        "Does the supplier scan its service for vulnerabilities?",
        "The supplier performs vulnerability scans of its service.",
    )
    assert d.assessments[0].status == CriterionStatus.contradicted
    assert d.citations[0].quote == "Does the vendor perform vulnerability scans? No"


def test_a_line_of_several_questions_is_prose_and_a_question_mark_may_sit_in_the_answer() -> None:
    prose = "How do we protect data? Backups are not encrypted. Is the rest encrypted? Yes."
    assert inline_answer(prose) is None
    linked = "Does the vendor encrypt data at rest? Yes - see https://example.com/trust?s=1"
    assert linked[inline_answer(linked) :].startswith("Yes - see")
    # an answer that explains itself is read for its cues, not as a bare "No"
    assert not answer_denies("None - all were remediated within 14 days.")


def test_an_inline_no_to_another_question_does_not_contradict() -> None:
    form = (
        "To report a security vulnerability, e-mail the security team with the details.\n\n"
        "Does the vendor perform vulnerability scans? No\n"
    )
    q = Question(
        id="q",
        text="Can vulnerabilities be reported to the vendor?",
        criteria=[Criterion(id="c", text="A channel for reporting vulnerabilities is provided.")],
    )
    ev = [Evidence(label="E1", chunk=make_chunk(1, form))]
    shipped = ExtractiveDrafter(BagOfWords(), background=BACKGROUND).draft(q, ev)
    assert shipped.assessments[0].status != CriterionStatus.contradicted, shipped.rationale
