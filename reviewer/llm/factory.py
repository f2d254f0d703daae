"""One factory for every drafting backend; backend libraries are imported inside their branch."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reviewer.config import LLMSettings, Settings

if TYPE_CHECKING:
    from reviewer.drafting.base import Drafter

BACKENDS = ("extractive", "local", "ollama", "openai", "fake")
LLM_BACKENDS = ("local", "ollama", "openai")


class BackendError(RuntimeError):
    """A backend cannot be built (unknown name, missing setting, missing or corrupt model)."""


def _require(settings: LLMSettings, field: str, backend: str) -> str:
    value = getattr(settings, field)
    if not value:
        raise BackendError(
            f"llm.{field} is required for the {backend} backend; set it in reviewer.toml [llm] "
            f"or REVIEWER_LLM__{field.upper()}"
        )
    return str(value)


def make_chat_model(settings: LLMSettings) -> Any:
    """A LangChain chat model for the ollama or openai backend, configured from `settings`.

    Retries are left to the drafter (so they are counted and backed off in one place), hence
    max_retries=0 on the client.
    """
    backend = settings.backend
    if backend == "ollama":
        model = _require(settings, "model", "ollama")
        try:
            from langchain_ollama import ChatOllama
        except ImportError as exc:
            raise BackendError(
                "the ollama backend needs langchain-ollama; pip install langchain-ollama"
            ) from exc
        kwargs: dict[str, Any] = {
            "model": model,
            "temperature": settings.temperature,
            "seed": settings.seed,
            "num_ctx": settings.n_ctx,
            "num_predict": settings.max_tokens,
            "client_kwargs": {"timeout": settings.timeout_s},
        }
        if settings.base_url:
            kwargs["base_url"] = settings.base_url
        return ChatOllama(**kwargs)
    if backend == "openai":
        base_url = _require(settings, "base_url", "openai")
        model = _require(settings, "model", "openai")
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:
            raise BackendError(
                "the openai backend needs langchain-openai; pip install langchain-openai"
            ) from exc
        # Local OpenAI-compatible servers ignore the key, but the client insists on one.
        api_key = os.environ.get(settings.api_key_env) or "not-needed"
        return ChatOpenAI(
            model=model,
            base_url=base_url,
            api_key=api_key,  # type: ignore[arg-type]
            temperature=settings.temperature,
            seed=settings.seed,
            timeout=settings.timeout_s,
            max_retries=0,
            # ChatOpenAI renames max_tokens to max_completion_tokens, which the llama.cpp and
            # other OpenAI-compatible servers ignore; the classic field is understood by all.
            extra_body={"max_tokens": settings.max_tokens},
        )
    raise BackendError(
        f"make_chat_model builds LangChain models for ollama and openai only, not {backend!r}"
    )


def _unknown(name: str) -> BackendError:
    valid = ", ".join((*BACKENDS, "auto"))
    return BackendError(f"unknown LLM backend {name!r}; valid backends: {valid}")


def auto_backend(settings: Settings) -> str:
    """What `--drafter auto` means: the configured LLM backend, else the extractive drafter."""
    configured = settings.llm.backend
    return configured if configured in LLM_BACKENDS else "extractive"


OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"


def check_reachable(settings: LLMSettings, timeout_s: float = 5.0) -> None:
    """One quick request before a run: a server that is down becomes one clear error instead of
    a timed-out, retried call per question. Any HTTP answer, even an error status, counts as
    reachable; only a failed connection does not."""
    import urllib.error
    import urllib.request

    backend = settings.backend
    base = (settings.base_url or (OLLAMA_DEFAULT_URL if backend == "ollama" else "")).rstrip("/")
    if not base:
        return  # make_chat_model reports the missing base_url
    url = base + ("/api/tags" if backend == "ollama" else "/models")
    try:
        urllib.request.urlopen(url, timeout=timeout_s).close()  # noqa: S310 - user-configured URL
    except urllib.error.HTTPError:
        return
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise BackendError(
            f"cannot reach the {backend} server at {base} ({reason}); start it, fix [llm] "
            "base_url, or use --drafter extractive"
        ) from exc


def make_drafter(
    name: str,
    settings: Settings,
    extractive_factory: Callable[[], Drafter] | None = None,
) -> Drafter:
    """Build the drafter called `name` ("auto" = the configured LLM backend, else extractive)."""
    if name == "auto":
        name = auto_backend(settings)
    if name not in BACKENDS:
        raise _unknown(name)
    if name == "extractive":
        if extractive_factory is None:
            raise BackendError("the extractive backend needs an extractive_factory from the caller")
        return extractive_factory()
    llm = settings.llm.model_copy(update={"backend": name})
    if name == "fake":
        from reviewer.llm.fake import FakeDrafter

        return FakeDrafter(llm)
    drafter: Drafter
    if name == "local":
        from reviewer.drafting.llm_drafter import LocalLlamaDrafter

        drafter = LocalLlamaDrafter(llm)
    else:
        from reviewer.drafting.llm_drafter import LLMDrafter

        # llama.cpp-style servers accept the reply schema inside the json_object response format.
        drafter = LLMDrafter(make_chat_model(llm), llm, name=name, schema_hint=name == "openai")
    if llm.cross_check and extractive_factory is not None:
        from reviewer.drafting.cross_check import CrossCheckedDrafter

        return CrossCheckedDrafter(drafter, extractive_factory(), focus_blocks=llm.focus_blocks)
    return drafter
