"""The benchmark corpus generator: deterministic bytes, format balance, parseable output."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from evals.bench.corpus import MANIFEST, WORDS_PER_PAGE, generate, plan, read_manifest, to_markdown


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", pages=12, seed=3)
    generate(tmp_path / "b", pages=12, seed=3)
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert a == b
    assert {Path(n).suffix for n in a} >= {".pdf", ".docx", ".md"}


def test_other_seed_gives_other_text() -> None:
    one = [to_markdown(d) for d in plan(12, seed=3)]
    two = [to_markdown(d) for d in plan(12, seed=4)]
    assert one != two


def test_manifest_counts_pages_and_balances_formats(tmp_path: Path) -> None:
    manifest = generate(tmp_path, pages=40, seed=1)
    assert manifest == read_manifest(tmp_path)
    assert sum(f["pages"] for f in manifest["files"]) == 40
    by_format = manifest["pages_by_format"]
    assert sum(by_format.values()) == 40
    # Roughly a third each: no format is more than one document's worth off its share.
    assert all(abs(v - 40 / 3) <= 14 for v in by_format.values())
    assert (tmp_path / MANIFEST).is_file()


def test_pages_hold_the_target_word_count() -> None:
    low, high = WORDS_PER_PAGE
    for doc in plan(20, seed=9):
        for page in doc.pages:
            words = sum(b.words() for b in page)
            assert low <= words <= high + 140, words  # the last block may overshoot a little


def test_pdf_page_count_matches_the_plan(tmp_path: Path) -> None:
    import pypdf

    manifest = generate(tmp_path, pages=15, seed=2)
    pdfs = [f for f in manifest["files"] if f["format"] == "pdf"]
    assert pdfs
    for f in pdfs:
        assert len(pypdf.PdfReader(tmp_path / f["name"]).pages) == f["pages"]


@pytest.mark.parametrize("pages", [15])
def test_every_file_parses_with_our_loaders(tmp_path: Path, pages: int) -> None:
    from reviewer.ingest.loaders import load_file

    manifest = generate(tmp_path, pages=pages, seed=5)
    for f in manifest["files"]:
        doc = load_file(tmp_path / f["name"])
        # Control ids and numbers survive parsing in every format.
        assert "ISO/IEC" in doc.text or "." in doc.text
        assert len(doc.text.split()) >= f["words"] * 0.8
