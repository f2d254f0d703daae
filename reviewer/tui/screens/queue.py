"""The main screen: the queue of current findings, the selected finding and its evidence."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.keys import format_key
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static

from reviewer.findings_view import family
from reviewer.models import Finding, FindingStatus
from reviewer.tui.queue_index import QueueIndex
from reviewer.tui.screens.coverage import CoverageScreen
from reviewer.tui.screens.help import HelpScreen
from reviewer.tui.screens.modals import (
    EditModal,
    EditResult,
    FilterModal,
    RedraftModal,
    RejectModal,
    RejectResult,
)
from reviewer.tui.screens.page import PageScreen
from reviewer.tui.widgets.detail import DetailPane, shown_quotes
from reviewer.tui.widgets.evidence import EvidencePane, load_evidence, load_passage
from reviewer.tui.widgets.queue import (
    SORTS,
    Filters,
    QueueTable,
    needs_confirmation,
    next_undecided,
)
from reviewer.workspace import Workspace

Progress = Callable[[str], None]
RedraftFn = Callable[[Workspace, Finding, str, Progress], Finding]

# Clicking a column header sorts by the matching sort name.
HEADER_SORTS = {
    "mark": "flags",
    "id": "id",
    "control": "control",
    "verdict": "verdict",
    "confidence": "confidence",
    "status": "status",
    "flags": "flags",
}
DONE_WORDS = {"approve": "approved", "reject": "rejected", "edit": "edited", "undo": "undone"}
CONFIRM_HINT = "press a again to approve a flagged finding"


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def redraft_with_review(
    ws: Workspace, finding: Finding, drafter: str, progress: Progress
) -> Finding:
    """Draft the finding's question afresh with `drafter`; stored by ws.review (loads models)."""

    def report(question: Any, i: int, n: int) -> None:
        progress(f"re-drafting {question.id} with {drafter} ({i + 1}/{n})...")

    result = ws.review(
        [finding.question], drafter=drafter, fresh=True, source=finding.source, progress=report
    )
    if not result.findings:
        raise RuntimeError(f"{drafter} returned no finding for {finding.question.id}")
    return result.findings[0]


class RedraftProgress(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class RedraftDone(Message):
    def __init__(self, old_id: str, drafter: str, finding: Finding) -> None:
        super().__init__()
        self.old_id = old_id
        self.drafter = drafter
        self.finding = finding


class RedraftFailed(Message):
    def __init__(self, old_id: str, drafter: str, error: str) -> None:
        super().__init__()
        self.old_id = old_id
        self.drafter = drafter
        self.error = error


class QueueScreen(Screen[None]):
    """Triage: pick a finding, read its evidence, decide; every decision is logged first."""

    BINDINGS = [
        Binding("a", "approve", "Approve"),
        Binding("r", "reject", "Reject"),
        Binding("e", "edit", "Edit"),
        Binding("u", "undo", "Undo"),
        Binding("n", "next_undecided", "Next undecided"),
        Binding("p", "prev_undecided", "Prev undecided", show=False),
        Binding("j", "cursor(1)", "Down the queue", show=False),
        Binding("k", "cursor(-1)", "Up the queue", show=False),
        Binding("right_square_bracket", "citation(1)", "Next citation", show=False),
        Binding("left_square_bracket", "citation(-1)", "Previous citation", show=False),
        Binding("o", "open_page", "Open the whole page / section", show=False),
        Binding("d", "redraft", "Re-draft"),
        Binding("s", "cycle_sort", "Sort by the next column", show=False),
        Binding("S", "reverse_sort", "Reverse the sort", show=False),
        Binding("f", "filter", "Filter"),
        Binding("F", "clear_filters", "Clear filters and search", show=False),
        Binding("slash", "search", "Search"),
        Binding("escape", "close_search", "Close the search", show=False),
        Binding("c", "coverage", "Coverage", show=False),
        Binding("R", "reload", "Reload decisions others made meanwhile", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]
    # Keys handled by widgets rather than bindings; listed in help all the same.
    EXTRA_KEYS: tuple[tuple[str, str], ...] = (
        ("up / down", "move in the focused list (queue or citations)"),
        ("tab / shift+tab", "focus queue, citations, evidence in turn"),
        ("ctrl+s", "save / apply in the edit and filter dialogs"),
    )

    def __init__(
        self,
        ws: Workspace,
        redraft: RedraftFn = redraft_with_review,
        filters: Filters | None = None,
    ) -> None:
        super().__init__()
        self.ws = ws
        self.redraft_fn = redraft
        self.findings: dict[str, Finding] = {}
        self.index = QueueIndex(self.findings)
        self.order: list[str] = []
        self.filters = filters or Filters()
        self.sort = "queue"
        self.reverse = False
        self.armed: str | None = None  # finding id awaiting the confirming second `a`
        self.hint = ""
        self.reviewer = ws.settings.reviewer_name()
        self.shown_id: str | None = None
        self.shown_citation: tuple[str, int] | None = None
        # the finding decided last: `u` goes back to it, as the cursor has moved on since
        self.last_decided: str | None = None

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield QueueTable(id="queue")
        with Horizontal(id="lower"):
            yield DetailPane(id="detail")
            yield EvidencePane(id="evidence")
        yield Input(
            placeholder="search question text, id, control (enter keeps, esc clears)", id="search"
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#detail", DetailPane).border_title = "Finding"
        self.query_one("#evidence", EvidencePane).border_title = "Evidence"
        self.load()
        # From now on the detail follows the cursor through a direct watch, not a message, so
        # that it changes in the same frame as the cursor rather than one or two frames later.
        self.watch(self.table, "cursor_row", self.cursor_moved, init=False)
        self.call_later(self.cursor_moved)  # the first finding, once the screen is laid out
        self.table.focus()

    @property
    def table(self) -> QueueTable:
        return self.query_one("#queue", QueueTable)

    def load(self) -> None:
        """Read the current findings from the workspace and show them."""
        self.set_findings({f.id: f for f in self.ws.current_findings()})
        if getattr(self.app, "freeze_gc", False):
            # Thousands of findings live as long as the app: exempt them from the collector's
            # full passes, which otherwise stall a keypress for 40-90 ms now and then.
            gc.freeze()

    def action_reload(self) -> None:
        """Re-read every current finding: decisions taken from the CLI or another TUI since the
        screen opened, and drafts a rerun added, show up without restarting."""
        before = {fid: f.status for fid, f in self.findings.items()}
        self.disarm()
        self.set_findings({f.id: f for f in self.ws.current_findings()}, keep=self.current_id)
        changed = sum(before.get(fid) is not f.status for fid, f in self.findings.items())
        self.show_finding(self.findings.get(self.current_id or ""))
        self.notify(f"reloaded: {len(self.findings)} findings, {changed} changed", timeout=3)

    def set_findings(self, findings: dict[str, Finding], keep: str | None = None) -> None:
        self.findings = findings
        self.index = QueueIndex(findings)
        self.rebuild(keep)

    def rebuild(self, keep: str | None = None) -> None:
        """Re-filter and re-sort the queue, keeping `keep` selected when it is still shown."""
        keep = keep or self.current_id
        self.order = self.index.arrange(self.filters, self.sort, self.reverse)
        row = self.order.index(keep) if keep in self.findings and keep in self.order else 0
        self.table.show(self.findings, self.order, row)
        if not self.order:
            self.show_finding(None)
        self.update_status()

    # -- state ---------------------------------------------------------------------------
    @property
    def current_id(self) -> str | None:
        return self.table.current_id

    @property
    def current(self) -> Finding | None:
        fid = self.current_id
        return self.findings.get(fid) if fid else None

    def update_status(self) -> None:
        total = len(self.findings)
        reviewed = self.index.reviewed
        out = Text()
        out.append(f" {self.reviewer} ", style="bold reverse")
        if self.hint:  # first, so that it is never cut off at 80 columns
            out.append(f" {self.hint} ", style="bold black on yellow")
        out.append(f" {reviewed}/{total} reviewed")
        if len(self.order) != total:
            out.append(f" · {len(self.order)} shown")
        out.append(f" · sort {self.sort}{' (rev)' if self.reverse else ''}")
        if self.filters.active():
            out.append(f" · {self.filters.describe()}", style="bold")
        self.query_one("#status", Static).update(out, layout=False)  # always one line high

    def set_hint(self, text: str) -> None:
        self.hint = text
        self.update_status()

    def disarm(self) -> None:
        """Cancel a pending flagged-approval confirmation (any key but `a` does this)."""
        if self.armed is not None:
            self.armed = None
            self.set_hint("")

    # -- selection -----------------------------------------------------------------------
    def cursor_moved(self) -> None:
        """The cursor is on another finding, or on the same one after a rebuild."""
        fid = self.table.current_id
        if fid != self.armed:
            self.disarm()
        self.show_finding(self.findings.get(fid) if fid else None)

    def show_finding(self, f: Finding | None) -> None:
        """Render the detail and the first citation's evidence (only for the selected row)."""
        self.shown_id = f.id if f else None
        history = self.ws.findings.decisions(f.id) if f else []
        self.query_one("#detail", DetailPane).show(f, history)
        if f is None and not self.findings:
            self.query_one("#detail-body", Static).update(
                Text("No findings in this workspace yet: run `reviewer review` first.", "italic")
            )
        self.show_citation(0 if f and shown_quotes(f) else None)

    def show_citation(self, index: int | None) -> None:
        f = self.findings.get(self.shown_id) if self.shown_id else None
        pane = self.query_one("#evidence", EvidencePane)
        quotes = shown_quotes(f) if f else []
        if f is None or index is None or not (0 <= index < len(quotes)):
            self.shown_citation = None
            pane.show(None)
            return
        self.shown_citation = (f.id, index)
        pane.show(load_evidence(self.ws, quotes[index], near=not f.citations))

    @on(OptionList.OptionHighlighted, "#citations")
    def citation_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.shown_id and self.shown_citation != (self.shown_id, event.option_index):
            self.show_citation(event.option_index)

    @on(QueueTable.HeaderSelected, "#queue")
    def header_selected(self, event: QueueTable.HeaderSelected) -> None:
        name = HEADER_SORTS.get(event.key)
        if name is None:
            return
        self.reverse = not self.reverse if name == self.sort else False
        self.sort = name
        self.rebuild()

    # -- navigation ----------------------------------------------------------------------
    def action_cursor(self, step: int) -> None:
        if step > 0:
            self.table.action_cursor_down()
        else:
            self.table.action_cursor_up()

    def _jump_undecided(self, step: int) -> None:
        if not self.order:
            return
        row = next_undecided(self.order, self.findings, self.table.cursor_row, step)
        if row is None:
            self.notify("No undecided findings in the queue.", timeout=3)
            return
        self.table.move_cursor(row)

    def action_next_undecided(self) -> None:
        self._jump_undecided(1)

    def action_prev_undecided(self) -> None:
        self._jump_undecided(-1)

    def action_citation(self, step: int) -> None:
        citations = self.query_one("#citations", OptionList)
        if not citations.option_count:
            return
        current = citations.highlighted if citations.highlighted is not None else -step
        citations.highlighted = max(0, min(citations.option_count - 1, current + step))

    def selected_citation_index(self) -> int | None:
        return self.query_one("#citations", OptionList).highlighted

    # -- ordering and filters ------------------------------------------------------------
    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.reverse = False
        self.rebuild()

    def action_reverse_sort(self) -> None:
        self.reverse = not self.reverse
        self.rebuild()

    def action_filter(self) -> None:
        families = sorted({family(f) for f in self.findings.values()})
        statuses = [s.value for s in FindingStatus]
        self.app.push_screen(FilterModal(self.filters, families, statuses), self.apply_filters)

    def apply_filters(self, filters: Filters | None) -> None:
        if filters is None:
            return
        self.filters = filters
        self.rebuild()

    def action_clear_filters(self) -> None:
        search = self.query_one("#search", Input)
        search.value = ""
        search.display = False
        self.filters = Filters()
        self.rebuild()
        self.table.focus()

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        search.focus()

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        if event.value != self.filters.search:
            self.filters = self.filters.with_search(event.value)
            self.rebuild()

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        self.table.focus()

    def action_close_search(self) -> None:
        search = self.query_one("#search", Input)
        if not search.display:
            return
        search.value = ""
        search.display = False
        self.filters = self.filters.with_search("")
        self.rebuild()
        self.table.focus()

    # -- decisions -----------------------------------------------------------------------
    def decide(self, action: str, **kwargs: Any) -> bool:
        """Write the decision to the log, then (only then) refresh what the screen shows."""
        f = self.current
        if f is None:
            self.notify("No finding selected.", severity="warning", timeout=3)
            return False
        try:
            # the status shown must still be the status stored: a decision taken from the CLI or
            # another TUI since then is not silently overruled (or undone) from a stale screen
            self.ws.decide(f.id, action, expected_status=f.status, **kwargs)
        except Exception as exc:  # the log is unchanged; say why in one line and keep going
            self.notify(one_line(exc), title=f"{action} not saved", severity="error")
            self.refresh_finding(f)
            return False
        self.refresh_finding(f)
        self.notify(f"{f.id} {DONE_WORDS.get(action, action)}", timeout=2)
        if action == "undo":
            self.last_decided = None
        else:
            self.last_decided = f.id
            self.advance()
        return True

    def advance(self) -> None:
        """After a decision, on to the next undecided finding (quietly stay when none is left)."""
        if self.order:
            row = next_undecided(self.order, self.findings, self.table.cursor_row, 1)
            if row is not None:
                self.table.move_cursor(row)

    def refresh_finding(self, f: Finding) -> None:
        """Re-read one finding from the database and show what it now holds."""
        updated = self.ws.findings.get_finding(f.id) or f
        self.index.replace(updated)
        self.table.redraw_finding(updated)
        self.show_finding(updated)
        self.update_status()

    def action_approve(self) -> None:
        f = self.current
        if f is None:
            return
        if needs_confirmation(f) and self.armed != f.id:
            self.armed = f.id
            self.set_hint(CONFIRM_HINT)
            self.notify(CONFIRM_HINT, severity="warning", timeout=3)
            return
        self.disarm()
        self.decide("approve")

    def action_reject(self) -> None:
        f = self.current
        if f is not None:
            self.app.push_screen(RejectModal(f), self.rejected)

    def rejected(self, result: RejectResult | None) -> None:
        if result is not None:
            self.decide("reject", reason=result.reason, note=result.note)

    def action_edit(self) -> None:
        f = self.current
        if f is not None:
            self.app.push_screen(EditModal(f), self.edited)

    def edited(self, result: EditResult | None) -> None:
        if result is not None:
            self.decide("edit", verdict=result.verdict, rationale=result.rationale)

    def action_undo(self) -> None:
        """Undo the decision just taken (the cursor moved on after it), else the selected one's."""
        target = self.last_decided
        if target is not None and target in self.order and target != self.current_id:
            self.table.move_cursor(self.order.index(target))
        self.decide("undo")

    # -- re-drafting (in a worker: it loads the embedding model) -------------------------
    def action_redraft(self) -> None:
        f = self.current
        if f is None:
            return

        def chosen(drafter: str | None) -> None:
            if drafter:
                self.set_hint(f"re-drafting {f.id} with {drafter}...")
                self.redraft(f, drafter)

        self.app.push_screen(RedraftModal(f), chosen)

    @work(thread=True, exclusive=True, group="redraft")
    def redraft(self, finding: Finding, drafter: str) -> None:
        # SQLite connections are per thread of use here: the worker opens its own workspace.
        ws = Workspace(self.ws.settings)

        def progress(text: str) -> None:
            self.post_message(RedraftProgress(text))

        try:
            new = self.redraft_fn(ws, finding, drafter, progress)
        except Exception as exc:
            self.post_message(RedraftFailed(finding.id, drafter, one_line(exc)))
            return
        finally:
            ws.close()
        self.post_message(RedraftDone(finding.id, drafter, new))

    @on(RedraftProgress)
    def redraft_progress(self, message: RedraftProgress) -> None:
        self.set_hint(message.text)

    @on(RedraftDone)
    def redraft_done(self, message: RedraftDone) -> None:
        new = message.finding
        replaced: dict[str, Finding] = {}
        for fid, f in self.findings.items():
            if fid == message.old_id:
                replaced[new.id] = new
            elif fid != new.id:
                replaced[fid] = f
        if new.id not in replaced:
            replaced[new.id] = new
        self.hint = ""
        self.set_findings(replaced, keep=new.id)
        if new.status is FindingStatus.failed:
            error = new.provenance.get("error") or new.rationale
            self.notify(f"{message.drafter} failed: {error}", severity="error")
        else:
            self.notify(
                f"{message.old_id} re-drafted by {message.drafter} as {new.id}: {new.verdict.value}"
            )

    @on(RedraftFailed)
    def redraft_failed(self, message: RedraftFailed) -> None:
        self.set_hint("")
        self.notify(
            message.error, title=f"re-draft with {message.drafter} failed", severity="error"
        )

    # -- other screens -------------------------------------------------------------------
    def action_open_page(self) -> None:
        f = self.current
        index = self.selected_citation_index()
        quotes = shown_quotes(f) if f else []
        if f is None or index is None or not (0 <= index < len(quotes)):
            self.notify("No citation selected.", severity="warning", timeout=3)
            return
        self.app.push_screen(PageScreen(load_passage(self.ws, quotes[index])))

    def action_coverage(self) -> None:
        self.app.push_screen(CoverageScreen(list(self.findings.values())))

    def help_rows(self) -> list[tuple[str, str]]:
        rows = [
            (" / ".join(format_key(k.strip()) for k in b.key.split(",")), b.description)
            for b in self.BINDINGS
            if isinstance(b, Binding)
        ]
        return rows + list(self.EXTRA_KEYS)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.help_rows()))

    async def action_quit(self) -> None:
        await self.app.action_quit()
