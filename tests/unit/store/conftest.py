"""Fixtures for the SQLite store tests: a real database file per test and finding factories."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reviewer.models import Citation, ControlRef, Finding, Question, Verdict
from reviewer.store.db import connect
from reviewer.store.findings import FindingsStore


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "ws" / "reviewer.db"


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    connection = connect(db_path)
    yield connection
    connection.close()


@pytest.fixture
def store(conn: sqlite3.Connection) -> FindingsStore:
    return FindingsStore(conn)


def question(qid: str = "q1", control: str = "ISO27001:2013 A.8.2.1", **extra: Any) -> Question:
    return Question(
        id=qid,
        text=f"Is training data classified? ({qid})",
        refs=[ControlRef.parse(control)],
        **extra,
    )


def citation(chunk_id: str = "doc1#0", doc_sha256: str = "a" * 64, **extra: Any) -> Citation:
    fields: dict[str, Any] = {
        "label": "E1",
        "chunk_id": chunk_id,
        "quote": "Training data is labelled Confidential.",
        "path": "policy.pdf",
        "page": 3,
        "doc_sha256": doc_sha256,
        "verified": True,
        "char_start": 120,
        "char_end": 159,
    }
    fields.update(extra)
    return Citation(**fields)


@pytest.fixture
def make_finding() -> Callable[..., Finding]:
    counter = iter(range(1, 10_000))

    def build(**overrides: Any) -> Finding:
        n = next(counter)
        fields: dict[str, Any] = {
            "id": f"f{n}",
            "run_id": "run1",
            "question": question(),
            "verdict": Verdict.partial,
            "rationale": f"Classification exists but labelling is partial [E1]. ({n})",
            "citations": [citation()],
            "confidence": 0.6,
        }
        fields.update(overrides)
        return Finding(**fields)

    return build


@pytest.fixture
def make_question() -> Callable[..., Question]:
    return question


@pytest.fixture
def make_citation() -> Callable[..., Citation]:
    return citation
