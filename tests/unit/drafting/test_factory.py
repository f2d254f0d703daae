"""Backend factory: names, settings errors, lazy construction, auto selection."""

from __future__ import annotations

import pytest

from reviewer.config import LLMSettings, Settings
from reviewer.drafting.base import Drafter
from reviewer.drafting.cross_check import CrossCheckedDrafter
from reviewer.drafting.llm_drafter import LLMDrafter, LocalLlamaDrafter
from reviewer.llm.factory import BACKENDS, BackendError, make_chat_model, make_drafter
from reviewer.llm.fake import FakeDrafter
from reviewer.models import Draft, Verdict


class _Extractive(Drafter):
    name = "extractive"

    def draft(self, question, evidence):  # type: ignore[no-untyped-def]
        return Draft(verdict=Verdict.insufficient_evidence, rationale="")


def test_unknown_backend_lists_valid_names():
    with pytest.raises(BackendError) as err:
        make_drafter("gpt5", Settings())
    message = str(err.value)
    assert "'gpt5'" in message
    for name in BACKENDS:
        assert name in message


@pytest.mark.parametrize(
    "llm, setting",
    [
        ({"backend": "openai", "model": "m"}, "llm.base_url"),
        ({"backend": "openai", "base_url": "http://127.0.0.1:1/v1"}, "llm.model"),
        ({"backend": "ollama"}, "llm.model"),
    ],
)
def test_missing_setting_named_in_one_line(llm, setting):
    with pytest.raises(BackendError) as err:
        make_drafter(llm["backend"], Settings(llm=LLMSettings(**llm)))
    message = str(err.value)
    assert message.startswith(f"{setting} is required for the {llm['backend']} backend")
    assert "REVIEWER_LLM__" in message and "\n" not in message


def test_chat_models_built_without_network():
    ollama = make_chat_model(
        LLMSettings(backend="ollama", model="llama3.2", base_url="http://127.0.0.1:9")
    )
    assert type(ollama).__name__ == "ChatOllama" and ollama.model == "llama3.2"
    openai = make_chat_model(
        LLMSettings(backend="openai", model="m", base_url="http://127.0.0.1:9/v1", timeout_s=7)
    )
    assert type(openai).__name__ == "ChatOpenAI" and openai.max_retries == 0
    assert openai.extra_body == {"max_tokens": 700}
    with pytest.raises(BackendError, match="ollama and openai only"):
        make_chat_model(LLMSettings(backend="local"))


def test_llm_backends_build_llm_drafters():
    settings = Settings(
        llm=LLMSettings(backend="openai", model="m", base_url="http://127.0.0.1:9/v1")
    )
    drafter = make_drafter("openai", settings)
    assert isinstance(drafter, LLMDrafter) and drafter.name == "openai"
    assert drafter.describe()["json_mode"] == "json_object+schema"
    ollama = make_drafter("ollama", Settings(llm=LLMSettings(model="llama3.2")))
    assert ollama.name == "ollama" and ollama.describe()["json_mode"] == "json_mode"


def test_extractive_and_auto_use_the_supplied_factory():
    with pytest.raises(BackendError, match="extractive_factory"):
        make_drafter("extractive", Settings())
    assert make_drafter("extractive", Settings(), _Extractive).name == "extractive"
    assert (
        make_drafter("auto", Settings(llm=LLMSettings(backend="auto")), _Extractive).name
        == "extractive"
    )
    assert (
        make_drafter("auto", Settings(llm=LLMSettings(backend="fake")), _Extractive).name
        == "extractive"
    )


def test_auto_picks_configured_llm_backend():
    settings = Settings(
        llm=LLMSettings(backend="openai", model="m", base_url="http://127.0.0.1:9/v1")
    )
    assert make_drafter("auto", settings, _Extractive).name == "openai"
    local = make_drafter("auto", Settings(llm=LLMSettings(backend="local")), _Extractive)
    assert isinstance(local, CrossCheckedDrafter) and local.name == "local"
    assert isinstance(local.llm, LocalLlamaDrafter)
    unchecked = make_drafter(
        "local", Settings(llm=LLMSettings(backend="local", cross_check=False)), _Extractive
    )
    assert isinstance(unchecked, LocalLlamaDrafter)


def test_fake_through_factory_exposes_queue_and_prompts(question, evidence, make_reply):
    drafter = make_drafter("fake", Settings())
    assert isinstance(drafter, FakeDrafter) and drafter.name == "fake"
    drafter.queue.append(make_reply())
    drafter.draft(question, evidence)
    assert len(drafter.prompts) == 1 and drafter.queue == []


def test_an_unreachable_server_is_one_clear_error_and_any_http_answer_is_reachable() -> None:
    import http.server
    import socket
    import threading

    from reviewer.llm.factory import check_reachable

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    dead = LLMSettings(backend="openai", model="m", base_url=f"http://127.0.0.1:{closed}/v1")
    with pytest.raises(BackendError, match=rf"cannot reach the openai server at .*:{closed}/v1"):
        check_reachable(dead, timeout_s=2)

    class NotFound(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        check_reachable(
            LLMSettings(backend="ollama", model="m", base_url=f"http://127.0.0.1:{port}")
        )
    finally:
        server.shutdown()
