"""A wheel built from the repository carries the prompts and banks and finds them when installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.banks import list_banks
from reviewer.drafting.prompts import load_prompt

REPO = Path(__file__).resolve().parents[2]

# Loads what a user's first review needs, the way the package finds it by itself.
PROBE = """\
import json
import reviewer
from reviewer.banks import list_banks
from reviewer.drafting.prompts import load_prompt

tpl = load_prompt("draft_finding")
print(json.dumps({
    "package": reviewer.__file__,
    "prompt": [str(tpl.path), tpl.version, tpl.sha256],
    "banks": {b.name: [str(b.path), len(b.questions)] for b in list_banks()},
}))
"""


def _ignore_for_copy(folder: str, names: list[str]) -> set[str]:
    """Leave out the venv, git, caches, workspaces and earlier build output."""
    skip = {n for n in names if n == "__pycache__" or n.endswith(".egg-info")}
    if Path(folder) == REPO:
        skip |= {n for n in names if n.startswith(".") or n in ("build", "dist")}
    return skip


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{' '.join(args[:4])} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.mark.slow
def test_wheel_install_finds_prompts_and_banks(tmp_path: Path) -> None:
    # Build from a copy: an in-tree build would leave build/ and *.egg-info in the checkout.
    src = tmp_path / "src"
    shutil.copytree(REPO, src, ignore=_ignore_for_copy)
    dist, site, elsewhere = tmp_path / "dist", tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(src)])
    wheels = list(dist.glob("reviewer-*.whl"))
    assert len(wheels) == 1, wheels
    _run([*pip, "install", "--no-deps", "--target", str(site), str(wheels[0])])

    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWER_")}
    env["PYTHONPATH"] = str(site)
    out = _run([sys.executable, "-c", PROBE], cwd=elsewhere, env=env).stdout
    found = json.loads(out.strip().splitlines()[-1])

    # The installed copy answered, not the checkout (the venv holds an editable install).
    packaged = site / "reviewer"
    assert Path(found["package"]).parent == packaged
    repo_prompt = load_prompt("draft_finding", REPO / "prompts")
    assert found["prompt"] == [
        str(packaged / "_data" / "prompts" / repo_prompt.path.name),  # type: ignore[union-attr]
        repo_prompt.version,
        repo_prompt.sha256,
    ]
    repo_banks = list_banks(REPO / "corpora" / "banks")
    assert found["banks"] == {
        b.name: [str(packaged / "_data" / "banks" / b.path.name), len(b.questions)]
        for b in repo_banks
    }
    assert len(repo_banks) == 2 and all(b.questions for b in repo_banks)
