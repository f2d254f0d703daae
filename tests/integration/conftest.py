"""Shared, expensive fixtures: a workspace over the demo corpus with the real embedded model."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "corpora" / "demo"


@pytest.fixture(scope="session")
def demo_ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The demo corpus ingested once and the iso27001-ai bank reviewed with the extractive drafter."""
    ws = Workspace.open(tmp_path_factory.mktemp("demo") / "ws", name="test.auditor")
    report = ws.ingest([DEMO])
    assert not report.failed, [r.error for r in report.failed]
    ws.review(ws.bank("iso27001-ai").questions, drafter="extractive")
    return ws
