"""Every metric on small cases computed by hand (numbers in the comments)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewer.evaluation.metrics import (
    _covered,
    auroc,
    compare,
    quote_retrieved,
    quotes_overlap,
    same_file,
    score,
)

approx = pytest.approx
# factories from conftest.py (a conftest cannot be imported under --import-mode=importlib)
ItemFactory = Callable[..., Any]
ResultFactory = Callable[..., Any]

# gold -> predicted for the verdict cases; None = the drafter failed
VERDICT_CASES = [
    ("conformant", "conformant"),
    ("conformant", "partial"),
    ("partial", "partial"),
    ("nonconformity", "nonconformity"),
    ("nonconformity", "conformant"),
    ("insufficient_evidence", "insufficient_evidence"),
    ("insufficient_evidence", None),
    ("conformant", "insufficient_evidence"),
]


@pytest.fixture
def verdict_results(make_item: ItemFactory, make_result: ResultFactory) -> list:
    return [make_result(make_item(g), p) for g, p in VERDICT_CASES]


def test_score_has_exactly_the_documented_keys(verdict_results: list) -> None:
    s = score(verdict_results)
    assert set(s) == {
        "n",
        "failed",
        "retrieval",
        "verdict",
        "citations",
        "abstention",
        "latency_s",
        "tokens",
        "confidence",
        "flags",
        "by_theme",
    }
    assert set(s["retrieval"]) == {
        "recall@5",
        "recall@10",
        "scoped_recall@5",
        "scoped_recall@10",
        "whole_corpus_recall@5",
        "whole_corpus_recall@10",
        "item_recall@5",
        "item_recall@10",
        "mrr",
    }
    assert set(s["verdict"]) == {
        "accuracy",
        "macro_f1",
        "per_class",
        "confusion",
        "accuracy_ci95",
        "macro_f1_ci95",
    }
    assert set(s["citations"]) == {
        "precision",
        "precision_ci95",
        "recall",
        "recall_ci95",
        "fabricated",
        "presented",
        "abstained_answerable",
        "answer_in_closest",
        "answer_in_closest_rate",
    }
    assert set(s["abstention"]) == {"precision", "recall", "f1", "f1_ci95"}
    assert set(s["latency_s"]) == {"p50", "p95", "mean"}
    assert set(s["tokens"]) == {"prompt", "completion"}
    assert set(s["confidence"]) == {"auroc", "quartiles"}
    json.dumps(s)  # JSON-able as it is


def test_accuracy_per_class_and_macro_f1(verdict_results: list) -> None:
    s = score(verdict_results)
    assert s["n"] == 8
    assert s["failed"] == 1
    v = s["verdict"]
    assert v["accuracy"] == approx(4 / 8)  # items 1, 3, 4, 6; the failure counts as wrong
    pc = v["per_class"]
    # conformant: TP 1, support 3, predicted twice (items 1 and 5)
    assert pc["conformant"] == {
        "precision": 0.5,
        "recall": approx(1 / 3, abs=1e-4),
        "f1": approx(0.4),
        "support": 3,
    }
    # partial: TP 1, support 1, predicted twice
    assert pc["partial"] == {
        "precision": 0.5,
        "recall": 1.0,
        "f1": approx(2 / 3, abs=1e-4),
        "support": 1,
    }
    # nonconformity: TP 1, support 2, predicted once
    assert pc["nonconformity"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": approx(2 / 3, abs=1e-4),
        "support": 2,
    }
    # insufficient_evidence: TP 1, support 2, predicted twice (items 6 and 8)
    assert pc["insufficient_evidence"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert v["macro_f1"] == approx((0.4 + 2 / 3 + 2 / 3 + 0.5) / 4, abs=1e-4)


def test_macro_f1_matches_scikit_learn(verdict_results: list) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    gold = [g for g, _ in VERDICT_CASES]
    pred = [p or "failed" for _, p in VERDICT_CASES]
    expected = metrics.f1_score(
        gold, pred, labels=sorted(set(gold)), average="macro", zero_division=0
    )
    assert score(verdict_results)["verdict"]["macro_f1"] == approx(expected, abs=1e-4)


def test_macro_f1_uses_only_classes_present_in_gold(
    make_item: ItemFactory, make_result: ResultFactory
) -> None:
    cases = [("conformant", "conformant"), ("conformant", "nonconformity"), ("partial", "partial")]
    s = score([make_result(make_item(g), p) for g, p in cases])
    # conformant F1 = 2·1/(2+1) = 2/3, partial F1 = 1; nonconformity (no gold) is left out
    assert s["verdict"]["macro_f1"] == approx((2 / 3 + 1) / 2, abs=1e-4)
    nc = s["verdict"]["per_class"]["nonconformity"]
    assert nc == {"precision": 0.0, "recall": None, "f1": 0.0, "support": 0}
    ie = s["verdict"]["per_class"]["insufficient_evidence"]
    assert ie == {"precision": None, "recall": None, "f1": None, "support": 0}


def test_confusion_matrix_has_a_failed_column(verdict_results: list) -> None:
    conf = score(verdict_results)["verdict"]["confusion"]
    classes = ["conformant", "partial", "nonconformity", "insufficient_evidence", "failed"]
    assert list(conf) == classes[:4]
    assert all(list(row) == classes for row in conf.values())
    nonzero = {(g, p): n for g, row in conf.items() for p, n in row.items() if n}
    assert nonzero == {
        ("conformant", "conformant"): 1,
        ("conformant", "partial"): 1,
        ("conformant", "insufficient_evidence"): 1,
        ("partial", "partial"): 1,
        ("nonconformity", "nonconformity"): 1,
        ("nonconformity", "conformant"): 1,
        ("insufficient_evidence", "insufficient_evidence"): 1,
        ("insufficient_evidence", "failed"): 1,
    }


def test_abstention_treats_insufficient_evidence_as_positive(verdict_results: list) -> None:
    # gold positives: items 6, 7; predicted positives: items 6, 8; TP: item 6
    a = score(verdict_results)["abstention"]
    assert {k: a[k] for k in ("precision", "recall", "f1")} == {
        "precision": 0.5,
        "recall": 0.5,
        "f1": 0.5,
    }


def test_abstention_undefined_parts_are_none(
    make_item: ItemFactory, make_result: ResultFactory
) -> None:
    s = score([make_result(make_item("insufficient_evidence"), "conformant")])
    a = s["abstention"]
    assert {k: a[k] for k in ("precision", "recall", "f1")} == {
        "precision": None,
        "recall": 0.0,
        "f1": 0.0,
    }


def test_bootstrap_ci_contains_point_and_is_seeded(
    make_item: ItemFactory, make_result: ResultFactory
) -> None:
    verdicts = ["conformant", "partial", "nonconformity", "insufficient_evidence"]
    results = []
    for i in range(40):
        gold = verdicts[i % 4]
        pred = gold if i % 3 else verdicts[(i + 1) % 4]  # every third item wrong
        results.append(make_result(make_item(gold), pred))
    first = score(results, n_boot=500, seed=7)["verdict"]
    again = score(results, n_boot=500, seed=7)["verdict"]
    other = score(results, n_boot=500, seed=8)["verdict"]
    for metric in ("accuracy", "macro_f1"):
        lo, hi = first[f"{metric}_ci95"]
        assert lo <= first[metric] <= hi
        assert lo < hi  # the items disagree, so resamples vary
        assert first[f"{metric}_ci95"] == again[f"{metric}_ci95"]
    assert (first["accuracy_ci95"], first["macro_f1_ci95"]) != (
        other["accuracy_ci95"],
        other["macro_f1_ci95"],
    )


def test_bootstrap_ci_is_degenerate_when_all_correct(
    make_item: ItemFactory, make_result: ResultFactory
) -> None:
    results = [make_result(make_item("partial"), "partial") for _ in range(5)]
    v = score(results)["verdict"]
    assert v["accuracy_ci95"] == [1.0, 1.0]
    assert v["macro_f1_ci95"] == [1.0, 1.0]
    assert score(results, n_boot=0)["verdict"]["accuracy_ci95"] is None


def test_quote_retrieved_needs_80_percent_of_quote_tokens() -> None:
    quote = "one two three four five six seven eight nine ten"
    assert quote_retrieved(quote, "Intro. One two three four five six seven eight, and more.")
    assert not quote_retrieved(quote, "one two three four five six seven")
    assert quote_retrieved("Models are \u201cversioned\u201d", 'all MODELS ARE "Versioned" daily')


def test_quotes_overlap_needs_half_of_the_shorter_quote() -> None:
    # shorter quote has 4 tokens: 2 shared is exactly half, 1 shared is not enough
    assert quotes_overlap("access is reviewed quarterly", "Access to models is logged")
    assert not quotes_overlap("access is reviewed quarterly", "Access to models gets logged")
    assert not quotes_overlap("", "anything")


def test_same_file_compares_normalised_paths() -> None:
    assert same_file("policies/ai.md", "./policies/ai.md")
    assert same_file("ai.md", "policies/ai.md")
    assert same_file("ai.md", "")
    assert not same_file("ai.md", "policies/other.md")
    assert not same_file("xai.md", "ai.md")


QA1 = "Training datasets are classified before use"
QA2 = "The data owner approves each dataset label"
QB1 = "Adversarial robustness tests run every release"
QC1 = "Supplier models are reviewed annually"
JUNK = "The canteen opens at nine and closes at five"


@pytest.fixture
def retrieval_results(make_item: ItemFactory, make_result: ResultFactory) -> list:
    a = make_item("conformant", evidence=[("a.md", QA1), ("a.md", QA2)])
    b = make_item("nonconformity", evidence=[("b.md", QB1)])
    c = make_item("partial", evidence=[("c.md", QC1)])
    d = make_item("insufficient_evidence")
    ranked_a = [
        ("a.md", JUNK),
        ("a.md", f"Rule 2. {QA2}."),
        ("a.md", JUNK),
        ("a.md", JUNK),
        ("a.md", JUNK),
        ("a.md", f"Rule 1: {QA1}."),
    ]
    # rank 1 holds QB1's words but comes from another file, so it does not count
    ranked_b = [("other.md", QB1), ("b.md", JUNK), ("b.md", QB1)]
    ranked_c = [("c.md", JUNK)] * 12
    return [
        make_result(a, "conformant", retrieved=ranked_a),
        make_result(b, "nonconformity", retrieved=ranked_b),
        make_result(c, None, retrieved=ranked_c),
        make_result(d, "insufficient_evidence", retrieved=[("a.md", QA1)]),  # no gold: ignored
    ]


def test_recall_at_k_and_mrr(retrieval_results: list) -> None:
    r = score(retrieval_results)["retrieval"]
    # gold quotes: QA1 at rank 6, QA2 at rank 2, QB1 at rank 3, QC1 never
    assert r["recall@5"] == 0.5
    assert r["recall@10"] == 0.75
    # items with all quotes in the top k: @5 only b; @10 a and b
    assert r["item_recall@5"] == approx(1 / 3, abs=1e-4)
    assert r["item_recall@10"] == approx(2 / 3, abs=1e-4)
    # first hit per item: a rank 2, b rank 3, c none
    assert r["mrr"] == approx((1 / 2 + 1 / 3 + 0) / 3, abs=1e-4)


def test_recall_is_split_into_scoped_and_whole_corpus_items(retrieval_results: list) -> None:
    a, b, c, d = retrieval_results
    a.item = a.item.model_copy(update={"scope": ["a.md"]})  # QA1 rank 6, QA2 rank 2
    r = score([a, b, c, d])["retrieval"]
    assert r["scoped_recall@5"] == 0.5 and r["scoped_recall@10"] == 1.0
    # whole corpus: QB1 at rank 3, QC1 never
    assert r["whole_corpus_recall@5"] == 0.5 and r["whole_corpus_recall@10"] == 0.5
    assert r["recall@10"] == 0.75  # the overall figure is unchanged


def test_recall_keys_follow_ks(retrieval_results: list) -> None:
    r = score(retrieval_results, ks=(1, 3))["retrieval"]
    assert r == {
        "recall@1": 0.0,
        "recall@3": 0.5,
        "scoped_recall@1": None,
        "scoped_recall@3": None,
        "whole_corpus_recall@1": 0.0,
        "whole_corpus_recall@3": 0.5,
        "item_recall@1": 0.0,
        "item_recall@3": approx(1 / 3, abs=1e-4),
        "mrr": approx((1 / 2 + 1 / 3) / 3, abs=1e-4),
    }


def test_retrieval_without_gold_evidence_is_undefined(
    make_item: ItemFactory, make_result: ResultFactory
) -> None:
    r = score([make_result(make_item("insufficient_evidence"), "partial")])["retrieval"]
    assert r == {
        "recall@5": None,
        "recall@10": None,
        "scoped_recall@5": None,
        "scoped_recall@10": None,
        "whole_corpus_recall@5": None,
        "whole_corpus_recall@10": None,
        "item_recall@5": None,
        "item_recall@10": None,
        "mrr": None,
    }


def test_citation_precision_recall_and_counts(
    make_item: ItemFactory, make_result: ResultFactory
) -> None:
    a = make_item("conformant", evidence=[("a.md", QA1), ("a.md", QA2)])
    b = make_item("nonconformity", evidence=[("b.md", QB1)])
    d = make_item("insufficient_evidence")
    e = make_item("conformant")  # gold lists no evidence
    results = [
        # one citation matches QA1, the other matches nothing
        make_result(
            a,
            "conformant",
            citations=[("a.md", "training datasets are classified"), ("a.md", JUNK)],
        ),
        # right words, wrong file: no match
        make_result(b, "partial", citations=[("x.md", QB1)], fabricated=1),
        # insufficient_evidence gold without evidence: its citation is not judged
        make_result(d, "insufficient_evidence", citations=[("a.md", JUNK)]),
        # conformant gold without evidence: its citation counts as not matching
        make_result(e, "conformant", citations=[("a.md", QC1)], fabricated=2),
    ]
    c = score(results)["citations"]
    assert c["precision"] == 0.25  # judged: a 2 + b 1 + e 1 = 4, matched 1
    assert type(c["precision"]) is float  # plain Python numbers, as JSON and the gate expect
    assert c["recall"] == approx(1 / 3, abs=1e-4)  # gold quotes: QA1, QA2, QB1; matched QA1
    assert c["presented"] == 5
    assert c["fabricated"] == 3
    # item-resampled intervals: seeded, holding the point, and [0, 1] here as items disagree
    for key in ("precision", "recall"):
        lo, hi = c[f"{key}_ci95"]
        assert lo <= c[key] <= hi and lo < hi
        assert score(results)["citations"][f"{key}_ci95"] == [lo, hi]
    assert score(results, n_boot=0)["citations"]["precision_ci95"] is None


def test_abstention_f1_has_an_item_bootstrap_interval(
    make_item: ItemFactory, make_result: ResultFactory
) -> None:
    results = [make_result(make_item("insufficient_evidence"), "insufficient_evidence")] * 6
    results += [make_result(make_item("insufficient_evidence"), "partial")] * 3
    results += [make_result(make_item("partial"), "insufficient_evidence")] * 3
    a = score(results, n_boot=500, seed=3)["abstention"]
    assert a["f1"] == approx(12 / 18, abs=1e-4)
    lo, hi = a["f1_ci95"]
    assert lo < a["f1"] < hi
    all_right = [make_result(make_item("partial"), "partial")] * 4
    assert score(all_right)["abstention"]["f1_ci95"] is None  # no positive in any resample


def test_auroc_by_hand() -> None:
    # positives 0.9, 0.7, 0.6 vs negatives 0.8, 0.3: 4 of 6 pairs ordered right
    assert auroc([0.9, 0.8, 0.7, 0.6, 0.3], [True, False, True, True, False]) == approx(4 / 6)
    assert auroc([0.5, 0.5], [True, False]) == 0.5
    # positives 0.5, 0.9 vs negatives 0.5, 0.5: two ties (1) + two wins (2) of 4 pairs
    assert auroc([0.5, 0.5, 0.5, 0.9], [True, False, False, True]) == approx(3 / 4)
    assert auroc([0.1, 0.9], [False, True]) == 1.0
    assert auroc([0.1, 0.9], [True, True]) is None


def test_confidence_quartiles_and_auroc(make_item: ItemFactory, make_result: ResultFactory) -> None:
    correct = [False, False, True, False, True, True, True, True]
    results = [
        make_result(
            make_item("partial"), "partial" if ok else "conformant", confidence=(i + 1) / 10
        )
        for i, ok in enumerate(correct)
    ]
    # a failure carries no confidence and is left out
    results.append(make_result(make_item("partial"), None, confidence=0.0))
    conf = score(results)["confidence"]
    assert conf["quartiles"] == [
        {"range": [0.1, 0.2], "n": 2, "accuracy": 0.0},
        {"range": [0.3, 0.4], "n": 2, "accuracy": 0.5},
        {"range": [0.5, 0.6], "n": 2, "accuracy": 1.0},
        {"range": [0.7, 0.8], "n": 2, "accuracy": 1.0},
    ]
    # positives 0.3, 0.5..0.8 (5); negatives 0.1, 0.2, 0.4 (3): 0.3 beats 2, the rest beat 3
    assert conf["auroc"] == approx((2 + 4 * 3) / 15, abs=1e-4)


def test_flags_report_accuracy_with_and_without_each_flag(
    make_item: ItemFactory, make_result: ResultFactory
) -> None:
    dis = "llm_disagrees_with_evidence"
    results = [
        make_result(make_item("partial"), "conformant", flags=[dis]),
        make_result(make_item("partial"), "partial", flags=[dis, "injection"]),
        make_result(make_item("partial"), "conformant", flags=[dis]),
        make_result(make_item("partial"), "partial"),
        make_result(make_item("partial"), "partial"),
    ]
    flags = score(results)["flags"]
    assert flags == {
        "injection": {"n": 1, "accuracy": 1.0, "accuracy_unflagged": 0.5},
        dis: {"n": 3, "accuracy": approx(1 / 3, abs=1e-4), "accuracy_unflagged": 1.0},
    }
    assert score(results[3:])["flags"] == {}


def test_quartiles_with_fewer_than_four_items(
    make_item: ItemFactory, make_result: ResultFactory
) -> None:
    results = [
        make_result(make_item("partial"), "partial", confidence=0.4),
        make_result(make_item("partial"), "partial", confidence=0.2),
    ]
    q = score(results)["confidence"]["quartiles"]
    assert [x["n"] for x in q] == [1, 1, 0, 0]
    assert q[0]["range"] == [0.2, 0.2] and q[3] == {"range": None, "n": 0, "accuracy": None}
    assert score(results)["confidence"]["auroc"] is None  # nothing wrong: undefined


def test_latency_tokens_and_themes(make_item: ItemFactory, make_result: ResultFactory) -> None:
    results = [
        make_result(
            make_item("partial", theme="A.8.2"),
            "partial",
            latency_s=1.0,
            tokens_prompt=100,
            tokens_completion=10,
        ),
        make_result(
            make_item("conformant", theme="A.8.2"),
            "partial",
            latency_s=2.0,
            tokens_prompt=50,
            tokens_completion=5,
        ),
        make_result(make_item("conformant", theme="A.15.1"), "conformant", latency_s=3.0),
        make_result(make_item("conformant"), None, latency_s=4.0),
    ]
    s = score(results)
    assert s["latency_s"] == {"p50": 2.5, "p95": approx(3.85), "mean": 2.5}
    assert s["tokens"] == {"prompt": 150, "completion": 15}
    assert s["by_theme"] == {
        "(no theme)": {"n": 1, "accuracy": 0.0, "macro_f1": 0.0},
        "A.15.1": {"n": 1, "accuracy": 1.0, "macro_f1": 1.0},
        # partial F1 = 2/(1+2), conformant F1 = 0
        "A.8.2": {"n": 2, "accuracy": 0.5, "macro_f1": approx((2 / 3) / 2, abs=1e-4)},
    }
    assert list(s["by_theme"]) == ["A.8.2", "A.15.1", "(no theme)"]  # natural order, untagged last


def test_no_themes_gives_empty_by_theme(verdict_results: list) -> None:
    assert score(verdict_results)["by_theme"] == {}


def test_empty_results_score_without_errors() -> None:
    s = score([])
    assert s["n"] == 0 and s["verdict"]["accuracy"] is None and s["verdict"]["macro_f1"] is None
    assert s["latency_s"]["p50"] is None
    json.dumps(s)


def test_compare_scores_each_drafter_and_pairs_them(
    make_item: ItemFactory, make_result: ResultFactory
) -> None:
    items = [
        make_item(v) for v in ("conformant", "partial", "nonconformity", "insufficient_evidence")
    ]
    strong = [make_result(i, i.verdict.value) for i in items]
    weak = [
        make_result(items[0], "conformant"),
        make_result(items[1], "conformant"),
        make_result(items[2], None),
        make_result(items[3], "insufficient_evidence"),
    ]
    out = compare({"strong": strong, "weak": weak}, n_boot=200)
    assert list(out["drafters"]) == ["strong", "weak"]
    assert out["drafters"]["strong"]["verdict"]["accuracy"] == 1.0
    assert out["drafters"]["weak"]["verdict"]["accuracy"] == 0.5
    pair = out["paired"]["strong vs weak"]
    assert pair["n"] == 4
    assert pair["accuracy_diff"] == 0.5
    assert pair["only_first_correct"] == 2 and pair["only_second_correct"] == 0
    # weak: conformant F1 2/3, partial 0, nonconformity 0, insufficient 1 -> macro 5/12
    assert pair["macro_f1_diff"] == approx(1 - 5 / 12, abs=1e-4)
    lo, hi = pair["accuracy_diff_ci95"]
    assert lo <= 0.5 <= hi
    json.dumps(out)


@given(
    st.lists(st.sampled_from(["data", "Data", "model", "ﬁle", "file", "v1.2", "x"]), max_size=8),
    st.lists(st.sampled_from(["data", "model", "file", "v1.2", "y", "Model"]), max_size=12),
)
def test_cached_coverage_agrees_with_quote_retrieved(quote: list[str], chunk: list[str]) -> None:
    # retrieval metrics use a cached copy of the coverage rule; it must never drift from it
    q, c = " ".join(quote), " ".join(chunk)
    assert _covered(q, c) == quote_retrieved(q, c)


def test_answer_in_closest_counts_only_answerable_abstentions(
    make_item: ItemFactory, make_result: ResultFactory
) -> None:
    from reviewer.models import Citation

    def near(path: str, quote: str) -> list[Citation]:
        return [Citation(label="E1", chunk_id="c1", quote=quote, path=path, verified=True)]

    answer = ("policy.md", "Training data is labelled Confidential before use.")
    other = ("policy.md", "Backups are kept for thirty days.")
    results = [
        # abstained on an answerable item; the answer is among the closest passages
        make_result(
            make_item("conformant", [answer]), "insufficient_evidence", closest=near(*answer)
        ),
        # abstained; the closest passage is something else
        make_result(make_item("partial", [answer]), "insufficient_evidence", closest=near(*other)),
        # right to abstain: not counted, whatever it shows
        make_result(
            make_item("insufficient_evidence"), "insufficient_evidence", closest=near(*answer)
        ),
        # answered: not counted
        make_result(make_item("conformant", [answer]), "conformant", citations=[answer]),
    ]
    c = score(results, n_boot=0)["citations"]
    assert (c["abstained_answerable"], c["answer_in_closest"]) == (2, 1)
    assert c["answer_in_closest_rate"] == approx(0.5)
    assert c["presented"] == 1  # closest passages are never counted as citations
    assert c["precision"] == approx(1.0)
