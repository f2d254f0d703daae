"""The selected finding: question, controls, criteria, rationale, citations and history."""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reviewer.findings_view import flag_reasons
from reviewer.models import Citation, CriterionStatus, Decision, Finding, FindingStatus, Flag
from reviewer.tui.widgets.queue import STATUS_STYLES, VERDICT_STYLES

# Why each flag matters, shown in the banner above a flagged finding.
FLAG_WARNINGS: dict[str, str] = {
    Flag.injection.value: "instruction-like text found in the evidence; it was treated as data",
    Flag.unsupported_draft.value: "the verdict has no verified citation behind it",
    Flag.unverified_quote.value: "a quote was not found in its chunk and was dropped",
    Flag.stale_source.value: "a cited document changed after drafting; re-draft with d",
    Flag.ungrounded_reference.value: "the rationale cites evidence that was not provided",
    Flag.llm_disagrees_with_evidence.value: "the model's verdict disagrees with the evidence",
}
CRITERION_MARKS: dict[CriterionStatus, tuple[str, str]] = {
    CriterionStatus.met: ("met", "green"),
    CriterionStatus.partly_met: ("partly met", "yellow"),
    CriterionStatus.contradicted: ("contradicted", "red"),
    CriterionStatus.no_evidence: ("no evidence", "magenta"),
}
_EVIDENCE_MARK = re.compile(r"\[E\d+\]")


def banner_text(f: Finding) -> Text | None:
    """A warning banner for flagged, stale or failed findings; None when there is nothing to say."""
    lines: list[str] = []
    if f.status is FindingStatus.stale and Flag.stale_source.value not in f.flags:
        lines.append("STALE: a cited document changed after drafting; re-draft with d")
    if f.status is FindingStatus.failed:
        lines.append("FAILED: drafting failed; re-draft with d")
    reasons = flag_reasons(f)
    for flag in f.flags:
        why = f" ({reasons[flag]})" if flag in reasons else ""
        lines.append(f"{flag.upper()}: {FLAG_WARNINGS.get(flag, 'flagged by the drafter')}{why}")
    if not lines:
        return None
    if f.status is FindingStatus.failed:
        lines.append("A failed draft cannot be approved; edit it to give your own verdict.")
    elif f.status is not FindingStatus.approved:
        lines.append("Approving needs a second a.")
    return Text("\n".join(f"! {line}" for line in lines))


def rationale_text(rationale: str) -> Text:
    """The rationale with its [E#] evidence markers emphasised."""
    out = Text(rationale)
    for m in _EVIDENCE_MARK.finditer(rationale):
        out.stylize("bold cyan", m.start(), m.end())
    return out


def detail_text(f: Finding, history: list[Decision]) -> Text:
    q = f.question
    out = Text()
    out.append(f"{f.id}", style="bold")
    out.append("  ")
    out.append(f.status.value, style=STATUS_STYLES[f.status] or "bold")
    out.append("  ")
    out.append(f.verdict.value, style=f"bold {VERDICT_STYLES[f.verdict]}")
    out.append(f"  conf {f.confidence:.2f}\n")
    out.append(q.text + "\n", style="bold")
    out.append(f"question {q.id}", style="dim")
    if f.provenance.get("backend") or f.provenance.get("drafter"):
        out.append(f" · drafter {f.provenance.get('drafter') or f.provenance.get('backend')}")
    out.append("\n\nControls\n", style="underline")
    if not q.refs:
        out.append("  (none: ad-hoc question)\n")
    for ref in q.refs:
        out.append(f"  {ref}", style="bold")
        out.append(f" {ref.title or ''}\n")
    assessed = {a.criterion_id: a for a in f.assessments}
    if q.criteria or f.assessments:
        out.append("\nCriteria\n", style="underline")
    for c in q.criteria:
        a = assessed.pop(c.id, None)
        label, style = CRITERION_MARKS[a.status] if a else ("not assessed", "dim")
        out.append(f"  [{label}] ", style=style)
        out.append(f"{c.id} {c.text}\n")
        if a and a.note:
            out.append(f"      {a.note}\n", style="dim")
    for a in assessed.values():  # assessments of criteria the question no longer lists
        label, style = CRITERION_MARKS[a.status]
        out.append(f"  [{label}] ", style=style)
        out.append(f"{a.criterion_id} {a.criterion}\n")
    out.append("\nRationale\n", style="underline")
    out.append_text(rationale_text(f.rationale))
    out.append("\n")
    if history:
        last = history[-1]
        out.append(f"\nDecisions: {len(history)}; last {last.action.value}", style="dim")
        out.append(f" by {last.reviewer} at {last.at}", style="dim")
        if last.reason_code:
            out.append(f" ({last.reason_code.value})", style="dim")
        out.append("\n")
    return out


CITATIONS_TITLE = "Citations  [ ] or tab"
CLOSEST_TITLE = "Closest passages, not evidence  [ ] or tab"


def shown_quotes(f: Finding) -> list[Citation]:
    """What the citation list shows: the citations, or for a finding without any, the passages
    nearest to evidence that the drafter read (where the answer usually is when it abstained)."""
    return f.citations or f.closest()


def citation_prompt(c: Citation, closest: bool) -> Text:
    """One line of the citation list; `closest` marks a closest passage, not a citation."""
    out = Text()
    out.append(f"[{c.label}] ", style="bold yellow" if closest else "bold cyan")
    if closest:
        out.append("near ", style="yellow")
    else:
        out.append("ok " if c.verified else "?? ", style="green" if c.verified else "bold red")
    where = c.path + (f" p.{c.page}" if c.page else "")
    out.append(where + "\n")
    quote = c.quote if len(c.quote) <= 120 else c.quote[:117] + "..."
    out.append(f'  "{quote}"', style="italic")
    return out


class DetailPane(VerticalScroll):
    """Everything about one finding; the citation list picks what the evidence pane shows."""

    def compose(self) -> ComposeResult:
        yield Static(id="banner")
        yield Static(id="detail-body")
        yield Static(CITATIONS_TITLE, id="citations-title")
        yield OptionList(id="citations")

    def show(self, f: Finding | None, history: list[Decision]) -> None:
        banner = self.query_one("#banner", Static)
        body = self.query_one("#detail-body", Static)
        citations = self.query_one("#citations", OptionList)
        if f is None:
            banner.display = False
            body.update(Text("No finding selected (the filters may hide them all).", "italic"))
            self.query_one("#citations-title", Static).update(CITATIONS_TITLE)
            citations.clear_options()
            return
        text = banner_text(f)
        banner.display = text is not None
        banner.set_class(Flag.injection.value in f.flags, "-danger")
        if text is not None:
            banner.update(text)
        body.update(detail_text(f, history))
        quotes = shown_quotes(f)
        self.query_one("#citations-title", Static).update(
            CITATIONS_TITLE if f.citations or not quotes else CLOSEST_TITLE
        )
        citations.set_options(
            [Option(citation_prompt(c, not f.citations), id=str(i)) for i, c in enumerate(quotes)]
        )
        if quotes:
            citations.highlighted = 0
        self.scroll_home(animate=False)
