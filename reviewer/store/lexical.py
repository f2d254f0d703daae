"""Lexical index: BM25 (bm25s) over the active chunks, persisted in the workspace.

The index is derived from the chunks table (the source of truth) and stamped with a version
that ingest bumps; a stale or missing index on disk is rebuilt, so it cannot drift from Chroma.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from reviewer.text import norm_tokens

STOPWORDS = frozenset(
    """a an the and or of to in on for by with at from as is are was were be been being it its this
    that these those there their they them we our us you your he she his her which who whom what
    when where why how all any both each few more most other some such no nor not only own same so
    than too very can will just do does did doing have has had having into over under again further
    then once here about above below between through during before after up down out off if while
    because until against i me my myself""".split()
)
# Negations and modal verbs carry the meaning of audit evidence, so they stay indexed.
STOPWORDS = STOPWORDS - {"no", "not", "nor", "can", "will"}
_NUMBERED = re.compile(r"[a-z]*\d+(\.\d+)+")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s")


def stem(token: str) -> str:
    """A deliberately light stemmer: plural/verb endings only, ids and numbers untouched."""
    if len(token) <= 4 or not token.isalpha():
        return token
    for suf in _SUFFIXES:
        if token.endswith(suf) and len(token) - len(suf) >= 4:
            base = token[: -len(suf)]
            if suf in ("ies", "ied"):
                return base + "y"
            if suf in ("ations", "ation"):
                return base + "at"
            return base
    return token


@lru_cache(maxsize=262_144)
def _terms(tok: str) -> tuple[str, ...]:
    """Index terms of one normalised token; cached because a corpus reuses a small vocabulary."""
    if tok in STOPWORDS:
        return ()
    out = [stem(tok)]
    if "." in tok and _NUMBERED.fullmatch(tok) is None:
        out.extend(stem(p) for p in tok.split(".") if len(p) > 1 and p not in STOPWORDS)
    return tuple(out)


def tokenize(text: str) -> list[str]:
    out: list[str] = []
    for tok in norm_tokens(text):
        out.extend(_terms(tok))
    return out


class LexicalIndex:
    """BM25 over chunk ids; `search` can be restricted to a subset of chunk ids."""

    def __init__(self, path: Path):
        self.path = path
        self.ids: list[str] = []
        self._pos: dict[str, int] = {}
        self._bm25: object | None = None
        self.version = ""

    def build(self, ids: Sequence[str], texts: Sequence[str], version: str) -> None:
        import bm25s

        self.ids = list(ids)
        self._pos = {cid: i for i, cid in enumerate(self.ids)}
        self.version = version
        if not self.ids:
            self._bm25 = None
            return
        corpus = [tokenize(t) or ["∅"] for t in texts]
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        bm25.index(corpus, show_progress=False)
        self._bm25 = bm25

    def save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True, mode=0o700)
        if self._bm25 is not None:
            self._bm25.save(str(tmp / "bm25"))  # type: ignore[attr-defined]
        (tmp / "ids.json").write_text(json.dumps({"version": self.version, "ids": self.ids}))
        old = self.path.with_name(self.path.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        if self.path.exists():
            self.path.rename(old)
        tmp.rename(self.path)
        if old.exists():
            shutil.rmtree(old)

    def load(self) -> bool:
        """Load from disk; False when missing or unreadable (the caller rebuilds)."""
        meta = self.path / "ids.json"
        if not meta.is_file():
            return False
        try:
            import bm25s

            data = json.loads(meta.read_text())
            self.ids = list(data["ids"])
            self.version = str(data["version"])
            self._pos = {cid: i for i, cid in enumerate(self.ids)}
            self._bm25 = bm25s.BM25.load(str(self.path / "bm25")) if self.ids else None
            return True
        except Exception:
            return False

    def search(
        self, query: str, k: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]:
        """Top-k (chunk id, BM25 score) with score > 0, optionally only among `allowed` ids."""
        if self._bm25 is None:
            return []
        q = tokenize(query)
        if not q:
            return []
        mask = None
        if allowed is not None:
            mask = np.zeros(len(self.ids), dtype=np.float32)
            for cid in allowed:
                pos = self._pos.get(cid)
                if pos is not None:
                    mask[pos] = 1.0
        scores = self._bm25.get_scores(q, weight_mask=mask)  # type: ignore[attr-defined]
        top = top_k(np.asarray(scores), k)
        return [(self.ids[i], float(scores[i])) for i in top]


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k highest positive scores, best first, ties by position (deterministic)."""
    n = len(scores)
    if n == 0 or k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k < n:
        # The k-th largest value bounds the candidates; partitioning values (not indices) and
        # then selecting is cheaper than argpartition at 100k chunks.
        kth = np.partition(scores, n - k)[n - k]
        cand = np.flatnonzero(scores >= max(kth, np.float32(0)))
    else:
        cand = np.arange(n)
    cand = cand[scores[cand] > 0]
    order = np.lexsort((cand, -scores[cand]))[:k]
    return cand[order]
