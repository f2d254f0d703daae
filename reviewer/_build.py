"""Build step (setuptools ``build_py``) that copies prompts and question banks into the wheel.

git keeps them once, at the top of the repository; an installed package finds its copy at
``reviewer/_data/<kind>/`` (reviewer/resources.py). Only the build imports this module.
"""

from __future__ import annotations

from pathlib import Path

from setuptools.command.build_py import build_py

# Folder under reviewer/_data in the wheel -> folder in the repository (as in resources.REPO_DIRS).
SHIPPED_DIRS = {"prompts": Path("prompts"), "banks": Path("corpora") / "banks"}


def shipped_files(root: Path = Path()) -> dict[Path, Path]:
    """Every data file to ship, as (path inside the package -> source path under root)."""
    mapping: dict[Path, Path] = {}
    for kind, source in SHIPPED_DIRS.items():
        folder = root / source
        files = sorted(p for p in folder.glob("*") if p.is_file() and not p.name.startswith("."))
        if not files:
            raise FileNotFoundError(f"{folder}: no files to package (is this a full checkout?)")
        for path in files:
            mapping[Path("reviewer", "_data", kind, path.name)] = path
    return mapping


class BuildPyWithData(build_py):
    """build_py that also copies the top-level prompts/ and corpora/banks/ into the package."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the repository copy directly
            return
        for target, source in shipped_files().items():
            out = Path(self.build_lib) / target
            self.mkpath(str(out.parent))
            self.copy_file(str(source), str(out))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if self.editable_mode:
            return outputs
        return [*outputs, *(str(Path(self.build_lib) / t) for t in shipped_files())]

    def get_source_files(self) -> list[str]:
        # sdist lists these, so a wheel built from the sdist still carries the data.
        return [*super().get_source_files(), *(str(s) for s in shipped_files().values())]
