"""Re-drafting runs in a worker thread and reports back by message; the TUI starts light."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reviewer.models import Finding, FindingStatus, Verdict
from reviewer.tui.app import ReviewerApp
from reviewer.tui.screens.modals import RedraftModal
from reviewer.tui.screens.queue import Progress
from reviewer.workspace import Workspace

HEAVY = ("torch", "chromadb", "sentence_transformers", "llama_cpp", "transformers")


def fake_redraft(calls: list[tuple[str, str, str]]):  # type: ignore[no-untyped-def]
    """A re-draft that stores a new finding through the worker's own workspace, no model."""

    def redraft(ws: Workspace, finding: Finding, drafter: str, progress: Progress) -> Finding:
        calls.append((finding.id, drafter, threading.current_thread().name))
        progress(f"re-drafting {finding.question.id} with {drafter} (1/1)...")
        new = finding.model_copy(
            update={
                "id": finding.id + "-v2",
                "verdict": Verdict.insufficient_evidence,
                "rationale": "No verified evidence after re-drafting.",
                "citations": [],
                "flags": [],
                "status": FindingStatus.draft,
                "provenance": {"drafter": drafter},
                "created_at": "2025-04-01T09:00:00+00:00",
            }
        )
        ws.findings.save_finding(new)
        return new

    return redraft


def run(app: ReviewerApp, scenario) -> None:  # type: ignore[no-untyped-def]
    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await scenario(pilot)

    asyncio.run(main())


def test_redraft_runs_in_a_worker_and_replaces_the_row(workspace: Workspace) -> None:
    calls: list[tuple[str, str, str]] = []
    app = ReviewerApp(workspace, redraft=fake_redraft(calls))

    async def scenario(pilot: Pilot[None]) -> None:
        queue = app.queue
        assert queue.current_id == "f03"
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, RedraftModal)
        await pilot.press("down", "enter")  # second drafter in the list: local
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "f03" not in queue.findings and "f03-v2" in queue.findings
        assert queue.current_id == "f03-v2"
        assert queue.hint == ""
        assert len(queue.order) == 8

    run(app, scenario)
    assert [(fid, drafter) for fid, drafter, _ in calls] == [("f03", "local")]
    assert calls[0][2] != threading.main_thread().name, "the drafter ran off the UI thread"
    current = {f.id for f in workspace.current_findings()}
    assert "f03-v2" in current and "f03" not in current


def test_redraft_failure_is_one_line_and_changes_nothing(workspace: Workspace) -> None:
    def broken(ws: Workspace, finding: Finding, drafter: str, progress: Progress) -> Finding:
        raise RuntimeError("ollama: connection refused at 127.0.0.1:11434\nTraceback ...")

    app = ReviewerApp(workspace, redraft=broken)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("d", "down", "down", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert "ollama: connection refused at 127.0.0.1:11434" in messages
        assert "f03" in app.queue.findings and len(app.queue.findings) == 8

    run(app, scenario)


def test_opening_the_queue_imports_no_model_libraries(workspace: Workspace) -> None:
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from reviewer.tui.app import build_app

        async def main():
            app = build_app({str(workspace.root)!r})
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                assert app.queue.table.row_count == 8, app.queue.table.row_count
                await pilot.press("j", "]", "c")
                await pilot.pause()

        asyncio.run(main())
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})
        print("HEAVY:", ",".join(heavy))
        """
    )
    workspace.close()  # let the child open the database on its own
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(workspace.root).parent,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("HEAVY:")]
    assert line.strip() == "HEAVY:", f"imported at start-up: {line}"


def test_empty_workspace_opens_with_a_hint(tmp_path: Path) -> None:
    from textual.widgets import Static

    ws = Workspace.open(tmp_path / "empty")
    app = ReviewerApp(ws)

    async def scenario(pilot: Pilot[None]) -> None:
        assert app.queue.table.row_count == 0
        body = str(app.queue.query_one("#detail-body", Static).render())
        assert "No findings in this workspace yet" in body
        await pilot.press("a", "n", "c")  # nothing selected: no crash, nothing written
        await pilot.pause()

    run(app, scenario)
    assert ws.findings.decisions() == []
    ws.close()


def test_a_broken_database_fails_before_the_screen_starts(tmp_path: Path) -> None:
    from reviewer.store.db import StoreError
    from reviewer.tui.app import run_tui

    root = tmp_path / "ws"
    root.mkdir()
    (root / "reviewer.db").write_bytes(b"this is not a database, just bytes" * 40)
    with pytest.raises(StoreError, match="reviewer.db"):
        run_tui(root)
