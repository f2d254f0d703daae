"""Template questions (datasheets, forms, FAQs): the answer is the evidence, not the question."""

from __future__ import annotations

from reviewer.drafting.extractive import ExtractiveDrafter, ExtractiveParams, evidence_units
from reviewer.drafting.qa_pairs import (
    answer_denies,
    field_values,
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
