"""The review queue: which findings show, in what order, and how each row looks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reviewer.findings_view import UNDECIDED, family
from reviewer.models import Finding, FindingStatus, Flag, Verdict

# Short flag codes for the table; the help screen and the detail banner spell them out.
FLAG_CODES: dict[str, str] = {
    Flag.injection.value: "INJ",
    Flag.unsupported_draft.value: "UNS",
    Flag.unverified_quote.value: "UQ",
    Flag.stale_source.value: "STALE",
    Flag.ungrounded_reference.value: "UGR",
    Flag.llm_disagrees_with_evidence.value: "DIS",
}

VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.conformant: "conformant",
    Verdict.partial: "partial",
    Verdict.nonconformity: "nonconform.",
    Verdict.insufficient_evidence: "insufficient",
}

# ANSI named colours only, so a 16-colour terminal over SSH shows the same meaning.
VERDICT_STYLES: dict[Verdict, str] = {
    Verdict.conformant: "green",
    Verdict.partial: "yellow",
    Verdict.nonconformity: "red",
    Verdict.insufficient_evidence: "magenta",
}
STATUS_STYLES: dict[FindingStatus, str] = {
    FindingStatus.draft: "",
    FindingStatus.approved: "bold green",
    FindingStatus.rejected: "bold red",
    FindingStatus.edited: "bold cyan",
    FindingStatus.stale: "bold yellow",
    FindingStatus.failed: "bold magenta",
}


STRIP_CACHE_ROWS = 1000  # rendered rows kept by the queue table


def needs_confirmation(f: Finding) -> bool:
    """Flagged, stale or failed findings need a second `a` before they can be approved."""
    return bool(f.flags) or f.status in (FindingStatus.stale, FindingStatus.failed)


def is_undecided(f: Finding) -> bool:
    return f.status in UNDECIDED


def control_label(f: Finding) -> str:
    """First control with its edition, short enough for the table: 'A.8.2.1 (2013)'."""
    if not f.question.refs:
        return "ad-hoc"
    ref = f.question.refs[0]
    return f"{ref.control} ({ref.edition})"


def marker(f: Finding) -> Text:
    """One-character row marker: ! red = injection, ! yellow = other flag, ~ = stale."""
    if Flag.injection.value in f.flags:
        return Text("!", style="bold red")
    if f.status is FindingStatus.stale:
        return Text("~", style="bold yellow")
    if f.flags or f.status is FindingStatus.failed:
        return Text("!", style="bold yellow")
    return Text(" ")


def flag_codes(f: Finding) -> str:
    return ",".join(FLAG_CODES.get(flag, flag[:5]) for flag in f.flags)


def row_cells(f: Finding) -> tuple[Any, ...]:
    """The table cells of one finding, in QueueTable.COLUMNS order."""
    return (
        marker(f),
        f.id[:8],
        control_label(f),
        Text(VERDICT_LABELS[f.verdict], style=VERDICT_STYLES[f.verdict]),
        f"{f.confidence:.2f}",
        Text(f.status.value, style=STATUS_STYLES[f.status]),
        Text(flag_codes(f), style="red" if Flag.injection.value in f.flags else "yellow"),
    )


# -- ordering ------------------------------------------------------------------------------

SORTS: tuple[str, ...] = ("queue", "id", "control", "verdict", "confidence", "status", "flags")
VERDICT_ORDER = {v: i for i, v in enumerate(Verdict)}
STATUS_ORDER = {s: i for i, s in enumerate(FindingStatus)}


def sort_key(name: str, f: Finding, position: int) -> tuple[Any, ...]:
    """Key for one sort name; ties keep the order the findings were saved in."""
    if name == "queue":  # undecided first, flagged among them first, then saved order
        return (not is_undecided(f), not needs_confirmation(f), position)
    if name == "id":
        return (f.id,)
    if name == "control":
        return (control_label(f), f.question.primary_ref(), position)
    if name == "verdict":
        return (VERDICT_ORDER[f.verdict], position)
    if name == "confidence":
        return (-f.confidence, position)
    if name == "status":
        return (STATUS_ORDER[f.status], position)
    if name == "flags":
        return (not f.flags, flag_codes(f), position)
    raise ValueError(f"unknown sort {name!r}; expected one of: {', '.join(SORTS)}")


# -- filtering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the queue shows: each set field must match; `search` is a substring match."""

    status: str | None = None
    verdict: str | None = None
    family: str | None = None
    flag: str | None = None
    search: str = ""

    def active(self) -> bool:
        return any((self.status, self.verdict, self.family, self.flag, self.search))

    def describe(self) -> str:
        parts = [
            f"{name}={value}"
            for name, value in (
                ("status", self.status),
                ("verdict", self.verdict),
                ("family", self.family),
                ("flag", self.flag),
            )
            if value
        ]
        if self.search:
            parts.append(f"/{self.search}")
        return " ".join(parts)

    def with_search(self, text: str) -> Filters:
        return replace(self, search=text)

    def matches(self, f: Finding) -> bool:
        if self.status and f.status.value != self.status:
            return False
        if self.verdict and f.verdict.value != self.verdict:
            return False
        if self.family and family(f) != self.family:
            return False
        if self.flag == "any":
            if not f.flags:
                return False
        elif self.flag and self.flag not in f.flags:
            return False
        return not self.search or self.search.casefold() in search_text(f)


def search_text(f: Finding) -> str:
    """What `/` searches: question text, finding and question ids, controls and titles."""
    refs = " ".join(f"{r} {r.title or ''}" for r in f.question.refs)
    return f"{f.id} {f.question.id} {f.question.text} {refs}".casefold()


def arrange(findings: Iterable[Finding], filters: Filters, sort: str, reverse: bool) -> list[str]:
    """Ids of the findings to show, filtered and sorted."""
    indexed = [(i, f) for i, f in enumerate(findings) if filters.matches(f)]
    indexed.sort(key=lambda pair: sort_key(sort, pair[1], pair[0]), reverse=reverse)
    return [f.id for _, f in indexed]


def next_undecided(
    order: Sequence[str], findings: dict[str, Finding], current: int, step: int
) -> int | None:
    """Row index of the next (step=1) or previous (step=-1) undecided finding, wrapping."""
    n = len(order)
    for k in range(1, n + 1):
        i = (current + step * k) % n
        if is_undecided(findings[order[i]]):
            return i
    return None


class QueueTable(ScrollView, can_focus=True):
    """A virtual table of findings: only the visible lines are rendered.

    DataTable measures every cell of every new row, which made a 5,000-finding queue take
    seconds to load and to re-sort; here a rebuild is a list assignment, a cursor move
    repaints two lines and a scroll renders only the rows not drawn before.
    """

    DEFAULT_CSS = """
    QueueTable {
        background: $surface;
        scrollbar-gutter: stable;
        overflow-x: hidden;
    }
    QueueTable > .queue--header {
        background: $panel;
        color: $text;
        text-style: bold;
    }
    QueueTable > .queue--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    QueueTable > .queue--cursor-blurred {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    """
    COMPONENT_CLASSES = {"queue--header", "queue--cursor", "queue--cursor-blurred"}
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "edge(-1)", "First row", show=False),
        Binding("end", "edge(1)", "Last row", show=False),
    ]
    # (header, key, width); width 0 = the question column, which takes what is left.
    COLUMNS: tuple[tuple[str, str, int], ...] = (
        ("", "mark", 1),
        ("id", "id", 8),  # the first 8 characters, as the CLI prints them
        ("control", "control", 15),
        ("verdict", "verdict", 12),
        ("conf", "confidence", 4),
        ("status", "status", 8),
        ("flags", "flags", 9),
        ("question", "question", 0),
    )
    cursor_row: reactive[int] = reactive(0, always_update=True, init=False)

    class HeaderSelected(Message):
        """A column header was clicked; `key` is the column key."""

        def __init__(self, table: QueueTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> QueueTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._findings: dict[str, Finding] = {}
        self._order: list[str] = []
        # Rendered rows by finding id, then (style, column widths): a scroll by one line
        # renders one new row, not a screenful. Dropped per finding when it changes.
        self._strips: dict[str, dict[tuple[Style, tuple[int, ...]], Strip]] = {}

    # -- data ------------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._order)

    @property
    def current_id(self) -> str | None:
        row = self.cursor_row
        return self._order[row] if 0 <= row < len(self._order) else None

    def show(self, findings: dict[str, Finding], order: Sequence[str], row: int = 0) -> None:
        """Show `order` (finding ids) with the cursor on `row`."""
        self._findings = findings
        self._order = list(order)
        self._resize_virtual()
        self.refresh()
        self.cursor_row = max(0, min(row, len(self._order) - 1))

    def redraw_finding(self, f: Finding) -> None:
        """Redraw one finding's line after a decision (only if it is on screen)."""
        self._findings[f.id] = f
        self._strips.pop(f.id, None)
        top = self.scroll_offset.y
        for row in range(top, min(top + self._body_height, len(self._order))):
            if self._order[row] == f.id:
                self.refresh_line(row + 1)  # line 0 is the header

    def cells(self, fid: str) -> dict[str, str]:
        """Plain text of one row's cells by column key (what a reviewer reads)."""
        f = self._findings[fid]
        values = (*row_cells(f), f.question.text)
        return {
            key: v.plain if isinstance(v, Text) else str(v)
            for (_, key, _), v in zip(self.COLUMNS, values, strict=True)
        }

    # -- geometry --------------------------------------------------------------------------
    def _widths(self) -> list[int]:
        fixed = sum(w + 1 for _, _, w in self.COLUMNS if w)
        free = self.scrollable_content_region.width - fixed
        return [w or max(free, 0) for _, _, w in self.COLUMNS]

    def _resize_virtual(self) -> None:
        width = sum(w + 1 for w in self._widths())
        self.virtual_size = Size(width, len(self._order) + 1)  # +1: the header line

    def on_resize(self) -> None:
        self._resize_virtual()

    @property
    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def watch_cursor_row(self, old: int, row: int) -> None:
        # The screen watches cursor_row to show the selected finding: a message would be late.
        top = self.scroll_offset.y
        if row < top:
            self.scroll_to(y=row, animate=False)  # scrolling repaints every line anyway
        elif row >= top + self._body_height:
            self.scroll_to(y=row - self._body_height + 1, animate=False)
        else:  # only the line the cursor left and the one it is on change
            self.refresh_line(old + 1)  # line 0 is the header
            self.refresh_line(row + 1)

    def move_cursor(self, row: int) -> None:
        if self._order:
            self.cursor_row = max(0, min(row, len(self._order) - 1))

    # -- rendering -------------------------------------------------------------------------
    def _line(self, values: Sequence[Any], widths: list[int], base: Style) -> Text:
        line = Text(style=base, no_wrap=True, end="")
        for value, width in zip(values, widths, strict=True):
            cell = value.copy() if isinstance(value, Text) else Text(str(value))
            cell.truncate(width, overflow="ellipsis", pad=True)
            line.append_text(cell)
            line.append(" ")
        return line

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        widths = self._widths()
        if y == 0:
            style = self.get_component_rich_style("queue--header")
            text = self._line([label for label, _, _ in self.COLUMNS], widths, style)
        else:
            row = scroll_y + y - 1
            if row >= len(self._order):
                return Strip.blank(width, self.rich_style)
            fid = self._order[row]
            if row == self.cursor_row:
                name = "queue--cursor" if self.has_focus else "queue--cursor-blurred"
                style = self.rich_style + self.get_component_rich_style(name)
            else:
                style = self.rich_style
            if len(self._strips) > STRIP_CACHE_ROWS:  # bounded: start again
                self._strips.clear()
            cached = self._strips.setdefault(fid, {})
            key = (style, tuple(widths))
            strip = cached.get(key)
            if strip is None:
                f = self._findings[fid]
                text = self._line((*row_cells(f), f.question.text), widths, style)
                strip = cached[key] = Strip(text.render(self.app.console), text.cell_len)
            return strip.crop_extend(scroll_x, scroll_x + width, style)
        strip = Strip(text.render(self.app.console), text.cell_len)
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- input -----------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_page(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step * self._body_height)

    def action_edge(self, step: int) -> None:
        self.move_cursor(0 if step < 0 else len(self._order) - 1)

    def action_cursor_down(self) -> None:
        self.action_move(1)

    def action_cursor_up(self) -> None:
        self.action_move(-1)

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x = event.x + self.scroll_offset.x
            for (_, key, _), width in zip(self.COLUMNS, self._widths(), strict=True):
                if x < width + 1:
                    self.post_message(self.HeaderSelected(self, key))
                    return
                x -= width + 1
            return
        self.move_cursor(self.scroll_offset.y + event.y - 1)
