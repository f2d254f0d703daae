"""Every edit, deletion, insertion or reordering of decision rows is caught by `log verify`."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.hardening.tamper import run_tamper


@pytest.mark.slow
def test_log_verify_names_the_first_bad_row(tmp_path: Path) -> None:
    s = run_tamper(tmp_path)
    assert s.clean_verify_ok
    assert len(s.cases) >= 15
    missed = [
        f"{c.name}: exit {c.exit_code}, named {c.named_seq}, expected {c.expected_seq}: {c.message}"
        for c in s.cases
        if not c.ok
    ]
    assert not missed, "\n".join(missed)
    assert s.trigger_blocks_update and s.trigger_blocks_delete
    assert s.export_has_head
    assert s.forged_rewrite_caught_by_export_head
