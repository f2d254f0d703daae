"""The core never imports the TUI or CLI frameworks (thin layers over one core)."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "reviewer.workspace",
    "reviewer.retrieval",
    "reviewer.models",
    "reviewer.config",
    "reviewer.ingest.pipeline",
    "reviewer.ingest.loaders",
    "reviewer.store.findings",
    "reviewer.store.documents",
    "reviewer.drafting.extractive",
    "reviewer.drafting.verify",
    "reviewer.llm.factory",
    "reviewer.banks",
    "reviewer.batch.answering",
    "reviewer.export.report",
    "reviewer.evaluation.runner",
    "reviewer.findings_view",
]


def test_core_imports_neither_textual_nor_typer() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'typer'))\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core imported: {out.stdout.strip()}"


def test_listing_documents_does_not_load_torch(tmp_path) -> None:  # type: ignore[no-untyped-def]
    code = (
        "import sys\n"
        "from reviewer.workspace import Workspace\n"
        f"ws = Workspace.open({str(tmp_path / 'ws')!r})\n"
        "ws.documents(); ws.current_findings()\n"
        "print('torch' in sys.modules, 'chromadb' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
