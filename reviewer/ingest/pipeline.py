"""Ingest orchestration: discover files, skip unchanged ones, parse, chunk, embed, store.

Order of writes for a new or changed file (so a crash never exposes a mix of old and new):
1. new chunk vectors are added to Chroma under ids that embed the new content hash;
2. one SQLite transaction swaps the document row and its chunk rows (the source of truth);
3. the old vectors are deleted and the BM25 index is rebuilt from SQLite.
Retrieval only returns chunk ids present in SQLite, so leftovers of an interrupted step 1 or 3
are invisible, and `reconcile` removes them on the next ingest.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reviewer.fileio import sha256_of
from reviewer.ingest.base import IngestError
from reviewer.ingest.chunking import chunk_document
from reviewer.ingest.doctype import detect_doc_type
from reviewer.ingest.loaders import SUPPORTED_EXTENSIONS, load_file
from reviewer.models import Chunk, DocType, Document

if TYPE_CHECKING:
    from reviewer.config import IngestSettings
    from reviewer.workspace import Workspace

Progress = Callable[[str, int, int], None]


@dataclass
class FileResult:
    path: str
    status: str  # ingested | replaced | unchanged | failed
    doc_id: str = ""
    doc_type: str = ""
    chunks: int = 0
    pages: int | None = None
    error: str | None = None
    seconds: float = 0.0
    flags: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    # documents ingested from a folder given now whose file is no longer there (kept until
    # `reviewer forget`: their findings and decisions may still matter)
    missing: list[Document] = field(default_factory=list)

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.results:
            out[r.status] = out.get(r.status, 0) + 1
        return out


# Bump when a loader or the chunker changes what an unchanged file turns into: documents stored
# under an older recipe are then re-processed on re-ingest instead of skipped as unchanged.
INGEST_VERSION = 2


def ingest_recipe(settings: IngestSettings) -> str:
    """How a file becomes chunks: code version and the chunk settings (limits do not count)."""
    return f"v{INGEST_VERSION} chunk={settings.chunk_tokens} overlap={settings.overlap_tokens}"


def doc_id_for(path: Path) -> str:
    """Documents are keyed by their absolute location, so two folders' README.md never collide."""
    return "d" + hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:15]


def missing_from(docs: Iterable[Document], paths: Iterable[str | Path]) -> list[Document]:
    """Documents ingested from inside the given folders whose files are gone."""
    folders = [Path(p).resolve() for p in paths if Path(p).is_dir()]
    return [
        d
        for d in docs
        if any(Path(d.source_path).is_relative_to(f) for f in folders)
        and not Path(d.source_path).exists()
    ]


def discover(paths: Iterable[str | Path]) -> list[tuple[Path, str, str | None]]:
    """(file, display path, error) for every candidate; directories recurse, hidden files skipped."""
    found: list[tuple[Path, str, str | None]] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p)
                if any(part.startswith(".") for part in rel.parts) or not f.is_file():
                    continue
                if f.name.startswith("~$"):
                    continue  # an Office lock file beside an open document, not evidence
                if f.suffix.lower() not in SUPPORTED_EXTENSIONS:
                    found.append(
                        (f, rel.as_posix(), f"unsupported file type '{f.suffix or f.name}'")
                    )
                    continue
                found.append((f, rel.as_posix(), None))
        elif p.is_file():
            found.append((p, p.name, None))
        elif p.exists():
            found.append((p, str(p), "not a regular file"))
        else:
            found.append((p, str(p), "no such file or directory"))
    return found


EMBED_BATCH_CHUNKS = 512  # embed several small files in one call: the model is the cost


@dataclass
class Prepared:
    """A parsed and chunked file waiting for its embeddings."""

    result: FileResult
    doc: Document
    chunks: list[Chunk]
    text: str
    page_spans: list[tuple[int, int]]
    old: Document | None
    started: float


def ingest_paths(
    ws: Workspace,
    paths: Iterable[str | Path],
    doc_type: DocType | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    from reviewer.drafting.injection import find_injections

    report = IngestReport()
    files = discover(paths)
    reconcile(ws)
    report.missing = missing_from(ws.docs.list_documents(), paths)
    changed = False
    pending: list[Prepared] = []

    def flush() -> None:
        nonlocal changed
        if pending:
            report.results.extend(_commit(ws, pending))
            changed = True
            pending.clear()

    for i, (path, shown, pre_error) in enumerate(files):
        if progress:
            progress(shown, i, len(files))
        started = time.perf_counter()
        if pre_error:
            report.results.append(FileResult(shown, "failed", error=f"{path}: {pre_error}"))
            continue
        try:
            prepared = _prepare(ws, path, shown, doc_type, find_injections)
        except IngestError as exc:
            prepared = FileResult(shown, "failed", error=str(exc))
        except OSError as exc:
            prepared = FileResult(
                shown, "failed", error=f"{path}: cannot read: {exc.strerror or exc}"
            )
        if isinstance(prepared, FileResult):
            prepared.seconds = round(time.perf_counter() - started, 3)
            report.results.append(prepared)
            continue
        prepared.started = started
        pending.append(prepared)
        if sum(len(p.chunks) for p in pending) >= EMBED_BATCH_CHUNKS:
            flush()
    flush()
    if progress:
        progress("", len(files), len(files))
    if changed:
        ws.rebuild_lexical()
    else:
        _ = ws.lexical  # loads the saved index, rebuilding it when missing or stale
    return report


def _prepare(
    ws: Workspace,
    path: Path,
    shown: str,
    doc_type: DocType | None,
    find_injections: Callable[[str], list[str]],
) -> Prepared | FileResult:
    """Hash, parse and chunk one file; an unchanged file is done here."""
    doc_id = doc_id_for(path)
    size = path.stat().st_size
    sha = sha256_of(path)
    old = ws.docs.get(doc_id)
    recipe = ingest_recipe(ws.settings.ingest)
    if (
        old
        and old.sha256 == sha
        and old.recipe == recipe
        and (doc_type is None or old.doc_type == doc_type)
    ):
        return FileResult(shown, "unchanged", doc_id, old.doc_type.value, old.n_chunks, old.pages)

    loaded = load_file(path, ws.settings.ingest)
    spans = chunk_document(
        loaded, ws.settings.ingest.chunk_tokens, ws.settings.ingest.overlap_tokens
    )
    if not spans:
        raise IngestError(path, "no text to index after parsing")
    dtype = doc_type or detect_doc_type(path, loaded)
    chunks = [
        Chunk(
            id=f"{doc_id}-{sha[:12]}-{n:05d}",
            doc_id=doc_id,
            doc_sha256=sha,
            path=shown,
            ordinal=n,
            page=s.page,
            char_start=s.start,
            char_end=s.end,
            heading_path=s.heading_path,
            doc_type=dtype,
            text=s.text,
        )
        for n, s in enumerate(spans)
    ]
    flags = ["injection"] if find_injections(loaded.text) else []
    doc = Document(
        id=doc_id,
        path=shown,
        source_path=str(path.resolve()),
        sha256=sha,
        doc_type=dtype,
        title=loaded.title or path.stem,
        pages=loaded.pages,
        n_chunks=len(chunks),
        size_bytes=size,
        metadata=loaded.metadata,
        recipe=recipe,
    )
    result = FileResult(
        shown,
        "replaced" if old else "ingested",
        doc_id,
        dtype.value,
        len(chunks),
        loaded.pages,
        flags=flags,
    )
    return Prepared(result, doc, chunks, loaded.text, list(loaded.page_spans), old, 0.0)


def _commit(ws: Workspace, batch: list[Prepared]) -> list[FileResult]:
    """Embed a batch of files in one call, then store each file (vectors first, then SQLite)."""
    texts = [c.text for p in batch for c in p.chunks]
    vectors = ws.embedder.embed(texts)
    results = []
    offset = 0
    for p in batch:
        n = len(p.chunks)
        ws.vectors.add(p.chunks, vectors[offset : offset + n])
        offset += n
        ws.docs.replace(p.doc, p.chunks, p.text, p.page_spans, p.result.flags)
        if p.old:
            sha = p.doc.sha256
            stale_ids = [cid for cid in ws.vectors.ids({"doc_id": p.doc.id}) if sha[:12] not in cid]
            ws.vectors.delete(stale_ids)
            ws.findings.mark_stale([p.old.sha256], {p.old.sha256: f"{p.doc.path} (changed)"})
        p.result.seconds = round(time.perf_counter() - p.started, 3)
        results.append(p.result)
    return results


def forget_paths(ws: Workspace, paths: Iterable[str]) -> list[Document]:
    """Drop documents by path (as listed by `reviewer docs`, or the file's location).

    A name that fits several documents (two folders each with a terms.md) drops none of them:
    ScopeError (a ValueError) lists the files, so the user can name the one they mean.
    """
    from reviewer.retrieval import the_document

    every = ws.docs.list_documents()
    docs: list[Document] = []
    for name in paths:
        found = the_document(every, name)
        if found is not None and found not in docs:
            docs.append(found)
    if not docs:
        return []
    for d in docs:
        ws.vectors.delete(ws.vectors.ids({"doc_id": d.id}))
    ws.docs.remove([d.id for d in docs])
    ws.findings.mark_stale(
        [d.sha256 for d in docs], {d.sha256: f"{d.path} (forgotten)" for d in docs}
    )
    ws.rebuild_lexical()
    return docs


def reconcile(ws: Workspace) -> dict[str, int]:
    """Make Chroma agree with SQLite after an interrupted ingest: drop vectors of no active chunk."""
    active = ws.docs.chunk_ids()
    in_chroma = set(ws.vectors.ids())
    orphans = in_chroma - active
    if orphans:
        ws.vectors.delete(sorted(orphans))
    missing_docs = {cid.split("-", 1)[0] for cid in active - in_chroma}
    if missing_docs:
        # Their vectors never landed: forget the rows so the next ingest of the file redoes it.
        ws.docs.remove(sorted(missing_docs))
    return {"orphan_vectors": len(orphans), "docs_missing_vectors": len(missing_docs)}
