"""Fixtures for the TUI tests: a workspace built without the embedding model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.workspace import Workspace
from tests.tui.tui_fixtures import REVIEWER, build_findings


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.setenv("REVIEWER_NAME", REVIEWER)
    monkeypatch.chdir(tmp_path)  # no stray reviewer.toml from the current directory
    ws = Workspace.open(tmp_path / "ws")
    build_findings(ws)
    yield ws
    ws.close()
