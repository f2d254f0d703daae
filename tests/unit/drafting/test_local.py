"""The embedded model's supply-chain checks (hashing, pinned sha256) without running it."""

from __future__ import annotations

import hashlib
import os

import pytest

from reviewer.llm import local
from reviewer.llm.factory import BackendError


def test_file_sha256_correct_and_cached_per_mtime_and_size(tmp_path):
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 1000)
    assert local.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_bytes(b"GGUF" + b"\1" * 2000)
    os.utime(path, ns=(1, 1))
    assert local.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_bundled_model_matches_pins():
    path = local.bundled_model_path()
    assert path.name == local.SMOLLM2_FILE and path.stat().st_size == local.SMOLLM2_SIZE
    assert local.check_model_file(path) == local.SMOLLM2_SHA256


def test_pinned_hash_mismatch_refuses_to_load(monkeypatch):
    monkeypatch.setattr(local, "SMOLLM2_SHA256", "0" * 64)
    with pytest.raises(BackendError, match="does not match the pinned"):
        local.load_llama(None, 2048, 7)


def test_missing_model_file_named(tmp_path):
    with pytest.raises(BackendError, match="missing.gguf: model file not found"):
        local.load_llama(tmp_path / "missing.gguf", 2048, 7)


def test_user_model_file_hashed_not_pinned(tmp_path):
    path = tmp_path / "mine.gguf"
    path.write_bytes(b"not a real model")
    assert local.check_model_file(path) == hashlib.sha256(b"not a real model").hexdigest()
    with pytest.raises(BackendError, match="mine.gguf: llama.cpp could not load"):
        local.load_llama(path, 512, 7)
