"""Factories for gold items and item results shared by the evaluation tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from reviewer.evaluation.gold import GoldEvidence, GoldItem
from reviewer.evaluation.metrics import ItemResult
from reviewer.models import Citation, Verdict

ItemFactory = Callable[..., GoldItem]
ResultFactory = Callable[..., ItemResult]


@pytest.fixture
def make_item() -> ItemFactory:
    counter = iter(range(1, 10_000))

    def make(
        verdict: str = "conformant",
        evidence: list[tuple[str, str]] | None = None,
        item_id: str | None = None,
        theme: str | None = None,
        question: str | None = None,
    ) -> GoldItem:
        n = next(counter)
        return GoldItem(
            id=item_id or f"q{n}",
            question=question or f"Question number {n}?",
            verdict=Verdict.parse(verdict),
            evidence=[GoldEvidence(file=f, quote=q) for f, q in (evidence or [])],
            theme=theme,
        )

    return make


@pytest.fixture
def make_result() -> ResultFactory:
    def make(
        item: GoldItem,
        predicted: str | None,
        citations: list[tuple[str, str]] | None = None,
        retrieved: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> ItemResult:
        cites = [
            Citation(label=f"E{i}", chunk_id=f"c{i}", quote=quote, path=path, verified=True)
            for i, (path, quote) in enumerate(citations or [], start=1)
        ]
        ranked = retrieved or []
        kwargs.setdefault("fabricated", 0)
        kwargs.setdefault("latency_s", 1.0)
        return ItemResult(
            item=item,
            predicted=None if predicted is None else Verdict.parse(predicted),
            citations=cites,
            retrieved=[text for _, text in ranked],
            retrieved_files=[path for path, _ in ranked],
            **kwargs,
        )

    return make
