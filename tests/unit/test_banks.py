"""Question banks: shipped banks load and are complete; malformed banks fail with a useful line."""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from reviewer.banks import (
    BankError,
    all_questions,
    default_banks_dir,
    get_bank,
    get_question,
    list_banks,
    load_bank,
)
from reviewer.controls import (
    ISO27001_2013_TO_2022,
    control_title,
    controls_in,
    edition_pair_problem,
    family_of,
    is_known_control,
    iso27001_2022_for_2013,
    parse_ref,
)
from reviewer.models import ControlRef

REPO = Path(__file__).resolve().parents[2]
SHIPPED_DIR = REPO / "corpora" / "banks"
SHIPPED_FILES = sorted(SHIPPED_DIR.glob("*.yaml"))


# --- shipped banks -------------------------------------------------------------------------


def test_default_dir_is_the_repo_banks_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REVIEWER_BANKS_DIR", raising=False)
    assert default_banks_dir() == SHIPPED_DIR
    assert SHIPPED_FILES, "corpora/banks holds no *.yaml bank"


@pytest.mark.parametrize("path", SHIPPED_FILES, ids=lambda p: p.name)
def test_every_shipped_bank_loads_and_is_well_formed(path: Path) -> None:
    bank = load_bank(path)
    assert bank.name == path.stem
    assert bank.title and bank.version >= 1 and bank.questions
    for question in bank.questions:
        assert question.bank == bank.name
        assert question.text and question.family
        assert 2 <= len(question.criteria) <= 5
        assert question.doc_types
        for ref in question.refs:
            assert is_known_control(ref.framework, ref.edition, ref.control), str(ref)
            if ref.framework in ("ISO27001", "ISO42001") and ref.edition != "2013":
                assert ref.title, f"{question.id}: no title for {ref}"
            if ref.framework == "ISO27001" and ref.edition == "2022":
                assert not ref.control.startswith("A."), "2022 ids are normalised to '5.12'"
        assert edition_pair_problem(question.refs) is None


def test_shipped_banks_load_together_with_unique_ids() -> None:
    banks = list_banks(SHIPPED_DIR)
    assert [b.name for b in banks] == [p.stem for p in SHIPPED_FILES]
    questions = all_questions(SHIPPED_DIR)
    assert len(questions) == sum(len(b.questions) for b in banks)
    assert len({q.id for q in questions}) == len(questions)


# --- the ISO/IEC 42001 bank ----------------------------------------------------------------


@pytest.fixture(scope="module")
def iso42001() -> Any:
    return get_bank("iso42001", SHIPPED_DIR)


def test_iso42001_has_one_question_per_annex_a_control(iso42001: Any) -> None:
    annex_a = controls_in("ISO42001", "2023")
    assert len(annex_a) == 38
    assert len(iso42001.questions) == 38
    primaries = [q.refs[0] for q in iso42001.questions]
    assert all(r.framework == "ISO42001" and r.edition == "2023" for r in primaries)
    assert Counter(r.control for r in primaries) == Counter(annex_a)
    # No question borrows another question's control as a secondary reference.
    cited = Counter(
        r.control for q in iso42001.questions for r in q.refs if r.framework == "ISO42001"
    )
    assert all(count == 1 for count in cited.values())


def test_iso42001_ids_families_and_criteria(iso42001: Any) -> None:
    for question in iso42001.questions:
        control = question.refs[0].control
        assert question.id == "ai42-" + control.lower().replace("a.", "a", 1).replace(".", "-")
        assert question.family == family_of(question.refs[0])
        assert 2 <= len(question.criteria) <= 4
        assert len({c.id for c in question.criteria}) == len(question.criteria)


@pytest.mark.parametrize(
    ("control", "expected_2022"),
    [
        ("A.10.3", {"5.19", "5.20", "5.22"}),
        ("A.6.2.5", {"8.29", "5.21"}),
        ("A.7.5", {"5.21"}),
        ("A.4.3", {"5.12"}),
        ("A.6.2.8", {"8.15"}),
    ],
)
def test_iso42001_keeps_the_mapped_27001_refs(
    iso42001: Any, control: str, expected_2022: set[str]
) -> None:
    question = next(q for q in iso42001.questions if q.refs[0].control == control)
    cited = {r.control for r in question.refs if r.framework == "ISO27001" and r.edition == "2022"}
    assert expected_2022 <= cited


# --- malformed banks -----------------------------------------------------------------------


def _criteria(n: int) -> list[dict[str, str]]:
    return [
        {"id": f"c{i}", "text": f"Evidence item number {i} is present."} for i in range(1, n + 1)
    ]


def _valid_bank(name: str = "broken", prefix: str = "bq") -> dict[str, Any]:
    return {
        "bank": name,
        "title": "Test bank",
        "version": 1,
        "description": "Bank used by the loader tests.",
        "questions": [
            {
                "id": f"{prefix}-1",
                "family": "A.8.2",
                "text": "Is training data classified?",
                "refs": ["ISO27001:2013 A.8.2.1", "ISO27001:2022 A.5.12"],
                "criteria": _criteria(2),
                "doc_types": ["policy"],
                "threats": ["AML.T0024.001", "ML05:2023", "LLM10:2025", "AML.M0025"],
                "keywords": ["data classification"],
            },
            {
                "id": f"{prefix}-2",
                "family": "A.7",
                "text": "Is data provenance recorded?",
                "refs": ["ISO42001:2023 A.7.5", "NIST-AI-RMF:1.0 MAP 2.3", "EU-AI-Act:2024 Art.10"],
                "criteria": _criteria(3),
                "doc_types": ["model_card", "vendor"],
            },
        ],
    }


def _write(directory: Path, data: Any, name: str = "broken") -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_valid_test_bank_loads_normalised(tmp_path: Path) -> None:
    bank = load_bank(_write(tmp_path, _valid_bank()))
    first, second = bank.questions
    assert [str(r) for r in first.refs] == ["ISO27001:2013 A.8.2.1", "ISO27001:2022 5.12"]
    assert [r.title for r in first.refs] == ["Classification of information"] * 2
    assert second.refs[2].title == "Data and data governance"
    assert second.family == "A.7" and second.doc_types == ["model_card", "vendor"]
    assert bank.description == "Bank used by the loader tests."


def test_family_defaults_to_the_first_ref(tmp_path: Path) -> None:
    data = _valid_bank()
    del data["questions"][1]["family"]
    assert load_bank(_write(tmp_path, data)).questions[1].family == "A.7"


def _q2(data: dict[str, Any]) -> dict[str, Any]:
    question: dict[str, Any] = data["questions"][1]
    return question


Mutation = Callable[[dict[str, Any]], None]

MALFORMED: list[tuple[str, Mutation, str, str, str]] = [
    ("missing text", lambda d: _q2(d).pop("text"), "bq-2", "text", "missing"),
    ("blank text", lambda d: _q2(d).update(text="   "), "bq-2", "text", "at least 1"),
    (
        "one criterion",
        lambda d: _q2(d).update(criteria=_criteria(1)),
        "bq-2",
        "criteria",
        "found 1",
    ),
    ("six criteria", lambda d: _q2(d).update(criteria=_criteria(6)), "bq-2", "criteria", "found 6"),
    (
        "repeated criterion id",
        lambda d: _q2(d).update(criteria=_criteria(2) + [{"id": "c1", "text": "again"}]),
        "bq-2",
        "criteria",
        "c1",
    ),
    (
        "ref without edition",
        lambda d: _q2(d).update(refs=["ISO27001 A.8.2.1"]),
        "bq-2",
        "refs",
        "FRAMEWORK:EDITION",
    ),
    (
        "unknown control",
        lambda d: _q2(d).update(refs=["ISO27001:2013 A.99.1"]),
        "bq-2",
        "refs",
        "A.99.1",
    ),
    (
        "2013 id under the 2022 edition",
        lambda d: _q2(d).update(refs=["ISO27001:2022 A.8.2.1"]),
        "bq-2",
        "refs",
        "2013 numbering",
    ),
    (
        "unknown edition",
        lambda d: _q2(d).update(refs=["ISO27001:2017 5.1"]),
        "bq-2",
        "refs",
        "2013, 2022",
    ),
    (
        "unknown framework",
        lambda d: _q2(d).update(refs=["SOC2:2017 CC6.1"]),
        "bq-2",
        "refs",
        "SOC2",
    ),
    (
        "inconsistent 2013/2022 pair",
        lambda d: _q2(d).update(refs=["ISO27001:2013 A.8.2.1", "ISO27001:2022 8.2"]),
        "bq-2",
        "refs",
        "5.12",
    ),
    (
        "ref listed twice",
        lambda d: _q2(d).update(refs=["ISO42001:2023 A.7.5", "ISO42001:2023 a.7.5"]),
        "bq-2",
        "refs",
        "twice",
    ),
    ("no refs", lambda d: _q2(d).update(refs=[]), "bq-2", "refs", "at least 1"),
    (
        "duplicate question id",
        lambda d: _q2(d).update(id="bq-1"),
        "bq-1",
        "id",
        "duplicate",
    ),
    (
        "bad question id",
        lambda d: _q2(d).update(id="BQ 2"),
        "BQ 2",
        "id",
        "BQ 2",
    ),
    (
        "bad doc_type",
        lambda d: _q2(d).update(doc_types=["policy", "spreadsheet"]),
        "bq-2",
        "doc_types[1]",
        "spreadsheet",
    ),
    ("no doc_types", lambda d: _q2(d).update(doc_types=[]), "bq-2", "doc_types", "at least 1"),
    (
        "bad threat id",
        lambda d: _q2(d).update(threats=["AML.T20"]),
        "bq-2",
        "threats",
        "AML.T20",
    ),
    (
        "threat with a wrong OWASP year",
        lambda d: _q2(d).update(threats=["LLM01:2024"]),
        "bq-2",
        "threats",
        "LLM01:2024",
    ),
    ("misspelt field", lambda d: _q2(d).update(keyword=["x"]), "bq-2", "keyword", "unknown field"),
]


@pytest.mark.parametrize(
    ("mutate", "question_id", "field", "fragment"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_question_names_file_question_and_field(
    tmp_path: Path, mutate: Mutation, question_id: str, field: str, fragment: str
) -> None:
    data = copy.deepcopy(_valid_bank())
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(BankError) as caught:
        load_bank(path)
    message = str(caught.value)
    assert message.startswith("broken.yaml: "), message
    assert f"question {question_id}: " in message, message
    assert f"field {field}: " in message, message
    assert fragment in message, message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("bank: broken\ntitle: [unclosed\n", "not valid YAML at line"),
        ("bank: broken\nbank: other\n", "duplicate key 'bank'"),
        ("- just\n- a list\n", "expected a mapping"),
        ("", "expected a mapping"),
    ],
    ids=["syntax error", "duplicate key", "top-level list", "empty file"],
)
def test_unreadable_bank_files(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BankError, match=fragment) as caught:
        load_bank(path)
    assert str(caught.value).startswith("broken.yaml: ")


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d.update(bank="other"), "field bank: 'other' must equal the file name"),
        (lambda d: d.pop("title"), "field title: required field is missing"),
        (lambda d: d.update(version="one"), "field version: "),
        (lambda d: d.update(questions=[]), "field questions: "),
    ],
    ids=["name differs from stem", "no title", "version not a number", "no questions"],
)
def test_bank_level_errors_name_the_field(tmp_path: Path, mutate: Mutation, fragment: str) -> None:
    data = _valid_bank()
    mutate(data)
    with pytest.raises(BankError) as caught:
        load_bank(_write(tmp_path, data))
    assert str(caught.value).startswith("broken.yaml: ")
    assert fragment in str(caught.value)
    assert "question " not in str(caught.value)


def test_several_problems_are_counted_on_one_line(tmp_path: Path) -> None:
    data = _valid_bank()
    _q2(data).update(doc_types=["pdf"], threats=["T1"])
    with pytest.raises(BankError, match=r"\(and 1 more problem\)$"):
        load_bank(_write(tmp_path, data))


def test_missing_bank_file(tmp_path: Path) -> None:
    with pytest.raises(BankError, match=r"^absent\.yaml: bank file not found$"):
        load_bank(tmp_path / "absent.yaml")


# --- directories ---------------------------------------------------------------------------


def test_duplicate_id_across_banks_names_both_files(tmp_path: Path) -> None:
    _write(tmp_path, _valid_bank("alpha", prefix="shared"), name="alpha")
    _write(tmp_path, _valid_bank("beta", prefix="shared"), name="beta")
    with pytest.raises(BankError) as caught:
        list_banks(tmp_path)
    message = str(caught.value)
    assert "alpha.yaml" in message and "beta.yaml" in message
    assert "question shared-1" in message


def test_list_get_and_all_questions_from_a_directory(tmp_path: Path) -> None:
    _write(tmp_path, _valid_bank("beta", prefix="b"), name="beta")
    _write(tmp_path, _valid_bank("alpha", prefix="a"), name="alpha")
    (tmp_path / "notes.txt").write_text("not a bank", encoding="utf-8")
    assert [b.name for b in list_banks(tmp_path)] == ["alpha", "beta"]
    assert [q.id for q in all_questions(tmp_path)] == ["a-1", "a-2", "b-1", "b-2"]
    assert get_bank("beta", tmp_path).questions[0].bank == "beta"
    assert get_question("b-2", tmp_path).refs[0].control == "A.7.5"
    with pytest.raises(BankError, match="'zzz-9'"):
        get_question("zzz-9", tmp_path)


def test_unknown_bank_lists_valid_names(tmp_path: Path) -> None:
    _write(tmp_path, _valid_bank("alpha", prefix="a"), name="alpha")
    _write(tmp_path, _valid_bank("beta", prefix="b"), name="beta")
    with pytest.raises(BankError, match=r"unknown bank 'gamma'; valid banks: alpha, beta$"):
        get_bank("gamma", tmp_path)
    with pytest.raises(BankError, match="valid banks: alpha, beta"):
        get_bank("../alpha", tmp_path)


def test_env_overrides_the_banks_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, _valid_bank("alpha", prefix="a"), name="alpha")
    monkeypatch.setenv("REVIEWER_BANKS_DIR", str(tmp_path))
    assert default_banks_dir() == tmp_path
    assert [b.name for b in list_banks()] == ["alpha"]


def test_missing_directory_is_reported(tmp_path: Path) -> None:
    with pytest.raises(BankError, match="bank directory not found"):
        list_banks(tmp_path / "nowhere")


# --- control catalogues --------------------------------------------------------------------


def test_editions_keep_their_own_titles() -> None:
    assert control_title("ISO27001", "2022", "8.2") == "Privileged access rights"
    assert control_title("ISO27001", "2022", "A.8.2") == "Privileged access rights"
    assert control_title("ISO27001", "2013", "A.8.2.1") == "Classification of information"
    assert control_title("ISO27001", "2013", "A.8.2") == "Information classification"
    assert (
        control_title("ISO27001", "2013", "A.12.6.1") == "Management of technical vulnerabilities"
    )
    assert control_title("ISO42001", "2023", "A.7.5") == "Data provenance"
    assert control_title("ISO27001", "2019", "8.2") is None
    assert control_title("SOC2", "2017", "CC6.1") is None


def test_catalogue_sizes() -> None:
    assert len(controls_in("ISO42001", "2023")) == 38
    assert len(controls_in("ISO27001", "2022")) == 93
    assert len(controls_in("ISO27001", "2013")) == 114
    subcategories = controls_in("NIST-AI-RMF", "1.0")
    assert len(subcategories) == 72 and "MEASURE 2.7" in subcategories


def test_known_controls_per_edition() -> None:
    assert is_known_control("ISO27001", "2013", "A.9.4.5")  # known even without a stored title
    assert control_title("ISO27001", "2013", "A.9.4.5") is None
    assert not is_known_control("ISO27001", "2013", "A.9.4.6")
    assert not is_known_control("ISO27001", "2022", "5.38")
    assert not is_known_control("ISO42001", "2023", "A.7.7")
    assert is_known_control("NIST-AI-RMF", "1.0", "measure 2.7")
    assert not is_known_control("NIST-AI-RMF", "1.0", "MEASURE 2.14")
    assert is_known_control("EU-AI-Act", "2024", "Art.10(2)(b)")
    assert is_known_control("EU-AI-Act", "2024", "Annex IV 2(d)")
    assert not is_known_control("EU-AI-Act", "2024", "Art.114")
    assert not is_known_control("EU-AI-Act", "2024", "Annex XIV")


def test_eu_and_nist_titles_and_normalisation() -> None:
    assert control_title("EU-AI-Act", "2024", "Art. 10(2)(b)") == "Data and data governance"
    assert control_title("EU-AI-Act", "2024", "Annex IV 2(h)") == (
        "Technical documentation referred to in Article 11(1)"
    )
    title = control_title("NIST-AI-RMF", "1.0", "MEASURE 2.7")
    assert title is not None and title.startswith("AI system security and resilience")
    ref = parse_ref("eu-ai-act:2024 Article 15(5)")
    assert (ref.framework, ref.control, ref.title) == (
        "EU-AI-Act",
        "Art.15(5)",
        "Accuracy, robustness and cybersecurity",
    )


@pytest.mark.parametrize(
    ("ref", "family"),
    [
        ("ISO27001:2013 A.8.2.1", "A.8.2"),
        ("ISO27001:2022 8.2", "A.8"),
        ("ISO42001:2023 A.7.5", "A.7"),
        ("ISO42001:2023 A.6.2.5", "A.6.2"),
        ("NIST-AI-RMF:1.0 GOVERN 6.1", "GOVERN 6"),
        ("EU-AI-Act:2024 Art.10(2)(b)", "Art.10"),
    ],
)
def test_family_of(ref: str, family: str) -> None:
    assert family_of(ControlRef.parse(ref)) == family


def test_2013_to_2022_mapping_table_is_consistent() -> None:
    for old, new in ISO27001_2013_TO_2022.items():
        assert control_title("ISO27001", "2013", old), old
        assert all(control_title("ISO27001", "2022", target) for target in new), old
    assert iso27001_2022_for_2013("A.8.2") == {"5.12", "5.13", "5.10"}
    assert iso27001_2022_for_2013("A.18.2.3") == {"5.36", "8.8"}
    assert iso27001_2022_for_2013("A.9.1.1") == frozenset()


def test_edition_pair_rule() -> None:
    def refs(*texts: str) -> list[ControlRef]:
        return [parse_ref(t) for t in texts]

    assert edition_pair_problem(refs("ISO27001:2013 A.8.2.1", "ISO27001:2022 5.12")) is None
    assert edition_pair_problem(refs("ISO27001:2013 A.8.2.1")) is None  # nothing to compare
    assert edition_pair_problem(refs("ISO27001:2013 A.9.1.1", "ISO27001:2022 8.2")) is None
    problem = edition_pair_problem(refs("ISO27001:2013 A.12.6.1", "ISO27001:2022 8.2"))
    assert problem is not None and "8.8" in problem
