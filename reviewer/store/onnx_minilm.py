"""MiniLM on onnxruntime: a local ONNX export of the pinned weights that gives torch's vectors.

The ONNX file is never downloaded. It is exported once from the installed safetensors with
torch's TorchScript exporter, checked against torch on a few probe texts, and cached under
`$REVIEWER_CACHE_DIR/onnx/` (default `~/.cache/reviewer/onnx/`). The file name carries the
weights hash, this module's export recipe and the torch/transformers versions, so any change to
those exports afresh. A sidecar JSON records the file's own sha256 and the torch probe vectors;
every load checks both, so a truncated, edited or numerically different file is rebuilt. An
export that fails leaves a `.failed` marker so later starts go straight to torch.

Loading a cached file needs neither torch nor sentence-transformers: only onnxruntime and the
Rust tokenizer. The graph includes mean pooling and L2 normalisation, exactly as the
sentence-transformers pipeline (Transformer -> mean Pooling -> Normalize) does.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from reviewer.fileio import sha256_of

# Bump when the exported graph changes (wrapper, opset, attention implementation).
EXPORT_RECIPE = "1"
OPSET = 17
DIM = 384
# Probe vectors must match torch this closely, at export time and on every load.
PROBE_TOLERANCE = 1e-4
# Texts varied in length, case, script and whitespace; the last one is truncated to 256 tokens.
PROBE_TEXTS = (
    "",
    "Is training data classified?",
    "  Access to production models is reviewed QUARTERLY by the CISO.  ",
    "Les données personnelles sont chiffrées au repos; 个人数据在静止时加密。",
    "The supplier shall notify the customer of any security incident within 24 hours. " * 40,
)
CACHE_ENV = "REVIEWER_CACHE_DIR"


class OnnxUnavailable(RuntimeError):
    """The ONNX runtime path cannot be used here; the caller falls back to torch."""


def cache_dir() -> Path:
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root) / "onnx"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "reviewer" / "onnx"


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def export_key(weights_sha256: str) -> str:
    """What the exported graph depends on: weights, recipe and the exporting libraries."""
    torch_v = _version("torch").replace("+", "_")
    return (
        f"minilm-{weights_sha256[:16]}-r{EXPORT_RECIPE}-op{OPSET}"
        f"-torch{torch_v}-tf{_version('transformers')}"
    )


def max_seq_length(model_dir: Path) -> int:
    """The truncation length sentence-transformers uses for this model (256)."""
    config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
    return int(config["max_seq_length"])


def load_tokenizer(model_dir: Path) -> Any:
    """The model's fast tokenizer, truncating like sentence-transformers and never padding."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    # tokenizer.json ships with truncation and fixed padding at 128; sentence-transformers
    # truncates at max_seq_length and pads to the longest text of a batch, which we do ourselves.
    tok.enable_truncation(max_length=max_seq_length(model_dir))
    tok.no_padding()
    return tok


class OnnxMiniLM:
    """One onnxruntime session plus tokenizer; `embed` returns normalised float32 vectors."""

    def __init__(self, onnx_file: Path, model_dir: Path, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise OnnxUnavailable("onnxruntime is not installed") from exc
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or _cores()
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3  # errors only: the optimiser's notes are not for users
        self.session = ort.InferenceSession(
            str(onnx_file), opts, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = load_tokenizer(model_dir)
        self.threads = opts.intra_op_num_threads

    def _forward(self, ids: list[list[int]]) -> np.ndarray:
        width = max(len(row) for row in ids)
        input_ids = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for i, row in enumerate(ids):
            input_ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        out = self.session.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
        return np.asarray(out, dtype=np.float32)

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        if len(texts) == 1:  # the query path: no sorting, no batching bookkeeping
            return self._forward([self.tokenizer.encode(texts[0]).ids])
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = [e.ids for e in encodings]
        # Batching texts of equal token length means almost no padding is computed.
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.empty((len(ids), DIM), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            part = order[start : start + batch_size]
            out[part] = self._forward([ids[i] for i in part])
        return out


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS/Windows
        return max(1, os.cpu_count() or 1)


def _torch_probe(model: Any, tokenizer: Any) -> np.ndarray:
    """Reference vectors for PROBE_TEXTS from the torch module about to be exported."""
    import torch

    vectors = []
    with torch.no_grad():
        for text in PROBE_TEXTS:
            ids = torch.tensor([tokenizer.encode(text).ids], dtype=torch.long)
            vectors.append(model(ids, torch.ones_like(ids))[0].numpy())
    return np.stack(vectors).astype(np.float32)


def _pooled_module(model_dir: Path) -> Any:
    """BERT + mean pooling + L2 normalisation as one torch module, ready to trace."""
    import torch
    from transformers import AutoModel

    # Eager attention exports to plain MatMul/Softmax that onnxruntime fuses well; the SDPA
    # path adds data-dependent masking nodes (Where/IsNaN) that cost ~10% at run time.
    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class MeanPooledMiniLM(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            ).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    return MeanPooledMiniLM().eval()


def _export(module: Any, target: Path) -> None:
    """TorchScript export; works without the `onnx` package (see the note inside)."""
    import torch

    # A padded example so the traced graph keeps the attention-mask path.
    ids = torch.tensor([[101, 2000, 2001, 2002, 102], [101, 2003, 102, 0, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    kwargs: dict[str, Any] = {
        "input_names": ["input_ids", "attention_mask"],
        "output_names": ["embedding"],
        "dynamic_axes": {
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "embedding": {0: "batch"},
        },
        "opset_version": OPSET,
        "dynamo": False,
    }
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about python branches are expected
        try:
            import onnx  # noqa: F401
        except ImportError:
            # The TorchScript exporter imports `onnx` only to splice custom onnxscript functions
            # into the graph; we register none, so that step would return the bytes unchanged.
            from unittest import mock

            from torch.onnx._internal.torchscript_exporter import onnx_proto_utils

            with mock.patch.object(onnx_proto_utils, "_add_onnxscript_fn", lambda b, _c: b):
                torch.onnx.export(module, (ids, mask), str(target), **kwargs)
        else:
            torch.onnx.export(module, (ids, mask), str(target), **kwargs)


def _check_probe(runner: OnnxMiniLM, expected: np.ndarray, where: Path) -> None:
    got = np.stack([runner.embed([t])[0] for t in PROBE_TEXTS])
    worst = float(np.abs(got - expected).max()) if got.shape == expected.shape else float("inf")
    if not worst <= PROBE_TOLERANCE:
        raise OnnxUnavailable(f"{where}: ONNX vectors differ from torch by {worst:.2e}")


def build(model_dir: Path, weights_sha256: str, target: Path) -> None:
    """Export, verify against torch, then move the file and its sidecar into place atomically."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    module = _pooled_module(model_dir)
    tokenizer = load_tokenizer(model_dir)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".export-", suffix=".onnx")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _export(module, tmp)
        probe = _torch_probe(module, tokenizer)
        _check_probe(OnnxMiniLM(tmp, model_dir, threads=1), probe, tmp)
        meta = {
            "key": export_key(weights_sha256),
            "weights_sha256": weights_sha256,
            "onnx_sha256": sha256_of(tmp),
            "probe": probe.tolist(),
        }
        os.replace(tmp, target)
        _write_atomic(_meta_path(target), json.dumps(meta))
    finally:
        tmp.unlink(missing_ok=True)


def _meta_path(target: Path) -> Path:
    return target.with_suffix(".json")


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".meta-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp_name, path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)


def load_cached(model_dir: Path, weights_sha256: str, target: Path) -> OnnxMiniLM:
    """Open a cached export after checking its hash and probe vectors; raise if anything is off."""
    meta_file = _meta_path(target)
    if not target.is_file() or not meta_file.is_file():
        raise FileNotFoundError(target)
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    if meta.get("key") != export_key(weights_sha256):
        raise OnnxUnavailable(f"{meta_file}: made for another model or exporter")
    if sha256_of(target) != meta.get("onnx_sha256"):
        raise OnnxUnavailable(f"{target}: sha256 does not match its sidecar")
    runner = OnnxMiniLM(target, model_dir)
    _check_probe(runner, np.asarray(meta["probe"], dtype=np.float32), target)
    return runner


def load_or_build(model_dir: Path, weights_sha256: str) -> tuple[OnnxMiniLM, bool]:
    """The runner for these weights and whether it had to be exported now."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        raise OnnxUnavailable("onnxruntime is not installed") from exc
    target = cache_dir() / f"{export_key(weights_sha256)}.onnx"
    failed = target.with_suffix(".failed")
    if failed.is_file():  # do not pay a doomed ~10 s export on every start
        raise OnnxUnavailable(f"an earlier export failed; delete {failed} to retry")
    try:
        return load_cached(model_dir, weights_sha256, target), False
    except FileNotFoundError:
        pass
    except Exception:  # corrupt, stale or mismatched: rebuild below
        target.unlink(missing_ok=True)
        _meta_path(target).unlink(missing_ok=True)
    try:
        build(model_dir, weights_sha256, target)
    except OSError:
        raise  # disk full, read-only cache: may well be gone next time
    except Exception as exc:  # the exporter or the probe check fails the same way every time
        with contextlib.suppress(OSError):
            _write_atomic(failed, f"{exc}\n")
        raise
    return load_cached(model_dir, weights_sha256, target), True
