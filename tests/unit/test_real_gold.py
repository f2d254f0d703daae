"""Integrity of the real-document gold sets.

Held out (never tuned on): `evals/gold/real.jsonl` over `evals/real/docs/`, and (sixth session)
`evals/gold/real2a.jsonl` / `real2b.jsonl` over `evals/real2a/docs/` / `evals/real2b/docs/`.
Dev (tuning): `evals/gold/real_dev_<name>.jsonl` over `evals/real_dev/<name>/`, for cards,
policies, terms, cards2, fresh5a / fresh5b (fifth session), fresh8a / fresh8b (eighth) and
fresh12a / fresh12b and fresh15a / fresh15b (ninth), fresh20a / fresh20b (fourteenth), fresh21a /
fresh21b and fresh22a / fresh22b (fifteenth), fresh23a / fresh23b (sixteenth).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reviewer.models import Verdict
from reviewer.text import find_quote

ROOT = Path(__file__).resolve().parents[2]
THEMES = {"A.8.2", "A.12.6", "A.14.2", "A.15.1", "ISO42001"}


@dataclass(frozen=True)
class GoldSet:
    gold: Path
    docs: Path
    sources: Path
    min_items: int
    min_per_verdict: int
    min_whole_corpus: int
    n_docs: tuple[int, int]
    split: str | None  # every item carries this split (None: no split field, held out)

    def __str__(self) -> str:
        return self.gold.name


HELD_OUT = GoldSet(
    ROOT / "evals/gold/real.jsonl",
    ROOT / "evals/real/docs",
    ROOT / "evals/real/SOURCES.md",
    45,
    8,
    8,
    (10, 14),
    None,
)
# Written in the sixth session by authors who did not read or run the drafter; measured once.
HELD_OUT_2 = [
    GoldSet(
        ROOT / f"evals/gold/{name}.jsonl",
        ROOT / f"evals/{name}/docs",
        ROOT / f"evals/{name}/SOURCES.md",
        26,
        5,
        5,
        (5, 5),
        None,
    )
    for name in ("real2a", "real2b")
]
DEV_SOURCES = ROOT / "evals/real_dev/SOURCES.md"
SETS = [
    HELD_OUT,
    *HELD_OUT_2,
    GoldSet(
        ROOT / "evals/gold/real_dev_cards.jsonl",
        ROOT / "evals/real_dev/cards",
        DEV_SOURCES,
        30,
        7,
        6,
        (6, 8),
        "dev",
    ),
    *(
        GoldSet(
            ROOT / f"evals/gold/real_dev_{name}.jsonl",
            ROOT / f"evals/real_dev/{name}",
            DEV_SOURCES,
            30,
            7,
            6,
            (6, 8),
            "dev",
        )
        for name in ("policies", "terms", "cards2")
    ),
    # Written after v5's rules (fifth session), v10's (eighth), v13's and v16's (ninth), v20's
    # (fourteenth), v21's and v22's (fifteenth) were chosen, by authors who did not see the
    # drafter: a fresh check, then dev data.
    *(
        GoldSet(
            ROOT / f"evals/gold/real_dev_{name}.jsonl",
            ROOT / f"evals/real_dev/{name}",
            DEV_SOURCES,
            24,
            5,
            4,
            (4, 6),
            "dev",
        )
        for name in (
            "fresh5a",
            "fresh5b",
            "fresh8a",
            "fresh8b",
            "fresh12a",
            "fresh12b",
            "fresh15a",
            "fresh15b",
            "fresh20a",
            "fresh20b",
            "fresh21a",
            "fresh21b",
            "fresh22a",
            "fresh22b",
            "fresh23a",
            "fresh23b",
        )
    ),
]
sets = pytest.mark.parametrize("gs", SETS, ids=str)


def _items(gs: GoldSet) -> list[dict[str, Any]]:
    lines = [line for line in gs.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


def _doc_files(gs: GoldSet) -> list[Path]:
    return sorted(p for p in gs.docs.iterdir() if p.is_file())


@sets
def test_every_line_parses_with_required_fields(gs: GoldSet) -> None:
    required = {"id", "question", "criteria", "scope", "verdict", "evidence", "theme", "notes"}
    for n, line in enumerate(gs.gold.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)  # a malformed line fails here with its position
        missing = required - item.keys()
        assert not missing, f"line {n}: missing {sorted(missing)}"
        assert isinstance(item["criteria"], list) and item["criteria"], f"line {n}: no criteria"
        assert isinstance(item["scope"], list), f"line {n}: scope must be a list"
        assert item["theme"] in THEMES, f"line {n}: unknown theme {item['theme']!r}"
        assert item.get("split") == gs.split, f"line {n}: split {item.get('split')!r}"


@sets
def test_ids_are_unique_and_set_is_large_enough(gs: GoldSet) -> None:
    ids = [item["id"] for item in _items(gs)]
    assert len(ids) >= gs.min_items
    assert len(ids) == len(set(ids)), [i for i, c in Counter(ids).items() if c > 1]


def test_no_two_sets_share_a_document_or_an_id() -> None:
    for i, a in enumerate(SETS):
        for b in SETS[i + 1 :]:
            assert not {p.name for p in _doc_files(a)} & {p.name for p in _doc_files(b)}, (a, b)
            assert not {it["id"] for it in _items(a)} & {it["id"] for it in _items(b)}, (a, b)


@sets
def test_verdicts_are_valid_and_each_class_is_represented(gs: GoldSet) -> None:
    counts = Counter(Verdict(item["verdict"]) for item in _items(gs))
    for verdict in Verdict:
        assert counts[verdict] >= gs.min_per_verdict, f"{verdict.value}: only {counts[verdict]}"


@sets
def test_evidence_matches_verdict(gs: GoldSet) -> None:
    for item in _items(gs):
        evidence = item["evidence"]
        if item["verdict"] == Verdict.insufficient_evidence.value:
            assert evidence == [], f"{item['id']}: insufficient_evidence must cite nothing"
        else:
            assert 1 <= len(evidence) <= 3, f"{item['id']}: needs 1-3 quotes"


@sets
def test_scope_and_evidence_files_exist(gs: GoldSet) -> None:
    names = {p.name for p in _doc_files(gs)}
    for item in _items(gs):
        for name in item["scope"]:
            assert name in names, f"{item['id']}: scope file {name} not in {gs.docs}"
        for ev in item["evidence"]:
            assert ev["file"] in names, f"{item['id']}: evidence file {ev['file']} not in {gs.docs}"
            if item["scope"]:
                assert ev["file"] in item["scope"], f"{item['id']}: {ev['file']} outside scope"


@sets
def test_whole_corpus_questions_are_present(gs: GoldSet) -> None:
    assert sum(1 for item in _items(gs) if not item["scope"]) >= gs.min_whole_corpus


@sets
def test_every_quote_is_found_in_its_file(gs: GoldSet) -> None:
    texts = {p.name: p.read_text(encoding="utf-8") for p in _doc_files(gs)}
    missing = [
        f"{item['id']} {ev['file']}: {ev['quote'][:60]!r}"
        for item in _items(gs)
        for ev in item["evidence"]
        if find_quote(texts[ev["file"]], ev["quote"]) is None
    ]
    assert not missing, "\n".join(missing)


def _source_licences(sources: Path) -> dict[str, str]:
    """File name -> licence cell of a SOURCES.md table (columns: file, repo, path, commit, licence, ...)."""
    licences: dict[str, str] = {}
    for line in sources.read_text(encoding="utf-8").splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0].endswith((".md", ".txt")):
            licences[cells[0]] = cells[4]
    return licences


@sets
def test_sources_lists_every_document_with_a_licence(gs: GoldSet) -> None:
    licences = _source_licences(gs.sources)
    for path in _doc_files(gs):
        assert path.name in licences, f"{gs.sources.name} does not list {path.name}"
        licence = licences[path.name].lower()
        assert licence and licence not in {"unknown", "?", "-"}, f"{path.name}: no licence"


@sets
def test_documents_are_plain_text_of_reasonable_size(gs: GoldSet) -> None:
    files = _doc_files(gs)
    low, high = gs.n_docs
    assert low <= len(files) <= high
    for path in files:
        assert path.suffix in {".md", ".txt"}, path.name
        size = len(path.read_text(encoding="utf-8"))
        # Roughly 1 to 8 pages: long enough to retrieve from, short enough to read.
        assert 800 <= size <= 40_000, f"{path.name}: {size} chars"


@sets
def test_gold_loader_accepts_the_file(gs: GoldSet) -> None:
    gold = pytest.importorskip("reviewer.evaluation.gold")
    items = gold.load_gold(gs.gold)
    assert len(items) == len(_items(gs))
