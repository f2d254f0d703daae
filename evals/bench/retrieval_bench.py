"""Retrieval latency at 10k and 100k chunks: hybrid, dense-only, lexical-only and question retrieval.

The workspaces are built without parsing any file: synthetic chunk texts (the corpus generator's
templates, ~110-190 words each, 100 chunks per document) go straight into SQLite through
`DocumentStore.replace`, vectors into Chroma through `VectorStore.add`, and the BM25 index is
built from SQLite as ingest would.

Vectors: the first REAL_VECTORS (2,000) are real MiniLM embeddings, computed from the first
EMBED_WORDS words of each text (a dense query costs the same whatever text a vector came from,
and embedding 10,000 texts would add ~100 s to every fresh run on 2 cores). They are cached
under the work directory. Every further chunk i gets a blend of two real vectors,
0.75 * real[i mod R] + 0.25 * real[j] (j seeded), plus Gaussian noise (sigma 0.01 per
dimension), renormalised: the HNSW graph holds 100k distinct points spread between real ones
rather than tight clusters of copies.

Latency is measured warm, in one process, one query at a time, over the text of the bank
questions (query embedding included, as a user would wait for it).

    python -m evals.bench.retrieval_bench --sizes 10000 100000 --work DIR
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from evals.bench.common import emit, latency_summary, peak_rss_mb, set_offline
from evals.bench.corpus import HEADINGS, KINDS, ORGS, SYSTEMS, VENDORS, _Writer

REAL_VECTORS = 2_000
EMBED_WORDS = 40
NOISE_SIGMA = 0.01
BLEND = 0.75  # weight of a derived vector's own real vector; the rest comes from another one
ADD_BATCH = 2_000  # chunks per VectorStore.add call while building
CHUNKS_PER_DOC = 100
CHUNK_WORDS = (110, 190)
WARMUP = 5
GENERATOR_VERSION = "1"


def chunk_texts(n: int, seed: int) -> list[str]:
    """n synthetic chunk texts: a heading line then templated sentences; deterministic."""
    rng = random.Random(seed)
    texts: list[str] = []
    writer: _Writer | None = None
    for i in range(n):
        if i % CHUNKS_PER_DOC == 0:
            kind = KINDS[(i // CHUNKS_PER_DOC) % len(KINDS)]
            writer = _Writer(
                random.Random(rng.getrandbits(64)),
                kind,
                rng.choice(ORGS),
                rng.choice(SYSTEMS),
                rng.choice(VENDORS),
            )
        assert writer is not None
        target = writer.rng.randint(*CHUNK_WORDS)
        heads = HEADINGS[writer.kind]
        parts = [heads[i % len(heads)]]
        words = 0
        while words < target:
            s = writer.sentence()
            parts.append(s)
            words += len(s.split())
        texts.append(parts[0] + "\n" + " ".join(parts[1:]))
    return texts


def real_vectors(texts: Sequence[str], cache: Path) -> tuple[np.ndarray, float, bool]:
    """MiniLM vectors of each text's first EMBED_WORDS words, cached; (vectors, seconds, cached)."""
    from reviewer.store.embeddings import shared_embedder

    key = hashlib.sha256(
        ("\x00".join(texts) + f"|{EMBED_WORDS}|{GENERATOR_VERSION}").encode()
    ).hexdigest()[:16]
    path = cache / f"vectors-{len(texts)}-{key}.npy"
    if path.is_file():
        return np.load(path), 0.0, True
    heads = [" ".join(t.split()[:EMBED_WORDS]) for t in texts]
    t = time.perf_counter()
    vectors = shared_embedder().embed(heads)
    seconds = time.perf_counter() - t
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors, seconds, False


def spread_vectors(base: np.ndarray, n: int, seed: int) -> np.ndarray:
    """n unit vectors: the base rows as they are, then seeded blends of two base rows plus noise.

    Row i depends only on (base, i, seed), so a smaller n gives a prefix of a larger one.
    """
    r = len(base)
    out = np.tile(base, (-(-n // r), 1))[:n].astype(np.float32)
    if n > r:
        tail = out[r:]
        partners = np.random.default_rng(seed).integers(0, r, size=n - r)
        noise = np.random.default_rng(seed + 1).normal(0.0, NOISE_SIGMA, size=tail.shape)
        tail *= BLEND
        tail += (1.0 - BLEND) * base[partners] + noise.astype(np.float32)
        tail /= np.linalg.norm(tail, axis=1, keepdims=True)
    return out


def build_workspace(root: Path, n: int, seed: int, cache: Path) -> dict[str, Any]:
    """A workspace of n chunks (n/100 documents) with real/spread vectors and a BM25 index."""
    from reviewer.models import Chunk, DocType, Document
    from reviewer.workspace import Workspace

    shutil.rmtree(root, ignore_errors=True)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    texts = chunk_texts(n, seed)
    timings["generate_s"] = time.perf_counter() - t
    base, embed_s, cached = real_vectors(texts[:REAL_VECTORS], cache)
    timings["embed_s"] = embed_s
    vectors = spread_vectors(base, n, seed)
    ws = Workspace.open(root)
    t = time.perf_counter()
    types = [DocType.policy, DocType.model_card, DocType.vendor]
    store_s = 0.0
    pending: list[Chunk] = []  # chunks whose vectors are not added yet: Chroma takes big batches
    added = 0  # chunks whose vectors are in Chroma; pending ones follow them in order

    def flush() -> None:
        nonlocal store_s, added
        if pending:
            s = time.perf_counter()
            ws.vectors.add(pending, vectors[added : added + len(pending)], batch=ADD_BATCH)
            store_s += time.perf_counter() - s
            added += len(pending)
            pending.clear()

    for d0 in range(0, n, CHUNKS_PER_DOC):
        part = texts[d0 : d0 + CHUNKS_PER_DOC]
        doc_no = d0 // CHUNKS_PER_DOC
        doc_id = f"dbench{doc_no:09d}"
        sha = hashlib.sha256(f"{seed}-{doc_no}".encode()).hexdigest()
        dtype = types[doc_no % len(types)]
        path = f"bench/doc-{doc_no:05d}.md"
        chunks = []
        pos = 0
        for j, text in enumerate(part):
            chunks.append(
                Chunk(
                    id=f"{doc_id}-{sha[:12]}-{j:05d}",
                    doc_id=doc_id,
                    doc_sha256=sha,
                    path=path,
                    ordinal=j,
                    page=None,
                    char_start=pos,
                    char_end=pos + len(text),
                    heading_path=[text.split("\n", 1)[0]],
                    doc_type=dtype,
                    text=text,
                )
            )
            pos += len(text) + 2
        doc = Document(
            id=doc_id,
            path=path,
            source_path=f"/bench/{path}",
            sha256=sha,
            doc_type=dtype,
            title=f"Bench document {doc_no}",
            n_chunks=len(chunks),
            size_bytes=pos,
        )
        ws.docs.replace(doc, chunks, "\n\n".join(part), [], [])
        pending.extend(chunks)
        if len(pending) >= ADD_BATCH:
            flush()
    flush()
    timings["store_s"] = time.perf_counter() - t
    timings["vectors_add_s"] = store_s
    t = time.perf_counter()
    ws.rebuild_lexical()
    timings["bm25_s"] = time.perf_counter() - t
    ws.close()
    return {
        "chunks": n,
        "real_vectors": min(n, REAL_VECTORS),
        "vectors_cached": cached,
        **{k: round(v, 2) for k, v in timings.items()},
    }


# Query embeddings are cached per workspace, so every timed query is one not asked before.
MODE_SUFFIX = {
    "fused": "Show the supporting evidence.",
    "dense": "Which passage answers this?",
    "lexical": "Quote the relevant clause.",
}


def _time_calls(
    fn: Callable[[Any], Any], warm: Sequence[Any], timed: Sequence[Any]
) -> dict[str, float]:
    for x in warm:
        fn(x)
    seconds = []
    for x in timed:
        t = time.perf_counter()
        fn(x)
        seconds.append(time.perf_counter() - t)
    return latency_summary(seconds)


def measure(root: Path) -> dict[str, Any]:
    """Warm single-query latency per mode, and Workspace.retrieve over the bank questions."""
    from reviewer.banks import all_questions
    from reviewer.workspace import Workspace

    ws = Workspace.open(root)
    questions = all_questions()
    _ = ws.embedder, ws.lexical  # load the model and the index before timing
    out: dict[str, Any] = {"queries": len(questions)}
    for mode, suffix in MODE_SUFFIX.items():
        warm = [f"warm-up query {i} for {mode} search" for i in range(WARMUP)]
        timed = [f"{q.text} {suffix}" for q in questions]

        def search(q: str, m: str = mode) -> Any:
            return ws.search(q, k=10, mode=m)

        out[mode] = _time_calls(search, warm, timed)
    # The same fused queries again: their embeddings now come from the workspace cache.
    repeat = [f"{q.text} {MODE_SUFFIX['fused']}" for q in questions]
    out["fused_repeat"] = _time_calls(lambda q: ws.search(q, k=10), [], repeat)
    out["retrieve"] = _time_calls(ws.retrieve, questions[:WARMUP], questions[WARMUP:])
    ws.close()
    return out


def profile_query(root: Path, mode: str = "fused", top: int = 12) -> dict[str, Any]:
    import cProfile

    from evals.bench.ingest_bench import top_functions
    from reviewer.banks import all_questions
    from reviewer.workspace import Workspace

    ws = Workspace.open(root)
    texts = [f"{q.text} (profiled)" for q in all_questions()]
    for i in range(WARMUP):
        ws.search(f"warm-up query {i}", k=10, mode=mode)
    prof = cProfile.Profile()
    prof.enable()
    for q in texts:
        ws.search(q, k=10, mode=mode)
    prof.disable()
    return {"mode": mode, "queries": len(texts), **top_functions(prof, top)}


def run(sizes: Sequence[int], work: Path, seed: int = 11, profile: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"sizes": {}}
    for n in sizes:
        root = work / f"retrieval-{n}"
        built = build_workspace(root, n, seed, work / "vector-cache")
        entry: dict[str, Any] = {"build": built, **measure(root)}
        if profile and n == max(sizes):  # the report shows the largest size's profile only
            entry["profile_fused"] = profile_query(root)
        out["sizes"][str(n)] = entry
        shutil.rmtree(root, ignore_errors=True)
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    set_offline()
    ap = argparse.ArgumentParser(description="Retrieval latency benchmark (JSON on stdout).")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--profile", action="store_true", help="also cProfile the fused queries")
    args = ap.parse_args(argv)
    emit(run(args.sizes, args.work, args.seed, args.profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
