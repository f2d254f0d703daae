"""Which files a folder ingest picks up."""

from __future__ import annotations

from pathlib import Path

from reviewer.ingest.pipeline import discover


def test_lock_and_hidden_files_are_not_evidence(tmp_path: Path) -> None:
    (tmp_path / "policy.md").write_text("# Policy\n\nData is classified.\n")
    (tmp_path / "~$policy.docx").write_bytes(b"\x00owner")  # Word's lock file while open
    (tmp_path / ".DS_Store").write_bytes(b"\x00")
    (tmp_path / "diagram.xyz").write_text("x")
    found = {shown: error for _, shown, error in discover([tmp_path])}
    assert found == {"policy.md": None, "diagram.xyz": "unsupported file type '.xyz'"}
