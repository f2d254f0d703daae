"""Dense vector store: Chroma, embedded (PersistentClient) or a `chroma run` server (HttpClient).

We always pass our own embeddings (bundled MiniLM), so Chroma's default embedding function,
which would download an ONNX model, is never used.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from reviewer.models import Chunk
from reviewer.store.db import on_read_only_storage


class VectorStoreError(RuntimeError):
    """The vector store could not be opened or written; the message names it."""


def _client(path: Path, url: str | None) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        parsed = urlparse(url)
        if not parsed.hostname:
            raise VectorStoreError(f"store.url {url!r} is not a URL like http://127.0.0.1:8000")
        try:
            return chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
        except Exception as exc:
            raise VectorStoreError(f"cannot reach the Chroma server at {url}: {exc}") from exc
    if on_read_only_storage(path / "chroma.sqlite3"):
        raise VectorStoreError(
            f"{path}: the vector index is on read-only storage and Chroma cannot open it there; "
            "search, review and batch need a writable copy of the workspace (findings, show, "
            "export and log verify work as they are)"
        )
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


class VectorStore:
    """Chunk vectors with the metadata needed to filter by document, type and content hash."""

    def __init__(self, path: Path, url: str | None = None, collection: str = "reviewer-chunks"):
        self.path = path
        self.url = url
        self.client = _client(path, url)
        self.collection = self.client.get_or_create_collection(
            name=collection,
            embedding_function=None,
            metadata={"hnsw:space": "cosine"},
        )

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray, batch: int = 2000) -> None:
        for i in range(0, len(chunks), batch):
            part = chunks[i : i + batch]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=vectors[i : i + batch].tolist(),
                metadatas=[
                    {
                        "doc_id": c.doc_id,
                        "doc_sha256": c.doc_sha256,
                        "doc_type": c.doc_type.value,
                        "path": c.path,
                        "page": c.page or 0,
                    }
                    for c in part
                ],
            )

    def delete(self, ids: Sequence[str], batch: int = 5000) -> None:
        ids = list(ids)
        for i in range(0, len(ids), batch):
            self.collection.delete(ids=ids[i : i + batch])

    def ids(self, where: dict[str, Any] | None = None) -> list[str]:
        got = self.collection.get(where=where, include=[])
        return list(got["ids"])

    def count(self) -> int:
        return int(self.collection.count())

    def query(
        self, vectors: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[list[tuple[str, float]]]:
        """Nearest chunks per query vector as (chunk id, cosine similarity), best first."""
        if len(vectors) == 0 or k <= 0:
            return [[] for _ in range(len(vectors))]
        # No count() first: it costs as much as the search itself at 100k chunks, and Chroma
        # returns fewer than k results (none for an empty collection) on its own. Nothing is
        # cached either, so another process writing the same collection cannot make this stale.
        try:
            res = self._query(vectors, k, where)
        except Exception:
            # A server that refuses k above the collection size gets the exact size instead.
            n = self.count()
            if n >= k:
                raise
            if n == 0:
                return [[] for _ in range(len(vectors))]
            res = self._query(vectors, n, where)
        out: list[list[tuple[str, float]]] = []
        for ids, dists in zip(res["ids"], res["distances"] or [], strict=False):
            out.append([(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=False)])
        return out

    def _query(self, vectors: np.ndarray, k: int, where: dict[str, Any] | None) -> Any:
        return self.collection.query(
            query_embeddings=vectors.tolist(),
            n_results=k,
            where=where,
            include=["distances"],
        )
