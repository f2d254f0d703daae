"""The demo gold files are consistent with the demo evidence set and their question banks.

Every quote must be found (by the project's own loader and quote matcher) in the file it names,
and on the stated page for PDFs, so the gold never rewards a citation the reviewer could not verify.
"""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from reviewer.banks import load_bank
from reviewer.ingest.base import LoadedDocument
from reviewer.ingest.loaders import load_file
from reviewer.models import Verdict
from reviewer.text import find_quote

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "corpora" / "demo"
GOLD = ROOT / "evals" / "gold"
BANK = ROOT / "corpora" / "banks" / "iso27001-ai.yaml"
BANK_42001 = ROOT / "corpora" / "banks" / "iso42001.yaml"
ISO42001_GOLD = "demo_iso42001.jsonl"
GOLD_FILES = ("demo.jsonl", "demo_freeform.jsonl", ISO42001_GOLD)
VERDICTS = {v.value for v in Verdict}
REQUIRED = {"id", "question", "criteria", "scope", "verdict", "evidence", "theme", "split", "notes"}


def _items(name: str) -> list[dict[str, Any]]:
    lines = (GOLD / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@cache
def _doc(name: str) -> LoadedDocument:
    return load_file(DEMO / name)


def _balance_module() -> Any:
    spec = importlib.util.spec_from_file_location("gold_balance", GOLD / "balance.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", GOLD_FILES)
def test_every_line_parses_with_the_required_fields(name: str) -> None:
    items = _items(name)
    assert items, f"{name} is empty"
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)), f"{name}: duplicate ids"
    for item in items:
        missing = REQUIRED - item.keys()
        assert not missing, f"{name}: {item.get('id')}: missing {sorted(missing)}"
        assert item["verdict"] in VERDICTS, f"{item['id']}: verdict {item['verdict']!r}"
        assert item["split"] in ("dev", "test"), f"{item['id']}: split {item['split']!r}"
        assert isinstance(item["criteria"], list) and item["criteria"]
        assert 0 <= len(item["evidence"]) <= 3, f"{item['id']}: 0-3 quotes expected"
        if item["verdict"] != Verdict.insufficient_evidence:
            assert item["evidence"], f"{item['id']}: a {item['verdict']} item needs evidence"
        for scoped in item["scope"]:
            assert (DEMO / scoped).is_file(), (
                f"{item['id']}: scope file {scoped} not in corpora/demo"
            )


@pytest.mark.parametrize("name", GOLD_FILES)
def test_every_quote_is_verbatim_in_its_file_and_page(name: str) -> None:
    problems: list[str] = []
    for item in _items(name):
        for ev in item["evidence"]:
            path = DEMO / ev["file"]
            if not path.is_file():
                problems.append(f"{item['id']}: {ev['file']} does not exist in corpora/demo")
                continue
            doc = _doc(ev["file"])
            if item["scope"] and ev["file"] not in item["scope"]:
                problems.append(f"{item['id']}: {ev['file']} is outside the item's scope")
            if find_quote(doc.text, ev["quote"]) is None:
                problems.append(
                    f"{item['id']}: quote not found in {ev['file']}: {ev['quote'][:60]!r}"
                )
                continue
            if path.suffix.lower() == ".pdf":
                page = ev.get("page")
                if not isinstance(page, int) or not 1 <= page <= len(doc.page_spans):
                    problems.append(f"{item['id']}: {ev['file']}: bad page {page!r}")
                    continue
                start, end = doc.page_spans[page - 1]
                if find_quote(doc.text[start:end], ev["quote"]) is None:
                    problems.append(f"{item['id']}: quote not on page {page} of {ev['file']}")
    assert not problems, "\n".join(problems)


def _assert_copies_bank(items: list[dict[str, Any]], bank: dict[str, Any]) -> None:
    """Each item repeats its bank question's id, text, criteria and family exactly."""
    for item in items:
        question = bank[item["bank_id"]]
        assert item["id"] == item["bank_id"]
        assert item["question"] == question.text, (
            f"{item['id']}: question text drifted from the bank"
        )
        assert item["criteria"] == [c.text for c in question.criteria], (
            f"{item['id']}: criteria drifted"
        )
        assert item["theme"] == question.family


def test_bank_gold_covers_every_bank_question_once() -> None:
    bank = {q.id: q for q in load_bank(BANK).questions}
    items = _items("demo.jsonl")
    seen = Counter(item["bank_id"] for item in items)
    assert set(seen) == set(bank), f"gold/bank mismatch: {sorted(set(seen) ^ set(bank))}"
    assert all(n == 1 for n in seen.values())
    _assert_copies_bank(items, bank)


def test_freeform_items_are_not_bank_questions() -> None:
    for item in _items("demo_freeform.jsonl"):
        assert "bank_id" not in item, f"{item['id']}: free-form items have no bank_id"


def test_verdict_balance_and_splits() -> None:
    balance = _balance_module()
    bank_counts = balance.balance(GOLD / "demo.jsonl")
    free_counts = balance.balance(GOLD / "demo_freeform.jsonl")
    print()
    print(balance.format_balance("demo.jsonl", bank_counts))
    print(balance.format_balance("demo_freeform.jsonl", free_counts))
    for verdict in VERDICTS:
        total = bank_counts[(verdict, "dev")] + bank_counts[(verdict, "test")]
        assert total >= 5, f"demo.jsonl has only {total} {verdict} items"
        # stratified split: each verdict class is divided about evenly between dev and test
        assert abs(bank_counts[(verdict, "dev")] - bank_counts[(verdict, "test")]) <= 1, verdict
        free_total = free_counts[(verdict, "dev")] + free_counts[(verdict, "test")]
        assert free_total >= 2, f"demo_freeform.jsonl has only {free_total} {verdict} items"


def test_iso42001_gold_copies_its_bank_questions() -> None:
    bank = {q.id: q for q in load_bank(BANK_42001).questions}
    items = _items(ISO42001_GOLD)
    seen = Counter(item["bank_id"] for item in items)
    assert set(seen) <= set(bank), f"not iso42001 bank ids: {sorted(set(seen) - set(bank))}"
    assert all(n == 1 for n in seen.values()), "each bank question is labelled at most once"
    _assert_copies_bank(items, bank)


def test_iso42001_gold_quotes_are_sentences_and_gaps_have_none() -> None:
    for item in _items(ISO42001_GOLD):
        if item["verdict"] == Verdict.insufficient_evidence:
            assert not item["evidence"], f"{item['id']}: silent documents give no quote"
        for ev in item["evidence"]:
            # a fragment this long carries its own meaning; short labels such as
            # "Data classification: Unclassified." are matched by too many texts
            assert len(ev["quote"].split()) >= 8, f"{item['id']}: quote under 8 words"


def test_iso42001_gold_is_balanced_dev_only() -> None:
    balance = _balance_module()
    counts = balance.balance(GOLD / ISO42001_GOLD)
    print()
    print(balance.format_balance(ISO42001_GOLD, counts))
    assert all(split == "dev" for _, split in counts), "this file is for tuning: dev only"
    # The demo set plants few contradictions and half of them belong to test-split items; the
    # iso42001 items that rested on the same contradictions as a test item were left out, so
    # tuning never sees a test item's evidence. Three nonconformity items remain.
    minimum = {Verdict.nonconformity.value: 3}
    for verdict in VERDICTS:
        least = minimum.get(verdict, 6)
        assert counts[(verdict, "dev")] >= least, f"{ISO42001_GOLD}: under {least} {verdict} items"
