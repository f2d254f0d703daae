"""Loading gold sets: aliases, comments, unknown fields, splits and precise line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.evaluation.gold import GoldError, GoldItem, GoldQuery, hide_answers, load_gold
from reviewer.models import Verdict


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def line(**fields: object) -> str:
    return json.dumps(fields)


def test_loads_items_with_alias_verdicts_and_skips_comments(tmp_path: Path) -> None:
    gold = write_lines(
        tmp_path / "gold.jsonl",
        [
            "// gold set for the demo corpus",
            line(
                id="a",
                question="Is training data classified?",
                verdict="supported",
                evidence=[
                    {"file": "policy.md", "quote": "All training data is labelled.", "page": 2}
                ],
                scope=["policy.md"],
                criteria=["labelling scheme"],
                theme="A.8.2",
                split="dev",
            ),
            "",
            line(id="b", question="Q b?", verdict="contradicted"),
            "   ",
            line(id="c", question="Q c?", verdict="Not Addressed"),
            line(id="d", question="Q d?", verdict="partial"),
            line(id="e", question="Q e?", verdict="nonconformity"),
        ],
    )
    items = load_gold(gold)
    assert [i.id for i in items] == ["a", "b", "c", "d", "e"]
    assert [i.verdict for i in items] == [
        Verdict.conformant,
        Verdict.nonconformity,
        Verdict.insufficient_evidence,
        Verdict.partial,
        Verdict.nonconformity,
    ]
    first = items[0]
    assert first.scope == ["policy.md"]
    assert first.criteria == ["labelling scheme"]
    assert first.evidence[0].file == "policy.md"
    assert first.evidence[0].page == 2
    assert first.theme == "A.8.2" and first.split == "dev"
    assert items[1].evidence == [] and items[1].scope == []


def test_unknown_fields_are_ignored(tmp_path: Path) -> None:
    gold = write_lines(
        tmp_path / "gold.jsonl",
        [
            line(
                id="a",
                question="Q?",
                verdict="conformant",
                annotator="jd",
                difficulty=3,
                evidence=[{"file": "x.md", "quote": "a quote here", "section": "2.1"}],
            ),
        ],
    )
    (item,) = load_gold(gold)
    assert item.id == "a"
    assert "annotator" not in item.model_dump()
    assert item.evidence[0].quote == "a quote here"


def test_every_malformed_line_is_reported_with_its_number(tmp_path: Path) -> None:
    gold = write_lines(
        tmp_path / "bad.jsonl",
        [
            line(id="ok", question="Q?", verdict="conformant"),  # 1
            "// comment",  # 2
            '{"id": "x", "question": ',  # 3 bad JSON
            line(id="m", question="Q?"),  # 4 no verdict
            line(id="v", question="Q?", verdict="maybe"),  # 5 bad verdict
            line(id="e", question="Q?", verdict="partial", evidence="policy.md"),  # 6
            line(id="f", question="Q?", verdict="partial", evidence=[{"file": "p.md"}]),  # 7
            line(id="ok", question="Q again?", verdict="partial"),  # 8 duplicate
            "[1, 2]",  # 9 not an object
            line(question="no id", verdict="partial"),  # 10
        ],
    )
    with pytest.raises(GoldError) as err:
        load_gold(gold)
    message = str(err.value)
    lines = message.splitlines()
    assert "8 malformed line(s)" in lines[0]
    by_number = {int(entry.split(":")[1]): entry for entry in lines[1:]}
    assert sorted(by_number) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert all(entry.startswith(f"{gold}:") for entry in lines[1:])
    assert "not valid JSON" in by_number[3]
    assert "'verdict'" in by_number[4]
    assert "unknown verdict 'maybe'" in by_number[5]
    assert "'evidence' must be a list" in by_number[6]
    assert "'quote'" in by_number[7]
    assert "duplicate id 'ok'" in by_number[8] and "line 1" in by_number[8]
    assert "JSON object" in by_number[9]
    assert "'id'" in by_number[10]


def test_error_list_is_capped(tmp_path: Path) -> None:
    gold = write_lines(tmp_path / "bad.jsonl", ["not json"] * 25)
    with pytest.raises(GoldError) as err:
        load_gold(gold)
    lines = str(err.value).splitlines()
    assert "25 malformed" in lines[0]
    assert len(lines) == 1 + 20 + 1
    assert lines[-1] == "... and 5 more malformed line(s)"


def test_split_keeps_only_its_items(tmp_path: Path) -> None:
    gold = write_lines(
        tmp_path / "gold.jsonl",
        [
            line(id="a", question="Q?", verdict="partial", split="dev"),
            line(id="b", question="Q?", verdict="partial", split="test"),
            line(id="c", question="Q?", verdict="partial"),
        ],
    )
    assert [i.id for i in load_gold(gold, split="test")] == ["b"]
    assert len(load_gold(gold)) == 3
    with pytest.raises(
        GoldError, match=r"no gold items in split 'train' \(splits present: dev, test\)"
    ):
        load_gold(gold, split="train")


def test_missing_and_empty_files_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(GoldError, match="gold file not found"):
        load_gold(tmp_path / "nope.jsonl")
    empty = write_lines(tmp_path / "empty.jsonl", ["// only a comment"])
    with pytest.raises(GoldError, match="no gold items"):
        load_gold(empty)


def test_hide_answers_keeps_only_the_question() -> None:
    item = GoldItem.model_validate(
        {
            "id": "a",
            "question": "Are models versioned?",
            "scope": ["mlops.md"],
            "verdict": "supported",
            "evidence": [{"file": "mlops.md", "quote": "Every model is tagged."}],
            "criteria": ["registry"],
            "bank_id": "ai27-a142-01",
            "notes": "the tag scheme is in section 4",
        }
    )
    query = hide_answers(item)
    assert isinstance(query, GoldQuery)
    assert query.model_dump() == {
        "id": "a",
        "question": "Are models versioned?",
        "scope": ["mlops.md"],
        "criteria": ["registry"],
        "bank_id": "ai27-a142-01",
    }
    assert "section 4" not in query.model_dump_json()
