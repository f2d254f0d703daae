"""Answer-quality metrics for one drafter on a gold set, and a side-by-side comparison.

Conventions (one place, so the report and the tests agree):

- Failed items (`predicted is None`) count as wrong in every verdict metric and appear in the
  confusion matrix under a `failed` column; they are left out of the confidence analysis,
  since a drafter that failed reported no confidence.
- Macro-F1 averages the per-class F1 over the classes present in the gold labels of the items
  being scored (a bootstrap resample uses the classes present in that resample).
- Per-class precision is None when the class was never predicted and recall is None when it has
  no gold support; F1 = 2·TP / (support + predicted), None when both are 0.
- A gold quote is *retrieved* by a chunk when >= 80 % of its tokens occur in the chunk, and a
  citation *matches* a gold quote when the two share >= 50 % of the shorter one's tokens; in
  both cases the files must agree when both sides name one (see `same_file`).
- Retrieval metrics use only items with gold evidence. recall@k = share of all gold quotes found
  in the top k chunks of their item; item_recall@k = share of items whose gold quotes are all
  found in the top k; MRR = mean of 1/rank of the first chunk that retrieves any gold quote.
- Citation precision = share of judged citations that match some gold quote of their item.
  Citations on items without gold evidence count as not matching (nothing should have been
  cited), except where the gold verdict is insufficient_evidence: an abstaining answer may
  show what it looked at, and a wrong verdict there is already counted by the verdict and
  abstention metrics. Citation recall = share of gold quotes matched by some citation.
- Closest passages (what an abstaining finding shows the auditor, never counted as citations):
  `abstained_answerable` = items with a gold answer and evidence that the drafter abstained on;
  `answer_in_closest` = how many of those show a gold quote among their closest passages.
- Abstention treats insufficient_evidence as the positive class.
- Flags (for example `llm_disagrees_with_evidence`): for each flag raised on any item, how many
  items carry it and the verdict accuracy with and without it; a useful flag marks items that
  are wrong more often.
- Undefined ratios are None, never 0, so a table can tell "no data" from "all wrong".
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reviewer.evaluation.gold import GoldItem
from reviewer.models import Citation, Verdict
from reviewer.text import coverage, norm_tokens, token_overlap

RETRIEVED_COVERAGE = 0.8
QUOTE_OVERLAP = 0.5
CLASSES: tuple[Verdict, ...] = tuple(Verdict)
FAILED = "failed"
_DIGITS = 4


@dataclass
class ItemResult:
    """What one drafter produced for one gold item, as the runner measured it."""

    item: GoldItem
    predicted: Verdict | None  # None = the drafter failed on this item
    citations: list[Citation]  # the citations the finding presented (verified ones)
    fabricated: int  # citations whose quote is not in the source document
    retrieved: list[str]  # texts of retrieved chunks, in rank order
    retrieved_files: list[str]  # file of each retrieved chunk (same order)
    latency_s: float
    tokens_prompt: int = 0
    tokens_completion: int = 0
    confidence: float = 0.0
    rationale: str = ""
    flags: list[str] = field(default_factory=list)
    # an abstaining finding's nearest passages (not evidence, not scored as citations)
    closest: list[Citation] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        return self.predicted is not None and self.predicted == self.item.verdict


def quote_retrieved(quote: str, chunk_text: str) -> bool:
    """True when >= 80 % of the quote's normalised tokens (multiset) occur in the chunk."""
    return coverage(quote, chunk_text) >= RETRIEVED_COVERAGE


def quotes_overlap(a: str, b: str) -> bool:
    """True when the two quotes share >= 50 % of the shorter one's normalised tokens."""
    return token_overlap(a, b) >= QUOTE_OVERLAP


def same_file(a: str, b: str) -> bool:
    """Whether two document paths name the same file; an empty side means unknown and agrees.

    Paths are compared with forward slashes and without a leading './'; a bare name matches a
    longer path ending in it, since gold files and chunk paths may be relative to different roots.
    """
    pa, pb = _norm_path(a), _norm_path(b)
    if not pa or not pb:
        return True
    if pa == pb:
        return True
    short, long_ = sorted((pa, pb), key=len)
    return long_.endswith("/" + short)


def _norm_path(p: str) -> str:
    p = p.strip().replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p.casefold()


def citation_matches(
    item: GoldItem, citations: Sequence[Citation]
) -> tuple[list[bool], list[bool]]:
    """(for each gold quote: matched by a citation?, for each citation: matches a gold quote?)."""
    gold_hit = [False] * len(item.evidence)
    cite_hit = [False] * len(citations)
    for gi, gold in enumerate(item.evidence):
        for ci, cite in enumerate(citations):
            if same_file(gold.file, cite.path) and quotes_overlap(gold.quote, cite.quote):
                gold_hit[gi] = True
                cite_hit[ci] = True
    return gold_hit, cite_hit


def first_retrieving_rank(result: ItemResult, quote: str, file: str) -> int | None:
    """1-based rank of the first retrieved chunk that contains `quote` (from `file`), or None."""
    files = result.retrieved_files
    for rank, text in enumerate(result.retrieved, start=1):
        chunk_file = files[rank - 1] if rank - 1 < len(files) else ""
        if same_file(file, chunk_file) and _covered(quote, text):
            return rank
    return None


@functools.lru_cache(maxsize=8192)
def _token_counts(text: str) -> Counter[str]:
    return Counter(norm_tokens(text))


def _covered(quote: str, chunk_text: str) -> bool:
    """`quote_retrieved` with token counts cached: the same chunks come back for many quotes.

    Same arithmetic as reviewer.text.coverage (multiset share of the quote's tokens).
    """
    quote_counts = _token_counts(quote)
    total = sum(quote_counts.values())
    if not total:
        return False
    chunk_counts = _token_counts(chunk_text)
    hit = sum(min(n, chunk_counts[token]) for token, n in quote_counts.items())
    return hit / total >= RETRIEVED_COVERAGE


def score(
    results: list[ItemResult], ks: Sequence[int] = (5, 10), n_boot: int = 1000, seed: int = 0
) -> dict[str, Any]:
    """All metrics for one drafter's results, as a JSON-able dict (see the module docstring)."""
    gold = [r.item.verdict for r in results]
    pred = [r.predicted for r in results]
    return {
        "n": len(results),
        "failed": sum(p is None for p in pred),
        "retrieval": _retrieval(results, ks),
        "verdict": _verdict(gold, pred, n_boot, seed),
        "citations": _citations(results, n_boot, seed),
        "abstention": _abstention(gold, pred, n_boot, seed),
        "latency_s": _latency([r.latency_s for r in results]),
        "tokens": {
            "prompt": sum(r.tokens_prompt for r in results),
            "completion": sum(r.tokens_completion for r in results),
        },
        "confidence": _confidence(results),
        "flags": _flags(results),
        "by_theme": _by_theme(results),
    }


def compare(
    per_drafter: dict[str, list[ItemResult]],
    ks: Sequence[int] = (5, 10),
    n_boot: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Score every drafter and compare each pair on the items both answered.

    `paired` holds, for each pair "a vs b", the accuracy and macro-F1 differences (a minus b)
    with 95 % paired-bootstrap intervals, and how many items only one of them got right.
    """
    drafters = {name: score(results, ks, n_boot, seed) for name, results in per_drafter.items()}
    paired: dict[str, Any] = {}
    for a, b in itertools.combinations(per_drafter, 2):
        paired[f"{a} vs {b}"] = _paired(per_drafter[a], per_drafter[b], n_boot, seed)
    return {"drafters": drafters, "paired": paired}


# --- verdicts ---------------------------------------------------------------------------------


def _codes(
    gold: Sequence[Verdict], pred: Sequence[Verdict | None]
) -> tuple[np.ndarray, np.ndarray]:
    """Gold and predicted verdicts as class indices; a failure is index len(CLASSES)."""
    index = {v: i for i, v in enumerate(CLASSES)}
    g = np.array([index[v] for v in gold], dtype=np.int64)
    p = np.array([len(CLASSES) if v is None else index[v] for v in pred], dtype=np.int64)
    return g, p


def _confusion_counts(g: np.ndarray, p: np.ndarray) -> np.ndarray:
    """counts[gold, pred] with an extra column for failures."""
    width = len(CLASSES) + 1
    return np.bincount(g * width + p, minlength=len(CLASSES) * width).reshape(len(CLASSES), width)


def _macro_f1_batch(counts: np.ndarray) -> np.ndarray:
    """Macro-F1 for a stack of confusion matrices (..., classes, classes + 1)."""
    k = len(CLASSES)
    tp = np.diagonal(counts[..., :k], axis1=-2, axis2=-1)
    support = counts.sum(axis=-1)
    predicted = counts[..., :k].sum(axis=-2)
    present = support > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(present, 2 * tp / np.maximum(support + predicted, 1), 0.0)
    n_present = present.sum(axis=-1)
    return np.where(n_present > 0, f1.sum(axis=-1) / np.maximum(n_present, 1), np.nan)


def _verdict(
    gold: Sequence[Verdict], pred: Sequence[Verdict | None], n_boot: int, seed: int
) -> dict[str, Any]:
    g, p = _codes(gold, pred)
    n = len(g)
    counts = _confusion_counts(g, p)
    per_class: dict[str, Any] = {}
    for i, cls in enumerate(CLASSES):
        tp = int(counts[i, i])
        support = int(counts[i].sum())
        predicted = int(counts[:, i].sum())
        per_class[cls.value] = {
            "precision": _ratio(tp, predicted),
            "recall": _ratio(tp, support),
            "f1": _ratio(2 * tp, support + predicted),
            "support": support,
        }
    confusion = {
        gcls.value: {
            **{pcls.value: int(counts[i, j]) for j, pcls in enumerate(CLASSES)},
            FAILED: int(counts[i, len(CLASSES)]),
        }
        for i, gcls in enumerate(CLASSES)
    }
    accuracy = _ratio(int((g == p).sum()), n)
    macro = _nan_to_none(float(_macro_f1_batch(counts))) if n else None
    acc_ci, f1_ci = _bootstrap_ci(g, p, n_boot, seed)
    return {
        "accuracy": accuracy,
        "macro_f1": _round(macro),
        "per_class": per_class,
        "confusion": confusion,
        "accuracy_ci95": acc_ci,
        "macro_f1_ci95": f1_ci,
    }


def _resample_counts(g: np.ndarray, p: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Confusion matrices for each row of resampled indices `idx` (n_boot, n)."""
    width = len(CLASSES) + 1
    cells = len(CLASSES) * width
    codes = (g * width + p)[idx] + cells * np.arange(idx.shape[0])[:, None]
    flat = np.bincount(codes.ravel(), minlength=cells * idx.shape[0])
    return flat.reshape(idx.shape[0], len(CLASSES), width)


def _bootstrap_ci(
    g: np.ndarray, p: np.ndarray, n_boot: int, seed: int
) -> tuple[list[float] | None, list[float] | None]:
    """Percentile 95 % intervals of accuracy and macro-F1, resampling items with replacement."""
    n = len(g)
    if n == 0 or n_boot <= 0:
        return None, None
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    acc = (g[idx] == p[idx]).mean(axis=1)
    f1 = _macro_f1_batch(_resample_counts(g, p, idx))
    return _percentiles(acc), _percentiles(f1)


def _percentiles(values: np.ndarray) -> list[float] | None:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return None
    lo, hi = np.percentile(values, [2.5, 97.5])
    return [round(float(lo), _DIGITS), round(float(hi), _DIGITS)]


def _paired(a: list[ItemResult], b: list[ItemResult], n_boot: int, seed: int) -> dict[str, Any]:
    by_id = {r.item.id: r for r in b}
    common = [(r, by_id[r.item.id]) for r in a if r.item.id in by_id]
    out: dict[str, Any] = {
        "n": len(common),
        "accuracy_diff": None,
        "accuracy_diff_ci95": None,
        "macro_f1_diff": None,
        "macro_f1_diff_ci95": None,
        "only_first_correct": sum(ra.correct and not rb.correct for ra, rb in common),
        "only_second_correct": sum(rb.correct and not ra.correct for ra, rb in common),
    }
    if not common:
        return out
    gold = [ra.item.verdict for ra, _ in common]
    ga, pa = _codes(gold, [ra.predicted for ra, _ in common])
    _, pb = _codes(gold, [rb.predicted for _, rb in common])
    out["accuracy_diff"] = round(float((ga == pa).mean() - (ga == pb).mean()), _DIGITS)
    diff_f1 = _macro_f1_batch(_confusion_counts(ga, pa)) - _macro_f1_batch(
        _confusion_counts(ga, pb)
    )
    out["macro_f1_diff"] = _round(_nan_to_none(float(diff_f1)))
    if n_boot > 0:
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, len(common), size=(n_boot, len(common)))
        acc = (ga[idx] == pa[idx]).mean(axis=1) - (ga[idx] == pb[idx]).mean(axis=1)
        f1 = _macro_f1_batch(_resample_counts(ga, pa, idx)) - _macro_f1_batch(
            _resample_counts(ga, pb, idx)
        )
        out["accuracy_diff_ci95"] = _percentiles(acc)
        out["macro_f1_diff_ci95"] = _percentiles(f1)
    return out


def _abstention(
    gold: Sequence[Verdict], pred: Sequence[Verdict | None], n_boot: int = 0, seed: int = 0
) -> dict[str, Any]:
    pos = Verdict.insufficient_evidence
    tp = sum(g == pos and p == pos for g, p in zip(gold, pred, strict=True))
    gold_pos = sum(g == pos for g in gold)
    pred_pos = sum(p == pos for p in pred)
    # per item: (2 * true positive, gold positive + predicted positive), for the interval
    parts = np.array(
        [
            [2 * (g == pos and p == pos), (g == pos) + (p == pos)]
            for g, p in zip(gold, pred, strict=True)
        ],
        dtype=float,
    ).reshape(-1, 2)
    return {
        "precision": _ratio(tp, pred_pos),
        "recall": _ratio(tp, gold_pos),
        "f1": _ratio(2 * tp, gold_pos + pred_pos),
        "f1_ci95": _ratio_ci(parts, n_boot, seed),
    }


def _ratio_ci(parts: np.ndarray, n_boot: int, seed: int) -> list[float] | None:
    """Percentile 95 % interval of sum(numerators) / sum(denominators) over items resampled
    with replacement; `parts` holds one (numerator, denominator) row per item."""
    n = len(parts)
    if n == 0 or n_boot <= 0:
        return None
    idx = np.random.default_rng(seed).integers(0, n, size=(n_boot, n))
    num, den = parts[idx, 0].sum(axis=1), parts[idx, 1].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    return _percentiles(ratio)


# --- retrieval and citations ------------------------------------------------------------------


def _retrieval(results: list[ItemResult], ks: Sequence[int]) -> dict[str, Any]:
    with_evidence = [r for r in results if r.item.evidence]
    # rank of the first chunk retrieving each gold quote, per item
    ranks = [
        [first_retrieving_rank(r, ev.quote, ev.file) for ev in r.item.evidence]
        for r in with_evidence
    ]
    n_quotes = sum(len(item_ranks) for item_ranks in ranks)
    out: dict[str, Any] = {}
    for k in ks:
        found = sum(rank is not None and rank <= k for item_ranks in ranks for rank in item_ranks)
        out[f"recall@{k}"] = _ratio(found, n_quotes)
    # Scoped questions search one or two named files; whole-corpus questions search everything.
    for part, keep in (("scoped", True), ("whole_corpus", False)):
        sub = [
            item_ranks
            for r, item_ranks in zip(with_evidence, ranks, strict=True)
            if bool(r.item.scope) == keep
        ]
        quotes = sum(len(item_ranks) for item_ranks in sub)
        for k in ks:
            found = sum(rank is not None and rank <= k for item_ranks in sub for rank in item_ranks)
            out[f"{part}_recall@{k}"] = _ratio(found, quotes)
    for k in ks:
        whole = sum(
            all(rank is not None and rank <= k for rank in item_ranks) for item_ranks in ranks
        )
        out[f"item_recall@{k}"] = _ratio(whole, len(ranks))
    reciprocal = []
    for item_ranks in ranks:
        hits = [rank for rank in item_ranks if rank is not None]
        reciprocal.append(1.0 / min(hits) if hits else 0.0)
    out["mrr"] = _round(float(np.mean(reciprocal))) if reciprocal else None
    return out


def _citations(results: list[ItemResult], n_boot: int = 0, seed: int = 0) -> dict[str, Any]:
    # per item: (matched, judged, gold matched, gold quotes); the totals and intervals come
    # from these counts
    rows: list[tuple[int, int, int, int]] = []
    for r in results:
        gold_hit, cite_hit = citation_matches(r.item, r.citations)
        judged = r.item.evidence or r.item.verdict != Verdict.insufficient_evidence
        m, j = (sum(cite_hit), len(cite_hit)) if judged else (0, 0)
        rows.append((m, j, sum(gold_hit), len(gold_hit)))
    parts = np.array(rows, dtype=float).reshape(-1, 4)
    matched, judged_n, gold_matched, gold_quotes = (int(n) for n in parts.sum(axis=0))
    return {
        "precision": _ratio(matched, judged_n),
        "precision_ci95": _ratio_ci(parts[:, :2], n_boot, seed),
        "recall": _ratio(gold_matched, gold_quotes),
        "recall_ci95": _ratio_ci(parts[:, 2:], n_boot, seed),
        "fabricated": sum(r.fabricated for r in results),
        "presented": sum(len(r.citations) for r in results),
        **_closest(results),
    }


def _closest(results: list[ItemResult]) -> dict[str, Any]:
    """Of the answerable items the drafter abstained on, how many show a gold quote among the
    closest passages: where the auditor finds the answer at once instead of searching."""
    missed = [
        r
        for r in results
        if r.predicted == Verdict.insufficient_evidence
        and r.item.verdict != Verdict.insufficient_evidence
        and r.item.evidence
    ]
    found = sum(any(citation_matches(r.item, r.closest)[0]) for r in missed)
    return {
        "abstained_answerable": len(missed),
        "answer_in_closest": found,
        "answer_in_closest_rate": _ratio(found, len(missed)),
    }


# --- latency, confidence, themes --------------------------------------------------------------


def _latency(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"p50": None, "p95": None, "mean": None}
    arr = np.asarray(values, dtype=float)
    p50, p95 = np.percentile(arr, [50, 95])
    return {"p50": _round(float(p50)), "p95": _round(float(p95)), "mean": _round(float(arr.mean()))}


def auroc(scores: Sequence[float], positive: Sequence[bool]) -> float | None:
    """Probability that a random positive outscores a random negative (ties count half)."""
    x = np.asarray(scores, dtype=float)
    y = np.asarray(positive, dtype=bool)
    if x.shape != y.shape:
        raise ValueError("auroc: scores and labels differ in length")
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if not n_pos or not n_neg:
        return None
    # Mann-Whitney U from average ranks: O(n log n) and ties count half
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    upper = np.cumsum(counts)
    avg_rank = upper - (counts - 1) / 2.0
    rank_sum = float(avg_rank[inverse][y].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def _confidence(results: list[ItemResult]) -> dict[str, Any]:
    answered = [r for r in results if r.predicted is not None]
    # stable sort: equal confidences keep gold-file order, so quartiles are reproducible
    ordered = sorted(answered, key=lambda r: r.confidence)
    quartiles: list[dict[str, Any]] = []
    for group in np.array_split(np.arange(len(ordered)), 4):
        members = [ordered[i] for i in group]
        if not members:
            quartiles.append({"range": None, "n": 0, "accuracy": None})
            continue
        quartiles.append(
            {
                "range": [_round(members[0].confidence), _round(members[-1].confidence)],
                "n": len(members),
                "accuracy": _ratio(sum(r.correct for r in members), len(members)),
            }
        )
    value = auroc([r.confidence for r in answered], [r.correct for r in answered])
    return {"auroc": _round(value), "quartiles": quartiles}


def _flags(results: list[ItemResult]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in sorted({f for r in results for f in r.flags}):
        flagged = [r for r in results if name in r.flags]
        rest = [r for r in results if name not in r.flags]
        out[name] = {
            "n": len(flagged),
            "accuracy": _ratio(sum(r.correct for r in flagged), len(flagged)),
            "accuracy_unflagged": _ratio(sum(r.correct for r in rest), len(rest)),
        }
    return out


NO_THEME = "(no theme)"


def _by_theme(results: list[ItemResult]) -> dict[str, Any]:
    if not any(r.item.theme for r in results):
        return {}
    groups: dict[str, list[ItemResult]] = {}
    for r in results:
        groups.setdefault(r.item.theme or NO_THEME, []).append(r)
    out: dict[str, Any] = {}
    # natural order (A.8.2 before A.12.6), items without a theme last
    for theme in sorted(groups, key=lambda t: (t == NO_THEME, _natural_key(t))):
        members = groups[theme]
        g, p = _codes([r.item.verdict for r in members], [r.predicted for r in members])
        out[theme] = {
            "n": len(members),
            "accuracy": _ratio(int((g == p).sum()), len(members)),
            "macro_f1": _round(_nan_to_none(float(_macro_f1_batch(_confusion_counts(g, p))))),
        }
    return out


# --- small helpers ----------------------------------------------------------------------------


def _natural_key(text: str) -> list[int | str]:
    # re.split with a group alternates text and digits, so positions never compare int to str
    return [
        int(part) if i % 2 else part.casefold() for i, part in enumerate(re.split(r"(\d+)", text))
    ]


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, _DIGITS) if den else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, _DIGITS)


def _nan_to_none(value: float) -> float | None:
    return None if np.isnan(value) else value
