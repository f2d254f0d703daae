"""Real backends end to end: embedded llama.cpp, an OpenAI-compatible server, Ollama's wire format.

These check plumbing only (the model ran, the reply parsed into a Draft, verification was
applied), never what the model said: SmolLM2-135M's wording is unreliable by design.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from reviewer.config import LLMSettings, Settings
from reviewer.drafting.base import DraftingError
from reviewer.drafting.cross_check import CrossCheckedDrafter
from reviewer.drafting.extractive import ExtractiveDrafter
from reviewer.drafting.finalize import cache_key, finalize
from reviewer.drafting.llm_drafter import (
    Completion,
    LLMDrafter,
    LocalLlamaDrafter,
    overflows_context,
)
from reviewer.drafting.verify import verify_draft
from reviewer.llm.factory import make_drafter
from reviewer.llm.local import SMOLLM2_SHA256, bundled_model_path
from reviewer.models import Chunk, Criterion, DocType, Draft, Evidence, Flag, Question, Verdict
from reviewer.store.embeddings import shared_embedder
from reviewer.text import find_quote

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ollama"

TEXTS = [
    "All training datasets are classified as Confidential before use.",
    "Model versions are tracked in the registry with the lineage of each training run.",
    "Suppliers of pre-trained models sign the AI supplier security addendum.",
]


def _as_evidence(
    texts: list[str], key: str = "d", name: str = "doc", start: int = 40
) -> list[Evidence]:
    """One block E1, E2, ... per text, each the only chunk of its own document."""
    out = []
    for i, text in enumerate(texts, start=1):
        chunk = Chunk(
            id=f"{key}{i}-c0",
            doc_id=f"{key}{i}",
            doc_sha256=f"{i:064x}",
            path=f"{name}{i}.md",
            ordinal=0,
            char_start=start,
            char_end=start + len(text),
            doc_type=DocType.policy,
            text=text,
        )
        out.append(Evidence(label=f"E{i}", chunk=chunk))
    return out


def _evidence() -> list[Evidence]:
    return _as_evidence(TEXTS)


QUESTION = Question(
    id="it-a82-01",
    text="Is training data classified?",
    criteria=[
        Criterion(id="c1", text="Training data is covered by the classification scheme"),
        Criterion(id="c2", text="Classification is recorded for each dataset"),
    ],
)


def _assert_verified_plumbing(draft: Draft, evidence: list[Evidence]) -> None:
    assert isinstance(draft, Draft) and draft.verdict in set(Verdict)
    check = verify_draft(draft, evidence, QUESTION)
    by_id = {ev.chunk.id: ev.chunk for ev in evidence}
    for cit in check.citations:  # whatever survived really is in its chunk
        chunk = by_id[cit.chunk_id]
        assert cit.verified and find_quote(chunk.text, cit.quote) is not None
        assert chunk.char_start <= cit.char_start < cit.char_end <= chunk.char_end  # type: ignore[operator]
    verified_labels = {c.label for c in check.citations}
    for cit in draft.citations:  # every drafted citation is either verified or dropped
        assert cit in check.dropped or cit.label in verified_labels
    if not check.citations and draft.verdict != Verdict.insufficient_evidence:
        assert check.verdict == Verdict.insufficient_evidence
        assert Flag.unsupported_draft.value in check.flags
    if check.dropped:
        assert Flag.unverified_quote.value in check.flags


@pytest.mark.slow
def test_local_llama_drafter_with_bundled_smollm2():
    evidence = _evidence()
    # The time limit aborts generation inside llama.cpp; the cached model stays usable after.
    hurried = make_drafter(
        "local", Settings(llm=LLMSettings(backend="local", timeout_s=0.001, retries=0))
    )
    with pytest.raises(DraftingError, match="no reply within"):
        hurried.draft(QUESTION, evidence)

    settings = Settings(llm=LLMSettings(backend="local", max_tokens=400, retries=1))
    drafter = make_drafter("local", settings)
    assert isinstance(drafter, LocalLlamaDrafter)
    draft = drafter.draft(QUESTION, evidence)
    _assert_verified_plumbing(draft, evidence)
    assert draft.tokens_prompt > 0 and draft.tokens_completion > 0
    assert [a.criterion_id for a in draft.assessments] == ["c1", "c2"]

    desc = drafter.describe()
    assert (
        desc["model_sha256"] == SMOLLM2_SHA256 and desc["model_file"] == bundled_model_path().name
    )
    finding = finalize(
        QUESTION, draft, evidence, drafter, run_id="it", retrieval_params={},
        cache_key=cache_key(QUESTION, evidence, desc), source={}, started=time.perf_counter(),
    )  # fmt: skip
    assert finding.provenance["model_sha256"] == SMOLLM2_SHA256
    assert all(c.verified for c in finding.citations)


def _long_evidence(n: int, words: int) -> list[Evidence]:
    texts = [
        " ".join(f"Dataset{i} record {j} is classified Confidential." for j in range(words))
        for i in range(1, n + 1)
    ]
    return _as_evidence(texts, key="L", name="long", start=0)


@pytest.mark.slow
def test_local_drafter_fits_the_prompt_to_the_context_window():
    # Six blocks of ~600 model tokens cannot all fit 2048 - 300: the last ones are dropped.
    settings = LLMSettings(backend="local", n_ctx=2048, max_tokens=300, retries=0)
    drafter = LocalLlamaDrafter(settings)
    evidence = _long_evidence(6, 60)
    full = drafter.prompt_tokens(drafter.messages(QUESTION, evidence))
    assert full > 2048 - 300
    kept = drafter.fit_evidence(QUESTION, evidence)
    assert 0 < len(kept) < len(evidence) and kept == evidence[: len(kept)]
    assert drafter.prompt_tokens(drafter.messages(QUESTION, kept)) <= 2048 - 300
    # one more block would not have fitted: no block was dropped needlessly
    more = evidence[: len(kept) + 1]
    assert drafter.prompt_tokens(drafter.messages(QUESTION, more)) > 2048 - 300
    assert drafter.fit_evidence(QUESTION, evidence[:1]) == evidence[:1]

    # The finding's provenance says the model read fewer blocks than it was given.
    class Canned(LocalLlamaDrafter):
        def complete(self, messages: list[tuple[str, str]]) -> Completion:
            self.sent = messages
            reply = {"verdict": "insufficient_evidence", "rationale": "", "criteria": []}
            return Completion(json.dumps({**reply, "citations": []}))

    canned = Canned(settings)
    cross = CrossCheckedDrafter(canned, ExtractiveDrafter(shared_embedder()), focus_blocks=8)
    draft = cross.draft(QUESTION, evidence)
    fit = {"blocks_given": 6, "blocks_sent": len(kept), "n_ctx": 2048}
    assert draft.checks["context_fit"] == fit and "evidence_logic" in draft.checks
    assert f"<<<END E{len(kept)}>>>" in canned.sent[1][1]
    assert f"<<<EVIDENCE E{len(kept) + 1} " not in canned.sent[1][1]

    # A window too small for the instructions alone is a clear error, not a llama.cpp crash.
    tiny = LocalLlamaDrafter(LLMSettings(backend="local", n_ctx=512, max_tokens=300, retries=0))
    with pytest.raises(DraftingError, match=r"without any evidence.*raise llm.n_ctx"):
        tiny.draft(QUESTION, evidence)


@pytest.mark.slow
def test_local_drafter_reports_a_reply_cut_at_max_tokens_without_retrying():
    drafter = LocalLlamaDrafter(LLMSettings(backend="local", max_tokens=8, retries=2))
    with pytest.raises(DraftingError, match=r"cut off at llm.max_tokens=8"):
        drafter.draft(QUESTION, _evidence())
    assert drafter.attempts_made == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited early:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f"llama_cpp.server did not answer {url} within {timeout_s} s")


@pytest.mark.slow
def test_openai_backend_against_llama_cpp_server(tmp_path):
    pytest.importorskip(
        "llama_cpp.server.app", reason="llama-cpp-python[server] extra not installed"
    )
    port = _free_port()
    log = tmp_path / "server.log"
    cmd = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(bundled_model_path()),
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        base_url = f"http://127.0.0.1:{port}/v1"
        _wait_for(f"{base_url}/models", proc, log)
        llm = LLMSettings(
            backend="openai",
            base_url=base_url,
            model="smollm2",
            timeout_s=120,
            retries=1,
            max_tokens=400,
        )
        drafter = make_drafter("openai", Settings(llm=llm))
        assert isinstance(drafter, LLMDrafter)
        assert type(drafter.chat_model).__name__ == "ChatOpenAI"
        evidence = _evidence()
        draft = drafter.draft(QUESTION, evidence)
        _assert_verified_plumbing(draft, evidence)
        assert draft.tokens_prompt > 0  # the server reports usage
        # JSON mode stayed on: the server took the schema inside response_format json_object.
        assert drafter.describe()["json_mode"] == "json_object+schema"
        # The server's refusal of a prompt longer than its window is recognised as such (the
        # drafter then asks again with fewer blocks; test_llm_drafter.py covers that loop).
        with pytest.raises(Exception) as refused:  # noqa: PT011 - the client's own error type
            drafter.complete(drafter.messages(QUESTION, _long_evidence(12, 60)))
        assert overflows_context(refused.value), refused.value

        # Configured with the evidence logic, the same server judges over the focused blocks
        # and the extractive second opinion is kept next to its draft.
        checked = make_drafter(
            "openai", Settings(llm=llm), lambda: ExtractiveDrafter(shared_embedder())
        )
        assert isinstance(checked, CrossCheckedDrafter)
        second = checked.draft(QUESTION, evidence)
        _assert_verified_plumbing(second, evidence)
        logic = second.checks["evidence_logic"]
        assert logic["verdict"] in {v.value for v in Verdict}
        assert logic["focused_on"] and set(logic["focused_on"]) <= {e.label for e in evidence}
        agrees = Flag.llm_disagrees_with_evidence.value not in second.flags
        assert agrees == ("disagreements" not in logic)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


class _OllamaRecordings:
    """Serves hand-written Ollama wire recordings and remembers every request."""

    def __init__(self, chats: list[str]) -> None:
        self.chats = [json.loads((FIXTURES / name).read_text()) for name in chats]
        self.tags = json.loads((FIXTURES / "tags.json").read_text())
        self.requests: list[dict[str, Any]] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        recordings = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep pytest output clean
                pass

            def _send(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                recordings.requests.append({"method": "GET", "path": self.path})
                if self.path == "/api/tags":
                    self._send(
                        200, json.dumps(recordings.tags["body"]).encode(), "application/json"
                    )
                else:
                    self._send(404, b'{"error": "not found"}', "application/json")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                recordings.requests.append({"method": "POST", "path": self.path, "body": body})
                if self.path != "/api/chat" or not recordings.chats:
                    self._send(404, b'{"error": "no recording"}', "application/json")
                    return
                chunks = recordings.chats.pop(0)["stream"]
                if body.get("stream", True):
                    payload = "".join(json.dumps(c) + "\n" for c in chunks).encode()
                    self._send(200, payload, "application/x-ndjson")
                else:
                    final = dict(chunks[-1])
                    final["message"] = {
                        "role": "assistant",
                        "content": "".join(c["message"]["content"] for c in chunks),
                    }
                    self._send(200, json.dumps(final).encode(), "application/json")

        return Handler


@pytest.fixture
def ollama_server() -> Iterator[tuple[str, _OllamaRecordings]]:
    recordings = _OllamaRecordings(["chat_truncated.json", "chat_draft_finding.json"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), recordings.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", recordings
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_ollama_backend_over_recorded_wire_format(ollama_server):
    base_url, recordings = ollama_server
    sleeps: list[float] = []
    llm = LLMSettings(
        backend="ollama", base_url=base_url, model="llama3.2", timeout_s=20, retries=2
    )
    drafter = make_drafter("ollama", Settings(llm=llm))
    assert isinstance(drafter, LLMDrafter)
    drafter.sleep = sleeps.append
    evidence = _evidence()
    draft = drafter.draft(QUESTION, evidence)

    # First recording is truncated JSON: one retry, then the full reply parses.
    assert drafter.attempts_made == 2 and len(sleeps) == 1
    chats = [r for r in recordings.requests if r["path"] == "/api/chat"]
    assert len(chats) == 2
    body = chats[0]["body"]
    assert body["model"] == "llama3.2" and body["format"] == "json"
    assert body["options"]["temperature"] == 0.0 and body["options"]["seed"] == 7
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "<<<EVIDENCE E1 " in body["messages"][1]["content"]

    _assert_verified_plumbing(draft, evidence)
    assert (
        draft.tokens_prompt == 2 * 812 and draft.tokens_completion == 24 + 131
    )  # from the recordings
    check = verify_draft(draft, evidence, QUESTION)
    assert [c.label for c in check.citations] == ["E1"] and check.flags == []
