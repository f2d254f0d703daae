"""Which findings are current, and coverage over them: shared by the TUI, exports and CLI.

Re-drafting a question (`--fresh`, another drafter, a changed document) adds a new finding; the
older one stays in the database with its decisions. The current finding of a question is the
one per (source, question) that the latest run drafted or reused; a failed draft (model server
down) never hides a good one. The rest are history.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from reviewer.models import Finding, FindingStatus, Flag, Verdict
from reviewer.store.findings import decision_in_effect, source_key_of

__all__ = ["decision_in_effect"]  # exports read the decision in effect from here

REVIEWED = (FindingStatus.approved, FindingStatus.rejected, FindingStatus.edited)
UNDECIDED = (FindingStatus.draft, FindingStatus.stale, FindingStatus.failed)


def _recency(f: Finding) -> tuple[bool, str]:
    return f.status is not FindingStatus.failed, max(f.created_at, f.used_at)


def current_findings(findings: list[Finding]) -> list[Finding]:
    """The finding per (source, question) last drafted or reused, failed ones only when there is
    nothing else; in first-seen order."""
    latest: dict[tuple[str, str], Finding] = {}
    for f in findings:
        key = (source_key_of(f.source, f.question), f.question.id)
        prev = latest.get(key)
        if prev is None or _recency(f) >= _recency(prev):
            latest[key] = f
    return list(latest.values())


def family(f: Finding) -> str:
    if f.question.family:
        return f.question.family
    if f.source.get("sheet"):
        return f"questionnaire: {f.source['sheet']}"
    return f.question.refs[0].control if f.question.refs else "ad-hoc"


def cites_control(f: Finding, wanted: str) -> bool:
    """Does the finding's question reference `wanted`: a framework ("ISO42001"), an edition
    ("ISO27001:2013"), a control or a control family ("A.15", "A.15.1.2"), or both
    ("ISO27001:2013 A.15.1")? A control matches on whole dotted parts, so "A.1" is not "A.12"."""
    text = " ".join(wanted.split()).casefold()
    scope, _, target = text.rpartition(" ")
    for ref in f.question.refs:
        names = (ref.framework.casefold(), f"{ref.framework}:{ref.edition}".casefold())
        if not scope and text in names:
            return True
        if scope and scope not in names:
            continue
        control = ref.control.casefold()
        if control == target or control.startswith(target + "."):
            return True
    return False


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that orders the numbers inside control ids by value: A.8.2 before A.12.6."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def coverage_rows(findings: list[Finding]) -> list[dict[str, Any]]:
    """Per family and per control: counts by verdict and by status, % reviewed, flagged."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((family(f), f.question.primary_ref()), []).append(f)
    fam_groups: dict[str, list[Finding]] = {}
    for f in findings:
        fam_groups.setdefault(family(f), []).append(f)
    rows: list[dict[str, Any]] = []
    for fam in sorted(fam_groups, key=natural_key):
        rows.append(_row(fam, "(all)", fam_groups[fam]))
        for (f2, control), items in sorted(groups.items(), key=lambda g: natural_key(g[0][1])):
            if f2 == fam:
                rows.append(_row(fam, control, items))
    if findings:
        rows.append(_row("TOTAL", "", findings))
    return rows


def _row(fam: str, control: str, items: list[Finding]) -> dict[str, Any]:
    verdicts = Counter(f.verdict.value for f in items)
    statuses = Counter(f.status.value for f in items)
    reviewed = sum(statuses[s.value] for s in REVIEWED)
    return {
        "family": fam,
        "control": control,
        "n": len(items),
        "verdicts": {v.value: verdicts[v.value] for v in Verdict},
        "statuses": {s.value: statuses[s.value] for s in FindingStatus},
        "reviewed": reviewed,
        "reviewed_pct": round(100.0 * reviewed / len(items), 1) if items else 0.0,
        "flagged": sum(1 for f in items if f.flags),
    }


def flag_reasons(f: Finding) -> dict[str, str]:
    """Flag -> what caused it, where the finding recorded it (the file behind an injection
    flag, the document whose change made it stale)."""
    out: dict[str, str] = {}
    sources = f.provenance.get("injection_sources")
    if Flag.injection.value in f.flags and sources:
        out[Flag.injection.value] = "in " + ", ".join(sources)
    stale = f.provenance.get("stale_because")
    if Flag.stale_source.value in f.flags and stale:
        out[Flag.stale_source.value] = ", ".join(stale)
    return out
