"""Would a sentence-level dense list find the evidence a chunk-level one misses? Dev only.

    python -m evals.tuning.sentence_index --gold $G --docs $D

Shipped retrieval fuses, per sub-query, a MiniLM ranking of whole chunks (~220 tokens) and a
BM25 ranking. A criterion that one sentence answers can be diluted in its chunk's vector. Here
every sentence of every chunk is embedded as well, a chunk is scored by its best sentence
(max-sim), and that ranking joins the fusion with weight w (RRF, same constant), or replaces
it. Evidence recall@10 as in `retrieval_variants.py` (same merge and pack), scoped and
whole-corpus apart. Sentence vectors go through the workspace's embedding cache.
"""

from __future__ import annotations

import numpy as np

from evals.tuning.devset import DevItem, dev_parser, load_dev
from evals.tuning.retrieval_variants import gold_quotes_found
from reviewer import retrieval as R
from reviewer.drafting.extractive import ExtractiveParams, clean_sentences
from reviewer.workspace import Workspace


class SentenceIndex:
    """Every scorable sentence of a workspace's chunks, embedded, with its chunk."""

    def __init__(self, ws: Workspace) -> None:
        p = ExtractiveParams()
        self.ids, texts = ws.docs.all_chunk_texts()
        owners: list[int] = []
        sentences: list[str] = []
        for i, text in enumerate(texts):
            for s in clean_sentences(text, p):
                owners.append(i)
                sentences.append(s)
        self.owner = np.array(owners)
        self.vecs = ws.cached_embedder.embed(sentences)
        self.embedder = ws.cached_embedder

    def ranking(self, query: str, allowed: set[str] | None, n: int) -> list[str]:
        sims = self.vecs @ self.embedder.embed([query])[0]
        best = np.full(len(self.ids), -2.0, dtype=np.float32)
        np.maximum.at(best, self.owner, sims)
        order = [int(i) for i in np.argsort(-best, kind="stable")]
        out = []
        for i in order:
            if best[i] <= -2.0:
                break
            if allowed is None or self.ids[i] in allowed:
                out.append(self.ids[i])
            if len(out) == n:
                break
        return out


def recall_at_10(
    devs: list[DevItem],
    indexes: dict[int, SentenceIndex],
    *,
    scoped: bool,
    weights: tuple[float, float] | None,
) -> tuple[int, int]:
    """weights None: the shipped fusion; else (chunk-vector list weight, sentence list weight),
    BM25 at 1 (each list's RRF votes scaled by its weight)."""
    found = total = 0
    for dev in devs:
        if bool(dev.item.scope) != scoped or not dev.item.evidence:
            continue
        ws, q = dev.ws, dev.question
        cfg = ws.settings.retrieval
        doc_ids = R.resolve_scope(ws, dev.item.scope)
        queries = R.subqueries(q)
        if weights is None:
            hits = R.fused_search(ws, queries, k=20, doc_ids=doc_ids, doc_types=q.doc_types)
        else:
            a, b = weights
            votes: dict[str, float] = {}
            for mode, w in (("lexical", 1.0), ("dense", a)):
                if w:
                    for h in R.fused_search(
                        ws, queries, k=cfg.candidates, doc_ids=doc_ids, mode=mode
                    ):
                        votes[h.chunk.id] = votes.get(h.chunk.id, 0.0) + w * h.score
            allowed = ws.docs.chunk_ids(doc_ids) if doc_ids is not None else None
            for query in queries:
                ranked = indexes[id(ws)].ranking(query, allowed, cfg.candidates)
                for rank, cid in enumerate(ranked, 1):
                    votes[cid] = votes.get(cid, 0.0) + b / (cfg.rrf_k + rank)
            top = sorted(votes, key=lambda c: (-votes[c], c))[:20]
            chunks = ws.docs.chunks(top)
            hits = [R.Hit(chunks[c], votes[c]) for c in top if c in chunks]
        hit, quotes = gold_quotes_found(dev, R.evidence_from_hits(ws, hits, 10))
        found, total = found + hit, total + quotes
    return found, total


def main() -> None:
    args = dev_parser(__doc__).parse_args()
    devs = load_dev(args.gold, args.docs)
    indexes: dict[int, SentenceIndex] = {}
    for dev in devs:
        if id(dev.ws) not in indexes:
            indexes[id(dev.ws)] = SentenceIndex(dev.ws)
    n_sent = sum(len(ix.owner) for ix in indexes.values())
    n_chunks = sum(len(ix.ids) for ix in indexes.values())
    print(f"{len(indexes)} corpora, {n_chunks} chunks, {n_sent} sentences")
    variants: list[tuple[str, tuple[float, float] | None]] = [
        ("shipped", None),
        *[
            (f"chunk vectors {a:g}, sentences {b:g}", (a, b))
            for a, b in ((1, 0), (1, 0.5), (1, 1), (0.5, 1), (0, 1), (0, 1.5), (0.5, 1.5))
        ],
    ]
    for name, weights in variants:
        cells = []
        for scoped in (True, False):
            found, total = recall_at_10(devs, indexes, scoped=scoped, weights=weights)
            cells.append(f"{found / total:.3f} ({found}/{total})" if total else "-")
        print(f"{name:32} scoped {cells[0]:16} whole corpus {cells[1]}")


if __name__ == "__main__":
    main()
