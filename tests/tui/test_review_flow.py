"""Pilot tests: drive the workbench with keys, assert on the database and the decision log."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from textual.pilot import Pilot
from textual.widgets import TextArea

from reviewer.models import DecisionAction, FindingStatus, RejectReason, Verdict
from reviewer.tui.app import ReviewerApp, build_app
from reviewer.tui.screens.modals import EditModal, RejectModal
from reviewer.tui.screens.queue import CONFIRM_HINT, QueueScreen
from reviewer.workspace import Workspace
from tests.tui.tui_fixtures import REVIEWER

Scenario = Callable[[ReviewerApp, Pilot[None]], Awaitable[None]]


def drive(ws: Workspace, scenario: Scenario, size: tuple[int, int] = (80, 24)) -> ReviewerApp:
    """Run the app headless at `size` and play `scenario` against it."""
    app = build_app(ws=ws)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())
    return app


async def select_row(app: ReviewerApp, pilot: Pilot[None], fid: str) -> None:
    """Move the queue cursor to `fid` with j/k presses, as a reviewer would."""
    queue = app.queue
    target = queue.order.index(fid)
    while queue.table.cursor_row != target:
        await pilot.press("j" if queue.table.cursor_row < target else "k")
    await pilot.pause()
    assert queue.current_id == fid


def status_of(ws: Workspace, fid: str) -> FindingStatus:
    f = ws.findings.get_finding(fid)
    assert f is not None
    return f.status


def test_queue_shows_undecided_first_and_who_is_reviewing(workspace: Workspace) -> None:
    seen: dict[str, object] = {}

    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        queue = app.queue
        seen["order"] = list(queue.order)
        seen["rows"] = queue.table.row_count
        seen["status"] = str(queue.query_one("#status").render())
        seen["current"] = queue.current_id

    drive(workspace, scenario)
    order = seen["order"]
    assert isinstance(order, list)
    statuses = [status_of(workspace, fid) for fid in order]
    undecided = [s in (FindingStatus.draft, FindingStatus.stale) for s in statuses]
    assert undecided == sorted(undecided, reverse=True), "undecided findings come first"
    assert seen["rows"] == 8
    assert REVIEWER in str(seen["status"]) and "2/8 reviewed" in str(seen["status"])
    assert seen["current"] == order[0]


def test_approve_writes_the_log_before_the_screen_changes(workspace: Workspace) -> None:
    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        await select_row(app, pilot, "f01")
        await pilot.press("a")
        await pilot.pause()
        assert app.queue.findings["f01"].status is FindingStatus.approved
        assert app.queue.table.cells("f01")["status"] == "approved"
        assert "3/8 reviewed" in str(app.queue.query_one("#status").render())

    drive(workspace, scenario)
    assert status_of(workspace, "f01") is FindingStatus.approved
    decisions = workspace.findings.decisions("f01")
    assert [d.action for d in decisions] == [DecisionAction.approve]
    assert decisions[0].reviewer == REVIEWER
    assert decisions[0].before["status"] == "draft"
    assert workspace.verify_log().ok


def test_flagged_finding_needs_a_second_a(workspace: Workspace) -> None:
    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        queue = app.queue
        await select_row(app, pilot, "f03")  # injection-flagged
        await pilot.press("a")
        await pilot.pause()
        assert queue.armed == "f03" and queue.hint == CONFIRM_HINT
        assert status_of(workspace, "f03") is FindingStatus.draft
        await pilot.press("x")  # any other key cancels the pending approval
        await pilot.press("a")
        await pilot.pause()
        assert status_of(workspace, "f03") is FindingStatus.draft
        assert queue.armed == "f03"
        await pilot.press("a")
        await pilot.pause()
        assert status_of(workspace, "f03") is FindingStatus.approved
        assert queue.armed is None and queue.hint == ""

        await select_row(app, pilot, "f05")  # stale
        await pilot.press("a", "j", "k", "a")  # moving away cancels too
        await pilot.pause()
        assert status_of(workspace, "f05") is FindingStatus.stale

    drive(workspace, scenario)
    assert [d.finding_id for d in workspace.findings.decisions()] == ["f03"]


def test_reject_through_the_modal_with_reason_and_note(workspace: Workspace) -> None:
    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        await select_row(app, pilot, "f02")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, RejectModal)
        await pilot.press("escape")  # cancelling writes nothing
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        assert workspace.findings.decisions("f02") == []

        await pilot.press("r")
        await pilot.pause()
        # Reason select: open it, move from "wrong verdict" down two to "missing evidence".
        await pilot.press("enter", "down", "down", "enter")
        await pilot.press("tab")
        await pilot.press(*"no handling rule for Confidential")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)

    drive(workspace, scenario)
    assert status_of(workspace, "f02") is FindingStatus.rejected
    (decision,) = workspace.findings.decisions("f02")
    assert decision.action is DecisionAction.reject
    assert decision.reason_code is RejectReason.missing_evidence
    assert decision.note == "no handling rule for Confidential"
    assert workspace.verify_log().ok


def test_reject_other_needs_a_note(workspace: Workspace) -> None:
    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        await select_row(app, pilot, "f02")
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("enter", "down", "down", "down", "down", "enter")  # "other"
        await pilot.press("tab", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RejectModal), "no note: the dialog stays open"
        await pilot.press("escape")

    drive(workspace, scenario)
    assert workspace.findings.decisions("f02") == []


def test_edit_records_verdict_and_rationale_before_and_after(workspace: Workspace) -> None:
    new_rationale = "Restricted data is encrypted [E1]; Confidential handling is undocumented."

    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        await select_row(app, pilot, "f02")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditModal)
        # Verdict select: partial -> nonconformity (one down).
        await pilot.press("enter", "down", "enter")
        app.screen.query_one("#rationale", TextArea).load_text(new_rationale)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        assert app.queue.findings["f02"].rationale == new_rationale

    drive(workspace, scenario)
    f = workspace.findings.get_finding("f02")
    assert f is not None
    assert f.status is FindingStatus.edited
    assert f.verdict is Verdict.nonconformity and f.rationale == new_rationale
    (decision,) = workspace.findings.decisions("f02")
    assert decision.before["verdict"] == "partial" and decision.after["verdict"] == "nonconformity"
    assert decision.before["rationale"] != new_rationale
    assert decision.after["rationale"] == new_rationale
    assert workspace.verify_log().ok


def test_undo_is_a_compensating_decision_and_errors_change_nothing(workspace: Workspace) -> None:
    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        await select_row(app, pilot, "f01")
        await pilot.press("a")
        await pilot.pause()
        assert status_of(workspace, "f01") is FindingStatus.approved
        await pilot.press("u")
        await pilot.pause()
        assert app.queue.findings["f01"].status is FindingStatus.draft
        await pilot.press("u")  # nothing left to undo: the core refuses, the screen says so
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("nothing to undo" in m for m in messages)
        assert app.queue.findings["f01"].status is FindingStatus.draft

    drive(workspace, scenario)
    decisions = workspace.findings.decisions("f01")
    assert [d.action for d in decisions] == [DecisionAction.approve, DecisionAction.undo]
    assert decisions[1].after["undoes"] == decisions[0].seq
    assert status_of(workspace, "f01") is FindingStatus.draft
    check = workspace.verify_log()
    assert check.ok and check.count == 2


def test_filter_by_status_and_verdict_through_the_modal(workspace: Workspace) -> None:
    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        queue = app.queue
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("enter", "down", "enter")  # status: any -> draft
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert queue.filters.status == "draft"
        assert set(queue.order) == {"f01", "f02", "f03", "f04", "f08"}

        await pilot.press("f")
        await pilot.pause()
        await pilot.press("tab", "enter", "down", "down", "enter")  # verdict: any -> partial
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert (queue.filters.status, queue.filters.verdict) == ("draft", "partial")
        assert queue.order == ["f08", "f02"]
        assert "2 shown" in str(queue.query_one("#status").render())

        await pilot.press("F")
        await pilot.pause()
        assert len(queue.order) == 8

    drive(workspace, scenario)


def test_search_over_question_id_and_control(workspace: Workspace) -> None:
    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        queue = app.queue
        await pilot.press("slash", *"adversarial")
        await pilot.pause()
        assert queue.order == ["f04"]
        await pilot.press("enter")  # keep the search, back to the queue
        assert queue.table.has_focus
        await pilot.press("slash")
        search = queue.query_one("#search")
        await pilot.press(*(["backspace"] * 11), *"a.15.1")
        await pilot.pause()
        assert sorted(queue.order) == ["f06", "f07"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(queue.order) == 8 and not search.display

    drive(workspace, scenario)


def test_next_and_previous_undecided_wrap_around(workspace: Workspace) -> None:
    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        queue = app.queue
        visited = [queue.current_id]
        for _ in range(6):
            await pilot.press("n")
            visited.append(queue.current_id)
        await pilot.press("p")
        visited.append(queue.current_id)
        undecided = [
            fid for fid in queue.order if queue.findings[fid].status.value in ("draft", "stale")
        ]
        assert visited[:6] == undecided
        assert visited[6] == undecided[0], "n wraps to the first undecided finding"
        assert visited[7] == undecided[-1], "p wraps back to the last"

    drive(workspace, scenario)


def test_citations_evidence_highlight_and_full_page(workspace: Workspace) -> None:
    from reviewer.tui.screens.page import PageScreen
    from reviewer.tui.widgets.evidence import HighlightedText

    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        await select_row(app, pilot, "f01")
        f = app.queue.findings["f01"]
        text = app.queue.query_one("#evidence-text", HighlightedText)
        for index in (0, 1):
            if index:
                await pilot.press("right_square_bracket")
                await pilot.pause()
            c = f.citations[index]
            chunk = workspace.docs.chunks([c.chunk_id])[c.chunk_id]
            assert text.plain == chunk.text
            assert text.span is not None
            start, end = text.span
            assert chunk.text[start:end] == c.quote
        await pilot.press("left_square_bracket")
        await pilot.pause()
        await pilot.press("o")  # E1 is on page 1 of the PDF
        await pilot.pause()
        assert isinstance(app.screen, PageScreen)
        passage = app.screen.passage
        assert "page 1 of 2" in passage.title
        assert passage.span is not None
        assert passage.text[passage.span[0] : passage.span[1]] == f.citations[0].quote
        await pilot.press("escape")
        await pilot.press("right_square_bracket", "o")  # E2: a Markdown section
        await pilot.pause()
        assert isinstance(app.screen, PageScreen)
        assert "section Churn classifier > Training data" in app.screen.passage.title

    drive(workspace, scenario)


def test_coverage_screen_counts_the_queue(workspace: Workspace) -> None:
    from textual.widgets import DataTable

    from reviewer.tui.screens.coverage import CoverageScreen

    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CoverageScreen)
        table = app.screen.query_one("#coverage", DataTable)
        assert table.row_count == 5 + 8 + 1  # families, controls, total
        assert "2/8 reviewed" in str(app.screen.query_one("#coverage-summary").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)

    drive(workspace, scenario)


def test_help_lists_every_binding(workspace: Workspace) -> None:
    from textual.binding import Binding
    from textual.keys import format_key

    from reviewer.tui.screens.help import HelpScreen

    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for binding in QueueScreen.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.description in text
            for key in binding.key.split(","):
                assert format_key(key) in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)

    drive(workspace, scenario)


def test_sort_cycles_with_s_and_by_clicking_a_header(workspace: Workspace) -> None:
    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        queue = app.queue
        await pilot.press("s")  # queue -> id
        await pilot.pause()
        assert queue.sort == "id" and queue.order == sorted(queue.order)
        await pilot.press("S")
        await pilot.pause()
        assert queue.order == sorted(queue.order, reverse=True)
        # Click the "conf" header: mark(1) id(12) control(15) verdict(12), one space after each.
        await pilot.click("#queue", offset=(2 + 13 + 16 + 13, 0))
        await pilot.pause()
        confidences = [queue.findings[fid].confidence for fid in queue.order]
        assert queue.sort == "confidence" and confidences == sorted(confidences, reverse=True)
        await pilot.click("#queue", offset=(2 + 13 + 16 + 13, 0))
        await pilot.pause()
        assert queue.reverse, "a second click on the same header reverses the order"

    drive(workspace, scenario)


def test_a_decision_taken_elsewhere_is_not_overruled_from_a_stale_screen(
    workspace: Workspace,
) -> None:
    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        queue = app.queue
        await select_row(app, pilot, "f01")
        # another reviewer rejects f01 from the CLI while this screen still shows it as draft
        workspace.decide("f01", "reject", reason="wrong_verdict", reviewer="someone.else")
        await pilot.press("u")  # would undo the other reviewer's rejection
        await pilot.pause()
        assert status_of(workspace, "f01") is FindingStatus.rejected
        assert queue.findings["f01"].status is FindingStatus.rejected  # re-read, shown
        workspace.decide("f02", "approve", reviewer="someone.else")
        await pilot.press("R")
        await pilot.pause()
        assert queue.findings["f02"].status is FindingStatus.approved

    drive(workspace, scenario)
    assert [d.reviewer for d in workspace.findings.decisions()] == ["someone.else"] * 2


def test_a_decision_moves_on_to_the_next_undecided_and_u_comes_back(workspace: Workspace) -> None:
    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        queue = app.queue
        await select_row(app, pilot, "f01")
        start = queue.order.index("f01")
        await pilot.press("a")
        await pilot.pause()
        assert queue.current_id != "f01"
        assert queue.table.cursor_row > start
        assert queue.findings[queue.current_id].status is FindingStatus.draft  # undecided
        await pilot.press("u")  # back to f01 and undo it there
        await pilot.pause()
        assert queue.current_id == "f01"
        assert queue.findings["f01"].status is FindingStatus.draft

    drive(workspace, scenario)
    assert [d.action for d in workspace.findings.decisions("f01")] == [
        DecisionAction.approve,
        DecisionAction.undo,
    ]


def test_the_warning_banner_asks_for_a_second_a_only_while_it_applies(workspace: Workspace) -> None:
    from reviewer.tui.widgets.detail import banner_text

    flagged = workspace.findings.get_finding("f03")
    assert flagged is not None and flagged.flags
    assert "needs a second a" in str(banner_text(flagged))
    approved = flagged.model_copy(update={"status": FindingStatus.approved})
    assert "second a" not in str(banner_text(approved))
    failed = flagged.model_copy(update={"status": FindingStatus.failed})
    assert "cannot be approved" in str(banner_text(failed))


def test_an_abstention_lists_its_closest_passages_highlighted_in_their_page(
    workspace: Workspace,
) -> None:
    from reviewer.models import Finding
    from reviewer.tui.screens.page import PageScreen
    from reviewer.tui.widgets.evidence import HighlightedText

    donor = workspace.findings.get_finding("f01")
    assert donor is not None
    near = donor.citations[0]
    workspace.findings.save_finding(
        Finding(
            id="f99",
            run_id="r-fixture",
            question=donor.question.model_copy(update={"id": "q-near"}),
            verdict=Verdict.insufficient_evidence,
            rationale="The documents reviewed do not address this requirement.",
            provenance={"drafter": "extractive", "closest": [near.model_dump(mode="json")]},
        )
    )

    async def scenario(app: ReviewerApp, pilot: Pilot[None]) -> None:
        await select_row(app, pilot, "f99")
        queue = app.queue
        assert "Closest passages" in str(queue.query_one("#citations-title").render())
        text = queue.query_one("#evidence-text", HighlightedText)
        assert text.span is not None
        assert text.plain[text.span[0] : text.span[1]] == near.quote
        assert "closest passage, not evidence" in str(queue.query_one("#evidence-meta").render())
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, PageScreen)
        passage = app.screen.passage
        assert passage.span is not None
        assert passage.text[passage.span[0] : passage.span[1]] == near.quote
        await pilot.press("escape")
        await pilot.pause()
        await select_row(app, pilot, "f01")  # a finding with citations: the usual title
        assert str(queue.query_one("#citations-title").render()).startswith("Citations")

    drive(workspace, scenario)
