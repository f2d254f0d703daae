"""The eval regression gate: which metric changes count as regressions against a baseline."""

from __future__ import annotations

import copy
from typing import Any

from reviewer.evaluation.baseline import (
    against_baseline,
    comparable,
    item_changes,
    shared_drafters,
)


def report(**drafters: dict[str, Any]) -> dict[str, Any]:
    meta = {"gold": "g.jsonl", "split": "test", "items": 19, "corpus_sha256": "ab"}
    return {"meta": meta, "drafters": drafters}


def metrics(
    f1: float = 0.5, precision: float = 0.6, recall: float = 0.9, fabricated: int = 0
) -> dict[str, Any]:
    return {
        "retrieval": {"recall@10": recall},
        "verdict": {"macro_f1": f1, "accuracy": 0.5},
        "citations": {"precision": precision, "recall": 0.4, "fabricated": fabricated},
        "abstention": {"f1": 0.6},
        "confidence": {"auroc": None},
    }


def regressed(changes: list[Any]) -> list[str]:
    return [c.label for c in changes if c.regressed]


def test_drops_within_the_tolerance_pass_and_larger_ones_are_named() -> None:
    before = report(extractive=metrics())
    assert regressed(against_baseline(report(extractive=metrics(f1=0.46)), before)) == []
    now = report(extractive=metrics(f1=0.44, precision=0.5, recall=0.95))
    assert regressed(against_baseline(now, before)) == ["macro-F1", "citation precision"]
    assert regressed(against_baseline(now, before, tolerance=0.2)) == []


def test_any_new_fabricated_quote_is_a_regression_whatever_the_tolerance() -> None:
    now = report(extractive=metrics(fabricated=1))
    assert regressed(against_baseline(now, report(extractive=metrics()), tolerance=1.0)) == [
        "fabricated"
    ]


def test_ungated_metrics_never_fail_the_gate_and_a_lost_gated_metric_does() -> None:
    before = report(extractive=metrics())
    now = copy.deepcopy(report(extractive=metrics()))
    now["drafters"]["extractive"]["verdict"]["accuracy"] = 0.1  # shown, not gated
    changes = against_baseline(now, before)
    assert regressed(changes) == []
    by_label = {c.label: c for c in changes}
    assert by_label["accuracy"].delta == -0.4 and not by_label["accuracy"].gated
    # a gated metric the baseline had and this run lost (no citation survived): a regression
    now["drafters"]["extractive"]["citations"]["precision"] = None
    del now["drafters"]["extractive"]["retrieval"]["recall@10"]
    changes = against_baseline(now, before)
    assert regressed(changes) == ["recall@10", "citation precision"]
    by_label = {c.label: c for c in changes}
    assert by_label["recall@10"].after is None and by_label["recall@10"].delta is None
    # one the baseline never had (confidence AUROC None before) gates nothing
    assert not by_label["confidence AUROC"].regressed


def test_only_drafters_in_both_runs_are_compared_and_other_runs_are_named() -> None:
    before = report(extractive=metrics())
    now = report(extractive=metrics(), local=metrics(f1=0.0))
    assert {c.drafter for c in against_baseline(now, before)} == {"extractive"}
    assert comparable(now, before) == []
    other = report(local=metrics())
    other["meta"]["split"] = "dev"
    assert shared_drafters(other, before) == []
    assert [r for r in comparable(other, before) if "split" in r]


def test_other_retrieval_settings_or_embedding_make_another_evaluation() -> None:
    before, now = report(extractive=metrics()), report(extractive=metrics())
    before["meta"]["retrieval"] = {"k": 10, "rrf_k": 60}
    now["meta"]["retrieval"] = {"k": 3, "rrf_k": 60}
    assert comparable(now, before) == ["retrieval settings: k 10 -> 3"]
    now["meta"]["retrieval"] = before["meta"]["retrieval"]
    before["meta"]["embedding_sha256"], now["meta"]["embedding_sha256"] = "a", "b"
    assert comparable(now, before) == ["embedding model: another file than the baseline's"]


def test_the_gold_file_is_compared_by_content_else_by_name() -> None:
    before, now = report(extractive=metrics()), report(extractive=metrics())
    now["meta"]["gold"] = "/elsewhere/g.jsonl"  # same file run from another folder
    assert comparable(now, before) == []
    before["meta"]["gold_sha256"], now["meta"]["gold_sha256"] = "1", "2"
    assert comparable(now, before) == ["gold file: its content differs from the baseline's"]


def test_items_whose_verdict_changed_are_named() -> None:
    def rows(*preds: tuple[str, str, str]) -> list[dict[str, Any]]:
        return [
            {"id": i, "gold": gold, "predicted": pred, "correct": gold == pred}
            for i, gold, pred in preds
        ]

    before = report(extractive=metrics())
    before["items"] = {
        "extractive": rows(
            ("a", "partial", "partial"),
            ("b", "conformant", "partial"),
            ("c", "nonconformity", "partial"),
            ("d", "partial", "partial"),
        )
    }
    now = report(extractive=metrics())
    now["items"] = {
        "extractive": rows(
            ("a", "partial", "conformant"),  # lost
            ("b", "conformant", "conformant"),  # gained
            ("c", "nonconformity", "conformant"),  # wrong either way
            ("d", "partial", "partial"),  # unchanged: not listed
        )
    }
    moved = item_changes(now, before)["extractive"]
    assert [r["id"] for r in moved["lost"]] == ["a"]
    assert moved["lost"][0] == {
        "id": "a",
        "before": "partial",
        "now": "conformant",
        "gold": "partial",
    }
    assert [r["id"] for r in moved["gained"]] == ["b"]
    assert [r["id"] for r in moved["moved"]] == ["c"]
