"""Find the data that ships with reviewer: prompt templates and question banks.

git keeps one copy of each at the top of the repository (``prompts/``, ``corpora/banks/``).
A wheel carries a build-time copy inside the package as ``reviewer/_data/<kind>/`` (see
``reviewer/_build.py``). From a source checkout the repository copy wins, so an edited prompt
takes effect at once; an installed package falls back to its packaged copy.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

Kind = Literal["prompts", "banks"]

REPO_ROOT = Path(__file__).resolve().parents[1]
# Where each kind lives in the repository; reviewer/_build.py copies the same folders.
REPO_DIRS: dict[Kind, Path] = {"prompts": Path("prompts"), "banks": Path("corpora") / "banks"}
PACKAGED_DIR = "_data"


class ResourceNotFound(FileNotFoundError):
    """Neither the repository nor the installed package holds a data folder."""


def repo_dir(kind: Kind, root: Path = REPO_ROOT) -> Path | None:
    """The repository copy, when reviewer runs from a source checkout (pyproject.toml beside it)."""
    # Requiring pyproject.toml keeps a stray site-packages/prompts folder from being mistaken
    # for the repository when reviewer is installed.
    folder = root / REPO_DIRS[kind]
    return folder if (root / "pyproject.toml").is_file() and folder.is_dir() else None


def packaged_dir(kind: Kind) -> Path | None:
    """The copy built into the installed package, if this install carries one."""
    folder = resources.files("reviewer").joinpath(PACKAGED_DIR, kind)
    # The loaders need a real folder; wheels are always unpacked onto disk, so this holds.
    return folder if isinstance(folder, Path) and folder.is_dir() else None


def data_dir(kind: Kind) -> Path:
    """The folder holding this kind of data: the repository copy first, then the packaged one."""
    found = repo_dir(kind) or packaged_dir(kind)
    if found is None:
        packaged = Path(__file__).resolve().parent / PACKAGED_DIR / kind
        raise ResourceNotFound(
            f"no {kind} folder found: looked for {REPO_ROOT / REPO_DIRS[kind]} (source checkout) "
            f"and {packaged} (installed package)"
        )
    return found
