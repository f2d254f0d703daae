"""Integrity of the held-out real-document gold set (evals/gold/real.jsonl + evals/real/)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from reviewer.models import Verdict
from reviewer.text import find_quote

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "evals" / "real" / "docs"
GOLD = ROOT / "evals" / "gold" / "real.jsonl"
SOURCES = ROOT / "evals" / "real" / "SOURCES.md"

THEMES = {"A.8.2", "A.12.6", "A.14.2", "A.15.1", "ISO42001"}
MIN_PER_VERDICT = 8
MIN_ITEMS = 45


def _items() -> list[dict[str, Any]]:
    lines = [line for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


def _doc_files() -> list[Path]:
    return sorted(p for p in DOCS.iterdir() if p.is_file())


def test_every_line_parses_with_required_fields() -> None:
    required = {"id", "question", "criteria", "scope", "verdict", "evidence", "theme", "notes"}
    for n, line in enumerate(GOLD.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)  # a malformed line fails here with its position
        missing = required - item.keys()
        assert not missing, f"line {n}: missing {sorted(missing)}"
        assert isinstance(item["criteria"], list) and item["criteria"], f"line {n}: no criteria"
        assert isinstance(item["scope"], list), f"line {n}: scope must be a list"
        assert item["theme"] in THEMES, f"line {n}: unknown theme {item['theme']!r}"


def test_ids_are_unique_and_set_is_large_enough() -> None:
    ids = [item["id"] for item in _items()]
    assert len(ids) >= MIN_ITEMS
    assert len(ids) == len(set(ids)), [i for i, c in Counter(ids).items() if c > 1]


def test_verdicts_are_valid_and_each_class_is_represented() -> None:
    counts = Counter(Verdict(item["verdict"]) for item in _items())
    for verdict in Verdict:
        assert counts[verdict] >= MIN_PER_VERDICT, f"{verdict.value}: only {counts[verdict]}"


def test_evidence_matches_verdict() -> None:
    for item in _items():
        evidence = item["evidence"]
        if item["verdict"] == Verdict.insufficient_evidence.value:
            assert evidence == [], f"{item['id']}: insufficient_evidence must cite nothing"
        else:
            assert 1 <= len(evidence) <= 3, f"{item['id']}: needs 1-3 quotes"


def test_scope_and_evidence_files_exist() -> None:
    names = {p.name for p in _doc_files()}
    for item in _items():
        for name in item["scope"]:
            assert name in names, f"{item['id']}: scope file {name} not in {DOCS}"
        for ev in item["evidence"]:
            assert ev["file"] in names, f"{item['id']}: evidence file {ev['file']} not in {DOCS}"
            if item["scope"]:
                assert ev["file"] in item["scope"], f"{item['id']}: {ev['file']} outside scope"


def test_whole_corpus_questions_are_present() -> None:
    assert sum(1 for item in _items() if not item["scope"]) >= 8


def test_every_quote_is_found_in_its_file() -> None:
    texts = {p.name: p.read_text(encoding="utf-8") for p in _doc_files()}
    missing = [
        f"{item['id']} {ev['file']}: {ev['quote'][:60]!r}"
        for item in _items()
        for ev in item["evidence"]
        if find_quote(texts[ev["file"]], ev["quote"]) is None
    ]
    assert not missing, "\n".join(missing)


def _source_licences() -> dict[str, str]:
    """File name -> licence cell from the SOURCES.md table (columns: file, repo, path, commit, licence, ...)."""
    licences: dict[str, str] = {}
    for line in SOURCES.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0].endswith((".md", ".txt")):
            licences[cells[0]] = cells[4]
    return licences


def test_sources_lists_every_document_with_a_licence() -> None:
    licences = _source_licences()
    for path in _doc_files():
        assert path.name in licences, f"SOURCES.md does not list {path.name}"
        licence = licences[path.name].lower()
        assert licence and licence not in {"unknown", "?", "-"}, f"{path.name}: no licence"


def test_documents_are_plain_text_of_reasonable_size() -> None:
    files = _doc_files()
    assert 10 <= len(files) <= 14
    for path in files:
        assert path.suffix in {".md", ".txt"}, path.name
        size = len(path.read_text(encoding="utf-8"))
        # Roughly 1 to 8 pages: long enough to retrieve from, short enough to read.
        assert 800 <= size <= 40_000, f"{path.name}: {size} chars"


def test_gold_loader_accepts_the_file() -> None:
    gold = pytest.importorskip("reviewer.evaluation.gold")
    items = gold.load_gold(GOLD)
    assert len(items) == len(_items())
