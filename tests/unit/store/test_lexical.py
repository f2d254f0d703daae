"""BM25 tokenising, top-k selection and the persisted lexical index, on real bm25s indexes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reviewer.store.lexical import LexicalIndex, stem, tokenize, top_k


def _reference_top_k(scores: np.ndarray, k: int) -> list[int]:
    """Plain sort: positive scores only, best first, ties by position."""
    ranked = sorted((i for i in range(len(scores)) if scores[i] > 0), key=lambda i: (-scores[i], i))
    return ranked[:k]


def test_top_k_is_best_first_with_ties_by_position() -> None:
    scores = np.array([0.5, 2.0, 0.0, 2.0, 1.0, -1.0, 0.5], dtype=np.float32)
    assert top_k(scores, 3).tolist() == [1, 3, 4]
    assert top_k(scores, 5).tolist() == [1, 3, 4, 0, 6]
    # Zero and negative scores are never returned, even when k asks for more.
    assert top_k(scores, 50).tolist() == [1, 3, 4, 0, 6]
    assert top_k(scores, 0).tolist() == []
    assert top_k(np.zeros(0, dtype=np.float32), 5).tolist() == []
    assert top_k(np.zeros(4, dtype=np.float32), 2).tolist() == []


@pytest.mark.parametrize("seed", range(6))
def test_top_k_matches_a_full_sort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # Few distinct values, so ties straddle the k-th place; some zeros as in real BM25 scores.
    scores = rng.integers(0, 6, size=500).astype(np.float32) * 0.25
    for k in (1, 7, 50, 499, 500, 600):
        assert top_k(scores, k).tolist() == _reference_top_k(scores, k)


def test_tokenize_drops_stopwords_stems_and_splits_dotted_words() -> None:
    assert tokenize("The policies are reviewed annually") == ["policy", "review", "annually"]
    # Negations stay: they carry the meaning of audit evidence.
    assert "not" in tokenize("Data is not shared")
    # A dotted word is indexed whole and by its parts; a numbered clause id stays whole.
    assert tokenize("model.card") == ["model.card", "model", "card"]
    assert tokenize("clause 5.1.2") == ["clause", "5.1.2"]
    assert tokenize("A.8.2.1") == ["a.8.2.1"]
    # Cached per token: asking again gives the same list, not a shared one.
    first = tokenize("classifications of datasets")
    first.append("x")
    assert tokenize("classifications of datasets") == ["classificat", "dataset"]


def test_stem_leaves_short_words_and_ids_alone() -> None:
    assert stem("data") == "data"
    assert stem("iso27001") == "iso27001"
    assert stem("categories") == "category"
    assert stem("encrypted") == "encrypt"


def test_index_search_restricts_to_allowed_ids_and_survives_save_load(tmp_path: Path) -> None:
    texts = {
        "c1": "Training data is classified as Confidential before use.",
        "c2": "Access to the model registry is reviewed every quarter.",
        "c3": "Training data retention is limited to two years.",
        "c4": "Suppliers may not use customer prompts for their own models.",
    }
    index = LexicalIndex(tmp_path / "lexical")
    index.build(list(texts), list(texts.values()), version="v1")
    hits = index.search("training data", k=10)
    assert {cid for cid, _ in hits} == {"c1", "c3"}
    assert all(score > 0 for _, score in hits)
    assert index.search("training data", k=10, allowed={"c3", "c4"}) == [
        h for h in hits if h[0] == "c3"
    ]
    assert index.search("the of and", k=10) == []
    index.save()
    loaded = LexicalIndex(tmp_path / "lexical")
    assert loaded.load() and loaded.version == "v1"
    assert loaded.search("training data", k=10) == hits
    assert loaded.search("registry", k=1)[0][0] == "c2"
