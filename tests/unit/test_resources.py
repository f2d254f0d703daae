"""Where prompts and banks are found: override, then the repository copy, then the packaged copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer import _build, resources
from reviewer.banks import BankError, default_banks_dir, list_banks
from reviewer.drafting.prompts import PromptError, load_prompt, prompts_dir

REPO = Path(__file__).resolve().parents[2]

PROMPT = "---\nname: probe\nversion: 3\n---\n=== system ===\nPackaged copy.\n"
BANK = """\
bank: packaged
title: Packaged probe
version: 1
description: A bank that exists only in the fake packaged folder.
questions:
  - id: pk-01
    text: "Is there a documented AI policy?"
    refs: ["ISO42001:2023 A.2.2"]
    criteria:
      - {id: c1, text: "A policy document exists."}
      - {id: c2, text: "Management approved it."}
    doc_types: [policy]
"""


@pytest.fixture(autouse=True)
def _no_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REVIEWER_PROMPTS_DIR", raising=False)
    monkeypatch.delenv("REVIEWER_BANKS_DIR", raising=False)


@pytest.fixture
def packaged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake packaged copy holding one prompt and one bank, served by packaged_dir."""
    root = tmp_path / "_data"
    (root / "prompts").mkdir(parents=True)
    (root / "banks").mkdir()
    (root / "prompts" / "probe.v3.md").write_text(PROMPT)
    (root / "banks" / "packaged.yaml").write_text(BANK)
    monkeypatch.setattr(resources, "packaged_dir", lambda kind: root / kind)
    return root


def test_source_checkout_uses_the_repository_copy_first(packaged: Path) -> None:
    assert prompts_dir() == REPO / "prompts"
    assert default_banks_dir() == REPO / "corpora" / "banks"
    assert load_prompt("draft_finding").path == REPO / "prompts" / "draft_finding.v1.md"


def test_packaged_copy_is_used_when_the_repository_copy_is_absent(
    packaged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resources, "repo_dir", lambda kind: None)
    assert prompts_dir() == packaged / "prompts"
    assert default_banks_dir() == packaged / "banks"
    tpl = load_prompt("probe")
    assert (tpl.version, tpl.path) == (3, packaged / "prompts" / "probe.v3.md")
    assert [(b.name, len(b.questions)) for b in list_banks()] == [("packaged", 1)]


def test_environment_overrides_beat_both_copies(
    packaged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = tmp_path / "own"
    own.mkdir()
    monkeypatch.setenv("REVIEWER_PROMPTS_DIR", str(own))
    monkeypatch.setenv("REVIEWER_BANKS_DIR", str(own))
    assert prompts_dir() == own
    assert default_banks_dir() == own


def test_neither_copy_is_an_error_naming_the_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resources, "repo_dir", lambda kind: None)
    monkeypatch.setattr(resources, "packaged_dir", lambda kind: None)
    looked = str(REPO / "prompts")
    with pytest.raises(PromptError, match=f"no prompts folder found: looked for {looked}"):
        load_prompt("draft_finding")
    with pytest.raises(BankError, match=r"no banks folder found: .*reviewer/_data/banks"):
        list_banks()


def test_repository_copy_needs_a_checkout_with_pyproject(tmp_path: Path) -> None:
    # A prompts/ folder alone (say, a stray site-packages/prompts) is not a checkout.
    (tmp_path / "prompts").mkdir()
    assert resources.repo_dir("prompts", root=tmp_path) is None
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    assert resources.repo_dir("prompts", root=tmp_path) == tmp_path / "prompts"
    assert resources.repo_dir("banks", root=tmp_path) is None


def test_build_ships_the_folders_the_loaders_read() -> None:
    assert _build.SHIPPED_DIRS == resources.REPO_DIRS
    shipped = _build.shipped_files(REPO)
    expected = {
        Path("reviewer/_data", kind, p.name): p
        for kind, folder in resources.REPO_DIRS.items()
        for p in (REPO / folder).iterdir()
        if p.is_file() and not p.name.startswith(".")
    }
    assert shipped == expected
    assert Path("reviewer/_data/prompts/draft_finding.v1.md") in shipped


def test_build_refuses_an_empty_data_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"prompts: no files to package"):
        _build.shipped_files(tmp_path)
