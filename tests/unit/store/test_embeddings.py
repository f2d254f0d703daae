"""The embedder's two runtimes: the ONNX export must give torch's vectors, be cached and verified,
and anything wrong with it must fall back to torch instead of failing."""

from __future__ import annotations

import json
import logging
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from reviewer.store import onnx_minilm
from reviewer.store.embeddings import (
    MINILM_SHA256,
    Embedder,
    EmbeddingError,
    model_dir,
    weights_sha256,
)
from reviewer.store.vector_cache import CachedEmbedder

DOCS = Path(__file__).resolve().parents[3] / "evals" / "real" / "docs"
EDGE_TEXTS = [
    "",
    " ",
    "ok",
    "  leading and trailing spaces  ",
    "\tTabs\nand\r\nnewlines\n",
    "MIXED Case ACRONYMS like ISO/IEC 27001:2022 A.5.12",
    "Ünïcödé naïve café, Ελληνικά, кириллица, 中文数据分类, 🙂👍",
    "word " * 600,  # far beyond 256 tokens: exercises truncation
]


def _real_texts() -> list[str]:
    paragraphs = [
        p.strip()
        for f in sorted(DOCS.glob("*.md"))
        for p in f.read_text(encoding="utf-8").split("\n\n")
        if p.strip()
    ]
    # Short paragraphs alone, plus long runs of paragraphs that hit the 256-token limit.
    long_runs = [" ".join(paragraphs[i : i + 8]) for i in range(0, len(paragraphs), 16)]
    return paragraphs[::2] + long_runs + EDGE_TEXTS


def _use_cache(mp: pytest.MonkeyPatch, root: Path) -> Path:
    mp.setenv(onnx_minilm.CACHE_ENV, str(root))
    return onnx_minilm.cache_dir() / f"{onnx_minilm.export_key(weights_sha256())}.onnx"


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return _real_texts()


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    embedder = Embedder(runtime="torch")
    assert embedder.runtime == "torch"
    return embedder


@pytest.fixture(scope="module")
def reference(torch_embedder: Embedder, texts: list[str]) -> np.ndarray:
    return torch_embedder.embed(texts)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Embedder]]:
    """A cache dir holding one real export, and the Embedder that made it."""
    root = tmp_path_factory.mktemp("reviewer-cache")
    with pytest.MonkeyPatch.context() as mp:
        _use_cache(mp, root)
        embedder = Embedder(runtime="onnx")
    assert embedder.runtime == "onnxruntime" and embedder.exported
    yield root, embedder


@pytest.fixture
def cache_copy(
    pristine: tuple[Path, Embedder], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A private copy of the pristine cache, active for this test; returns the .onnx path."""
    shutil.copytree(pristine[0], tmp_path / "cache")
    return _use_cache(monkeypatch, tmp_path / "cache")


@pytest.fixture
def fake_build(pristine: tuple[Path, Embedder], monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Replace the 10-second export with a copy of the pristine files; records each call."""
    calls: list[Path] = []
    source = pristine[0] / "onnx" / f"{onnx_minilm.export_key(weights_sha256())}.onnx"

    def build(_model_dir: Path, _sha: str, target: Path) -> None:
        calls.append(target)
        shutil.copy(source, target)
        shutil.copy(source.with_suffix(".json"), target.with_suffix(".json"))

    monkeypatch.setattr(onnx_minilm, "build", build)
    return calls


def _close(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    return float(np.abs(a - b).max()), float((a * b).sum(axis=1).min())


@pytest.mark.slow
def test_onnx_vectors_match_torch_on_real_texts(
    pristine: tuple[Path, Embedder], texts: list[str], reference: np.ndarray
) -> None:
    onnx = pristine[1]
    got = onnx.embed(texts)
    assert got.shape == reference.shape == (len(texts), 384)
    assert got.dtype == np.float32
    worst, min_cos = _close(got, reference)
    assert worst <= 1e-4 and min_cos >= 0.9999, (worst, min_cos)
    # The single-text path skips the sort-by-length batching; it must agree too.
    for i in (0, len(texts) // 2, len(texts) - 1):
        assert np.abs(onnx.embed_one(texts[i]) - reference[i]).max() <= 1e-4


def test_describe_keeps_the_model_identity_across_runtimes(
    pristine: tuple[Path, Embedder], torch_embedder: Embedder
) -> None:
    onnx, torch_ = pristine[1].describe(), torch_embedder.describe()
    assert onnx["runtime"] == "onnxruntime" and torch_["runtime"] == "torch"
    assert onnx["embedding_sha256"] == torch_["embedding_sha256"] == MINILM_SHA256
    # Same vectors, so the persistent embedding cache is shared by both runtimes.
    a = CachedEmbedder(pristine[1], None)
    b = CachedEmbedder(torch_embedder, None)
    assert a._key("Is training data classified?") == b._key("Is training data classified?")


def test_second_embedder_loads_the_cached_file(
    cache_copy: Path, fake_build: list[Path], reference: np.ndarray, texts: list[str]
) -> None:
    before = cache_copy.stat()
    embedder = Embedder(runtime="onnx")
    assert embedder.runtime == "onnxruntime" and not embedder.exported
    assert fake_build == []
    after = cache_copy.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert _close(embedder.embed(texts[:20]), reference[:20])[0] <= 1e-4


def _flip_a_byte(onnx_file: Path) -> None:
    data = bytearray(onnx_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    onnx_file.write_bytes(bytes(data))


def _truncate(onnx_file: Path) -> None:
    onnx_file.write_bytes(onnx_file.read_bytes()[:1000])


def _other_key(onnx_file: Path) -> None:
    meta_file = onnx_file.with_suffix(".json")
    meta = json.loads(meta_file.read_text())
    meta["key"] = meta["key"].replace("-r", "-rOLD")
    meta_file.write_text(json.dumps(meta))


def _wrong_probe(onnx_file: Path) -> None:
    meta_file = onnx_file.with_suffix(".json")
    meta = json.loads(meta_file.read_text())
    meta["probe"][1][0] += 0.01  # as if this onnxruntime computed different vectors
    meta_file.write_text(json.dumps(meta))


def _no_sidecar(onnx_file: Path) -> None:
    onnx_file.with_suffix(".json").unlink()


@pytest.mark.parametrize("damage", [_flip_a_byte, _truncate, _other_key, _wrong_probe, _no_sidecar])
def test_a_damaged_or_mismatched_cache_is_rebuilt(
    damage: object,
    cache_copy: Path,
    fake_build: list[Path],
    reference: np.ndarray,
    texts: list[str],
) -> None:
    damage(cache_copy)  # type: ignore[operator]
    embedder = Embedder(runtime="onnx")
    assert fake_build == [cache_copy]
    assert embedder.runtime == "onnxruntime" and embedder.exported
    assert _close(embedder.embed(texts[:20]), reference[:20])[0] <= 1e-4


def test_load_rejects_a_file_whose_hash_does_not_match(cache_copy: Path) -> None:
    _flip_a_byte(cache_copy)
    with pytest.raises(onnx_minilm.OnnxUnavailable, match="sha256"):
        onnx_minilm.load_cached(model_dir(), weights_sha256(), cache_copy)


def _no_onnxruntime(mp: pytest.MonkeyPatch) -> None:
    mp.setitem(sys.modules, "onnxruntime", None)  # `import onnxruntime` now raises ImportError


def _export_fails(mp: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("exporter exploded")

    mp.setattr(onnx_minilm, "build", broken)


@pytest.mark.parametrize("breakage", [_no_onnxruntime, _export_fails])
def test_falls_back_to_torch_with_one_log_line(
    breakage: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    reference: np.ndarray,
    texts: list[str],
) -> None:
    _use_cache(monkeypatch, tmp_path / "empty-cache")
    breakage(monkeypatch)  # type: ignore[operator]
    with caplog.at_level(logging.WARNING, logger="reviewer.store.embeddings"):
        embedder = Embedder()
    assert embedder.runtime == "torch"
    warnings = [r for r in caplog.records if r.name == "reviewer.store.embeddings"]
    assert len(warnings) == 1 and "using torch" in warnings[0].getMessage()
    assert _close(embedder.embed(texts[:10]), reference[:10])[0] <= 1e-5


def test_runtime_env_forces_torch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _use_cache(monkeypatch, tmp_path / "untouched")
    monkeypatch.setenv("REVIEWER_EMBED_RUNTIME", "torch")
    assert Embedder().runtime == "torch"
    assert not (tmp_path / "untouched").exists()  # no export was attempted


def test_unknown_runtime_is_an_error() -> None:
    with pytest.raises(EmbeddingError, match="REVIEWER_EMBED_RUNTIME"):
        Embedder(runtime="tensorflow")


def test_tokenizer_truncates_like_sentence_transformers_and_never_pads() -> None:
    tok = onnx_minilm.load_tokenizer(model_dir())
    assert onnx_minilm.max_seq_length(model_dir()) == 256
    assert len(tok.encode("word " * 600).ids) == 256  # tokenizer.json alone says 128
    short = tok.encode("Is data classified?").ids
    assert short[0] == 101 and short[-1] == 102 and 0 not in short


def test_empty_input_gives_an_empty_matrix(pristine: tuple[Path, Embedder]) -> None:
    assert pristine[1].embed([]).shape == (0, 384)


def test_a_failed_export_is_not_retried_on_every_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _use_cache(monkeypatch, tmp_path / "cache")
    target.parent.mkdir(parents=True)
    calls: list[Path] = []

    def disagrees(_model_dir: Path, _sha: str, where: Path) -> None:
        calls.append(where)
        raise onnx_minilm.OnnxUnavailable(f"{where}: ONNX vectors differ from torch by 1e-2")

    monkeypatch.setattr(onnx_minilm, "build", disagrees)
    for _ in range(2):
        with pytest.raises(onnx_minilm.OnnxUnavailable):
            onnx_minilm.load_or_build(model_dir(), weights_sha256())
    assert calls == [target]  # the second start read the marker instead of exporting again
    target.with_suffix(".failed").unlink()
    with pytest.raises(onnx_minilm.OnnxUnavailable):
        onnx_minilm.load_or_build(model_dir(), weights_sha256())
    assert len(calls) == 2  # deleting the marker retries, as the message says
