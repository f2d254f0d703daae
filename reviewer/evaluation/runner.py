"""`reviewer eval`: ingest a document folder into its own workspace, run retrieval and each
drafter on every gold item (answers hidden), then score.

The drafters only ever receive a GoldQuery (id, question, scope, criteria, bank id); verdicts
and gold quotes are read again only when scoring.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer import __version__
from reviewer.evaluation.gold import (
    GoldError,
    GoldItem,
    GoldQuery,
    hide_answers,
    load_gold,
    unknown_keys,
)
from reviewer.evaluation.metrics import ItemResult, compare
from reviewer.evaluation.report import item_rows
from reviewer.models import Criterion, Question, utcnow
from reviewer.retrieval import ScopeError
from reviewer.store.embeddings import MINILM_SHA256 as EMBEDDING_SHA256
from reviewer.text import find_quote


@dataclass
class EvalRun:
    report: dict[str, Any]
    workspace: Path


def corpus_hash(docs_dir: Path) -> str:
    digest = hashlib.sha256()
    for f in sorted(p for p in docs_dir.rglob("*") if p.is_file()):
        rel = f.relative_to(docs_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        digest.update(rel.as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(f.read_bytes()).digest())
    return digest.hexdigest()


def default_workspace(docs_dir: Path, chash: str) -> Path:
    return Path(".reviewer-eval") / f"{docs_dir.resolve().name}-{chash[:12]}"


def question_for(query: GoldQuery, bank_questions: dict[str, Question]) -> Question:
    """The question a drafter sees: the bank's (criteria, hints) when the item names one."""
    base = bank_questions.get(query.bank_id or "")
    criteria = [Criterion(id=f"c{i + 1}", text=t) for i, t in enumerate(query.criteria)]
    if base is not None:
        return base.model_copy(
            update={"id": query.id, "text": query.question, "criteria": criteria or base.criteria}
        )
    return Question(id=query.id, text=query.question, criteria=criteria)


def run_eval(
    gold_path: Path,
    docs_dir: Path,
    drafters: Sequence[str],
    *,
    ks: Sequence[int] = (5, 10),
    workspace: Path | None = None,
    split: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    settings_overrides: dict[str, Any] | None = None,
    ids: Sequence[str] | None = None,
) -> EvalRun:
    from reviewer.banks import all_questions
    from reviewer.workspace import Workspace

    items = load_gold(gold_path, split=split)
    if ids:
        known = {item.id for item in items}
        unknown = [i for i in ids if i not in known]
        if unknown:
            where = f" in split {split!r}" if split else ""
            raise GoldError(f"{gold_path}: no item{where} with id {', '.join(map(repr, unknown))}")
        items = [item for item in items if item.id in set(ids)]
    if not docs_dir.is_dir():
        raise FileNotFoundError(f"{docs_dir}: not a folder of documents")
    chash = corpus_hash(docs_dir)
    ws_path = workspace or default_workspace(docs_dir, chash)
    ws = Workspace.open(ws_path, **(settings_overrides or {}))
    # Always through ingest: it skips files stored under the same content and recipe, and redoes
    # those an older loader or chunker produced (a corpus-hash stamp kept them forever).
    ingest = ws.ingest([docs_dir])
    if ingest.failed:
        failures = "; ".join(r.error or r.path for r in ingest.failed)
        raise RuntimeError(f"{docs_dir}: some documents could not be ingested: {failures}")
    banks = {q.id: q for q in all_questions()}
    queries = [hide_answers(item) for item in items]
    # document texts, read once: for the gold check here and the fabricated-quote check below
    doc_text_cache: dict[str, str] = {}
    warnings = [
        *unknown_keys(gold_path),
        *gold_evidence_problems(gold_path, items, ws, doc_text_cache),
    ]
    warnings += cutoff_problems(ks, ws.settings.retrieval.k)
    # Retrieval is shared by the drafters: same evidence, fair comparison.
    evidence_for: dict[str, Any] = {}
    retrieval_s: dict[str, float] = {}
    for q in queries:
        t0 = time.perf_counter()
        try:
            evidence_for[q.id] = ws.retrieve(question_for(q, banks), scope=q.scope or None)
        except ScopeError as exc:
            raise GoldError(f"{gold_path}: item {q.id!r}: {exc}") from None
        retrieval_s[q.id] = time.perf_counter() - t0
    per_drafter: dict[str, list[ItemResult]] = {}
    models: dict[str, str] = {}
    for name in drafters:
        drafter = ws.drafter(name)
        # Which model and version drafted, so results stay comparable across releases.
        models[name] = str(drafter.describe().get("model", name))
        results: list[ItemResult] = []
        for i, (q, item) in enumerate(zip(queries, items, strict=True)):
            if progress:
                progress(f"{name}: {q.id}", i, len(items))
            question = question_for(q, banks)
            evidence = evidence_for[q.id]
            t0 = time.perf_counter()
            finding = ws.draft(question, evidence, drafter, run_id=f"eval-{name}")
            latency = time.perf_counter() - t0 + retrieval_s[q.id]
            presented = [c for c in finding.citations if c.verified]
            tokens = finding.provenance.get("tokens") or {}
            fabricated = 0
            for c in presented:
                doc_id = c.chunk_id.split("-", 1)[0]
                if doc_id not in doc_text_cache:
                    doc_text_cache[doc_id] = ws.docs.text(doc_id)
                if find_quote(doc_text_cache[doc_id], c.quote) is None:
                    fabricated += 1
            results.append(
                ItemResult(
                    item=item,
                    predicted=None if finding.status.value == "failed" else finding.verdict,
                    citations=presented,
                    fabricated=fabricated,
                    retrieved=[e.chunk.text for e in evidence],
                    retrieved_files=[e.chunk.path for e in evidence],
                    latency_s=latency,
                    tokens_prompt=int(tokens.get("prompt", 0) or 0),
                    tokens_completion=int(tokens.get("completion", 0) or 0),
                    confidence=finding.confidence,
                    rationale=finding.rationale,
                    flags=list(finding.flags),
                    closest=finding.closest(),
                )
            )
        per_drafter[name] = results
    report = compare(per_drafter, ks=ks)
    report["meta"] = {
        "gold": str(gold_path),
        "gold_sha256": hashlib.sha256(Path(gold_path).read_bytes()).hexdigest(),
        "docs": str(docs_dir),
        "corpus_sha256": chash,
        "split": split or "all",
        "items": len(items),
        **({"ids": list(ids)} if ids else {}),
        "date": utcnow(),
        "drafters": list(drafters),
        "models": models,
        "reviewer_version": __version__,
        "commit": source_commit(),
        # what else decides the figures, so a baseline run with other settings is noticed
        "retrieval": ws.settings.retrieval.model_dump(mode="json"),
        "embedding_sha256": EMBEDDING_SHA256,
    }
    report["warnings"] = warnings
    report["items"] = {name: item_rows(res) for name, res in per_drafter.items()}
    return EvalRun(report, ws_path)


def source_commit() -> str | None:
    """The git commit of the reviewer checkout being run (with "+dirty" for uncommitted
    changes), so runs of one version number stay apart; None outside a checkout."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def gold_evidence_problems(
    gold_path: Path, items: Sequence[GoldItem], ws: Any, texts: dict[str, str]
) -> list[str]:
    """Gold evidence that cannot be right: a file not in the corpus, a quote not in its file.
    Either silently lowers recall and citation scores, which reads as a model regression.
    `texts` caches document texts by id; it is filled as they are read."""
    by_name: dict[str, list[str]] = {}
    for d in ws.docs.list_documents():
        by_name.setdefault(Path(d.path).name, []).append(d.id)
    notes: list[str] = []
    for item in items:
        for ev in item.evidence:
            ids = by_name.get(Path(ev.file).name)
            if not ids:
                notes.append(
                    f"{gold_path}: item {item.id!r}: evidence file {ev.file!r} is not in the corpus"
                )
                continue
            for doc_id in ids:
                if doc_id not in texts:
                    texts[doc_id] = ws.docs.text(doc_id)
            if not any(find_quote(texts[d], ev.quote) is not None for d in ids):
                notes.append(
                    f"{gold_path}: item {item.id!r}: quote not found in {ev.file}: "
                    f"{ev.quote[:60]!r}"
                )
    return notes


def cutoff_problems(ks: Sequence[int], retrieved: int) -> list[str]:
    """recall@k past the number of evidence blocks retrieved only repeats recall@retrieved."""
    return [
        f"recall@{k} counts the top {k} of only {retrieved} evidence blocks retrieved "
        f"(retrieval.k): it equals recall@{retrieved}"
        for k in ks
        if k > retrieved
    ]


def write_outputs(report: dict[str, Any], out: Path | None, md: Path | None) -> list[Path]:
    from reviewer.evaluation.report import render_markdown, write_chart

    written: list[Path] = []
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2, default=str) + "\n")
        written.append(out)
    if md:
        md.parent.mkdir(parents=True, exist_ok=True)
        md.write_text(render_markdown(report))
        written.append(md)
        chart = md.with_suffix(".png")
        write_chart(report, chart)
        written.append(chart)
    return written
