"""The version sweep's table: right counts, macro-F1 as `reviewer eval` gives it, seen marks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.tuning import version_sweep


def write(work: Path, label: str, name: str, pairs: list[tuple[str, str]]) -> None:
    items = [{"gold": g, "predicted": p} for g, p in pairs]
    path = work / "results" / f"{label}-{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"items": {"extractive": items}}))


def test_table_marks_the_versions_that_were_tuned_on_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        version_sweep, "ROWS", [("held out", ["h"], None), ("fresh", ["fa", "fb"], 7)]
    )
    c, n, x = "conformant", "nonconformity", "insufficient_evidence"
    for label in ("v4", "v7"):
        write(tmp_path, label, "h", [(c, c), (n, c)])
        write(tmp_path, label, "fa", [(c, c)])
    write(tmp_path, "v4", "fb", [(n, n), (x, "failed")])
    # v7 has no result for fb: its fresh cell stays empty rather than counting half the items.
    lines = version_sweep.table(tmp_path, [("v4", "A"), ("v7", "B")]).splitlines()
    assert lines[2] == "| held out (2) | never | 1 (0.33) | 1 (0.33) |"
    assert lines[3] == "| fresh (3) | v7 | 2 (0.67) |  |"
    write(tmp_path, "v7", "fb", [(n, n), (x, x)])
    lines = version_sweep.table(tmp_path, [("v4", "A"), ("v7", "B")]).splitlines()
    assert lines[3] == "| fresh (3) | v7 | 2 (0.67) | *3 (1.00)* |"


def test_every_folder_of_a_row_is_a_set() -> None:
    names = set(version_sweep.sets())
    assert all(n in names for _, row, _ in version_sweep.ROWS for n in row)
    for gold, docs, _ in version_sweep.sets().values():
        assert (version_sweep.ROOT / gold).is_file()
        assert (version_sweep.ROOT / docs).is_dir()
