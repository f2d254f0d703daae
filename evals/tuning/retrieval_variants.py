"""Evidence recall@10 of retrieval variants on dev items, scoped and whole-corpus apart.

    python -m evals.tuning.retrieval_variants --gold $G --docs corpora/demo
Dev split only. Each variant changes one thing against the shipped retrieval (`reviewer.retrieval`):
a per-document cap on the top ten, other sub-query sets, the doc-type boost, the RRF constant,
the chunks next to the best hits (merged into them as larger blocks), and re-ranking the fused candidates by their best sentence's drafter score (MiniLM
criterion/question similarity + IDF word overlap), alone or fused with the shipped order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from evals.tuning.devset import DevItem, dev_parser, load_dev
from reviewer import retrieval as R
from reviewer.drafting.extractive import (
    ExtractiveParams,
    clean_sentences,
    content_words,
    weighted_coverage,
)
from reviewer.drafting.synonyms import GROUPS
from reviewer.models import Evidence, Question
from reviewer.store.lexical import stem
from reviewer.text import find_quote, norm_tokens

Order = Callable[[DevItem, list[R.Hit]], list[R.Hit]]


def recall_at_10(
    devs: list[DevItem],
    *,
    scoped: bool,
    queries: Callable[[Question], list[str]] = R.subqueries,
    order: Order | None = None,
    boost: float | None = None,
    rrf_k: int | None = None,
) -> tuple[int, int]:
    found = total = 0
    for dev in devs:
        if bool(dev.item.scope) != scoped or not dev.item.evidence:
            continue
        ws, q = dev.ws, dev.question
        cfg = ws.settings.retrieval.model_copy(
            update={k: v for k, v in (("doc_type_boost", boost), ("rrf_k", rrf_k)) if v is not None}
        )
        saved, ws.settings.retrieval = ws.settings.retrieval, cfg
        try:
            hits = R.fused_search(
                ws,
                queries(q),
                k=30 if order else 20,
                doc_ids=R.resolve_scope(ws, dev.item.scope),
                doc_types=q.doc_types,
            )
        finally:
            ws.settings.retrieval = saved
        hits = order(dev, hits)[:20] if order else hits
        # the variants change the ranking, never the token budget packing reads
        hit, quotes = gold_quotes_found(dev, R.evidence_from_hits(ws, hits, 10))
        found, total = found + hit, total + quotes
    return found, total


def gold_quotes_found(dev: DevItem, evidence: list[Evidence]) -> tuple[int, int]:
    """(gold quotes of the item found in the evidence, gold quotes of the item)."""
    found = sum(
        any(
            Path(e.chunk.path).name == gold.file and find_quote(e.chunk.text, gold.quote)
            for e in evidence
        )
        for gold in dev.item.evidence
    )
    return found, len(dev.item.evidence)


def cap_per_document(cap: int) -> Order:
    def order(dev: DevItem, hits: list[R.Hit]) -> list[R.Hit]:
        seen: Counter[str] = Counter()
        first, rest = [], []
        for h in hits:
            seen[h.chunk.doc_id] += 1
            (first if seen[h.chunk.doc_id] <= cap else rest).append(h)
        return first + rest

    return order


def document_decay(decay: float) -> Order:
    """Soft diversity: a hit's fused score times `decay` per earlier hit of its document."""

    def order(dev: DevItem, hits: list[R.Hit]) -> list[R.Hit]:
        seen: Counter[str] = Counter()
        scored = []
        for n, h in enumerate(hits):
            scored.append((-h.score * decay ** seen[h.chunk.doc_id], n, h))
            seen[h.chunk.doc_id] += 1
        return [h for _, _, h in sorted(scored, key=lambda t: (t[0], t[1]))]

    return order


def subquery_round_robin(dev: DevItem, hits: list[R.Hit]) -> list[R.Hit]:
    """Each sub-query's own best chunks in turn (its first, then every sub-query's second, ...),
    so that a criterion worded unlike the others still places its best chunk; then the rest."""
    ws, q = dev.ws, dev.question
    doc_ids = R.resolve_scope(ws, dev.item.scope)
    rankings = [
        R.fused_search(ws, [sub], k=10, doc_ids=doc_ids, doc_types=q.doc_types)
        for sub in R.subqueries(q)
    ]
    out: list[R.Hit] = []
    seen: set[str] = set()
    for depth in range(10):
        for ranking in rankings:
            if depth < len(ranking) and ranking[depth].chunk.id not in seen:
                seen.add(ranking[depth].chunk.id)
                out.append(ranking[depth])
    return out + [h for h in hits if h.chunk.id not in seen]


def best_sentence_scores(dev: DevItem, hits: list[R.Hit]) -> np.ndarray:
    """Each hit's best sentence under the drafter's criterion score (max over criteria)."""
    ws, q, p = dev.ws, dev.question, ExtractiveParams()
    crits = [c.text for c in q.criteria] or [q.text]
    qv = ws.cached_embedder.embed([q.text, *crits])
    crit_words = [content_words(c) for c in crits]
    idf = ws.idf()
    best = []
    for h in hits:
        sents = list(clean_sentences(h.chunk.text, p)) or [h.chunk.text[:600]]
        sv = ws.cached_embedder.embed(sents)
        words = [content_words(s) for s in sents]
        per_crit = [
            p.w_criterion * (sv @ qv[1 + i])
            + p.w_question * (sv @ qv[0])
            + p.w_lexical * np.array([weighted_coverage(cw, w, idf) for w in words])
            for i, cw in enumerate(crit_words)
        ]
        best.append(float(np.max(per_crit)))
    return np.array(best)


def sentence_rerank(weight: float | None) -> Order:
    """Order by best sentence alone (weight None) or RRF of shipped rank and sentence rank."""

    def order(dev: DevItem, hits: list[R.Hit]) -> list[R.Hit]:
        best = best_sentence_scores(dev, hits)
        if weight is None:
            idx = np.argsort(-best, kind="stable")
        else:
            rank = np.argsort(np.argsort(-best, kind="stable"))
            fused = [1 / (10 + i) + weight / (10 + rank[i]) for i in range(len(hits))]
            idx = np.argsort(-np.array(fused), kind="stable")
        return [hits[int(i)] for i in idx]

    return order


def neighbours(top: int, before: bool = True) -> Order:
    """The chunk after (and before) each of the first `top` hits, placed right after it; the
    shipped merge then joins overlapping neighbours into one larger block."""

    def order(dev: DevItem, hits: list[R.Hit]) -> list[R.Hit]:
        out: list[R.Hit] = []
        seen = {h.chunk.id for h in hits[:top]}
        for n, h in enumerate(hits):
            out.append(h)
            if n >= top:
                continue
            by_ordinal = {c.ordinal: c for c in dev.ws.docs.chunks_of(h.chunk.doc_id)}
            for step in (1, -1) if before else (1,):
                c = by_ordinal.get(h.chunk.ordinal + step)
                if c is not None and c.id not in seen:
                    seen.add(c.id)
                    out.append(R.Hit(c, h.score, None, None, 0.0))
        return out

    return order


def synonym_expansion(q: Question) -> list[str]:
    """The shipped sub-queries plus one of the auditor synonyms of the question's words."""
    stems = {stem(t) for t in norm_tokens(" ".join([q.text, *(c.text for c in q.criteria)]))}
    extra = [w for group in GROUPS if stems & {stem(g) for g in group} for w in group]
    return R.subqueries(q) + ([" ".join(extra)] if extra else [])


def main() -> None:
    args = dev_parser(__doc__).parse_args()
    devs = load_dev(args.gold, args.docs)

    def criteria(q: Question) -> list[str]:
        return [c.text for c in q.criteria] or [q.text]

    variants: list[tuple[str, dict[str, object]]] = [
        ("shipped", {}),
        *[
            (f"next chunk of the top {n}", {"order": neighbours(n, before=False)})
            for n in (1, 3, 5)
        ],
        *[(f"both neighbours of the top {n}", {"order": neighbours(n)}) for n in (1, 3, 5, 10)],
        ("cap 2 chunks per document", {"order": cap_per_document(2)}),
        ("cap 3 chunks per document", {"order": cap_per_document(3)}),
        ("no keyword sub-query", {"queries": lambda q: [q.text, *criteria(q)]}),
        ("criteria only", {"queries": criteria}),
        ("synonym expansion sub-query", {"queries": synonym_expansion}),
        (
            "primary control title as a sub-query",
            {"queries": lambda q: R.subqueries(q) + [r.title for r in q.refs[:1] if r.title]},
        ),
        (
            "all control titles as sub-queries",
            {
                "queries": lambda q: (
                    R.subqueries(q) + list(dict.fromkeys(r.title for r in q.refs if r.title))
                )
            },
        ),
        ("question counted twice", {"queries": lambda q: [q.text, *R.subqueries(q)]}),
        ("doc-type boost 0", {"boost": 0.0}),
        ("doc-type boost 0.3", {"boost": 0.3}),
        ("RRF k 20", {"rrf_k": 20}),
        ("RRF k 120", {"rrf_k": 120}),
        ("document decay 0.9", {"order": document_decay(0.9)}),
        ("document decay 0.8", {"order": document_decay(0.8)}),
        ("document decay 0.7", {"order": document_decay(0.7)}),
        ("sub-query round robin", {"order": subquery_round_robin}),
        ("best sentence only", {"order": sentence_rerank(None)}),
        ("RRF shipped + best sentence", {"order": sentence_rerank(1.0)}),
    ]
    for name, kw in variants:
        cells = []
        for scoped in (True, False):
            found, total = recall_at_10(devs, scoped=scoped, **kw)  # type: ignore[arg-type]
            cells.append(f"{found / total:.3f} ({found}/{total})" if total else "-")
        print(f"{name:32} scoped {cells[0]:16} whole corpus {cells[1]}")


if __name__ == "__main__":
    main()
