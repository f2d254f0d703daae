"""Every key the queue understands, generated from the bindings so it cannot drift."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from reviewer.tui.widgets.queue import FLAG_CODES

NOTES = (
    "Default order (sort queue): undecided first, flagged among them first, then as drafted.",
    "Markers: ! red = injection flag, ! yellow = other flag or failed, ~ = stale.",
    "Flag codes: " + ", ".join(f"{code} {name}" for name, code in FLAG_CODES.items()) + ".",
    "Flagged, stale or failed findings need a second a to approve; any other key cancels.",
    "Filters (f): status, verdict, control family, flag; F clears them and the search.",
    "Search (/): question text, ids, controls; enter keeps it, escape clears it.",
    "a, r and e move on to the next undecided finding; u goes back and undoes the last decision.",
    "Decisions are written to the hash-chained log before the screen changes.",
)


def help_text(rows: list[tuple[str, str]]) -> Text:
    out = Text()
    width = max(len(keys) for keys, _ in rows)
    for keys, description in rows:
        out.append(f"  {keys.ljust(width)}  ", style="bold cyan")
        out.append(description + "\n")
    out.append("\n")
    for note in NOTES:
        out.append(note + "\n", style="dim")
    return out


class HelpScreen(ModalScreen[None]):
    """The key list; escape, q or ? closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__(classes="dialog-screen")
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog dialog-wide", id="help"):
            yield Static("Keys", classes="dialog-title")
            yield Static(help_text(self.rows), id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help", VerticalScroll).focus()  # so up/down/page keys scroll it

    def action_close(self) -> None:
        self.dismiss(None)
