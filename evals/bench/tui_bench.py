"""TUI responsiveness on a large queue: load time and keypress-to-render latency.

    python -m evals.bench.tui_bench [--n 5000] [--json out.json]

Builds a throw-away workspace with N synthetic findings (no model), opens the app headless and
times how long the queue takes to appear. Then, per key, from the key reaching the app: the frame
that shows its effect (`median_ms`/`p95_ms`: the first frame from which the screen no longer
changes), the first and the last frame it causes, and the process CPU time spent (see FrameClock).
Pilot's press + pause is reported once, for a key that does nothing: that floor of idle checks
(about 65 ms) is what the figures before this measure mostly were.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONTROLS = [
    ("A.8.2.1", "Classification of information", "A.8.2"),
    ("A.8.2.3", "Handling of assets", "A.8.2"),
    ("A.12.6.1", "Management of technical vulnerabilities", "A.12.6"),
    ("A.14.2.1", "Secure development policy", "A.14.2"),
    ("A.14.2.5", "Secure system engineering principles", "A.14.2"),
    ("A.15.1.1", "Information security policy for supplier relationships", "A.15.1"),
    ("A.15.1.2", "Addressing security within supplier agreements", "A.15.1"),
]
EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
TEXT = (
    "Every training dataset is classified before it enters the feature store. Model releases "
    "are tagged with the pipeline commit. Suppliers of AI services are assessed every year. "
)


def build_workspace(root: Path, n: int) -> Any:
    """A workspace with one document and `n` draft findings citing it (5% flagged)."""
    from reviewer.models import (
        Chunk,
        Citation,
        ControlRef,
        DocType,
        Document,
        Finding,
        Question,
        Verdict,
    )
    from reviewer.workspace import Workspace

    ws = Workspace.open(root)
    # A throw-away database: skip fsync per finding so building 5,000 takes seconds, not minutes.
    ws.conn.execute("PRAGMA synchronous = OFF")
    sha = hashlib.sha256(TEXT.encode()).hexdigest()
    chunk = Chunk(
        id="doc-0",
        doc_id="doc",
        doc_sha256=sha,
        path="policy.txt",
        ordinal=0,
        char_start=0,
        char_end=len(TEXT),
        doc_type=DocType.policy,
        text=TEXT,
    )
    doc = Document(
        id="doc", path="policy.txt", source_path=str(root / "policy.txt"), sha256=sha,
        doc_type=DocType.policy, title="policy",
    )  # fmt: skip
    ws.docs.replace(doc, [chunk], TEXT, [], [])
    quote = "Model releases are tagged with the pipeline commit"
    start = TEXT.index(quote)
    verdicts = list(Verdict)
    for i in range(n):
        control, title, family = CONTROLS[i % len(CONTROLS)]
        q = Question(
            id=f"q{i:05d}",
            text=f"Synthetic question {i} about {title.lower()}?",
            refs=[ControlRef(framework="ISO27001", edition="2013", control=control, title=title)],
            family=family,
            bank="bench",
        )
        ws.findings.save_finding(
            Finding(
                id=f"f{i:05d}",
                run_id="r-bench",
                question=q,
                verdict=verdicts[i % len(verdicts)],
                rationale=f"Releases are tagged [E1] (finding {i}).",
                citations=[
                    Citation(
                        label="E1",
                        chunk_id="doc-0",
                        quote=quote,
                        path="policy.txt",
                        doc_sha256=sha,
                        verified=True,
                        char_start=start,
                        char_end=start + len(quote),
                    )  # fmt: skip
                ],
                confidence=(i % 100) / 100,
                flags=["unverified_quote"] if i % 20 == 0 else [],
                source={"kind": "bank", "bank": "bench"},
                created_at=(EPOCH + dt.timedelta(seconds=i)).isoformat(),
            )
        )
    # Back to what Workspace.open sets, so that each approval in the benchmark pays its fsync.
    ws.conn.execute("PRAGMA synchronous = FULL")
    return ws


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _stats(samples: list[float]) -> tuple[float, float]:
    """Median and p95 (nearest rank) of durations in seconds, in milliseconds."""
    ms = sorted(samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return _ms(statistics.median(ms)), _ms(p95)


@dataclass
class Sample:
    """One key: when it reached the app and when the frames it caused were painted."""

    first: float | None  # key sent -> first frame painted (None: the key changed nothing)
    shown: float | None  # key sent -> first frame from which the screen no longer changes
    last: float | None  # key sent -> last frame before the app went quiet (settled)
    cpu: float  # process CPU time from the key to that last frame: the work, without waits
    frames: int


def summary(samples: list[Sample]) -> dict[str, Any]:
    """Median and p95 of key -> shown (the headline), first and last frame, CPU; frame count."""
    painted = [s for s in samples if s.shown is not None and s.first is not None]
    out: dict[str, Any] = {"n": len(samples), "painted": len(painted)}
    if painted:
        for name, values in (
            ("", [s.shown for s in painted]),
            ("first_frame_", [s.first for s in painted]),
            ("last_frame_", [s.last for s in painted]),
        ):
            out[f"{name}median_ms"], out[f"{name}p95_ms"] = _stats(
                [v for v in values if v is not None]
            )
        out["frames_median"] = statistics.median(s.frames for s in painted)
    out["cpu_median_ms"], out["cpu_p95_ms"] = _stats([s.cpu for s in samples])
    return out


class FrameClock:
    """Times keys from the moment they reach the app to the frame that shows their effect.

    A key is posted straight to the app, as the terminal driver does, instead of through
    Pilot.press + pause, whose idle checks sleep at least three 20 ms slices whatever the app
    does. Each frame's partial update is encoded to escape codes, as the real driver does before
    writing. After each frame the whole screen is fingerprinted (about 1 ms at 80x24, counted
    against us): the key's effect is shown at the first frame from which the screen equals its
    final state; later frames only repaint the same picture (Textual's second layout pass for
    resized widgets, scrollbars).
    """

    QUIET_S = 0.08  # this long without a frame or a pending message = the key is done
    LIMIT_S = 3.0

    def __init__(self, app: Any) -> None:
        self.app = app
        self.frames: list[tuple[float, float, int]] = []  # (wall, process CPU, screen hash)
        display = app._display

        def recording_display(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                if hasattr(renderable, "render_segments"):
                    renderable.render_segments(app.console)
                wall, cpu = time.perf_counter(), time.process_time()
                whole = screen._compositor.render_full_update().render_segments(app.console)
                self.frames.append((wall, cpu, hash(whole)))
            display(screen, renderable)

        app._display = recording_display

    def busy(self) -> bool:
        """Messages still queued anywhere on the screen, or a repaint or layout pending."""
        screen = self.app.screen
        nodes = [self.app, *screen.walk_children(with_self=True)]
        if any(not node._message_queue.empty() for node in nodes):
            return True
        return bool(screen._dirty_widgets or screen._layout_required)

    async def settle(self, since: float) -> None:
        """Sleep (not spin: the app must have the CPU) until nothing happened for QUIET_S."""
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            last = max([since, *(wall for wall, _, _ in self.frames[-1:])])
            if now - since > self.LIMIT_S or (now - last > self.QUIET_S and not self.busy()):
                return

    async def press(self, key: str) -> Sample:
        from textual import events
        from textual.keys import _character_to_key

        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        char = {"slash": "/", "space": " "}.get(key, key if len(key) == 1 else None)
        self.frames.clear()
        cpu = time.process_time()
        sent = time.perf_counter()
        self.app._driver.send_message(events.Key(key, char))
        await self.settle(sent)
        if not self.frames:
            return Sample(None, None, None, time.process_time() - cpu, 0)
        final = self.frames[-1][2]
        shown = len(self.frames) - 1
        while shown > 0 and self.frames[shown - 1][2] == final:
            shown -= 1
        first, last = self.frames[0][0], self.frames[-1][0]
        return Sample(
            first - sent,
            self.frames[shown][0] - sent,
            last - sent,
            self.frames[-1][1] - cpu,
            len(self.frames),
        )


async def measure(ws: Any, n: int, size: tuple[int, int]) -> dict[str, Any]:
    from textual.widgets import Input

    from reviewer.models import FindingStatus
    from reviewer.tui.app import build_app
    from reviewer.tui.widgets.queue import needs_confirmation

    results: dict[str, Any] = {}
    started = time.perf_counter()
    app = build_app(ws=ws, freeze_gc=True)  # as `reviewer tui` does
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        queue = app.queue
        while queue.table.row_count < n:  # the queue is populated in on_mount; be sure anyway
            await pilot.pause(0.01)
        results["load_s"] = round(time.perf_counter() - started, 3)
        assert queue.shown_id is not None, "detail pane never rendered"

        # What the old figures measured: Pilot's press + pause, mostly its own idle waits.
        pilot_floor: list[float] = []
        for _ in range(10):
            t = time.perf_counter()
            await pilot.press("x")
            await pilot.pause()
            pilot_floor.append(time.perf_counter() - t)
        results["pilot_press_pause_idle_key"] = dict(
            zip(("median_ms", "p95_ms"), _stats(pilot_floor), strict=True)
        )

        clock = FrameClock(app)
        # The blinking search cursor repaints twice a second; it would land in some windows.
        app.screen.query_one("#search", Input).cursor_blink = False

        async def timed(
            keys: list[str], before: Callable[[], Awaitable[None]] | None = None
        ) -> list[Sample]:
            out: list[Sample] = []
            for key in keys:
                if before is not None:
                    await before()
                app.clear_notifications()  # a toast expiring mid-window is not this key's work
                await clock.settle(time.perf_counter())
                out.append(await clock.press(key))
            return out

        results["idle_key_x"] = summary(await timed(["x"] * 20))
        results["down_j"] = summary(await timed(["j"] * 50))

        async def to_unflagged_draft() -> None:
            # Untimed: the default order puts flagged findings (which need a second `a`) first.
            row = next(
                i
                for i, fid in enumerate(queue.order)
                if queue.findings[fid].status is FindingStatus.draft
                and not needs_confirmation(queue.findings[fid])
            )
            queue.table.move_cursor(row)

        results["approve_a"] = summary(await timed(["a"] * 20, before=to_unflagged_draft))
        approved = len(ws.findings.list_findings(status="approved"))
        assert approved == 20, f"expected 20 approvals in the log, found {approved}"
        assert ws.verify_log().ok
        results["sort_s_full_rebuild"] = summary(await timed(["s"] * 14))
        await clock.press("slash")
        results["search_keystroke"] = summary(await timed(list("question 12")))
        results["search_backspace"] = summary(await timed(["backspace"] * 11))
    return results


KEYS = (
    "idle_key_x",
    "down_j",
    "approve_a",
    "sort_s_full_rebuild",
    "search_keystroke",
    "search_backspace",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="synthetic findings (default 5000)")
    parser.add_argument("--size", default="80x24", help="terminal size WxH (default 80x24)")
    parser.add_argument("--json", type=Path, help="write the results as JSON here")
    args = parser.parse_args(argv)
    width, height = (int(x) for x in args.size.lower().split("x"))
    os.environ.setdefault("REVIEWER_NAME", "bench")

    t = time.perf_counter()
    import reviewer.tui.app  # noqa: F401  (the import cost a reviewer pays at start-up)

    import_s = time.perf_counter() - t
    heavy = sorted(m for m in ("torch", "chromadb", "sentence_transformers") if m in sys.modules)
    with tempfile.TemporaryDirectory(prefix="tui-bench-") as tmp:
        t = time.perf_counter()
        ws = build_workspace(Path(tmp) / "ws", args.n)
        build_s = time.perf_counter() - t
        results = asyncio.run(measure(ws, args.n, (width, height)))
        ws.close()
    report = {
        "findings": args.n,
        "terminal": f"{width}x{height}",
        "import_s": round(import_s, 3),
        "heavy_modules_at_import": heavy,
        "workspace_build_s": round(build_s, 2),
        **results,
    }
    print(f"TUI benchmark: {args.n} findings at {width}x{height}")
    print(
        f"  import reviewer.tui.app      {report['import_s'] * 1000:8.0f} ms  heavy: {heavy or 'none'}"
    )
    print(f"  load (run_test -> queue)     {report['load_s'] * 1000:8.0f} ms")
    floor = report["pilot_press_pause_idle_key"]
    print(
        f"  Pilot press+pause, idle key   {floor['median_ms']:8.0f} ms  p95 {floor['p95_ms']:.0f} ms"
        "  (harness floor, not ours)"
    )
    print(f"  {'key -> frame (ms)':<22} {'n':>3} {'shown':>6} {'p95':>6} {'1st':>6} {'p95':>6}"
          f" {'last':>6} {'p95':>6} {'cpu':>6} {'p95':>6} {'frames':>6}")  # fmt: skip
    for name in KEYS:
        row = report[name]
        if "median_ms" not in row:
            print(f"  {name:<22} {row['n']:>3}  (no frame: nothing changed)")
            continue
        cells = [row[f"{k}_ms"] for k in ("median", "p95", "first_frame_median", "first_frame_p95",
                 "last_frame_median", "last_frame_p95", "cpu_median", "cpu_p95")]  # fmt: skip
        print(f"  {name:<22} {row['n']:>3}" + "".join(f" {c:>6.1f}" for c in cells)
              + f" {row['frames_median']:>6}")  # fmt: skip
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"  wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
