"""Hybrid retrieval and bank review over a real workspace (SQLite, Chroma, BM25).

A hashed bag-of-words embedder stands in for MiniLM so that the tests need no model and every
vector is exactly reproducible, whatever batch it is computed in.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reviewer.drafting.cross_check import CrossCheckedDrafter
from reviewer.llm.fake import FakeDrafter
from reviewer.models import Chunk, Criterion, DocType, Document, Question
from reviewer.retrieval import fused_search, retrieve
from reviewer.store.lexical import tokenize
from reviewer.store.vector_cache import CachedEmbedder
from reviewer.workspace import Workspace, draft_texts
from tests.unit.hashed_words import hashed_word_vectors

DIM = 384

DOCS: dict[str, tuple[DocType, str]] = {
    "policy": (
        DocType.policy,
        "Training data is classified as Confidential before use. "
        "The data owner records the classification in the dataset register. "
        "Access to training data is reviewed every quarter by the security team. "
        "Retention of training data is limited to two years after the model is retired.",
    ),
    "vendor": (
        DocType.vendor,
        "The supplier may not use customer prompts or outputs to train its models. "
        "The supplier notifies security incidents within 24 hours. "
        "Customer data is stored in the EU region and encrypted at rest.",
    ),
    "card": (
        DocType.model_card,
        "The model is evaluated for bias on every release. "
        "Known limitations of the model are listed in the model card. "
        "The registry keeps the lineage of the training data for each model version.",
    ),
}


class CountingEmbedder:
    """Normalised hashed word counts; records how many texts each call embeds."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls.append(len(texts))
        return hashed_word_vectors((tokenize(t) for t in texts), DIM)

    def describe(self) -> dict[str, str]:
        return {"embedding_model": "hashed-words", "embedding_sha256": "0" * 64}


def _chunks(doc_id: str, doc_type: DocType, text: str) -> list[Chunk]:
    """One chunk per sentence, plus one spanning the first two sentences (an overlap)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for sentence in text.split(". "):
        end = start + len(sentence) + (1 if start + len(sentence) < len(text) else 0)
        spans.append((start, end))
        start = end + 1
    spans.append((spans[0][0], spans[1][1]))
    return [
        Chunk(
            id=f"{doc_id}-{i}",
            doc_id=doc_id,
            doc_sha256=hashlib.sha256(text.encode()).hexdigest(),
            path=f"{doc_id}.md",
            ordinal=i,
            char_start=s,
            char_end=e,
            doc_type=doc_type,
            text=text[s:e],
        )
        for i, (s, e) in enumerate(spans)
    ]


def _add(
    ws: Workspace, embedder: CountingEmbedder, doc_id: str, doc_type: DocType, text: str
) -> None:
    chunks = _chunks(doc_id, doc_type, text)
    doc = Document(
        id=doc_id,
        path=f"{doc_id}.md",
        source_path=f"/evidence/{doc_id}.md",
        sha256=chunks[0].doc_sha256,
        doc_type=doc_type,
        title=doc_id,
        n_chunks=len(chunks),
    )
    ws.docs.replace(doc, chunks, text, [], [])
    ws.vectors.add(chunks, embedder.embed([c.text for c in chunks]))


def _workspace(root: Path, embedder: CountingEmbedder) -> Workspace:
    ws = Workspace.open(root)
    ws._cached = CachedEmbedder(embedder, None)  # type: ignore[arg-type]
    for doc_id, (doc_type, text) in DOCS.items():
        _add(ws, embedder, doc_id, doc_type, text)
    ws.rebuild_lexical()
    embedder.calls.clear()
    return ws


@pytest.fixture
def embedder() -> CountingEmbedder:
    return CountingEmbedder()


@pytest.fixture
def ws(tmp_path: Path, embedder: CountingEmbedder) -> Workspace:
    return _workspace(tmp_path / "ws", embedder)


def test_fused_search_is_best_first_and_the_top_k_of_a_longer_list(ws: Workspace) -> None:
    queries = ["Is training data classified?", "training data classification register"]
    long = fused_search(ws, queries, k=12)
    assert long and long[0].chunk.doc_id == "policy"
    scores = [h.score for h in long]
    assert scores == sorted(scores, reverse=True)
    for k in (1, 3, 5):
        short = fused_search(ws, queries, k=k)
        assert [(h.chunk.id, h.score) for h in short] == [(h.chunk.id, h.score) for h in long[:k]]
        assert all(h.chunk.text for h in short)
    ranked = {h.chunk.id: h for h in long}
    assert any(h.dense_rank for h in ranked.values())
    assert any(h.lexical_rank for h in ranked.values())


def test_doc_type_hint_boosts_only_the_hinted_type(ws: Workspace) -> None:
    queries = ["training data of the model"]
    plain = {h.chunk.id: h.score for h in fused_search(ws, queries, k=30)}
    hinted = {
        h.chunk.id: h.score for h in fused_search(ws, queries, k=30, doc_types=[DocType.model_card])
    }
    assert plain.keys() == hinted.keys()
    for cid, score in plain.items():
        factor = 1.0 + ws.settings.retrieval.doc_type_boost if cid.startswith("card") else 1.0
        assert hinted[cid] == pytest.approx(score * factor)


def test_chunks_removed_from_sqlite_are_never_returned(ws: Workspace) -> None:
    # The vectors and the BM25 entries of a removed document may linger; SQLite decides.
    ws.docs.remove(["policy"])
    hits = fused_search(ws, ["Is training data classified before use?"], k=5)
    assert len(hits) == 5
    assert all(h.chunk.doc_id != "policy" for h in hits)


def test_retrieve_merges_overlapping_chunks_with_the_document_text(ws: Workspace) -> None:
    question = Question(
        id="q-class",
        text="Is training data classified and recorded in the dataset register?",
        criteria=[Criterion(id="c1", text="Training data is classified before use")],
    )
    evidence = retrieve(ws, question)
    assert [e.label for e in evidence] == [f"E{i}" for i in range(1, len(evidence) + 1)]
    text = DOCS["policy"][1]
    policy = sorted(
        (e.chunk for e in evidence if e.chunk.doc_id == "policy"), key=lambda c: c.char_start
    )
    assert policy
    for c in policy:
        assert c.text == text[c.char_start : c.char_end]
    # The chunk spanning two sentences absorbed the sentences it covers: no two blocks overlap.
    assert all(a.char_end <= b.char_start for a, b in zip(policy, policy[1:], strict=False))
    assert any(
        c.char_end - c.char_start > len(_chunks("policy", DocType.policy, text)[0].text)
        for c in policy
    )


QUESTIONS = [
    Question(
        id=f"q{i}",
        text=text,
        criteria=[Criterion(id="c1", text=crit)],
        keywords=keywords,
    )
    for i, (text, crit, keywords) in enumerate(
        [
            ("Is training data classified?", "Training data is classified", ["confidential"]),
            ("Is access to training data reviewed?", "Access is reviewed regularly", []),
            ("May the supplier train on customer prompts?", "Use of prompts is limited", []),
            ("Are security incidents notified?", "Incidents are notified quickly", ["24"]),
            ("Is the model evaluated for bias?", "Bias is evaluated per release", []),
            ("Is training data lineage kept?", "Lineage is recorded", ["registry"]),
        ]
    )
]


def _signature(finding: Any) -> tuple[Any, ...]:
    return (
        finding.question.id,
        finding.verdict,
        finding.confidence,
        [(c.chunk_id, c.quote) for c in finding.citations],
        [(a.criterion_id, a.status) for a in finding.assessments],
    )


def test_review_drafts_as_question_by_question_but_embeds_in_few_batches(
    tmp_path: Path, ws: Workspace, embedder: CountingEmbedder
) -> None:
    report = ws.review(QUESTIONS, drafter="extractive", fresh=True)
    assert len(report.findings) == len(QUESTIONS) and not report.failed
    # Sub-queries in one call, evidence sentences in one, the drafter's background sample in
    # at most one more: not one call per question.
    assert len(embedder.calls) <= 3
    other_embedder = CountingEmbedder()
    other = _workspace(tmp_path / "other", other_embedder)
    drafter = other.drafter("extractive")
    one_by_one = [other.draft(q, other.retrieve(q), drafter) for q in QUESTIONS]
    assert len(other_embedder.calls) > len(embedder.calls)
    assert [_signature(f) for f in report.findings] == [_signature(f) for f in one_by_one]


def test_rerun_reuses_stored_findings_without_embedding_again(
    ws: Workspace, embedder: CountingEmbedder
) -> None:
    first = ws.review(QUESTIONS, drafter="extractive")
    embedder.calls.clear()
    again = ws.review(QUESTIONS, drafter="extractive")
    assert again.reused == len(QUESTIONS)
    assert [f.id for f in again.findings] == [f.id for f in first.findings]
    assert embedder.calls == []


def test_prefetch_covers_the_evidence_logic_of_a_cross_checked_drafter(ws: Workspace) -> None:
    extractive = ws.drafter("extractive")
    items = [(q, ws.retrieve(q)) for q in QUESTIONS[:2]]
    sentences = draft_texts(extractive, ws.cached_embedder, items)
    assert sentences and all(isinstance(s, str) for s in sentences)
    llm = FakeDrafter()
    assert draft_texts(CrossCheckedDrafter(llm, extractive), ws.cached_embedder, items) == sentences
    # A drafter that embeds nothing through this cache gets nothing prefetched.
    assert draft_texts(llm, ws.cached_embedder, items) == []
    assert draft_texts(extractive, CachedEmbedder(CountingEmbedder(), None), items) == []  # type: ignore[arg-type]


def test_a_drafter_made_before_an_ingest_is_not_reused_after_it(
    ws: Workspace, embedder: CountingEmbedder
) -> None:
    before = ws.drafter("extractive")
    assert ws.drafter("extractive") is before
    _add(
        ws,
        embedder,
        "memo",
        DocType.other,
        "Quarterly tabletop exercises rehearse outages. Results go to the board.",
    )
    after = ws.drafter("extractive")
    assert after is not before
    # The corpus profile it carries includes the new document.
    assert "tabletop" in getattr(after, "idf", {})
    assert "tabletop" not in getattr(before, "idf", {})


def test_a_registered_drafter_is_used_before_and_after_an_ingest(
    ws: Workspace, embedder: CountingEmbedder
) -> None:
    fake = FakeDrafter()
    ws.register_drafter("scripted", fake)
    assert ws.drafter("scripted") is fake
    _add(ws, embedder, "memo", DocType.other, "Backups are tested monthly. Results are logged.")
    assert ws.drafter("scripted") is fake
    assert ws.drafter("extractive") is not fake
