"""Quality regression gate: the extractive drafter on the demo gold against the committed baseline.

Runs the real pipeline end to end (bundled MiniLM, Chroma, BM25) in a temporary workspace and
fails when macro-F1, citation precision or recall@10 drops more than 0.05 below
evals/results/demo.json, or when any presented citation is not in its source document.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer import __version__
from reviewer.drafting.extractive import ExtractiveDrafter
from reviewer.evaluation.baseline import against_baseline
from reviewer.evaluation.runner import run_eval

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "evals" / "results" / "demo.json"
TOLERANCE = 0.05


@pytest.mark.slow
def test_extractive_holds_the_committed_baseline(tmp_path: Path) -> None:
    baseline = json.loads(BASELINE.read_text())["drafters"]["extractive"]
    run = run_eval(
        ROOT / "evals" / "gold" / "demo.jsonl",
        ROOT / "corpora" / "demo",
        ["extractive"],
        workspace=tmp_path / "ws",
    )
    now = run.report["drafters"]["extractive"]
    # Results name the drafter version and release that produced them.
    assert run.report["meta"]["models"] == {
        "extractive": f"extractive-v{ExtractiveDrafter.version}"
    }
    assert run.report["meta"]["reviewer_version"] == __version__
    assert now["n"] == baseline["n"]
    assert now["citations"]["fabricated"] == 0
    # The same gate as `reviewer eval --baseline`: macro-F1, citation precision and recall@10
    # (evidence must keep reaching the drafter) within the tolerance, no new fabricated quote.
    changes = against_baseline(run.report, json.loads(BASELINE.read_text()), TOLERANCE)
    assert {c.label for c in changes if c.gated} == {
        "macro-F1",
        "citation precision",
        "recall@10",
        "fabricated",
    }
    assert [c for c in changes if c.regressed] == []
