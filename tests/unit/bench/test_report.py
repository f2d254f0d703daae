"""Result rendering and goal evaluation of the benchmark runner, on tiny hand-made results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from evals.bench.common import latency_summary, percentile
from evals.bench.e2e_bench import copy_workspace
from evals.bench.retrieval_bench import chunk_texts, spread_vectors
from evals.bench.run import CORPUS_STAMP, corpus, evaluate_goals, render_markdown, table, write


def _results(floor_ratio: float, p95: float) -> dict[str, Any]:
    return {
        "quick": True,
        "machine": {"cpu": "Test CPU", "nproc": 2, "ram_gb": 4.0, "date": "2025-01-01"},
        "ingest": {
            "100": {
                "ours": {
                    "load_s": 4.0,
                    "work_s": 10.0,
                    "wall_s": 14.0,
                    "chunks": 300,
                    "chunks_per_s": 30.0,
                    "pages_per_s": 10.0,
                    "peak_rss_mb": 900.0,
                },
                "floor": {"error": "boom"},
                "ratios": {
                    "ours_over_floor_work": floor_ratio,
                    "naive_over_ours_work": 2.0,
                    "reingest_over_ours_work": 0.05,
                },
            }
        },
        "retrieval": {
            "sizes": {
                "10000": {
                    "fused": {"p50_ms": p95 / 2, "p95_ms": p95, "mean_ms": p95 / 2, "n": 70},
                    "build": {"real_vectors": 10000},
                }
            }
        },
        "e2e": {"tui": {"status": "not available", "reason": "missing"}},
    }


def _status(goals: list[Any], prefix: str) -> Any:
    return next(g for g in goals if g.name.startswith(prefix)).met


def test_goals_follow_the_measurements() -> None:
    good = evaluate_goals(_results(1.1, 20.0))
    bad = evaluate_goals(_results(1.3, 45.0))
    assert _status(good, "ingest / floor") is True
    assert _status(bad, "ingest / floor") is False
    assert _status(good, "hybrid retrieval") is True
    assert _status(bad, "hybrid retrieval") is False
    assert _status(good, "naive / ours") is True
    assert _status(good, "unchanged re-ingest") is False
    # Nothing measured for the TUI or the batch: neither met nor failed.
    assert _status(good, "TUI load") is None
    assert _status(good, "300-row batch") is None


def test_markdown_has_a_table_per_section_with_status(tmp_path: Path) -> None:
    results = _results(1.3, 12.5)
    md = render_markdown(results)
    assert "| ingest / floor (work, 100 pages) | 1.3 x | <= 1.2 | not met |" in md
    assert "| hybrid retrieval p95 (10000 chunks) | 12.5 ms | <= 30 ms at 100k | met |" in md
    assert "error: boom" in md
    assert "### 10,000 chunks" in md
    assert "TUI: not available" in md
    js, out = write(results, tmp_path)
    assert out.read_text() == md and js.is_file()


def test_table_escapes_pipes_and_marks_missing_values() -> None:
    text = table(["a", "b"], [["x|y", None]])
    assert text.splitlines()[2] == "| x\\|y | — |"


def test_percentiles_interpolate() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    s = latency_summary([0.001 * i for i in range(1, 101)])
    assert s["n"] == 100 and s["p50_ms"] == 50.5 and s["max_ms"] == 100.0
    assert 95 <= s["p95_ms"] <= 96


def test_synthetic_chunks_are_deterministic_and_vectors_unit_length() -> None:
    assert chunk_texts(30, 1) == chunk_texts(30, 1)
    assert chunk_texts(30, 1) != chunk_texts(30, 2)
    base = np.eye(4, 8, dtype=np.float32)
    spread = spread_vectors(base, 10, seed=3)
    assert spread.shape == (10, 8)
    assert np.allclose(np.linalg.norm(spread, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(spread[:4], base)  # the real vectors are kept as they are
    assert not np.array_equal(spread[4], base[0])  # copies are jittered
    assert np.array_equal(spread, spread_vectors(base, 10, seed=3))


def test_derived_vectors_blend_real_ones_and_a_smaller_set_is_a_prefix() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(size=(5, 8)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    big = spread_vectors(base, 40, seed=9)
    assert np.array_equal(spread_vectors(base, 17, seed=9), big[:17])
    assert len({row.tobytes() for row in big}) == 40  # every point distinct
    # Each derived vector stays closest to the real vector it was derived from.
    own = np.tile(base, (8, 1))[5:40]
    assert np.all(np.sum(big[5:] * own, axis=1) > 0.6)


def test_sections_table_lists_where_the_bench_time_went() -> None:
    results = _results(1.1, 20.0)
    results["sections"] = [
        ["ingest suite, 100 pages (13 files)", 120.5],
        ["  end to end: TUI", 9.0],
    ]
    md = render_markdown(results)
    assert "## Where the bench time goes" in md
    assert "| ingest suite, 100 pages (13 files) | 120.5 |" in md
    assert "|   end to end: TUI | 9 |" in md
    assert "## Where the bench time goes" not in render_markdown(_results(1.1, 20.0))


def test_corpus_is_generated_once_and_again_when_its_stamp_changes(tmp_path: Path) -> None:
    folder, manifest = corpus(tmp_path, 3)
    assert (folder / CORPUS_STAMP).is_file() and manifest["pages"] == 3
    first = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    again, same = corpus(tmp_path, 3)
    assert again == folder and same == manifest
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == first
    (folder / CORPUS_STAMP).write_text("from an older generator")
    (folder / "stray.md").write_text("left over")
    _, regenerated = corpus(tmp_path, 3)
    assert regenerated == manifest
    assert not (folder / "stray.md").exists()
    assert (folder / CORPUS_STAMP).read_text() != "from an older generator"


def test_workspace_copy_leaves_the_embedding_cache_behind(tmp_path: Path) -> None:
    src = tmp_path / "base"
    (src / "cache").mkdir(parents=True)
    (src / "cache" / "embeddings.sqlite").write_bytes(b"x")
    (src / "lexical").mkdir()
    (src / "lexical" / "ids.json").write_text("{}")
    (src / "reviewer.db").write_bytes(b"db")
    dst = tmp_path / "copy"
    (dst / "old").mkdir(parents=True)
    copy_workspace(src, dst)
    assert sorted(p.relative_to(dst).as_posix() for p in dst.rglob("*")) == [
        "lexical",
        "lexical/ids.json",
        "reviewer.db",
    ]


def test_the_naive_store_starts_empty_in_a_kept_scratch_dir(tmp_path: Path) -> None:
    """A second bench run into the same folder must not hold every naive chunk twice."""
    from langchain_core.embeddings import Embeddings

    from evals.bench.ingest_bench import naive_store

    class Constant(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [[1.0, 0.0, 0.0] for _ in texts]

        def embed_query(self, text: str) -> list[float]:
            return [1.0, 0.0, 0.0]

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "policy.md").write_text("Training data is classified before use.\n" * 3)
    for _ in range(2):
        store, n = naive_store(corpus, tmp_path / "naive", Constant())
        assert store._collection.count() == n
