"""Server mode: a real `chroma run` on 127.0.0.1 (free port), started and stopped by the test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from reviewer.workspace import Workspace

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [
            exe,
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("chroma server did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_ingest_and_search_against_a_chroma_server(chroma_server: str, tmp_path: Path) -> None:
    folder = tmp_path / "ev"
    folder.mkdir()
    (folder / "dpa.txt").write_text(
        "The provider shall not use customer data to train its models. "
        "Sub-processors are listed on the trust page and customers get 30 days notice."
    )
    (folder / "standard.md").write_text(
        "# ML standard\n\nEvery model version is registered with its dataset hash.\n"
    )
    ws = Workspace.open(tmp_path / "ws", store={"url": chroma_server})
    report = ws.ingest([folder])
    assert [r.status for r in report.results] == ["ingested", "ingested"]
    assert not (tmp_path / "ws" / "chroma").exists(), "server mode must not create a local Chroma"
    assert ws.vectors.count() == len(ws.docs.chunk_ids())
    hits = ws.search("does the vendor train on our data", k=2, mode="dense")
    assert hits[0].chunk.path == "dpa.txt"
    again = ws.ingest([folder])
    assert {r.status for r in again.results} == {"unchanged"}
