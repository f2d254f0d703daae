"""A run's metrics against an earlier run's (`reviewer eval --baseline`), and the regression gate.

The gate covers what the project promises never to lose: verdict macro-F1, citation precision,
whole-set evidence recall@10 (each may not drop by more than the tolerance) and fabricated quotes
(may not rise at all); a gated metric the baseline had and this run has not (no citation left)
regresses too. The other tracked metrics are shown with their change but gate nothing: on a
small gold set they move by a whole item's worth for reasons a reader should judge.

Runs of another evaluation (gold content, split, item count, corpus, retrieval settings,
embedding model) are not compared unless asked (`--allow-different`), and a run with no drafter
in common with the baseline is an error: a gate that compared nothing must not pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

# (label, key path in a drafter's metrics, higher is better, gated)
TRACKED: list[tuple[str, str, bool, bool]] = [
    ("recall@10", "retrieval.recall@10", True, True),
    ("macro-F1", "verdict.macro_f1", True, True),
    ("accuracy", "verdict.accuracy", True, False),
    ("citation precision", "citations.precision", True, True),
    ("citation recall", "citations.recall", True, False),
    ("fabricated", "citations.fabricated", False, True),
    ("abstention F1", "abstention.f1", True, False),
    ("confidence AUROC", "confidence.auroc", True, False),
]


def metric(metrics: dict[str, Any], key: str) -> Any:
    """The value at a dotted key path ("verdict.macro_f1"), or None where it is missing."""
    node: Any = metrics
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


@dataclass(frozen=True)
class Change:
    drafter: str
    label: str
    before: float | None
    after: float | None
    gated: bool
    regressed: bool

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def against_baseline(
    report: dict[str, Any], baseline: dict[str, Any], tolerance: float = 0.05
) -> list[Change]:
    """Every tracked metric of every drafter found in both reports, before and after."""
    changes: list[Change] = []
    for name, now in report["drafters"].items():
        then = baseline.get("drafters", {}).get(name)
        if then is None:
            continue
        for label, key, higher_better, gated in TRACKED:
            before, after = metric(then, key), metric(now, key)
            regressed = False
            if gated and before is not None and after is None:
                regressed = True  # nothing left to measure (no citation survived, no recall@10)
            elif gated and before is not None and after is not None:
                regressed = after < before - tolerance if higher_better else after > before
            changes.append(Change(name, label, before, after, gated, regressed))
    return changes


def comparable(report: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """Why the two runs may not be comparable (other gold, split, item count or corpus)."""
    now, then = report.get("meta", {}), baseline.get("meta", {})
    reasons = []
    # The gold file by content where both runs recorded it, else by name (paths differ by cwd).
    if "gold_sha256" in then and "gold_sha256" in now:
        if then["gold_sha256"] != now["gold_sha256"]:
            reasons.append("gold file: its content differs from the baseline's")
    elif "gold" in then and Path(then["gold"]).name != Path(str(now.get("gold"))).name:
        reasons.append(f"gold file: baseline {then['gold']!r}, this run {now.get('gold')!r}")
    for key, what in (
        ("split", "split"),
        ("items", "item count"),
        ("corpus_sha256", "corpus"),
    ):
        if key in then and now.get(key) != then.get(key):
            reasons.append(f"{what}: baseline {then.get(key)!r}, this run {now.get(key)!r}")
    if "retrieval" in then and now.get("retrieval") != then["retrieval"]:
        before, after = then["retrieval"], now.get("retrieval") or {}
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        said = ", ".join(f"{k} {before.get(k)!r} -> {after.get(k)!r}" for k in changed)
        reasons.append(f"retrieval settings: {said}")
    if "embedding_sha256" in then and now.get("embedding_sha256") != then["embedding_sha256"]:
        reasons.append("embedding model: another file than the baseline's")
    return reasons


def shared_drafters(report: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    return sorted(set(report["drafters"]) & set(baseline.get("drafters", {})))


def item_changes(report: dict[str, Any], baseline: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per shared drafter, the items whose verdict changed between the runs: which became wrong
    (`lost`), which became right (`gained`), and which moved between wrong answers, each as
    (id, verdict before, verdict now, gold). A metric that moved is traced to its items."""
    out: dict[str, dict[str, Any]] = {}
    for name in shared_drafters(report, baseline):
        before = {r["id"]: r for r in (baseline.get("items") or {}).get(name, [])}
        lost, gained, moved = [], [], []
        for row in (report.get("items") or {}).get(name, []):
            then = before.get(row["id"])
            if then is None or then.get("predicted") == row.get("predicted"):
                continue
            entry = {
                "id": row["id"],
                "before": then.get("predicted"),
                "now": row.get("predicted"),
                "gold": row.get("gold"),
            }
            if then.get("correct") and not row.get("correct"):
                lost.append(entry)
            elif row.get("correct") and not then.get("correct"):
                gained.append(entry)
            else:
                moved.append(entry)
        out[name] = {"lost": lost, "gained": gained, "moved": moved}
    return out
