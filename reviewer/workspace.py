"""The public API: one Workspace object over the core. The CLI, the TUI and the tests use it.

ws = Workspace.open(".reviewer")
ws.ingest(["corpora/demo"])
report = ws.review(ws.bank("iso27001-ai").questions, drafter="extractive")
ws.decide(report.findings[0].id, "approve")
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.config import Settings, load_settings
from reviewer.models import (
    DecisionAction,
    DocType,
    Document,
    Evidence,
    Finding,
    FindingStatus,
    Question,
    RejectReason,
    Run,
    Verdict,
)

if TYPE_CHECKING:
    from reviewer.banks import Bank
    from reviewer.drafting.base import Drafter
    from reviewer.ingest.pipeline import IngestReport, Progress
    from reviewer.retrieval import Hit
    from reviewer.store.documents import DocumentStore
    from reviewer.store.embeddings import Embedder
    from reviewer.store.findings import ChainCheck, FindingsStore
    from reviewer.store.lexical import LexicalIndex
    from reviewer.store.vector_cache import CachedEmbedder
    from reviewer.store.vectors import VectorStore


@dataclass
class ReviewReport:
    run_id: str
    drafter: str
    findings: list[Finding] = field(default_factory=list)
    reused: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (question id, error)
    seconds: float = 0.0

    def verdict_counts(self) -> dict[str, int]:
        """Findings per verdict; a failed draft counts as "failed", not as the
        insufficient_evidence placeholder it carries."""
        out: dict[str, int] = {}
        for f in self.findings:
            key = "failed" if f.status is FindingStatus.failed else f.verdict.value
            out[key] = out.get(key, 0) + 1
        return out


def draft_texts(
    drafter: Any, embedder: Any, items: Sequence[tuple[Question, list[Evidence]]]
) -> list[str]:
    """The evidence sentences an extractive drafter will embed for these questions.

    Only a drafter that embeds through this workspace's cache and lists its sentences through
    `sentences(evidence)` qualifies, or one that cross-checks with such a drafter (`logic`);
    any other drafter gets nothing prefetched, and is no slower for it.
    """
    for candidate in (drafter, getattr(drafter, "logic", None)):
        sentences = getattr(candidate, "sentences", None)
        if callable(sentences) and getattr(candidate, "embedder", None) is embedder:
            return [s.text for _, evidence in items for s in sentences(evidence)]
    return []


class Workspace:
    """A folder holding the Chroma directory, the BM25 index, the SQLite DB and caches."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.root = Path(settings.workspace)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._conn: sqlite3.Connection | None = None
        self._vectors: VectorStore | None = None
        self._lexical: LexicalIndex | None = None
        self._drafters: dict[tuple[str, str], Drafter] = {}
        self._registered: dict[str, Drafter] = {}
        self._cached: CachedEmbedder | None = None
        # (chunks version, word IDF, background sentence sample), rebuilt when chunks change
        self._profile: tuple[str, dict[str, float], list[str]] | None = None

    @classmethod
    def open(cls, workspace: str | Path | None = None, **overrides: Any) -> Workspace:
        return cls(load_settings(workspace, **overrides))

    # -- components (lazy: `reviewer docs` must not load torch) -----------------------------
    @property
    def db_path(self) -> Path:
        return self.root / "reviewer.db"

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            from reviewer.store.db import connect

            self._conn = connect(self.db_path)
        return self._conn

    @property
    def docs(self) -> DocumentStore:
        from reviewer.store.documents import DocumentStore

        return DocumentStore(self.conn)

    @property
    def findings(self) -> FindingsStore:
        from reviewer.store.findings import FindingsStore

        return FindingsStore(self.conn)

    @property
    def embedder(self) -> Embedder:
        from reviewer.store.embeddings import shared_embedder

        return shared_embedder(self.settings.ingest.embed_batch)

    @property
    def cached_embedder(self) -> CachedEmbedder:
        """Embeddings for queries and evidence sentences, cached in the workspace."""
        if self._cached is None:
            from reviewer.store.vector_cache import CachedEmbedder

            self._cached = CachedEmbedder(self.embedder, self.root / "cache" / "embeddings.sqlite")
        return self._cached

    @property
    def vectors(self) -> VectorStore:
        if self._vectors is None:
            from reviewer.store.vectors import VectorStore

            self._vectors = VectorStore(
                self.root / "chroma", self.settings.store.url, self.settings.store.collection
            )
        return self._vectors

    @property
    def lexical(self) -> LexicalIndex:
        if self._lexical is None or self._lexical.version != self.docs.chunks_version():
            from reviewer.store.lexical import LexicalIndex

            index = LexicalIndex(self.root / "lexical")
            if not index.load() or index.version != self.docs.chunks_version():
                index = self._build_lexical()
            self._lexical = index
        return self._lexical

    def _build_lexical(self) -> LexicalIndex:
        from reviewer.store.lexical import LexicalIndex

        ids, texts = self.docs.all_chunk_texts()
        index = LexicalIndex(self.root / "lexical")
        index.build(ids, texts, self.docs.chunks_version())
        index.save()
        return index

    def rebuild_lexical(self) -> None:
        self._lexical = self._build_lexical()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- documents --------------------------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[str | Path],
        doc_type: DocType | None = None,
        progress: Progress | None = None,
    ) -> IngestReport:
        from reviewer.ingest.pipeline import ingest_paths

        return ingest_paths(self, paths, doc_type=doc_type, progress=progress)

    def forget(self, paths: Iterable[str]) -> list[Document]:
        from reviewer.ingest.pipeline import forget_paths

        return forget_paths(self, paths)

    def documents(self) -> list[Document]:
        return self.docs.list_documents()

    def search(
        self,
        text: str,
        k: int = 10,
        doc_types: Sequence[DocType] = (),
        mode: str = "fused",
        scope: Sequence[str] | None = None,
    ) -> list[Hit]:
        from reviewer.retrieval import fused_search, resolve_scope

        doc_ids = resolve_scope(self, scope)
        if doc_types:
            typed = [d.id for d in self.documents() if d.doc_type in set(doc_types)]
            doc_ids = [d for d in doc_ids if d in typed] if doc_ids is not None else typed
            if not doc_ids:
                return []
        return fused_search(self, [text], k=k, doc_ids=doc_ids, mode=mode)

    def prefetch_embeddings(self, texts: Iterable[str]) -> None:
        """Embed the texts not cached yet in one batched call; later lookups hit the cache."""
        unique = list(dict.fromkeys(t for t in texts if t))
        if unique:
            self.cached_embedder.embed(unique)

    def retrieve(self, question: Question, scope: Sequence[str] | None = None) -> list[Evidence]:
        from reviewer.retrieval import retrieve

        return retrieve(self, question, scope)

    # -- banks ------------------------------------------------------------------------------
    def bank(self, name: str) -> Bank:
        from reviewer.banks import get_bank

        return get_bank(name)

    # -- drafting ---------------------------------------------------------------------------
    def drafter(self, name: str | None = None) -> Drafter:
        name = name or self.settings.llm.backend
        if name in self._registered:
            return self._registered[name]
        # The extractive logic carries the corpus's IDF and background sample, so a drafter made
        # before an ingest is not reused after it.
        key = (name, self.docs.chunks_version())
        if key not in self._drafters:
            from reviewer.llm.factory import auto_backend, check_reachable, make_drafter

            drafter = make_drafter(name, self.settings, self._extractive)
            backend = auto_backend(self.settings) if name == "auto" else name
            if backend in ("ollama", "openai"):
                # once per run, before any question: a dead server is one clear error
                check_reachable(self.settings.llm.model_copy(update={"backend": backend}))
            self._drafters = {k: v for k, v in self._drafters.items() if k[1] == key[1]}
            self._drafters[key] = drafter
        return self._drafters[key]

    def register_drafter(self, name: str, drafter: Drafter) -> None:
        """Use `drafter` whenever `name` is asked for (a scripted model in tests and trials)."""
        self._registered[name] = drafter

    def _extractive(self) -> Drafter:
        from reviewer.drafting.extractive import ExtractiveDrafter

        return ExtractiveDrafter(
            self.cached_embedder, idf=self.idf(), background=self.background_sentences()
        )

    def background_sentences(self) -> list[str]:
        """A fixed sample of the corpus's sentences, the baseline evidence scores are judged by."""
        return self._corpus_profile()[1]

    def idf(self) -> dict[str, float]:
        """Inverse document frequency of (stemmed) words over the active chunks."""
        return self._corpus_profile()[0]

    def _corpus_profile(self) -> tuple[dict[str, float], list[str]]:
        """IDF and the background sample, from one read of the active chunks per version."""
        version = self.docs.chunks_version()
        if self._profile is None or self._profile[0] != version:
            import math

            from reviewer.drafting.extractive import content_words, sample_sentences

            _, texts = self.docs.all_chunk_texts()
            df: dict[str, int] = {}
            for t in texts:
                for w in content_words(t):
                    df[w] = df.get(w, 0) + 1
            n = max(1, len(texts))
            idf = {w: math.log(1 + n / c) for w, c in df.items()}
            self._profile = (version, idf, sample_sentences(texts))
        return self._profile[1], self._profile[2]

    def draft(
        self,
        question: Question,
        evidence: list[Evidence],
        drafter: Drafter,
        *,
        run_id: str = "",
        source: dict[str, Any] | None = None,
        scope: Sequence[str] | None = None,
    ) -> Finding:
        """Draft and verify one finding (not stored). Failures become a `failed` finding."""
        from reviewer.drafting.base import DraftingError
        from reviewer.drafting.finalize import cache_key, finalize

        started = time.perf_counter()
        key = cache_key(question, evidence, drafter.describe())
        params = self.retrieval_params(scope)
        try:
            draft = drafter.draft(question, evidence)
        except DraftingError as exc:
            return self._failed(question, run_id, source or {}, key, str(exc), drafter, params)
        return finalize(
            question,
            draft,
            evidence,
            drafter,
            run_id=run_id,
            retrieval_params=params,
            cache_key=key,
            source=source or {},
            started=started,
        )

    def retrieval_params(self, scope: Sequence[str] | None = None) -> dict[str, Any]:
        params: dict[str, Any] = self.settings.retrieval.model_dump()
        params["scope"] = list(scope or [])
        return params

    def _failed(
        self,
        question: Question,
        run_id: str,
        source: dict[str, Any],
        key: str,
        error: str,
        drafter: Drafter,
        params: dict[str, Any],
    ) -> Finding:
        from reviewer.drafting.finalize import finding_id

        return Finding(
            id=finding_id(run_id, question.id, source),
            run_id=run_id,
            question=question,
            verdict=Verdict.insufficient_evidence,
            rationale=f"Drafting failed: {error}",
            status=FindingStatus.failed,
            source=source,
            cache_key=key,
            provenance={**drafter.describe(), "retrieval": params, "error": error},
        )

    def review(
        self,
        questions: Sequence[Question],
        drafter: str | None = None,
        scope: Sequence[str] | None = None,
        fresh: bool = False,
        progress: Callable[[Question, int, int], None] | None = None,
        source: dict[str, Any] | None = None,
    ) -> ReviewReport:
        """Draft, verify and store a finding per question; identical inputs reuse stored drafts."""
        from reviewer.retrieval import resolve_scope, subqueries

        resolve_scope(self, scope)  # an unknown or ambiguous file fails before a run is recorded
        d = self.drafter(drafter)
        run = Run(
            id="r" + uuid.uuid4().hex[:11],
            kind="review",
            drafter=d.name,
            params={"questions": len(questions), "scope": list(scope or []), "fresh": fresh},
        )
        store = self.findings
        store.start_run(run)
        report = ReviewReport(run.id, d.name)
        started = time.perf_counter()
        # Retrieve for every question first: the sub-queries, and then the sentences the drafter
        # will score, are embedded in a few large batches instead of one small call per question.
        self.prefetch_embeddings(q for question in questions for q in subqueries(question))
        evidence_sets = [self.retrieve(q, scope) for q in questions]
        reuse: list[Finding | None] = [None] * len(questions)
        if not fresh:
            from reviewer.drafting.finalize import cache_key

            for i, (q, evidence) in enumerate(zip(questions, evidence_sets, strict=True)):
                cached = store.find_cached(cache_key(q, evidence, d.describe()))
                if cached is not None and cached.status != FindingStatus.stale:
                    reuse[i] = cached
        to_draft = [
            (q, ev) for q, ev, r in zip(questions, evidence_sets, reuse, strict=True) if r is None
        ]
        self.prefetch_embeddings(draft_texts(d, self.cached_embedder, to_draft))
        for i, q in enumerate(questions):
            if progress:
                progress(q, i, len(questions))
            src = dict(source or {"kind": "bank", "bank": q.bank or "ad-hoc"})
            if scope:
                src["scope"] = sorted(scope)
            evidence = evidence_sets[i]
            cached = reuse[i]
            if cached is not None:
                report.findings.append(cached)
                report.reused += 1
                continue
            f = self.draft(q, evidence, d, run_id=run.id, source=src, scope=scope)
            store.save_finding(f)
            report.findings.append(f)
            if f.status == FindingStatus.failed:
                report.failed.append((q.id, f.provenance.get("error", "")))
        store.mark_used(f.id for f in reuse if f is not None)
        store.finish_run(run.id, "failed" if report.failed else "done")
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    # -- decisions --------------------------------------------------------------------------
    def decide(
        self,
        finding_id: str,
        action: str | DecisionAction,
        reason: str | RejectReason | None = None,
        note: str = "",
        verdict: str | Verdict | None = None,
        rationale: str | None = None,
        reviewer: str | None = None,
        expected_status: FindingStatus | str | None = None,
    ) -> Any:
        return self.findings.decide(
            finding_id,
            reviewer or self.settings.reviewer_name(),
            DecisionAction(action),
            reason_code=RejectReason(reason) if reason else None,
            note=note,
            verdict=Verdict.parse(verdict) if isinstance(verdict, str) else verdict,
            rationale=rationale,
            expected_status=expected_status,
        )

    def verify_log(self) -> ChainCheck:
        return self.findings.verify_chain()

    # -- questionnaires --------------------------------------------------------------------
    def batch(self, path: Path, **kwargs: Any) -> Any:
        """Pre-fill a questionnaire (xlsx/csv) into a new file; see reviewer.batch.answering."""
        from reviewer.batch.answering import batch_questionnaire

        return batch_questionnaire(self, Path(path), **kwargs)

    # -- exports ----------------------------------------------------------------------------
    def export(self, fmt: str, out: Path, status: list[str] | None = None) -> tuple[Path, int]:
        """Write a report (md, html, json, csv, xlsx); returns the path and the finding count."""
        from reviewer.export.report import export

        return export(self, fmt, out, status)

    def current_findings(self, status: list[str] | None = None) -> list[Finding]:
        """The newest finding per question and source (older drafts are history)."""
        from reviewer.findings_view import current_findings

        items = current_findings(self.findings.list_findings())
        if status:
            items = [f for f in items if f.status.value in status]
        return items
