"""The Chroma vector store, embedded, with hand-made unit vectors (no embedding model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from reviewer.models import Chunk, DocType
from reviewer.store.vectors import VectorStore

DIM = 16


def _chunks(doc_id: str, n: int, doc_type: DocType = DocType.policy) -> list[Chunk]:
    return [
        Chunk(
            id=f"{doc_id}-{i}",
            doc_id=doc_id,
            doc_sha256="a" * 64,
            path=f"{doc_id}.md",
            ordinal=i,
            char_start=i * 10,
            char_end=i * 10 + 9,
            doc_type=doc_type,
            text=f"chunk {i} of {doc_id}",
        )
        for i in range(n)
    ]


def _vectors(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_query_returns_fewer_than_k_when_the_collection_is_small(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "chroma", collection="unit-vectors")
    assert store.query(_vectors(2, 0), k=10) == [[], []]
    vecs = _vectors(5, 1)
    store.add(_chunks("d1", 5), vecs)
    ranked = store.query(vecs[:2], k=50)
    assert [len(r) for r in ranked] == [5, 5]
    assert ranked[0][0][0] == "d1-0" and abs(ranked[0][0][1] - 1.0) < 1e-4
    assert ranked[1][0][0] == "d1-1"
    sims = [s for _, s in ranked[0]]
    assert sims == sorted(sims, reverse=True)
    assert store.query(vecs[:1], k=0) == [[]]
    assert store.query(np.zeros((0, DIM), dtype=np.float32), k=5) == []


def test_query_follows_writes_made_through_another_handle(tmp_path: Path) -> None:
    # Another process writing the same workspace: nothing may be cached from before its writes.
    reader = VectorStore(tmp_path / "chroma", collection="unit-vectors")
    writer = VectorStore(tmp_path / "chroma", collection="unit-vectors")
    vecs = _vectors(8, 2)
    writer.add(_chunks("d1", 3), vecs[:3])
    assert len(reader.query(vecs[:1], k=20)[0]) == 3
    writer.add(_chunks("d2", 5, DocType.vendor), vecs[3:])
    assert len(reader.query(vecs[:1], k=20)[0]) == 8
    writer.delete([f"d1-{i}" for i in range(3)])
    assert {cid for cid, _ in reader.query(vecs[:1], k=20)[0]} == {f"d2-{i}" for i in range(5)}


def test_query_filters_by_metadata(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "chroma", collection="unit-vectors")
    vecs = _vectors(6, 3)
    store.add(_chunks("d1", 3) + _chunks("d2", 3), vecs)
    got = store.query(vecs[:1], k=10, where={"doc_id": {"$in": ["d2"]}})[0]
    assert {cid for cid, _ in got} == {"d2-0", "d2-1", "d2-2"}


class _RefusesLargeK:
    """A collection that refuses k above its size, as some Chroma servers do."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.asked: list[int] = []

    def query(self, **kwargs: Any) -> Any:
        self.asked.append(kwargs["n_results"])
        if kwargs["n_results"] > self.real.count():
            raise ValueError("Number of requested results is greater than the index size")
        return self.real.query(**kwargs)

    def count(self) -> int:
        return int(self.real.count())

    def delete(self, **kwargs: Any) -> None:
        self.real.delete(**kwargs)


def test_a_store_that_refuses_large_k_is_asked_again_with_its_size(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "chroma", collection="unit-vectors")
    vecs = _vectors(4, 4)
    store.add(_chunks("d1", 4), vecs)
    strict = _RefusesLargeK(store.collection)
    store.collection = strict
    assert len(store.query(vecs[:1], k=10)[0]) == 4
    assert strict.asked == [10, 4]
    assert len(store.query(vecs[:1], k=2)[0]) == 2
    store.delete([f"d1-{i}" for i in range(4)])
    assert store.query(vecs[:1], k=10) == [[]]
