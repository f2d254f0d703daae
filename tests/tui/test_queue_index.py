"""The queue's shortcuts for large queues: cached orders, searches and rows stay correct."""

from __future__ import annotations

import asyncio

import pytest
from textual.pilot import Pilot

from reviewer.models import Finding, FindingStatus, Verdict
from reviewer.tui.app import ReviewerApp, build_app
from reviewer.tui.queue_index import QueueIndex
from reviewer.tui.widgets.queue import SORTS, Filters, arrange
from reviewer.workspace import Workspace

STATUSES = list(FindingStatus)
VERDICTS = list(Verdict)


def many_findings(ws: Workspace, copies: int = 6) -> dict[str, Finding]:
    """The fixture findings, copied with varied status, verdict, confidence and flags."""
    base = ws.current_findings()
    out: dict[str, Finding] = {}
    for k in range(copies):
        for i, f in enumerate(base):
            n = k * len(base) + i
            copy = f.model_copy(
                update={
                    "id": f"{f.id}-{k}",
                    "status": STATUSES[n % len(STATUSES)],
                    "verdict": VERDICTS[(n // 2) % len(VERDICTS)],
                    "confidence": ((n * 37) % 100) / 100,
                    "flags": f.flags if k % 2 else [],
                }
            )
            out[copy.id] = copy
    return out


FILTERS = [
    Filters(),
    Filters(status="draft"),
    Filters(verdict="partial", flag="any"),
    Filters(search="a.8"),
    Filters(status="approved", search="f0"),
]


def test_every_sort_and_filter_matches_a_fresh_arrange(workspace: Workspace) -> None:
    findings = many_findings(workspace)
    index = QueueIndex(dict(findings))
    for filters in FILTERS:
        for sort in SORTS:
            for reverse in (False, True):
                expected = arrange(findings.values(), filters, sort, reverse)
                assert index.arrange(filters, sort, reverse) == expected, (filters, sort, reverse)


def test_typing_and_deleting_a_search_matches_a_fresh_arrange(workspace: Workspace) -> None:
    findings = many_findings(workspace)
    index = QueueIndex(dict(findings))
    word = "f01-3"
    typed = [word[:i] for i in range(1, len(word) + 1)]
    for text in typed + typed[::-1] + [""]:
        filters = Filters(search=text)
        got = index.arrange(filters, "confidence", False)
        assert got == arrange(findings.values(), filters, "confidence", False), text
    assert index.arrange(Filters(search=word), "confidence", False) == ["f01-3"]


def test_decisions_move_a_finding_in_every_cached_order(workspace: Workspace) -> None:
    findings = many_findings(workspace)
    index = QueueIndex(dict(findings))
    for sort in SORTS:  # cache every order before the changes
        index.arrange(Filters(), sort, False)
    changes = [
        ("f01-0", FindingStatus.approved, None),
        ("f03-2", FindingStatus.rejected, None),
        ("f05-5", FindingStatus.edited, Verdict.nonconformity),
        ("f01-0", FindingStatus.draft, None),  # an undo back to draft
    ]
    for fid, status, verdict in changes:
        update: dict[str, object] = {"status": status}
        if verdict is not None:
            update["verdict"] = verdict
        findings[fid] = findings[fid].model_copy(update=update)
        index.replace(findings[fid])
        reviewed = sum(
            f.status in (FindingStatus.approved, FindingStatus.rejected, FindingStatus.edited)
            for f in findings.values()
        )
        assert index.reviewed == reviewed
        for sort in SORTS:
            for reverse in (False, True):
                for filters in (Filters(), Filters(status="draft")):
                    expected = arrange(findings.values(), filters, sort, reverse)
                    assert index.arrange(filters, sort, reverse) == expected, (fid, sort)


def test_the_drawn_row_shows_a_decision_after_sorting(workspace: Workspace) -> None:
    """Rows are cached as rendered strips: a decision must reach the drawn line, not only data."""
    app = build_app(ws=workspace)
    lines: dict[str, str] = {}

    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        queue = app.queue
        await pilot.press("s")  # sort by id, so every row has been drawn once
        await pilot.pause()
        fid = next(
            f
            for f in queue.order
            if queue.findings[f].status is FindingStatus.draft and not queue.findings[f].flags
        )
        target = queue.order.index(fid)
        while queue.table.cursor_row != target:
            await pilot.press("j" if queue.table.cursor_row < target else "k")
        await pilot.pause()
        row = queue.order.index(fid)
        line = row - queue.table.scroll_offset.y + 1  # line 0 is the header
        lines["before"] = queue.table.render_line(line).text
        await pilot.press("a")
        await pilot.pause()
        lines["after"] = queue.table.render_line(line).text
        lines["status"] = str(queue.query_one("#status").render())
        await pilot.press("s", "s", "s", "s")  # control, verdict, confidence, status
        await pilot.pause()
        assert queue.sort == "status"
        approved = [f for f in queue.order if queue.findings[f].status is FindingStatus.approved]
        assert fid in approved

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())
    assert " draft " in lines["before"] and " approved" not in lines["before"]
    assert " approved" in lines["after"]
    assert "3/8 reviewed" in lines["status"]


@pytest.mark.parametrize("freeze", [False, True])
def test_only_the_tui_process_freezes_the_loaded_findings(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, freeze: bool
) -> None:
    """`reviewer tui` exempts the loaded queue from full collections; embedders keep their GC."""
    import reviewer.tui.screens.queue as queue_screen

    calls: list[int] = []
    monkeypatch.setattr(queue_screen.gc, "freeze", lambda: calls.append(1))
    app = build_app(ws=workspace, freeze_gc=freeze)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.queue.table.row_count == 8

    asyncio.run(main())
    assert calls == ([1] if freeze else [])


def test_the_queue_opens_on_the_filters_it_is_given(workspace: Workspace) -> None:
    """`reviewer tui --verdict ...`: the first screen already shows only the matching findings."""
    current = workspace.current_findings()
    verdict = current[0].verdict.value
    expected = sum(f.verdict.value == verdict for f in current)
    assert 0 < expected < len(current)
    app = build_app(ws=workspace, filters=Filters(verdict=verdict))

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.queue.table.row_count == expected
            await pilot.press("F")  # clears the filters, as for filters set in the TUI
            await pilot.pause()
            assert app.queue.table.row_count == len(current)

    asyncio.run(main())
