"""The whole cited page (PDF) or section (other formats) with the quote still highlighted."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from reviewer.tui.widgets.evidence import HighlightedText, Passage


class PageScreen(Screen[None]):
    BINDINGS = [Binding("escape,o,q", "close", "Back")]

    def __init__(self, passage: Passage) -> None:
        super().__init__()
        self.passage = passage

    def compose(self) -> ComposeResult:
        yield Static(self.passage.title, id="page-title")
        with VerticalScroll(id="page-scroll"):
            yield HighlightedText(id="page-text")
        yield Footer()

    def on_mount(self) -> None:
        text = self.passage.text or "(empty)"
        self.query_one("#page-text", HighlightedText).show(text, self.passage.span)
        self.query_one("#page-scroll", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
