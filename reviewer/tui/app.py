"""`reviewer tui`: the auditor's workbench over the workspace's findings and decision log.

Built the same way by the CLI and the tests (`build_app`); imports nothing heavy, so it opens
fast: the embedding model loads only if the reviewer asks for a re-draft (in a worker).
"""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.app import App
from textual.screen import Screen

from reviewer.tui.screens.queue import QueueScreen, RedraftFn, redraft_with_review
from reviewer.tui.widgets.queue import Filters
from reviewer.workspace import Workspace


class ReviewerApp(App[None]):
    """One workspace, one reviewer; the queue screen is the default screen."""

    CSS_PATH = "app.tcss"
    TITLE = "reviewer"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        ws: Workspace,
        redraft: RedraftFn = redraft_with_review,
        owns_ws: bool = False,
        freeze_gc: bool = False,
        filters: Filters | None = None,
    ) -> None:
        super().__init__()
        self.filters = filters  # what the queue opens on (`reviewer tui --verdict ...`)
        self.ws = ws
        self.owns_ws = owns_ws  # close the workspace on exit only if we opened it
        # Only when the app owns the process (`reviewer tui`): see QueueScreen.load.
        self.freeze_gc = freeze_gc
        self.redraft = redraft
        self.sub_title = ws.settings.reviewer_name()

    def get_default_screen(self) -> Screen[None]:
        return QueueScreen(self.ws, redraft=self.redraft, filters=self.filters)

    @property
    def queue(self) -> QueueScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, QueueScreen)
        return screen

    async def on_event(self, event: events.Event) -> None:
        # A flagged approval needs `a` twice in a row: any other key cancels the first one.
        if isinstance(event, events.Key) and not event.is_forwarded and event.key != "a":
            for screen in self.screen_stack:
                if isinstance(screen, QueueScreen):
                    screen.disarm()
        await super().on_event(event)

    def on_unmount(self) -> None:
        if self.owns_ws:
            self.ws.close()


def build_app(
    workspace: Path | str | None = None,
    ws: Workspace | None = None,
    freeze_gc: bool = False,
    filters: Filters | None = None,
) -> ReviewerApp:
    """The app over `ws`, or over the workspace folder `workspace` (default: settings)."""
    if ws is not None:
        return ReviewerApp(ws, freeze_gc=freeze_gc, filters=filters)
    return ReviewerApp(
        Workspace.open(workspace), owns_ws=True, freeze_gc=freeze_gc, filters=filters
    )


def run_tui(workspace: Path | str | None = None, filters: Filters | None = None) -> None:
    """Open the review TUI on a workspace and return when the reviewer quits."""
    app = build_app(workspace, freeze_gc=True, filters=filters)
    # Open and migrate the database before the screen takes over, so that a bad file is the
    # CLI's one-line error rather than a traceback inside the TUI.
    app.ws.findings.chain_head()
    app.run()
