"""SVG snapshots at 80x24 and 120x40; update with `make snapshots` after a deliberate change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from reviewer.tui.app import build_app
from reviewer.workspace import Workspace

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SnapCompare = Callable[..., bool]


@pytest.mark.parametrize("size", SIZES)
def test_queue(workspace: Workspace, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(build_app(ws=workspace), terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_detail_with_evidence_highlighted(
    workspace: Workspace, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    # f01 is the fourth row; its second citation is a Markdown section.
    keys: list[Any] = ["j", "j", "j", "right_square_bracket"]
    assert snap_compare(build_app(ws=workspace), press=keys, terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_reject_modal(
    workspace: Workspace, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    assert snap_compare(build_app(ws=workspace), press=["j", "j", "j", "r"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES)
def test_coverage(workspace: Workspace, snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    assert snap_compare(build_app(ws=workspace), press=["c"], terminal_size=size)
