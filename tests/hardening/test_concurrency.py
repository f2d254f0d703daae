"""Four reviewer processes deciding on one workspace while a fifth reads."""

from __future__ import annotations

from pathlib import Path

from evals.hardening.concurrency import run_concurrency


def test_four_writers_and_a_reader_lose_nothing(tmp_path: Path) -> None:
    s = run_concurrency(workers=4, per_worker=50, workdir=tmp_path)
    assert s.present == s.expected == 200, s.problems
    assert s.chain_ok, s.chain_reason
    assert s.cli_verify_ok
    assert s.locked_messages == 0 and s.worker_errors == 0 and s.reader_errors == 0, s.problems
    assert s.reader_reads > 0
    assert s.state_mismatches == 0
    assert s.integrity == "ok"
