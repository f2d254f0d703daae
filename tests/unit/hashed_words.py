"""Word-count vectors hashed into a fixed width: a transparent, model-free stand-in for MiniLM."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np


def hashed_word_vectors(word_lists: Iterable[Iterable[str]], dim: int) -> np.ndarray:
    """One unit-length row per text: each word adds 1 to the column its md5 hash picks."""
    rows = list(word_lists)
    out = np.zeros((len(rows), dim), dtype=np.float32)
    for row, words in enumerate(rows):
        for word in words:
            out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % dim] += 1.0
        norm = np.linalg.norm(out[row])
        if norm:
            out[row] /= norm
    return out
