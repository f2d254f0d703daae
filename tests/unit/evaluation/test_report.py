"""The Markdown report and the chart, built from real scores of two drafters."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reviewer.evaluation.metrics import compare
from reviewer.evaluation.report import item_rows, render_markdown, write_chart

ItemFactory = Callable[..., Any]
ResultFactory = Callable[..., Any]

Q_CLASSIFY = "Training datasets are classified as confidential before use"
Q_VENDOR = "Third-party model providers sign the AI supplier addendum"
Q_PATCH = "Model-serving containers are patched within 14 days"


@pytest.fixture
def report(make_item: ItemFactory, make_result: ResultFactory) -> dict[str, Any]:
    classify = make_item(
        "conformant",
        [("policy.md", Q_CLASSIFY)],
        item_id="a82-classify",
        theme="A.8.2",
        question="Is training data classified?",
    )
    vendor = make_item(
        "partial",
        [("vendors.md", Q_VENDOR)],
        item_id="a151-vendor",
        theme="A.15.1",
        question="Are AI suppliers bound by contract?",
    )
    patch = make_item(
        "nonconformity",
        [("ops.md", Q_PATCH)],
        item_id="a126-patch",
        theme="A.12.6",
        question="Are serving stacks patched promptly?",
    )
    absent = make_item(
        "insufficient_evidence",
        item_id="a142-lineage",
        theme="A.14.2",
        question="Is data lineage recorded?",
    )
    chunks = [("policy.md", Q_CLASSIFY), ("vendors.md", Q_VENDOR), ("ops.md", Q_PATCH)]
    llm = [
        make_result(
            classify,
            "conformant",
            [("policy.md", Q_CLASSIFY)],
            chunks,
            confidence=0.9,
            tokens_prompt=900,
            tokens_completion=80,
            rationale="Policy §3 classifies data [E1].",
        ),
        make_result(
            vendor,
            "conformant",
            [("vendors.md", "the canteen menu changes weekly")],
            chunks,
            confidence=0.7,
            fabricated=1,
            rationale="Suppliers sign contracts [E2].",
        ),
        make_result(patch, "nonconformity", [("ops.md", Q_PATCH)], chunks, confidence=0.6),
        make_result(absent, "insufficient_evidence", [], chunks, confidence=0.4),
    ]
    extractive = [
        make_result(classify, "conformant", [("policy.md", Q_CLASSIFY)], chunks, confidence=0.5),
        make_result(vendor, "partial", [("vendors.md", Q_VENDOR)], chunks, confidence=0.5),
        make_result(patch, None, [], chunks),
        make_result(absent, "partial", [], chunks, confidence=0.2),
    ]
    per = {"local-llm": llm, "extractive": extractive}
    scored = compare(per, n_boot=200)
    return {
        "meta": {
            "gold": "evals/gold/demo.jsonl",
            "docs": "corpora/demo",
            "corpus_sha256": "ab12cd",
            "date": "2025-01-01",
            "split": None,
        },
        "drafters": scored["drafters"],
        "paired": scored["paired"],
        "items": {name: item_rows(results) for name, results in per.items()},
    }


def test_item_rows_show_gold_and_cited_quotes(report: dict[str, Any]) -> None:
    rows = {r["id"]: r for r in report["items"]["local-llm"]}
    vendor = rows["a151-vendor"]
    assert (
        vendor["gold"] == "partial"
        and vendor["predicted"] == "conformant"
        and not vendor["correct"]
    )
    assert vendor["gold_quotes"] == [
        {
            "file": "vendors.md",
            "page": None,
            "quote": Q_VENDOR,
            "cited": False,
            "retrieved_rank": 2,  # the second of the retrieved chunks
        }
    ]
    assert vendor["cited_quotes"][0]["matches_gold"] is False
    assert vendor["citation_match"] == 0.0 and vendor["fabricated"] == 1
    assert rows["a82-classify"]["citation_match"] == 1.0
    assert rows["a142-lineage"]["citation_match"] is None
    failed = {r["id"]: r for r in report["items"]["extractive"]}["a126-patch"]
    assert failed["predicted"] is None and failed["correct"] is False


def test_markdown_has_every_table(report: dict[str, Any]) -> None:
    md = render_markdown(report)
    assert md.startswith("# Evaluation report")
    assert "| corpus_sha256 | ab12cd |" in md
    assert "## Drafters side by side" in md
    assert "| metric | local-llm | extractive |" in md
    acc = {n: s["verdict"]["accuracy"] for n, s in report["drafters"].items()}
    assert acc == {"local-llm": 0.75, "extractive": 0.5}
    assert "| verdict accuracy [95% CI] | 0.750 [" in md
    assert "| retrieval recall@5 | 1.000 | 1.000 |" in md
    assert "| tokens prompt / completion | 900 / 80 | 0 / 0 |" in md
    assert "| citations presented / fabricated | 3 / 1 | 2 / 0 |" in md
    assert "## Paired differences" in md and "| local-llm vs extractive | 4 | +0.250 [" in md
    assert "## By theme" in md and "| A.8.2 | 1 | 1.000 / 1.000 | 1.000 / 1.000 |" in md
    for name in ("local-llm", "extractive"):
        assert f"## {name}" in md
    assert md.count("| class | precision | recall | F1 | support |") == 2
    assert (
        md.count(
            "| gold \\ predicted | conformant | partial | nonconformity | insufficient_evidence | failed |"
        )
        == 2
    )
    assert "| nonconformity | 0 | 0 | 0 | 0 | 1 |" in md  # the extractive failure
    assert md.count("| quartile (low → high) | confidence | items | accuracy |") == 2
    assert md.count("### Worst items") == 2


def _section(md: str, name: str) -> str:
    start = md.index(f"## {name}\n")
    rest = md[start + 1 :]
    end = rest.find("\n## ")
    return rest if end < 0 else rest[:end]


def test_worst_items_put_wrong_verdicts_first_with_their_evidence(report: dict[str, Any]) -> None:
    md = render_markdown(report)
    llm = _section(md, "local-llm")
    worst = llm[llm.index("### Worst items") :]
    assert "#### 1. `a151-vendor` — WRONG: gold partial, predicted conformant" in worst
    assert "**Question:** Are AI suppliers bound by contract?" in worst
    assert f'- `vendors.md`: "{Q_VENDOR}" (not cited)' in worst
    assert '"the canteen menu changes weekly" (no gold match)' in worst
    assert "1 fabricated" in worst
    # items with the gold verdict and every gold quote cited are not "worst"
    assert "a82-classify" not in worst and "a126-patch" not in worst

    extractive = _section(md, "extractive")
    worst = extractive[extractive.index("### Worst items") :]
    # the failure and the wrong abstention come before nothing else; correct items are absent
    order = [worst.index("`a126-patch`"), worst.index("`a142-lineage`")]
    assert order == sorted(order)
    assert "predicted failed (no answer)" in worst
    assert "a82-classify" not in worst


def test_worst_items_are_limited(report: dict[str, Any]) -> None:
    md = render_markdown(report, worst=1)
    extractive = _section(md, "extractive")
    assert "#### 2." not in extractive
    assert "… 1 more item(s)" in extractive


def test_chart_is_a_png(report: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "charts" / "eval.png"
    write_chart(report, out)
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 500 and height > 300
