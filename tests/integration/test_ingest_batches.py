"""Ingest embeds several files' chunks in one call and stores them file by file: every chunk
must still get its own vector, whatever the batch sizes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reviewer.ingest import pipeline
from reviewer.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "corpora" / "demo"


@pytest.mark.slow
def test_small_batches_store_each_chunk_with_its_own_vector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo_ws: Workspace
) -> None:
    # Batches of a few chunks, embedded 3 at a time: many batches, one after another.
    monkeypatch.setattr(pipeline, "EMBED_BATCH_CHUNKS", 7)
    ws = Workspace.open(tmp_path / "ws")
    ws.settings.ingest.embed_batch = 3
    report = ws.ingest([DEMO])
    assert not report.failed and len(report.results) == 18
    assert [r.path for r in report.results] == [r.path for r in demo_ws.ingest([DEMO]).results]
    ids, texts = ws.docs.all_chunk_texts()
    assert ids == demo_ws.docs.all_chunk_texts()[0]  # same chunks as one large batch gives
    got = ws.vectors.collection.get(ids=ids, include=["embeddings"])
    stored = dict(zip(got["ids"], np.asarray(got["embeddings"]), strict=True))
    expected = ws.embedder.embed(texts)
    cosines = [float(stored[cid] @ vec) for cid, vec in zip(ids, expected, strict=True)]
    assert min(cosines) > 0.9999
