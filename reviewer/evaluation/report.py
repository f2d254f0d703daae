"""Turn scored eval results into a Markdown report a person can read, and a PNG bar chart.

The report dict has three parts: `meta` (gold file, docs dir, corpus hash, date, split, ...),
`drafters` ({name: score dict from `metrics.score`}) and `items` ({name: `item_rows(...)`}); an
optional `paired` part (from `metrics.compare`) adds a table of pairwise differences.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewer.evaluation.metrics import (
    CLASSES,
    FAILED,
    ItemResult,
    citation_matches,
    first_retrieving_rank,
)

QUOTE_CHARS = 300
RATIONALE_CHARS = 400
MISSING = "–"


def item_rows(results: list[ItemResult]) -> list[dict[str, Any]]:
    """One JSON-able dict per item: the question, gold vs predicted, gold and cited quotes."""
    rows = []
    for r in results:
        gold_hit, cite_hit = citation_matches(r.item, r.citations)
        rows.append(
            {
                "id": r.item.id,
                "question": r.item.question,
                "theme": r.item.theme,
                "gold": r.item.verdict.value,
                "predicted": None if r.predicted is None else r.predicted.value,
                "correct": r.correct,
                "gold_quotes": [
                    {
                        "file": ev.file,
                        "page": ev.page,
                        "quote": ev.quote,
                        "cited": hit,
                        # where retrieval put it: 1-based evidence block, None = not retrieved
                        "retrieved_rank": first_retrieving_rank(r, ev.quote, ev.file),
                    }
                    for ev, hit in zip(r.item.evidence, gold_hit, strict=True)
                ],
                "cited_quotes": [
                    {"file": c.path, "page": c.page, "quote": c.quote, "matches_gold": hit}
                    for c, hit in zip(r.citations, cite_hit, strict=True)
                ],
                "closest_quotes": [
                    {"file": c.path, "page": c.page, "quote": c.quote, "matches_gold": hit}
                    for c, hit in zip(
                        r.closest, citation_matches(r.item, r.closest)[1], strict=True
                    )
                ],
                # share of gold quotes some citation matched; None when gold lists no evidence
                "citation_match": round(sum(gold_hit) / len(gold_hit), 4) if gold_hit else None,
                "fabricated": r.fabricated,
                "confidence": r.confidence,
                "flags": r.flags,
                "latency_s": r.latency_s,
                "rationale": r.rationale,
            }
        )
    return rows


def render_markdown(report: dict[str, Any], worst: int = 8) -> str:
    """The whole report: meta, side-by-side table, per-theme table, then one section per drafter."""
    drafters: dict[str, Any] = report.get("drafters", {})
    items: dict[str, list[dict[str, Any]]] = report.get("items", {})
    out: list[str] = ["# Evaluation report", ""]
    out += _meta(report.get("meta", {}))
    if not drafters:
        out += ["No drafter was evaluated.", ""]
        return "\n".join(out)
    out += ["## Drafters side by side", ""]
    out += _headline(drafters)
    out += [
        "Failed items count as wrong verdicts. Macro-F1 averages the classes present in the gold "
        "set. A citation matches when it shares at least half of its words with a gold quote of "
        "the same file; citations on items without gold evidence count as not matching unless the "
        "gold verdict is insufficient_evidence. Retrieval recall@k: share of gold quotes found in "
        "the top k chunks; item recall@k: share of items with all gold quotes found; MRR: mean of "
        "1 / the rank of the first block holding a gold quote. Citation recall: share of gold "
        "quotes some citation matches. Abstention F1 treats insufficient_evidence as the positive "
        "class: did the drafter abstain exactly where the gold does? Confidence AUROC: how well "
        "the finding's confidence ranks right verdicts above wrong ones (0.5 = no better than "
        "chance).",
        "",
    ]
    if report.get("warnings"):
        out += ["## Warnings", ""]
        out += [f"- {w}" for w in report["warnings"]] + [""]
    if report.get("baseline"):
        out += _baseline(report["baseline"])
    if report.get("paired"):
        out += ["## Paired differences", ""]
        out += _paired(report["paired"])
    themes = _themes(drafters)
    if themes:
        out += ["## By theme", "", "Accuracy / macro-F1 per theme.", ""]
        out += _by_theme(drafters, themes)
    for name, s in drafters.items():
        out += [f"## {name}", ""]
        out += ["### Per class", ""] + _per_class(s)
        out += ["### Confusion matrix (rows: gold, columns: predicted)", ""] + _confusion(s)
        out += ["### Confidence quartiles", ""] + _quartiles(s)
        if s.get("flags"):
            out += ["### Flags", ""] + _flag_rows(s["flags"])
        out += ["### Worst items", ""] + _worst(items.get(name, []), worst)
    return "\n".join(out).rstrip() + "\n"


def write_chart(report: dict[str, Any], path: Path) -> None:
    """Grouped bars of the headline metrics per drafter, with 95 % intervals where known, as PNG."""
    # The object API with an Agg canvas: no pyplot global state, no display needed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    drafters: dict[str, Any] = report.get("drafters", {})
    metrics = _chart_metrics(drafters)
    labels = [label for label, _ in metrics]
    fig = Figure(figsize=(max(7.0, 1.1 * len(labels) + 2), 4.5), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    width = 0.8 / max(len(drafters), 1)
    for d, (name, s) in enumerate(drafters.items()):
        xs = [i - 0.4 + width * (d + 0.5) for i in range(len(metrics))]
        values: list[float] = []
        ci_x: list[float] = []
        ci_y: list[float] = []
        ci_err: list[list[float]] = [[], []]
        for x, (_, getter) in zip(xs, metrics, strict=True):
            value, ci = getter(s)
            values.append(float("nan") if value is None else value)
            if value is not None and ci is not None:
                ci_x.append(x)
                ci_y.append(value)
                ci_err[0].append(max(value - ci[0], 0.0))
                ci_err[1].append(max(ci[1] - value, 0.0))
        bars = ax.bar(xs, values, width, label=name)
        labels_on_bars = ["n/a" if v != v else f"{v:.2f}" for v in values]  # v != v: NaN
        ax.bar_label(bars, labels=labels_on_bars, fontsize=7, padding=2)
        if ci_x:
            ax.errorbar(ci_x, ci_y, yerr=ci_err, fmt="none", ecolor="black", capsize=3, lw=1)
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("score (0–1)")
    title = "Answer quality per drafter"
    meta = report.get("meta", {})
    if meta.get("gold"):
        title += f" — {Path(str(meta['gold'])).name}"
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)
    if drafters:
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")


# --- sections ---------------------------------------------------------------------------------


def change_cell(x: float | int | None, signed: bool = False, missing: str = MISSING) -> str:
    """A metric or its change against a baseline: 3 decimals (signed for a change), counts as
    they are."""
    if x is None:
        return missing
    return f"{x:+.3f}" if signed else (f"{x:.3f}" if isinstance(x, float) else str(x))


def _baseline(b: dict[str, Any]) -> list[str]:
    num = change_cell
    out = [f"## Against the baseline {b['path']} (tolerance {b['tolerance']})", ""]
    out += [f"- not the same evaluation: {r}" for r in b.get("not_comparable", [])]
    rows = [
        [
            c["drafter"],
            c["label"],
            num(c["before"]),
            num(c["after"]),
            num(c["delta"], True),
            "REGRESSED" if c["regressed"] else ("gated" if c["gated"] else ""),
        ]
        for c in b.get("changes", [])
    ]
    out += _table(["drafter", "metric", "baseline", "now", "change", ""], rows)
    out += [f"{b.get('regressions', 0)} gated metric(s) regressed.", ""]
    for name, moved in b.get("items", {}).items():
        for kind, said in (
            ("lost", "right before, wrong now"),
            ("gained", "wrong before, right now"),
        ):
            for r in moved.get(kind, []):
                out.append(
                    f"- {name}: `{r['id']}` {said} ({r['before']} -> {r['now']}, gold {r['gold']})"
                )
    out.append("")
    return out


def _meta(meta: dict[str, Any]) -> list[str]:
    if not meta:
        return []
    rows = [[str(key), _cell(value)] for key, value in meta.items()]
    return _table(["run", "value"], rows)


def _headline(drafters: dict[str, Any]) -> list[str]:
    names = list(drafters)
    ks = _ks(drafters)
    rows: list[list[str]] = []

    def add(label: str, fn: Any) -> None:
        rows.append([label] + [fn(drafters[n]) for n in names])

    add("items", lambda s: str(s["n"]))
    add("failed", lambda s: str(s["failed"]))
    add(
        "verdict accuracy [95% CI]",
        lambda s: _with_ci(s["verdict"]["accuracy"], s["verdict"]["accuracy_ci95"]),
    )
    add(
        "verdict macro-F1 [95% CI]",
        lambda s: _with_ci(s["verdict"]["macro_f1"], s["verdict"]["macro_f1_ci95"]),
    )
    # .get: reports written before these intervals existed have none
    add("abstention F1", lambda s: _with_ci(s["abstention"]["f1"], s["abstention"].get("f1_ci95")))
    add(
        "citation precision",
        lambda s: _with_ci(s["citations"]["precision"], s["citations"].get("precision_ci95")),
    )
    add(
        "citation recall",
        lambda s: _with_ci(s["citations"]["recall"], s["citations"].get("recall_ci95")),
    )
    add(
        "citations presented / fabricated",
        lambda s: f"{s['citations']['presented']} / {s['citations']['fabricated']}",
    )
    add(
        "abstained on answerable items / answer among the closest passages",
        # .get: reports written before closest passages existed have neither
        lambda s: (
            f"{s['citations'].get('abstained_answerable', '–')} / "
            f"{s['citations'].get('answer_in_closest', '–')}"
        ),
    )
    for k in ks:
        add(f"retrieval recall@{k}", lambda s, k=k: _num(s["retrieval"].get(f"recall@{k}")))
    for k in ks:
        add(
            f"retrieval item recall@{k}",
            lambda s, k=k: _num(s["retrieval"].get(f"item_recall@{k}")),
        )
    for part, label in (("scoped", "scoped"), ("whole_corpus", "whole-corpus")):
        add(
            f"retrieval recall@{'/'.join(map(str, ks))}, {label} items",
            lambda s, part=part: " / ".join(
                _num(s["retrieval"].get(f"{part}_recall@{k}")) for k in ks
            ),
        )
    add("retrieval MRR", lambda s: _num(s["retrieval"]["mrr"]))
    add("confidence AUROC", lambda s: _num(s["confidence"]["auroc"]))
    add(
        "latency p50 / p95 (s)",
        lambda s: f"{_num(s['latency_s']['p50'], 2)} / {_num(s['latency_s']['p95'], 2)}",
    )
    add(
        "tokens prompt / completion",
        lambda s: f"{s['tokens']['prompt']} / {s['tokens']['completion']}",
    )
    return _table(["metric", *names], rows)


def _paired(paired: dict[str, Any]) -> list[str]:
    rows = [
        [
            pair,
            str(p["n"]),
            _with_ci(p["accuracy_diff"], p["accuracy_diff_ci95"], signed=True),
            _with_ci(p["macro_f1_diff"], p["macro_f1_diff_ci95"], signed=True),
            str(p["only_first_correct"]),
            str(p["only_second_correct"]),
        ]
        for pair, p in paired.items()
    ]
    header = [
        "pair",
        "items",
        "accuracy diff [95% CI]",
        "macro-F1 diff [95% CI]",
        "only first right",
        "only second right",
    ]
    return _table(header, rows)


def _themes(drafters: dict[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for s in drafters.values():
        for theme in s.get("by_theme", {}):
            seen.setdefault(theme, None)
    return list(seen)


def _by_theme(drafters: dict[str, Any], themes: list[str]) -> list[str]:
    rows = []
    for theme in themes:
        entries = [s["by_theme"].get(theme) for s in drafters.values()]
        n = next((e["n"] for e in entries if e), 0)
        cells = [
            f"{_num(e['accuracy'])} / {_num(e['macro_f1'])}" if e else MISSING for e in entries
        ]
        rows.append([theme, str(n), *cells])
    return _table(["theme", "items", *drafters], rows)


def _per_class(s: dict[str, Any]) -> list[str]:
    rows = [
        [cls, _num(c["precision"]), _num(c["recall"]), _num(c["f1"]), str(c["support"])]
        for cls, c in s["verdict"]["per_class"].items()
    ]
    return _table(["class", "precision", "recall", "F1", "support"], rows)


def _confusion(s: dict[str, Any]) -> list[str]:
    columns = [c.value for c in CLASSES] + [FAILED]
    rows = [
        [gold, *(str(counts.get(col, 0)) for col in columns)]
        for gold, counts in s["verdict"]["confusion"].items()
    ]
    return _table(["gold \\ predicted", *columns], rows)


def _quartiles(s: dict[str, Any]) -> list[str]:
    rows = []
    for i, q in enumerate(s["confidence"]["quartiles"], start=1):
        span = MISSING if q["range"] is None else f"{_num(q['range'][0])}–{_num(q['range'][1])}"
        rows.append([f"Q{i}", span, str(q["n"]), _num(q["accuracy"])])
    lines = _table(["quartile (low → high)", "confidence", "items", "accuracy"], rows)
    return [
        f"AUROC of confidence for a correct verdict: {_num(s['confidence']['auroc'])}",
        "",
        *lines,
    ]


def _flag_rows(flags: dict[str, Any]) -> list[str]:
    rows = [
        [name, str(f["n"]), _num(f["accuracy"]), _num(f["accuracy_unflagged"])]
        for name, f in flags.items()
    ]
    return _table(["flag", "items", "accuracy when flagged", "accuracy otherwise"], rows)


def _worst(rows: list[dict[str, Any]], limit: int) -> list[str]:
    """Wrong verdicts first, then the lowest share of gold quotes cited; perfect items are skipped."""
    flawed = [
        r
        for r in rows
        if not r["correct"]
        or (r["citation_match"] is not None and r["citation_match"] < 1)
        or r["fabricated"]
    ]
    flawed.sort(key=lambda r: (r["correct"], _match_key(r), -r["fabricated"], r["id"]))
    if not flawed:
        return ["Every item has the gold verdict and cites all gold evidence.", ""]
    out: list[str] = []
    for rank, r in enumerate(flawed[:limit], start=1):
        predicted = r["predicted"] or "failed (no answer)"
        status = "correct" if r["correct"] else "WRONG"
        out.append(f"#### {rank}. `{r['id']}` — {status}: gold {r['gold']}, predicted {predicted}")
        out.append("")
        out.append(f"**Question:** {_inline(r['question'])}")
        out.append("")
        match = MISSING if r["citation_match"] is None else f"{r['citation_match']:.0%}"
        extra = f", {r['fabricated']} fabricated" if r["fabricated"] else ""
        confidence = "" if r["predicted"] is None else f"; confidence {r['confidence']:.2f}"
        out.append(f"Gold quotes cited: {match}{extra}{confidence}")
        out.append("")
        out.append("Gold evidence:")
        out += _quotes(r["gold_quotes"], "cited", "cited", "not cited") or ["- (none listed)"]
        out.append("")
        out.append("Cited:")
        out += _quotes(r["cited_quotes"], "matches_gold", "matches gold", "no gold match") or [
            "- (nothing cited)"
        ]
        out.append("")
        if r.get("rationale"):
            out.append(f"Rationale: {_inline(_clip(r['rationale'], RATIONALE_CHARS))}")
            out.append("")
    if len(flawed) > limit:
        out += [
            f"… {len(flawed) - limit} more item(s) with a wrong verdict or uncited gold evidence.",
            "",
        ]
    return out


def _quotes(quotes: list[dict[str, Any]], flag: str, yes: str, no: str) -> list[str]:
    lines = []
    for q in quotes:
        where = q["file"] or "?"
        if q.get("page"):
            where += f" p. {q['page']}"
        lines.append(
            f'- `{where}`: "{_inline(_clip(q["quote"], QUOTE_CHARS))}" ({yes if q[flag] else no})'
        )
    return lines


def _match_key(row: dict[str, Any]) -> float:
    return 1.0 if row["citation_match"] is None else float(row["citation_match"])


# --- chart data -------------------------------------------------------------------------------


def _chart_metrics(drafters: dict[str, Any]) -> list[tuple[str, Any]]:
    """(label, score -> (value, ci or None)) for each bar group."""
    metrics: list[tuple[str, Any]] = [
        ("accuracy", lambda s: (s["verdict"]["accuracy"], s["verdict"]["accuracy_ci95"])),
        ("macro-F1", lambda s: (s["verdict"]["macro_f1"], s["verdict"]["macro_f1_ci95"])),
        ("abstention F1", lambda s: (s["abstention"]["f1"], s["abstention"].get("f1_ci95"))),
        (
            "citation precision",
            lambda s: (s["citations"]["precision"], s["citations"].get("precision_ci95")),
        ),
        (
            "citation recall",
            lambda s: (s["citations"]["recall"], s["citations"].get("recall_ci95")),
        ),
    ]
    for k in _ks(drafters):
        metrics.append((f"recall@{k}", lambda s, k=k: (s["retrieval"].get(f"recall@{k}"), None)))
    metrics.append(("MRR", lambda s: (s["retrieval"]["mrr"], None)))
    return metrics


def _ks(drafters: dict[str, Any]) -> list[int]:
    ks: set[int] = set()
    for s in drafters.values():
        for key in s.get("retrieval", {}):
            if key.startswith("recall@"):
                ks.add(int(key.split("@", 1)[1]))
    return sorted(ks)


# --- formatting -------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_escape(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(_escape(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _escape(text: str) -> str:
    return _inline(text).replace("|", "\\|")


def _inline(text: str) -> str:
    return " ".join(str(text).split())


def _clip(text: str, limit: int) -> str:
    text = _inline(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _num(value: float | None, digits: int = 3) -> str:
    return MISSING if value is None else f"{value:.{digits}f}"


def _with_ci(value: float | None, ci: list[float] | None, signed: bool = False) -> str:
    if value is None:
        return MISSING
    text = f"{value:+.3f}" if signed else f"{value:.3f}"
    if ci:
        text += f" [{ci[0]:.3f}, {ci[1]:.3f}]" if not signed else f" [{ci[0]:+.3f}, {ci[1]:+.3f}]"
    return text


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return MISSING if value is None else str(value)
