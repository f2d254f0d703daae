"""TUI responsiveness on a large queue: load time and keypress-to-render latency.

    python -m evals.bench.tui_bench [--n 5000] [--json out.json]

Builds a throw-away workspace with N synthetic findings (no model), opens the app headless with
Pilot and times, with time.perf_counter, how long the queue takes to appear and how long single
keys take to be handled and rendered (press + pause).
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
    return ws


def _stats(samples: list[float]) -> tuple[float, float]:
    ms = sorted(x * 1000 for x in samples)
    return round(statistics.median(ms), 2), round(
        ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))], 2
    )


Sample = tuple[float, float | None, float | None]  # press+pause, first frame, last frame


def summary(samples: list[Sample]) -> dict[str, Any]:
    """Press + pause wall time, and key-to-first / key-to-last painted frame, median and p95."""
    median, p95 = _stats([wall for wall, _, _ in samples])
    out: dict[str, Any] = {"n": len(samples), "median_ms": median, "p95_ms": p95}
    first = [f for _, f, _ in samples if f is not None]
    last = [f for _, _, f in samples if f is not None]
    if first:
        out["render_median_ms"], out["render_p95_ms"] = _stats(first)
        out["settled_median_ms"], out["settled_p95_ms"] = _stats(last)
    return out


async def measure(ws: Any, n: int, size: tuple[int, int]) -> dict[str, Any]:
    from textual.pilot import Pilot

    from reviewer.models import FindingStatus
    from reviewer.tui.app import build_app
    from reviewer.tui.widgets.queue import needs_confirmation

    results: dict[str, Any] = {}
    started = time.perf_counter()
    app = build_app(ws=ws)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        queue = app.queue
        while queue.table.row_count < n:  # the queue is populated in on_mount; be sure anyway
            await pilot.pause(0.01)
        results["load_s"] = round(time.perf_counter() - started, 3)
        assert queue.shown_id is not None, "detail pane never rendered"

        # Pilot's press + pause has a floor of a few 20 ms idle checks; the first frame painted
        # after the key (cursor moved) and the last one (detail and evidence settled) are the
        # closer "keypress to render" figures.
        frames: list[float] = []
        display = app._display

        def recording_display(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                frames.append(time.perf_counter())
            display(screen, renderable)

        app._display = recording_display  # type: ignore[method-assign]

        async def timed(
            keys: list[str], before: Callable[[], Awaitable[None]] | None = None
        ) -> list[Sample]:
            out: list[Sample] = []
            for key in keys:
                if before is not None:
                    await before()
                frames.clear()
                t = time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                wall = time.perf_counter() - t
                if frames:
                    out.append((wall, frames[0] - t, frames[-1] - t))
                else:
                    out.append((wall, None, None))
            return out

        results["down_j"] = summary(await timed(["j"] * 50))

        async def to_unflagged_draft(p: Pilot[None] = pilot) -> None:
            # Untimed: the default order puts flagged findings (which need a second `a`) first.
            row = next(
                i
                for i, fid in enumerate(queue.order)
                if queue.findings[fid].status is FindingStatus.draft
                and not needs_confirmation(queue.findings[fid])
            )
            queue.table.move_cursor(row)
            await p.pause()

        results["approve_a"] = summary(await timed(["a"] * 20, before=to_unflagged_draft))
        approved = len(ws.findings.list_findings(status="approved"))
        assert approved == 20, f"expected 20 approvals in the log, found {approved}"
        assert ws.verify_log().ok
        results["idle_key_x"] = summary(await timed(["x"] * 20))  # Pilot's own overhead
        results["sort_s_full_rebuild"] = summary(await timed(["s"] * 7))
        await pilot.press("slash")
        results["search_keystroke"] = summary(await timed(list("question 12")))
    return results


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
    print(f"  {'key (press+pause | to frame)':<28} {'n':>3} {'median ms':>10} {'p95 ms':>8}"
          f" {'1st frame':>10} {'p95':>6} {'settled':>8} {'p95':>6}")  # fmt: skip
    for name in ("idle_key_x", "down_j", "approve_a", "sort_s_full_rebuild", "search_keystroke"):
        row = report[name]
        frame = (
            f" {row['render_median_ms']:>10.1f} {row['render_p95_ms']:>6.1f}"
            f" {row['settled_median_ms']:>8.1f} {row['settled_p95_ms']:>6.1f}"
            if "render_p95_ms" in row
            else ""
        )
        print(f"  {name:<28} {row['n']:>3} {row['median_ms']:>10.1f} {row['p95_ms']:>8.1f}{frame}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"  wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
