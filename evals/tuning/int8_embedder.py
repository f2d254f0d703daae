"""Would an int8 MiniLM buy ingest speed without costing quality? (experiment, not shipped)

    .venv/bin/pip install onnx   # the quantizer needs it; reviewer itself does not
    python -m evals.tuning.int8_embedder --gold $G --docs $D

Embedding is ~87% of our ingest, so the bench's naive/ours ratio (goal 1.5) can only move if
embedding gets cheaper. This quantizes the locally exported fp32 ONNX MiniLM with onnxruntime's
dynamic quantizer (int8 weights, per channel, MatMul nodes only: the variant that kept the
vectors closest among the ones tried), then reports:
1. speed and agreement with fp32 on 200 passages of the real dev documents;
2. the dev items' retrieval and verdict metrics with the int8 model, in fresh eval workspaces
   under a temporary folder (the fp32 vectors cached in .reviewer-eval/ are not reused), next to
   the same metrics with fp32. Dev items only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from evals.tuning.devset import dev_parser, load_dev
from evals.tuning.tune import evaluate
from reviewer.drafting.extractive import ExtractiveParams
from reviewer.store import onnx_minilm
from reviewer.store.embeddings import model_dir, weights_sha256


def quantize(src: Path, dst: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        src, dst, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"]
    )


def passages(folders: list[Path], n: int = 200, size: int = 900) -> list[str]:
    out: list[str] = []
    for folder in folders:
        for path in sorted(folder.rglob("*.md")):
            text = path.read_text(errors="ignore")
            out += [text[i : i + size] for i in range(0, min(len(text), 20 * size), size)]
    return out[:n]


def timed(model: Any, texts: list[str]) -> tuple[np.ndarray, float]:
    model.embed(texts[:8])  # warm-up
    t0 = time.perf_counter()
    vecs = model.embed(texts)
    return vecs, time.perf_counter() - t0


def summary(tag: str, m: dict[str, Any]) -> str:
    r = m["retrieval"]
    per = {Path(c).name: part["verdict"]["macro_f1"] for c, part in m.get("per_corpus", {}).items()}
    return (
        f"{tag}: macro-F1 {m['verdict']['macro_f1']}, accuracy {m['verdict']['accuracy']}, "
        f"abstention F1 {m['abstention']['f1']}, citation precision {m['citations']['precision']}, "
        f"scoped recall@10 {r['scoped_recall@10']}, whole-corpus recall@10 "
        f"{r['whole_corpus_recall@10']}; per corpus {per}"
    )


def child(args: Any) -> None:
    """One dev evaluation, in this process's working folder, on fp32 or on the int8 file given."""
    if args.int8:
        mdir = model_dir()
        int8 = onnx_minilm.OnnxMiniLM(args.int8, mdir)
        onnx_minilm.load_or_build = lambda d, s: (int8, False)  # type: ignore[assignment]
    m = evaluate(load_dev(args.gold, args.docs), ExtractiveParams())
    print(summary("int8" if args.int8 else "fp32", m), flush=True)


def main() -> None:
    ap = dev_parser(__doc__)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--int8", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.gold = [g.resolve() for g in args.gold]
    args.docs = [d.resolve() for d in args.docs]
    if args.child:
        child(args)
        return
    mdir, sha = model_dir(), weights_sha256()
    fp32, _ = onnx_minilm.load_or_build(mdir, sha)
    src = onnx_minilm.cache_dir() / f"{onnx_minilm.export_key(sha)}.onnx"
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / "minilm-int8.onnx"
        quantize(src, dst)
        int8 = onnx_minilm.OnnxMiniLM(dst, mdir)
        texts = passages(sorted({d for d in args.docs if "real_dev" in str(d)}) or args.docs)
        a, t_fp32 = timed(fp32, texts)
        b, t_int8 = timed(int8, texts)
        cos = (a * b).sum(axis=1)
        print(
            f"{len(texts)} passages: fp32 {t_fp32:.2f} s, int8 {t_int8:.2f} s "
            f"(speed-up {t_fp32 / t_int8:.2f}x); cosine to fp32 min {cos.min():.3f}, "
            f"mean {cos.mean():.4f}; file {src.stat().st_size >> 20} -> "
            f"{dst.stat().st_size >> 20} MiB",
            flush=True,
        )
        base = [sys.executable, "-m", "evals.tuning.int8_embedder", "--child", "--gold"]
        base += [str(g) for g in args.gold] + ["--docs"] + [str(d) for d in args.docs]
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        subprocess.run(base, check=True, env=env)
        # Fresh eval workspaces under the temporary folder: no fp32 vector is reused.
        subprocess.run([*base, "--int8", str(dst)], check=True, cwd=tmp, env=env)


if __name__ == "__main__":
    main()
