"""Small modal dialogs; each returns a typed result, or None when dismissed with escape."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from reviewer.models import Finding, RejectReason, Verdict
from reviewer.tui.widgets.queue import FLAG_CODES, Filters

REASON_LABELS: dict[RejectReason, str] = {
    RejectReason.wrong_verdict: "wrong verdict",
    RejectReason.unsupported_citation: "unsupported citation",
    RejectReason.missing_evidence: "missing evidence",
    RejectReason.out_of_scope: "out of scope",
    RejectReason.other: "other (note required)",
}
DRAFTERS: dict[str, str] = {
    "extractive": "extractive: quotes the best evidence, no LLM",
    "local": "local: the embedded GGUF model (llama.cpp)",
    "ollama": "ollama: a model served by Ollama",
    "openai": "openai: any OpenAI-compatible server",
}


@dataclass(frozen=True)
class RejectResult:
    reason: RejectReason
    note: str


@dataclass(frozen=True)
class EditResult:
    """The changed fields only: None means unchanged."""

    verdict: Verdict | None
    rationale: str | None


class RejectModal(ModalScreen[RejectResult | None]):
    """Pick a reason code and write a note; enter in the note (or the button) rejects."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, finding: Finding) -> None:
        super().__init__(classes="dialog-screen")
        self.finding = finding

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Reject {self.finding.id}", classes="dialog-title")
            yield Label("Reason")
            yield Select(
                [(label, reason) for reason, label in REASON_LABELS.items()],
                allow_blank=False,
                value=RejectReason.wrong_verdict,
                id="reason",
                compact=True,
            )
            yield Label("Note")
            yield Input(placeholder="why (optional unless 'other')", id="note")
            yield Static("", id="reject-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Reject", variant="error", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#reason", Select).focus()

    @on(Input.Submitted, "#note")
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        reason = self.query_one("#reason", Select).value
        note = self.query_one("#note", Input).value.strip()
        if not isinstance(reason, RejectReason):
            self.query_one("#reject-error", Static).update("Pick a reason.")
            return
        if reason is RejectReason.other and not note:
            self.query_one("#reject-error", Static).update("A note is required for 'other'.")
            self.query_one("#note", Input).focus()
            return
        self.dismiss(RejectResult(reason, note))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class EditModal(ModalScreen[EditResult | None]):
    """Change the verdict and/or the rationale; ctrl+s saves, escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save", priority=True),
    ]

    def __init__(self, finding: Finding) -> None:
        super().__init__(classes="dialog-screen")
        self.finding = finding

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide"):
            yield Static(f"Edit {self.finding.id}", classes="dialog-title")
            yield Label("Verdict")
            yield Select(
                [(v.value, v) for v in Verdict],
                allow_blank=False,
                value=self.finding.verdict,
                id="verdict",
                compact=True,
            )
            yield Label("Rationale (keep the [E#] markers)")
            yield TextArea(self.finding.rationale, id="rationale", soft_wrap=True)
            yield Static("", id="edit-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save ^s", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#verdict", Select).focus()

    @on(Button.Pressed, "#ok")
    def action_save(self) -> None:
        verdict = self.query_one("#verdict", Select).value
        rationale = self.query_one("#rationale", TextArea).text.strip()
        if not rationale:
            self.query_one("#edit-error", Static).update("The rationale cannot be empty.")
            return
        new_verdict = verdict if isinstance(verdict, Verdict) else None
        result = EditResult(
            verdict=new_verdict if new_verdict != self.finding.verdict else None,
            rationale=rationale if rationale != self.finding.rationale.strip() else None,
        )
        if result.verdict is None and result.rationale is None:
            self.query_one("#edit-error", Static).update("Nothing changed.")
            return
        self.dismiss(result)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class RedraftModal(ModalScreen[str | None]):
    """Choose the drafter for a fresh draft of the selected question."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, finding: Finding) -> None:
        super().__init__(classes="dialog-screen")
        self.finding = finding

    def compose(self) -> ComposeResult:
        used = self.finding.provenance.get("drafter") or self.finding.provenance.get("backend")
        with Vertical(classes="dialog"):
            yield Static(f"Re-draft {self.finding.id}", classes="dialog-title")
            yield Label(f"Drafted by: {used or 'unknown'}. Pick a drafter (enter):")
            yield OptionList(
                *[Option(label, id=name) for name, label in DRAFTERS.items()], id="drafters"
            )

    @on(OptionList.OptionSelected, "#drafters")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class FilterModal(ModalScreen[Filters | None]):
    """Filter the queue by status, verdict, control family and flag; blank means any."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "apply", "Apply", priority=True),
    ]

    def __init__(self, current: Filters, families: list[str], statuses: list[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.current = current
        self.families = families
        self.statuses = statuses

    def compose(self) -> ComposeResult:
        c = self.current
        flags = [("any flag", "any")] + [
            (f"{code} {name}", name) for name, code in FLAG_CODES.items()
        ]
        fields: list[tuple[str, str, list[tuple[str, str]], str | None]] = [
            ("status", "Status", [(s, s) for s in self.statuses], c.status),
            ("verdict", "Verdict", [(v.value, v.value) for v in Verdict], c.verdict),
            ("family", "Family", [(f, f) for f in self.families], c.family),
            ("flag", "Flag", flags, c.flag),
        ]
        with Vertical(classes="dialog"):
            yield Static("Filter the queue (blank = any)", classes="dialog-title")
            for key, label, options, value in fields:
                with Horizontal(classes="filter-row"):
                    yield Label(label, classes="filter-label")
                    known = {v for _, v in options}
                    yield Select(
                        options,
                        prompt="any",
                        value=value if value in known else Select.NULL,
                        id=f"filter-{key}",
                        compact=True,
                    )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply ^s", variant="primary", id="ok")
                yield Button("Clear", id="clear")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#filter-status", Select).focus()

    def _value(self, key: str) -> str | None:
        value = self.query_one(f"#filter-{key}", Select).value
        return value if isinstance(value, str) else None

    @on(Button.Pressed, "#ok")
    def action_apply(self) -> None:
        self.dismiss(
            Filters(
                status=self._value("status"),
                verdict=self._value("verdict"),
                family=self._value("family"),
                flag=self._value("flag"),
                search=self.current.search,
            )
        )

    @on(Button.Pressed, "#clear")
    def clear(self) -> None:
        self.dismiss(Filters(search=self.current.search))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
