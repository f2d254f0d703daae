"""Hybrid retrieval: dense (Chroma) + lexical (BM25), fused by reciprocal rank fusion.

A question is asked as several sub-queries (the question, each criterion, the bank keywords);
every retriever's ranking of every sub-query votes 1/(k + rank) for a chunk. Doc-type hints
add a soft bonus; a scope (list of files) is a hard filter. Overlapping chunks of one document
are merged, and the evidence set is packed into a token budget and labelled E1..En.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from reviewer.ingest.chunking import count_tokens
from reviewer.models import Chunk, DocType, Document, Evidence, Question

if TYPE_CHECKING:
    from reviewer.workspace import Workspace

MODES = ("fused", "dense", "lexical")


class ScopeError(ValueError):
    """A scope names files that are not in the workspace."""


@dataclass
class Hit:
    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_sim: float = 0.0


def matching_documents(docs: Sequence[Document], name: str) -> list[Document]:
    """The documents a user's file name means: the file's own location (absolute or from here)
    first; else the path `reviewer docs` lists, a trailing part of the location, or a base name."""
    located = str(Path(name).expanduser().resolve())
    exact = [d for d in docs if d.source_path == located]
    if exact:
        return exact
    norm = name.replace("\\", "/").lstrip("./")
    return [
        d
        for d in docs
        if d.path == norm
        or d.source_path.endswith("/" + norm)
        or PurePosixPath(d.path).name == norm
    ]


def the_document(docs: Sequence[Document], name: str, said: str = "") -> Document | None:
    """The one document `name` means, None when none; ScopeError, listing them, when it fits
    several (two folders each with a terms.md): the user names the file by its path instead.
    `said` is how the error quotes the user's words (default: the name)."""
    match = matching_documents(docs, name)
    if len(match) > 1:
        listed = ", ".join(d.source_path for d in match)
        raise ScopeError(
            f"{said or name} names {len(match)} documents ({listed}); give the file's path instead"
        )
    return match[0] if match else None


def resolve_scope(ws: Workspace, scope: Sequence[str] | None) -> list[str] | None:
    """Doc ids for a list of file names (see `matching_documents`); a name that fits several
    documents is refused with the list, rather than silently widening the scope."""
    if not scope:
        return None
    docs = ws.docs.list_documents()
    ids: list[str] = []
    unknown: list[str] = []
    for name in scope:
        doc = the_document(docs, name, said=f"--scope {name}")
        if doc is not None:
            ids.append(doc.id)
        else:
            unknown.append(name)
    if unknown:
        raise ScopeError(f"scope names files not in the workspace: {', '.join(unknown)}")
    return sorted(set(ids))


def subqueries(question: Question) -> list[str]:
    queries = [question.text]
    queries += [c.text for c in question.criteria]
    if question.keywords:
        queries.append(" ".join(question.keywords))
    return queries


def fused_search(
    ws: Workspace,
    queries: Sequence[str],
    *,
    k: int,
    doc_ids: Sequence[str] | None = None,
    doc_types: Sequence[DocType] = (),
    mode: str = "fused",
) -> list[Hit]:
    """Rank chunks for several sub-queries at once; returns up to k hits, best first."""
    cfg = ws.settings.retrieval
    n_cand = max(cfg.candidates, k)
    votes: dict[str, float] = {}
    dense_rank: dict[str, int] = {}
    lex_rank: dict[str, int] = {}
    dense_sim: dict[str, float] = {}
    active = ws.docs.chunk_ids(doc_ids) if doc_ids is not None else None
    if mode in ("fused", "dense"):
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids else None
        vectors = ws.cached_embedder.embed(list(queries))
        for ranking in ws.vectors.query(vectors, n_cand, where=where):
            for rank, (cid, sim) in enumerate(ranking, start=1):
                votes[cid] = votes.get(cid, 0.0) + 1.0 / (cfg.rrf_k + rank)
                dense_rank[cid] = min(dense_rank.get(cid, rank), rank)
                dense_sim[cid] = max(dense_sim.get(cid, -1.0), sim)
    if mode in ("fused", "lexical"):
        lexical = ws.lexical
        for q in queries:
            for rank, (cid, _score) in enumerate(lexical.search(q, n_cand, allowed=active), 1):
                votes[cid] = votes.get(cid, 0.0) + 1.0 / (cfg.rrf_k + rank)
                lex_rank[cid] = min(lex_rank.get(cid, rank), rank)
    # Rank on (id, type) alone; only the k chunks returned are read in full. Only chunks active
    # in SQLite survive, so a vector or BM25 entry of a removed document is never returned.
    docs = ws.docs
    hinted = set(doc_types)
    scored: list[tuple[float, str]] = []
    for cid, doc_type in docs.chunk_types(votes).items():
        score = votes[cid]
        if hinted and doc_type in hinted:
            score *= 1.0 + cfg.doc_type_boost
        scored.append((score, cid))
    scored.sort(key=lambda sc: (-sc[0], sc[1]))
    top = scored[:k]
    chunks = docs.chunks(cid for _, cid in top)
    return [
        Hit(chunks[cid], score, dense_rank.get(cid), lex_rank.get(cid), dense_sim.get(cid, 0.0))
        for score, cid in top
        if cid in chunks  # removed by another process between the two reads
    ]


def merge_overlaps(hits: list[Hit], doc_text: dict[str, str]) -> list[Hit]:
    """Merge hits whose char spans overlap within one document (chunk overlap, duplicates)."""
    kept: list[Hit] = []
    for hit in hits:
        c = hit.chunk
        for i, prev in enumerate(kept):
            p = prev.chunk
            if p.doc_id == c.doc_id and c.char_start < p.char_end and p.char_start < c.char_end:
                if p.page != c.page:
                    continue
                start, end = min(p.char_start, c.char_start), max(p.char_end, c.char_end)
                text = doc_text[c.doc_id][start:end] if c.doc_id in doc_text else p.text
                merged = p.model_copy(update={"char_start": start, "char_end": end, "text": text})
                kept[i] = Hit(
                    merged,
                    prev.score + hit.score * 0.5,
                    prev.dense_rank,
                    prev.lexical_rank,
                    max(prev.dense_sim, hit.dense_sim),
                )
                break
        else:
            kept.append(hit)
    return kept


def pack(hits: list[Hit], budget: int, k: int) -> list[Evidence]:
    """Best hits first until the token budget or k is reached; labelled E1..En."""
    evidence: list[Evidence] = []
    used = 0
    for hit in hits:
        if len(evidence) >= k:
            break
        cost = count_tokens(hit.chunk.text) + 20  # 20 ≈ the block header
        if evidence and used + cost > budget:
            continue
        used += cost
        evidence.append(
            Evidence(
                label=f"E{len(evidence) + 1}",
                chunk=hit.chunk,
                score=round(hit.score, 6),
                dense_rank=hit.dense_rank,
                lexical_rank=hit.lexical_rank,
            )
        )
    return evidence


def retrieve(
    ws: Workspace, question: Question, scope: Sequence[str] | None = None, k: int | None = None
) -> list[Evidence]:
    """Evidence for a question: hybrid sub-query search, scoped, merged, budget-packed."""
    cfg = ws.settings.retrieval
    k = k or cfg.k
    doc_ids = resolve_scope(ws, scope)
    hits = fused_search(
        ws, subqueries(question), k=k * 2, doc_ids=doc_ids, doc_types=question.doc_types
    )
    return evidence_from_hits(ws, hits, k)


def evidence_from_hits(ws: Workspace, hits: list[Hit], k: int) -> list[Evidence]:
    """Ranked hits to labelled evidence: overlapping hits merged, packed into the token budget."""
    # Only a document with two or more hits can have overlapping ones to merge.
    per_doc = Counter(h.chunk.doc_id for h in hits)
    repeated = sorted(d for d, n in per_doc.items() if n > 1)
    texts = ws.docs.texts(repeated) if repeated else {}
    return pack(merge_overlaps(hits, texts), ws.settings.retrieval.token_budget, k)
