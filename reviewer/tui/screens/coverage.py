"""Coverage: per control family and per control, counts by verdict and status, % reviewed."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from reviewer.findings_view import coverage_rows
from reviewer.models import Finding

# (header, key in the row, sub-key): short headers so the table fits 80 columns; the legend
# under the summary spells them out.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("family / control", "control", ""),
    ("n", "n", ""),
    ("C", "verdicts", "conformant"),
    ("P", "verdicts", "partial"),
    ("NC", "verdicts", "nonconformity"),
    ("IE", "verdicts", "insufficient_evidence"),
    ("dr", "statuses", "draft"),
    ("ap", "statuses", "approved"),
    ("rj", "statuses", "rejected"),
    ("ed", "statuses", "edited"),
    ("st", "statuses", "stale"),
    ("rev", "reviewed_pct", ""),
    ("flag", "flagged", ""),
)
LEGEND = (
    "verdicts: C conformant, P partial, NC nonconformity, IE insufficient evidence\n"
    "statuses: dr draft, ap approved, rj rejected, ed edited, st stale; rev = % reviewed"
)


def coverage_cells(row: dict[str, Any]) -> list[Any]:
    cells: list[Any] = []
    for _, key, sub in COLUMNS:
        value = row[key][sub] if sub else row[key]
        if key == "control":  # a family row names the family, its control rows are indented
            if value == "(all)":
                value = Text(row["family"], style="bold")
            elif row["family"] == "TOTAL":
                value = Text("TOTAL", style="bold reverse")
            else:
                value = Text(f"  {value}")
        elif key == "reviewed_pct":
            pct = float(value)
            style = "green" if pct >= 100 else ("yellow" if pct > 0 else "red")
            value = Text(f"{pct:.0f}%", style=style)
        elif key == "flagged":
            value = Text(str(value), style="bold yellow" if value else "")
        elif value == 0:
            value = Text("0", style="dim")
        cells.append(value)
    return cells


class CoverageScreen(Screen[None]):
    """How far the review has got, per control family and control."""

    BINDINGS = [
        Binding("escape,c,q", "close", "Back"),
    ]

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__()
        self.findings = findings

    def compose(self) -> ComposeResult:
        rows = coverage_rows(self.findings)
        total = rows[-1] if rows else None
        summary = (
            f"Coverage: {total['reviewed']}/{total['n']} reviewed ({total['reviewed_pct']:.0f}%), "
            f"{total['flagged']} flagged"
            if total
            else "Coverage: no findings yet"
        )
        yield Static(summary, id="coverage-summary")
        yield Static(LEGEND, id="coverage-legend")
        table: DataTable[Any] = DataTable(id="coverage", cursor_type="row", zebra_stripes=True)
        table.add_columns(*(header for header, _, _ in COLUMNS))
        for row in rows:
            table.add_row(*coverage_cells(row))
        yield table
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
