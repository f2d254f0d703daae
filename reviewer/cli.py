"""The `reviewer` command line: parse, call the Workspace, render. No logic lives here."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from reviewer.models import DocType

app = typer.Typer(
    name="reviewer",
    help="Offline-first, LLM-assisted audit evidence reviewer for AI/ML systems.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
banks_app = typer.Typer(
    help="List question banks and show their questions.", invoke_without_command=True
)
log_app = typer.Typer(help="The hash-chained decision log.", no_args_is_help=True)
app.add_typer(banks_app, name="banks")
app.add_typer(log_app, name="log")

# Piped or redirected output (grep, a log file) is not cut to 80 columns: tables size to their
# content up to PIPE_WIDTH. A terminal, or an explicit COLUMNS, keeps its own width.
PIPE_WIDTH = 200
out = Console(width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else PIPE_WIDTH)
# soft_wrap: an error stays one physical line even when stderr is a pipe or a log file.
err = Console(stderr=True, soft_wrap=True)


class State:
    workspace: Path | None = None
    debug: bool = False


state = State()

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace", "-w", help="Workspace folder (env REVIEWER_WORKSPACE; default ./.reviewer)."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"reviewer {version('reviewer')}")
        raise typer.Exit()


@app.callback(context_settings={"help_option_names": ["-h", "--help"]})
def main_callback(
    workspace: WorkspaceOpt = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Ingest evidence, draft findings per audit question, review them, export reports."""
    from reviewer.config import unknown_variables

    state.workspace = workspace
    state.debug = debug
    for name, near in unknown_variables(os.environ):
        hint = f" (did you mean {near}?)" if near else ""
        err.print(f"[yellow]note[/yellow] {name} is not a reviewer setting and is ignored{hint}")


def open_ws(workspace: Path | None = None, *, create: bool = False) -> Any:
    """The workspace; only `ingest` and `demo` create one, so a mistyped --workspace is an
    error instead of an empty workspace that reports nothing."""
    from reviewer.config import workspace_path
    from reviewer.workspace import Workspace

    root = workspace_path(workspace or state.workspace)
    if root.exists() and not root.is_dir():
        fail(f"{root}: the workspace path is a file, not a folder; check --workspace")
    if not create and not (root / "reviewer.db").is_file():
        fail(
            f"{root}: no workspace here; run `reviewer ingest PATH` to create it, or point "
            "--workspace (before the command) or REVIEWER_WORKSPACE at an existing one"
        )
    return Workspace.open(root)


def fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(code)


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Known errors become one line; anything else too, with the traceback only under --debug."""
    try:
        yield
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        err.print("interrupted; work already saved is kept (rerun to continue)")
        raise typer.Exit(130) from None
    except Exception as exc:
        if state.debug:
            raise
        fail(f"{exc}" if str(exc) else type(exc).__name__)


def show_progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[item]}", style="dim"),
        console=err,
        disable=not enabled,
        transient=True,
    )


def interactive(json_out: bool) -> bool:
    return not json_out and sys.stderr.isatty()


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


# ---------------------------------------------------------------------------------------------
@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (folders recurse).")],
    doc_type: Annotated[
        DocType | None, typer.Option("--doc-type", help="Override detection.")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Parse, chunk, embed and index evidence files; unchanged files are skipped."""
    with friendly_errors():
        ws = open_ws(create=True)
        with show_progress(interactive(json_out)) as progress:
            task = progress.add_task("ingest", total=None, item="")

            def tick(item: str, done: int, total: int) -> None:
                progress.update(task, completed=done, total=total, item=item)

            report = ws.ingest(paths, doc_type=doc_type, progress=tick)
    if json_out:
        emit_json(
            {
                "files": [r.__dict__ for r in report.results],
                "counts": report.counts(),
                "missing": [d.source_path for d in report.missing],
            }
        )
    else:
        for d in report.missing:
            err.print(
                f"[yellow]gone[/yellow]     {escape(d.path)}: no longer in the folder; still in "
                f"the workspace until `reviewer forget {escape(d.source_path)}`"
            )
        for r in report.results:
            if r.status == "failed":
                err.print(f"[red]failed[/red]  {escape(r.error or r.path)}")
            elif r.status != "unchanged":
                extra = " [yellow](instruction-like text flagged)[/yellow]" if r.flags else ""
                out.print(f"{r.status:9} {escape(r.path)}  {r.doc_type}, {r.chunks} chunks{extra}")
        c = report.counts()
        out.print(
            f"{len(report.results)} files: {c.get('ingested', 0)} ingested, "
            f"{c.get('replaced', 0)} replaced, {c.get('unchanged', 0)} unchanged, "
            f"{c.get('failed', 0)} failed"
        )
    if report.failed:
        raise typer.Exit(1)


@app.command()
def forget(
    paths: Annotated[
        list[str], typer.Argument(help="Document paths as listed by `reviewer docs`.")
    ],
) -> None:
    """Drop documents (e.g. removed files) and their chunks from the workspace."""
    with friendly_errors():
        gone = open_ws().forget(paths)
    if not gone:
        fail(f"no ingested document matches {', '.join(paths)}; see `reviewer docs`")
    for d in gone:
        out.print(f"forgot {escape(d.path)}")


@app.command()
def docs(json_out: JsonOpt = False) -> None:
    """List ingested documents."""
    with friendly_errors():
        documents = open_ws().documents()
    if json_out:
        emit_json([d.model_dump() for d in documents])
        return
    table = Table("document", "type", "pages", "chunks", "sha256", "ingested at")
    for d in documents:
        table.add_row(
            escape(d.path),
            d.doc_type.value,
            str(d.pages or "-"),
            str(d.n_chunks),
            d.sha256[:12],
            d.ingested_at,
        )
    out.print(table)
    out.print(f"{len(documents)} documents")


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Search text.")],
    k: Annotated[int, typer.Option("-k", help="Number of results.")] = 5,
    doc_type: Annotated[
        list[DocType] | None, typer.Option("--type", help="Only these doc types.")
    ] = None,
    mode: Annotated[str, typer.Option(help="fused | dense | lexical")] = "fused",
    json_out: JsonOpt = False,
) -> None:
    """Ranked chunks for a text (hybrid by default)."""
    from reviewer.retrieval import MODES

    if mode not in MODES:
        fail(f"--mode must be one of {', '.join(MODES)}")
    if not text.strip():
        fail("the search text is empty")
    if k < 1:
        fail(f"-k must be at least 1, got {k}")
    with friendly_errors():
        hits = open_ws().search(text, k=k, doc_types=doc_type or (), mode=mode)
    if json_out:
        emit_json(
            [
                {
                    "rank": i + 1,
                    "score": h.score,
                    "chunk_id": h.chunk.id,
                    "path": h.chunk.path,
                    "page": h.chunk.page,
                    "heading": h.chunk.heading,
                    "doc_type": h.chunk.doc_type.value,
                    "text": h.chunk.text,
                }
                for i, h in enumerate(hits)
            ]
        )
        return
    if not hits:
        out.print("no passage matches; try other words or --mode lexical / dense")
    for i, h in enumerate(hits, 1):
        where = h.chunk.path + (f" p.{h.chunk.page}" if h.chunk.page else "")
        snippet = " ".join(h.chunk.text.split())[:220]
        out.print(
            f"[bold]{i}.[/bold] {escape(where)}  [dim]{escape(h.chunk.heading)}[/dim]  ({h.score:.4f})",
            soft_wrap=True,
        )
        out.print(f"   {escape(snippet)}", soft_wrap=True)


# ---------------------------------------------------------------------------------------------
@banks_app.callback()
def banks_list(ctx: typer.Context, json_out: JsonOpt = False) -> None:
    """List question banks with their question counts."""
    if ctx.invoked_subcommand:
        return
    from reviewer.banks import list_banks

    with friendly_errors():
        banks = list_banks()
    if json_out:
        emit_json(
            [
                {
                    "name": b.name,
                    "title": b.title,
                    "version": b.version,
                    "questions": len(b.questions),
                    "path": str(b.path),
                }
                for b in banks
            ]
        )
        return
    table = Table("bank", "questions", "title")
    for b in banks:
        table.add_row(b.name, str(len(b.questions)), b.title)
    out.print(table)


@banks_app.command("show")
def banks_show(name: str, json_out: JsonOpt = False) -> None:
    """Print the questions of one bank."""
    from reviewer.banks import get_bank

    with friendly_errors():
        bank = get_bank(name)
    if json_out:
        emit_json([q.model_dump() for q in bank.questions])
        return
    for q in bank.questions:
        out.print(f"[bold]{q.id}[/bold] [cyan]{escape(', '.join(str(r) for r in q.refs))}[/cyan]")
        out.print(f"  {escape(q.text)}")
        for c in q.criteria:
            out.print(f"   - {c.id}: {escape(c.text)}")


# ---------------------------------------------------------------------------------------------
def short_ids(ids: list[str], least: int = 8) -> int:
    """How many leading characters keep these ids apart (at least `least`), as git shortens
    hashes; `show` and `decide` take any unique prefix, so a printed id is accepted back."""
    n = least
    while n < max((len(i) for i in ids), default=0) and len({i[:n] for i in ids}) < len(set(ids)):
        n += 1
    return n


def summary_table(findings: list[Any]) -> Table:
    # Ids, question ids and verdicts are pasted back into commands: they are never cut. When every
    # finding cites one framework edition, it goes in the title and the column keeps the control,
    # so the table fits an 80-column terminal.
    editions = {
        f"{f.question.refs[0].framework}:{f.question.refs[0].edition}"
        for f in findings
        if f.question.refs
    }
    shared = editions.pop() if len(editions) == 1 else None
    table = Table(
        box=box.SIMPLE_HEAD,
        title=f"controls: {shared}" if shared else None,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    for name in ("id", "question", "control", "verdict", "conf", "status"):
        table.add_column(name, no_wrap=True)
    table.add_column("flags", overflow="fold")
    width = short_ids([f.id for f in findings])
    for f in findings:
        ref = f.question.refs[0] if f.question.refs else None
        table.add_row(
            f.id[:width],
            escape(f.question.id),  # questionnaire ids come from the sheet: no markup
            escape(ref.control if shared and ref else f.question.primary_ref()),
            f.verdict.value,
            f"{f.confidence:.2f}",
            f.status.value,
            ", ".join(f.flags),
        )
    return table


def verdict_summary(findings: list[Any]) -> Table:
    """Verdicts per control family: the one-screen view of a review."""
    from reviewer.findings_view import coverage_rows

    table = Table(
        "family",
        "conformant",
        "partial",
        "nonconformity",
        "insufficient",
        "flagged",
        title="Verdicts by control family",
    )
    for r in coverage_rows(findings):
        if r["control"] not in ("(all)", ""):
            continue
        v = r["verdicts"]
        table.add_row(
            escape(r["family"]),  # "questionnaire: <sheet name>" comes from the workbook
            str(v["conformant"]),
            str(v["partial"]),
            str(v["nonconformity"]),
            str(v["insufficient_evidence"]),
            str(r["flagged"]),
        )
    return table


@app.command()
def review(
    bank: Annotated[str | None, typer.Option(help="Question bank to run.")] = None,
    question: Annotated[
        str | None, typer.Option(help="One ad-hoc question instead of a bank.")
    ] = None,
    scope: Annotated[
        list[str] | None, typer.Option(help="Restrict evidence to these files.")
    ] = None,
    drafter: Annotated[
        str | None, typer.Option(help="auto | extractive | local | ollama | openai | fake")
    ] = None,
    fresh: Annotated[bool, typer.Option(help="Ignore stored drafts for identical inputs.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Draft a verified finding per question; reruns reuse completed drafts."""
    from reviewer.models import Question

    if not bank and not (question or "").strip():
        fail("give --bank NAME or --question TEXT (see `reviewer banks`)", 2)
    if bank and question:
        fail("give --bank NAME or --question TEXT, not both", 2)
    with friendly_errors():
        ws = open_ws()
        if bank:
            questions = ws.bank(bank).questions
        else:
            import hashlib

            qid = "adhoc-" + hashlib.sha1((question or "").encode()).hexdigest()[:8]
            questions = [Question(id=qid, text=question or "")]
        if not ws.documents():
            fail("the workspace has no documents; run `reviewer ingest PATH` first")
        with show_progress(interactive(json_out)) as progress:
            task = progress.add_task("review", total=len(questions), item="")

            def tick(q: Any, done: int, total: int) -> None:
                progress.update(task, completed=done, item=q.id)

            report = ws.review(questions, drafter=drafter, scope=scope, fresh=fresh, progress=tick)
    if json_out:
        emit_json(
            {
                "run_id": report.run_id,
                "drafter": report.drafter,
                "reused": report.reused,
                "failed": report.failed,
                "seconds": report.seconds,
                "verdicts": report.verdict_counts(),
                "findings": [f.model_dump(mode="json") for f in report.findings],
            }
        )
    else:
        out.print(summary_table(report.findings))
        out.print(verdict_summary(report.findings))
        counts = report.verdict_counts()
        n = len(report.findings)
        out.print(
            f"{n} finding{'' if n == 1 else 's'} by {report.drafter} in {report.seconds:.1f}s "
            f"({report.reused} reused): " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        )
        for qid, error in report.failed:
            err.print(f"[red]failed[/red] {qid}: {escape(error)}")
    if report.failed:
        raise typer.Exit(1)


@app.command()
def findings(
    status: Annotated[list[str] | None, typer.Option(help="Only these statuses.")] = None,
    verdict: Annotated[list[str] | None, typer.Option(help="Only these verdicts.")] = None,
    control: Annotated[
        list[str] | None,
        typer.Option(
            help='Only questions referencing this: "A.15", "ISO42001", "ISO27001:2013 A.8.2".'
        ),
    ] = None,
    question: Annotated[str | None, typer.Option(help="Only this question id.")] = None,
    history: Annotated[
        bool,
        typer.Option(
            "--all", help="Also older drafts that a rerun replaced (kept with their decisions)."
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """List the current findings (per question and source, the one the latest run drafted or
    reused), filtered."""
    from reviewer.findings_view import cites_control, current_findings
    from reviewer.models import FindingStatus, Verdict

    with friendly_errors():
        wanted = {Verdict.parse(v) for v in verdict or []}
        statuses = {FindingStatus(s) for s in status or []}
        items = open_ws().findings.list_findings(question_id=question)
        if not history:
            items = current_findings(items)  # before the filters: a replaced draft is not current
        items = [
            f
            for f in items
            if (not statuses or f.status in statuses)
            and (not wanted or f.verdict in wanted)
            and (not control or any(cites_control(f, c) for c in control))
        ]
    if json_out:
        emit_json([f.model_dump(mode="json") for f in items])
        return
    if not items:
        filtered = status or verdict or control or question
        out.print(
            "no findings match these filters"
            if filtered
            else "no findings yet; run `reviewer review --bank NAME` (see `reviewer banks`)"
        )
        return
    out.print(summary_table(items))


FindingIdArg = Annotated[
    str, typer.Argument(help="Finding id, or a unique prefix of it (at least 4 characters).")
]


@app.command()
def show(finding_id: FindingIdArg, json_out: JsonOpt = False) -> None:
    """Show one finding with its criteria, rationale and citations."""
    from reviewer.findings_view import flag_reasons

    with friendly_errors():
        ws = open_ws()
        finding_id = ws.findings.resolve_id(finding_id)
        f = ws.findings.get_finding(finding_id)
        if f is None:
            fail(f"no finding {finding_id!r}; see `reviewer findings`")
        decisions = ws.findings.decisions(finding_id)
    assert f is not None
    if json_out:
        emit_json(
            {
                "finding": f.model_dump(mode="json"),
                "decisions": [d.model_dump(mode="json") for d in decisions],
            }
        )
        return
    out.print(
        f"[bold]{f.id}[/bold]  {f.question.id}  [cyan]{escape(', '.join(str(r) for r in f.question.refs))}[/cyan]"
    )
    out.print(escape(f.question.text))
    out.print(
        f"verdict: [bold]{f.verdict.value}[/bold]  confidence {f.confidence:.2f}  status {f.status.value}  flags {','.join(f.flags) or '-'}"
    )
    for flag, why in flag_reasons(f).items():
        out.print(escape(f"  {flag}: {why}"))
    for a in f.assessments:
        # escape() the brackets too: "[met]" is valid Rich markup and would vanish.
        out.print(escape(f"  [{a.status.value}] {a.criterion}"))
    out.print(escape(f.rationale))
    for c in f.citations:
        out.print(escape(f'  [{c.label}] {c.where()} sha256 {c.doc_sha256[:12]}: "{c.quote}"'))
    if closest := f.closest():
        out.print("[yellow]closest passages (not evidence):[/yellow]")
        for c in closest:
            out.print(escape(f'  near {c.where()}: "{c.quote}"'))
    for d in decisions:
        out.print(
            f"  decision #{d.seq} {d.action.value} by {escape(d.reviewer)} at {d.at} {d.reason_code or ''} {escape(d.note)}"
        )


@app.command()
def decide(
    finding_id: FindingIdArg,
    action: Annotated[str, typer.Argument(help="approve | reject | edit | undo")],
    reason: Annotated[
        str | None,
        typer.Option(
            help="Reject reason: wrong_verdict, unsupported_citation, missing_evidence, out_of_scope, other"
        ),
    ] = None,
    note: Annotated[str, typer.Option(help="Free-text note.")] = "",
    verdict: Annotated[str | None, typer.Option(help="New verdict (edit).")] = None,
    rationale: Annotated[str | None, typer.Option(help="New rationale (edit).")] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Approve a flagged or stale finding (the TUI asks for a second a)."
        ),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Record a reviewer decision in the hash-chained log."""
    with friendly_errors():
        ws = open_ws()
        full_id = ws.findings.resolve_id(finding_id)
        misplaced = [
            flag
            for flag, given, wanted in (
                ("--reason", reason is not None, "reject"),
                ("--verdict", verdict is not None, "edit"),
                ("--rationale", rationale is not None, "edit"),
            )
            if given and action != wanted
        ]
        if misplaced:
            fail(f"{', '.join(misplaced)} does not go with {action}; nothing recorded")
        f = ws.findings.get_finding(full_id)
        if action == "approve" and f is not None and not force:
            warnings = [*f.flags] + (
                ["stale (a cited document changed)"] if f.status.value == "stale" else []
            )
            if warnings:
                fail(
                    f"finding {full_id} is flagged: {', '.join(warnings)}; read it "
                    f"(`reviewer show {full_id[:8]}`), then approve with --force"
                )
        d = ws.decide(
            full_id,
            action,
            reason=reason,
            note=note,
            verdict=verdict,
            rationale=rationale,
        )
    if json_out:
        emit_json(d.model_dump(mode="json"))
    else:
        out.print(
            f"decision #{d.seq}: {d.action.value} {d.finding_id} by {escape(d.reviewer)} (hash {d.hash[:12]})"
        )


@app.command()
def config(json_out: JsonOpt = False) -> None:
    """Show the effective settings and where each comes from (default, reviewer.toml, env)."""
    import os

    from reviewer.config import config_files, load_settings, setting_origins
    from reviewer.llm.factory import auto_backend

    with friendly_errors():
        settings = load_settings(state.workspace)
        rows = setting_origins(
            state.workspace, workspace_flag=state.workspace is not None, settings=settings
        )
        files = [str(p) for p in config_files(state.workspace)]
    backend = settings.llm.backend
    auto = auto_backend(settings)
    key_set = bool(os.environ.get(settings.llm.api_key_env))
    if json_out:
        emit_json(
            {
                "files": files,
                "settings": [{"key": k, "value": v, "from": o} for k, v, o in rows],
                "auto_drafter": auto,
                "api_key_set": key_set,
            }
        )
        return
    out.print("config files read: " + (escape(", ".join(files)) if files else "none (defaults)"))
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    table.add_column("setting", no_wrap=True)  # the name to type into reviewer.toml: never cut
    table.add_column("value", overflow="fold")
    table.add_column("from", overflow="fold")
    for key, value, origin in rows:
        shown = "-" if value is None else str(value)
        if key == "name" and value is None:
            shown = f"- (decisions are signed {settings.reviewer_name()}, the OS user)"
        table.add_row(
            key, escape(shown), escape(origin), style=None if origin == "default" else "bold"
        )
    out.print(table)
    out.print(f"`--drafter auto` (the default) drafts with: [bold]{auto}[/bold]")
    if backend == "openai":
        state_word = "set" if key_set else "not set (a local server may not need one)"
        out.print(f"API key variable {settings.llm.api_key_env}: {state_word}")


@log_app.command("list")
def log_list(
    finding_id: Annotated[
        str | None, typer.Argument(help="Only this finding's decisions (a unique prefix works).")
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Every decision in log order: who did what to which finding, when and why."""
    with friendly_errors():
        ws = open_ws()
        fid = ws.findings.resolve_id(finding_id) if finding_id else None
        if fid is not None and ws.findings.get_finding(fid) is None:
            fail(f"no finding with id {finding_id!r}")
        decisions = ws.findings.decisions(fid)
    if json_out:
        emit_json([d.model_dump(mode="json") for d in decisions])
        return
    if not decisions:
        out.print("no decisions recorded" + (f" for {fid}" if fid else ""))
        return
    table = Table("#", "at", "reviewer", "action", "finding", "verdict", "reason", "note")
    for d in decisions:
        before, after = d.before.get("verdict"), d.after.get("verdict")
        verdict = f"{before} -> {after}" if before != after else str(after or "")
        table.add_row(
            str(d.seq),
            d.at[:19].replace("T", " "),
            escape(d.reviewer),
            d.action.value + (f" #{d.after['undoes']}" if "undoes" in d.after else ""),
            d.finding_id[:8],
            verdict,
            d.reason_code.value if d.reason_code else "",
            escape(d.note),
        )
    out.print(table)


@log_app.command("verify")
def log_verify(json_out: JsonOpt = False) -> None:
    """Check the decision log's hash chain (names the first bad row), then that every finding
    agrees with its latest decision and every verified quote is still in its chunk."""
    from reviewer.store.integrity import check_findings

    with friendly_errors():
        ws = open_ws()
        check = ws.verify_log()
        problems = check_findings(ws.findings)
    if json_out:
        emit_json({**check.__dict__, "findings_problems": problems})
    else:
        if check.ok:
            head = check.head or "- (empty log)"
            said = "ok" if not problems else "decision chain ok, findings NOT"
            out.print(f"{said}: {check.count} decisions, chain head {head}")
        else:
            err.print(
                f"[red]TAMPERED[/red]: first bad row #{check.first_bad_seq}: {escape(check.reason)}"
            )
        for line in problems:
            err.print(f"[red]TAMPERED[/red]: {escape(line)}")
        if check.ok and problems:
            err.print(
                f"{len(problems)} finding(s) disagree with the decision log or their documents"
            )
    if not check.ok or problems:
        raise typer.Exit(1)


@app.command()
def export(
    out_path: Annotated[Path, typer.Option("--out", help="Output file.")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="md | html | json | csv | xlsx (default: from --out)"),
    ] = None,
    status: Annotated[
        list[str] | None, typer.Option(help="Only findings with these statuses.")
    ] = None,
) -> None:
    """Write a findings report per control family, with decisions and coverage."""
    suffixes = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
    suffixes |= {f".{f}": f for f in ("json", "csv", "xlsx")}
    implied = suffixes.get(out_path.suffix.lower())
    if fmt is None and implied is None:
        fail(f"{out_path}: say which format with --format (md, html, json, csv or xlsx)")
    if fmt is not None and implied is not None and fmt != implied:
        fail(f"{out_path}: --format {fmt} but the file name says {implied}; nothing written")
    with friendly_errors():
        path, n = open_ws().export(fmt or implied or "", out_path, status or None)
    from reviewer.export.report import export_message

    out.print(escape(export_message(path, n, status or None)))


@app.command()
def batch(
    file: Annotated[Path, typer.Argument(help="Questionnaire (.xlsx or .csv).")],
    sheet: Annotated[
        str | None, typer.Option(help="Only this sheet (default: every sheet with questions).")
    ] = None,
    question_col: Annotated[
        str | None, typer.Option(help="Question column: header name, letter or number.")
    ] = None,
    answer_col: Annotated[
        str | None, typer.Option(help="Answer column: header name, letter or number.")
    ] = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Output file (default NAME.prefilled.EXT).")
    ] = None,
    drafter: Annotated[
        str | None, typer.Option(help="auto | extractive | local | ollama | openai")
    ] = None,
    approved_only: Annotated[
        bool, typer.Option(help="Write only answers a reviewer approved.")
    ] = False,
    fresh: Annotated[
        bool,
        typer.Option(help="Draft every row again instead of reusing answers stored earlier."),
    ] = False,
    json_out: JsonOpt = False,
) -> None:
    """Pre-fill a questionnaire from the evidence; resumable, never modifies the input.

    A rerun reuses the stored answer (and the reviewers' decisions) of every question whose
    text, evidence and drafter are unchanged, so a killed run resumes and an edited copy of the
    questionnaire keeps its approvals; rows whose evidence changed are drafted again.
    """
    reached = [0, 0]
    with friendly_errors():
        ws = open_ws()
        if not ws.documents():
            fail("the workspace has no documents; run `reviewer ingest PATH` first")
        with show_progress(interactive(json_out)) as progress:
            task = progress.add_task("batch", total=None, item="rows")

            def tick(done: int, total: int) -> None:
                reached[:] = [done, total]
                progress.update(task, completed=done, total=total)

            try:
                summary, matches = ws.batch(
                    file,
                    drafter=drafter,
                    out=out_path,
                    sheet=sheet,
                    question_col=question_col,
                    answer_col=answer_col,
                    approved_only=approved_only,
                    fresh=fresh,
                    progress=tick,
                )
            except KeyboardInterrupt:
                if reached[1]:
                    err.print(
                        f"interrupted after {reached[0]} of {reached[1]} rows: the filled copy "
                        "holds only those; run the same command again to finish (answers "
                        "already drafted are reused)"
                    )
                raise
    if json_out:
        emit_json({**summary.__dict__, "out": str(summary.out), "matches": matches})
    else:
        matched = [m for m in matches if m["bank_question"] and not m["opposite_wording"]]
        for m in matches:
            if not m["bank_question"]:
                continue
            said = (
                "nearest bank question {q} (similarity {s:.2f}) is worded the other way round: "
                "answered as its own question"
                if m["opposite_wording"]
                else "matched bank question {q} (similarity {s:.2f})"
            )
            out.print(
                escape(
                    f"  {m['sheet']} row {m['row']}: "
                    + said.format(q=m["bank_question"], s=m["score"])
                )
            )
        answered = ", ".join(f"{k} {v}" for k, v in sorted(summary.answered.items())) or "none"
        out.print(
            f"{summary.total} question rows: answered ({answered}), {summary.blank} blank with a reason, "
            f"{summary.failed} failed, {summary.skipped} skipped, "
            f"{summary.resumed} reused from earlier runs; "
            f"{len(matched)} matched a bank question"
        )
        for e in summary.errors:
            err.print(f"[yellow]note[/yellow] {escape(e)}")
        out.print(f"wrote {escape(str(summary.out))}")
    if summary.failed:
        raise typer.Exit(1)


@app.command("eval")
def eval_cmd(
    gold: Annotated[Path, typer.Option(help="Gold file (JSON lines).")],
    docs_dir: Annotated[
        Path, typer.Option("--docs", help="Folder of the documents the gold refers to.")
    ],
    drafter: Annotated[
        list[str] | None, typer.Option(help="Drafters to compare (repeat or space-separate).")
    ] = None,
    k: Annotated[
        str, typer.Option("--k", help="Cut-offs for retrieval recall, e.g. 5,10.")
    ] = "5,10",
    split: Annotated[
        str | None, typer.Option(help="Only gold items of this split (dev/test).")
    ] = None,
    ids: Annotated[
        str | None,
        typer.Option(
            "--ids", help="Only these gold items (comma-separated ids), e.g. to rerun failures."
        ),
    ] = None,
    out_json: Annotated[Path | None, typer.Option("--out", help="Write metrics JSON here.")] = None,
    report: Annotated[
        Path | None, typer.Option(help="Write a Markdown report (+ PNG chart) here.")
    ] = None,
    eval_workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace", help="Eval workspace (default: .reviewer-eval/<corpus>-<hash>)."
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            help="An earlier --out JSON: show each metric's change and exit 1 if macro-F1, "
            "citation precision or recall@10 dropped by more than --tolerance, or a quote was "
            "fabricated that was not before."
        ),
    ] = None,
    tolerance: Annotated[
        float, typer.Option(help="Allowed drop of a gated metric against --baseline.")
    ] = 0.05,
    allow_different: Annotated[
        bool,
        typer.Option(
            "--allow-different",
            help="Gate against a baseline of another evaluation (gold, split, corpus or "
            "retrieval settings differ) instead of refusing.",
        ),
    ] = False,
    extra: Annotated[
        list[str] | None,
        typer.Argument(help="More drafter names after --drafter.", show_default=False),
    ] = None,
) -> None:
    """Score drafters on a gold set: retrieval recall/MRR, verdict accuracy/F1, citations, abstention."""
    from reviewer.evaluation.baseline import (
        against_baseline,
        comparable,
        item_changes,
        metric,
        shared_drafters,
    )
    from reviewer.evaluation.runner import run_eval, write_outputs

    names = [*(drafter or ["extractive"]), *(extra or [])]
    names = [n for part in names for n in part.replace(",", " ").split()]
    try:
        ks = tuple(int(x) for x in k.split(",") if x.strip())
    except ValueError:
        fail(f"--k must be comma-separated integers, got {k!r}", 2)
    if not ks or min(ks) < 1:
        fail(f"--k must be positive integers, got {k!r}", 2)
    if tolerance < 0:
        fail(f"--tolerance must be 0 or more, got {tolerance}", 2)
    before: dict[str, Any] | None = None
    if baseline is not None:
        try:
            before = json.loads(baseline.read_text())
        except (OSError, ValueError) as exc:
            fail(f"{baseline}: cannot use as a baseline ({exc})", 2)
        if not (isinstance(before, dict) and isinstance(before.get("drafters"), dict)):
            fail(f"{baseline}: cannot use as a baseline (not an eval --out JSON)", 2)
        known: dict[str, Any] = before.get("drafters") or {} if isinstance(before, dict) else {}
        if not set(names) & set(known):
            fail(
                f"{baseline}: no drafter in common (baseline: "
                f"{', '.join(sorted(known)) or 'none'}; this run: "
                f"{', '.join(names)}): nothing to compare",
                2,
            )
    with friendly_errors(), show_progress(sys.stderr.isatty()) as progress:
        task = progress.add_task("eval", total=None, item="")

        def tick(item: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, item=item)

        wanted = [i for i in (ids or "").replace(",", " ").split() if i]
        run = run_eval(
            gold,
            docs_dir,
            names,
            ks=ks,
            workspace=eval_workspace,
            split=split,
            progress=tick,
            ids=wanted or None,
        )
        changes = []
        if before is not None:
            differs = comparable(run.report, before)
            if differs and not allow_different:
                fail(
                    f"{baseline}: not the same evaluation ({'; '.join(differs)}); compare runs "
                    "of the same gold, split, corpus and settings, or pass --allow-different",
                    2,
                )
            changes = against_baseline(run.report, before, tolerance)
            run.report["baseline"] = {
                "path": str(baseline),
                "tolerance": tolerance,
                "not_comparable": differs,
                "compared": shared_drafters(run.report, before),
                "items": item_changes(run.report, before),
                "changes": [{**vars(c), "delta": c.delta} for c in changes],
                "regressions": sum(c.regressed for c in changes),
            }
        written = write_outputs(run.report, out_json, report)
    for note in run.report.get("warnings", []):
        err.print(f"[yellow]warning:[/yellow] {escape(note)}")
    table = Table("metric", *names)
    rows = [
        ("n", "n"),
        *[(f"recall@{c}", f"retrieval.recall@{c}") for c in ks],
        ("MRR", "retrieval.mrr"),
        ("accuracy", "verdict.accuracy"),
        ("macro-F1", "verdict.macro_f1"),
        ("citation precision", "citations.precision"),
        ("citation recall", "citations.recall"),
        ("fabricated", "citations.fabricated"),
        ("abstention F1", "abstention.f1"),
        ("answerable, abstained", "citations.abstained_answerable"),
        ("  answer in closest", "citations.answer_in_closest"),
        ("latency p50 s", "latency_s.p50"),
        ("latency p95 s", "latency_s.p95"),
    ]
    for label, key in rows:
        vals = []
        for n in names:
            node = metric(run.report["drafters"][n], key)
            vals.append(
                "-" if node is None else (f"{node:.3f}" if isinstance(node, float) else str(node))
            )
        table.add_row(label, *vals)
    out.print(table)
    for p in written:
        out.print(f"wrote {escape(str(p))}")
    if before is not None:
        print_baseline(run.report["baseline"], changes)


def print_baseline(summary: dict[str, Any], changes: list[Any]) -> None:
    """The change of every tracked metric against --baseline; exit 1 on a regression."""

    from reviewer.evaluation.report import change_cell

    def num(x: float | int | None, signed: bool = False) -> str:
        return change_cell(x, signed, missing="-")

    for reason in summary["not_comparable"]:
        err.print(
            f"[yellow]warning:[/yellow] not the same evaluation as the baseline: {escape(reason)}"
        )
    table = Table(
        "drafter", "metric", "baseline", "now", "change", "", title=f"against {summary['path']}"
    )
    for c in changes:
        mark = "[red]REGRESSED[/red]" if c.regressed else ("gated" if c.gated else "")
        table.add_row(c.drafter, c.label, num(c.before), num(c.after), num(c.delta, True), mark)
    out.print(table)
    for name, moved in summary.get("items", {}).items():
        for kind, said in (("lost", "now wrong"), ("gained", "now right")):
            rows = moved[kind]
            if rows:
                shown = ", ".join(f"{r['id']} ({r['before']} -> {r['now']})" for r in rows[:10])
                more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
                out.print(escape(f"{name}: {len(rows)} item(s) {said}: {shown}{more}"))
    if summary["regressions"]:
        fail(
            f"{summary['regressions']} gated metric(s) regressed against {summary['path']} "
            f"(tolerance {summary['tolerance']})"
        )


@app.command()
def tui(
    status: Annotated[str | None, typer.Option(help="Open on findings of this status.")] = None,
    verdict: Annotated[str | None, typer.Option(help="Open on findings of this verdict.")] = None,
    family: Annotated[
        str | None, typer.Option(help="Open on this control family, e.g. A.15.1.")
    ] = None,
    flag: Annotated[
        str | None, typer.Option(help="Open on findings with this flag (or 'any').")
    ] = None,
) -> None:
    """Open the review workbench: triage, approve, reject and edit findings."""
    with friendly_errors():
        from reviewer.models import FindingStatus, Verdict
        from reviewer.tui.app import run_tui
        from reviewer.tui.widgets.queue import Filters

        filters = Filters(
            status=FindingStatus(status).value if status else None,
            verdict=Verdict.parse(verdict).value if verdict else None,
            family=family,
            flag=flag,
        )
        ws = open_ws()
        current = ws.current_findings()
        if not current:
            fail("no findings to review yet; run `reviewer review --bank iso27001-ai` first")
        if filters.active() and not any(filters.matches(f) for f in current):
            fail(f"no findings match {filters.describe()} (the F key clears filters in the TUI)")
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            fail("reviewer tui needs an interactive terminal (stdin and stdout are not a TTY)")
        run_tui(ws.root, filters=filters)


@app.command()
def demo(
    tui: Annotated[bool, typer.Option("--tui", help="Open the review TUI afterwards.")] = False,
    drafter: Annotated[str, typer.Option(help="Drafter for the demo review.")] = "extractive",
) -> None:
    """Ingest the bundled demo evidence set, review the iso27001-ai bank, print a summary."""
    from reviewer.banks import default_banks_dir

    demo_dir = default_banks_dir().parent / "demo"
    if not demo_dir.is_dir():
        fail(f"{demo_dir}: the demo evidence set is missing (run `make demo-data`)")
    with friendly_errors():
        ws = open_ws(state.workspace or Path(".reviewer-demo"), create=True)
        report = ws.ingest([demo_dir])
        out.print(f"ingested {len(report.results)} demo files ({report.counts()})")
        with show_progress(sys.stderr.isatty()) as progress:
            questions = ws.bank("iso27001-ai").questions
            task = progress.add_task("review", total=len(questions), item="")
            result = ws.review(
                questions,
                drafter=drafter,
                progress=lambda q, i, n: progress.update(task, completed=i, item=q.id),
            )
    out.print(summary_table(result.findings))
    out.print(verdict_summary(result.findings))
    if tui:
        from reviewer.tui.app import run_tui

        run_tui(ws.root)


def main() -> None:
    # Workspace files (SQLite, Chroma, BM25, caches, exports) are for this user only.
    os.umask(0o077)
    app()


if __name__ == "__main__":
    main()
