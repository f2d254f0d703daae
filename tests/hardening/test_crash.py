"""SIGKILL at random moments: nothing committed is lost, nothing is corrupt, a rerun finishes."""

from __future__ import annotations

import pytest

from evals.hardening.crash import KindSummary, run_crash

pytestmark = pytest.mark.slow

TRIALS = {"decisions": 5, "ingest": 3, "review": 3, "batch": 2}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, KindSummary]:
    # One shared corpus and template workspace for every kind (the model load dominates).
    return run_crash(TRIALS, seed=3, workdir=tmp_path_factory.mktemp("crash"))


@pytest.mark.parametrize("kind", list(TRIALS))
def test_sigkill_loses_nothing(kind: str, results: dict[str, KindSummary]) -> None:
    s = results[kind]
    assert not s.skipped, s.skipped  # every command exists now, batch included
    assert s.trials == TRIALS[kind]
    assert (s.lost, s.corrupt, s.disagree, s.incomplete) == (0, 0, 0, 0), s.problems
    assert s.killed >= 1
    if kind == "decisions":
        assert s.committed_seen > 0
