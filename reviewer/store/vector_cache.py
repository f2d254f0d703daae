"""A persistent cache of sentence/query embeddings, keyed by the text's hash.

Audit questions share evidence: the same policy sentences are scored for many criteria and on
every rerun. Embedding each distinct text once per workspace (model hash in the key) turns a
bank review from minutes into seconds. The cache is a separate SQLite file so it can be
deleted at any time without touching findings or decisions.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path
from typing import Any

import numpy as np

from reviewer.fileio import writable
from reviewer.store.embeddings import DIM, Embedder


class CachedEmbedder:
    """Same interface as Embedder (`embed`, `describe`), backed by memory + SQLite."""

    def __init__(self, embedder: Embedder, path: Path | None, max_memory: int = 200_000):
        self.embedder = embedder
        self.path = path
        self._mem: dict[str, np.ndarray] = {}
        self._max = max_memory
        self._lock = threading.Lock()
        self._salt = embedder.describe()["embedding_sha256"][:16]
        self._conn: sqlite3.Connection | None = None
        if path is not None and not writable(path):
            path = self.path = None  # a read-only workspace: cache in memory only
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fresh = not path.exists()
            self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
            if fresh:
                path.chmod(0o600)
            self._conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL: no fsync per query. A power cut may lose the newest entries, which are
            # only recomputed; WAL keeps the file itself consistent.
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, v BLOB NOT NULL)"
            )

    def describe(self) -> dict[str, Any]:
        return self.embedder.describe()

    def _key(self, text: str) -> str:
        return hashlib.sha1((self._salt + "\0" + text).encode()).hexdigest()

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        keys = [self._key(t) for t in texts]
        out: dict[str, np.ndarray] = {}
        with self._lock:
            for k in keys:
                if k in self._mem:
                    out[k] = self._mem[k]
            missing = [k for k in dict.fromkeys(keys) if k not in out]
            if missing and self._conn is not None:
                for i in range(0, len(missing), 500):
                    part = missing[i : i + 500]
                    marks = ",".join("?" * len(part))
                    for k, blob in self._conn.execute(
                        f"SELECT key, v FROM vec WHERE key IN ({marks})", part
                    ):
                        out[k] = np.frombuffer(blob, dtype=np.float32)
        todo = [(k, t) for k, t in dict(zip(keys, texts, strict=True)).items() if k not in out]
        if todo:
            vecs = self.embedder.embed([t for _, t in todo])
            fresh = {k: vecs[i] for i, (k, _) in enumerate(todo)}
            out.update(fresh)
            with self._lock:
                if self._conn is not None:
                    try:
                        with self._conn:
                            self._conn.executemany(
                                "INSERT OR REPLACE INTO vec (key, v) VALUES (?, ?)",
                                [(k, v.astype(np.float32).tobytes()) for k, v in fresh.items()],
                            )
                    except sqlite3.Error:
                        pass  # a cache that cannot be written is only slower, never wrong
        with self._lock:
            if len(self._mem) > self._max:
                self._mem.clear()
            self._mem.update(out)
        return np.stack([out[k] for k in keys]).astype(np.float32)

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]
