"""Make tests/fixtures/builders.py importable as `tests.fixtures.builders` under importlib mode."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A neutral folder two levels down, so tmp_path's test-named folders carry no doc-type cue."""
    folder = tmp_path / "evidence" / "inbox"
    folder.mkdir(parents=True)
    return folder
