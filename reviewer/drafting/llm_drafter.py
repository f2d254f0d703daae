"""Drafters backed by a language model: any LangChain chat model, or llama.cpp in process.

Both ask for one JSON object (JSON mode, never an OpenAI ``json_schema`` response format, which
the llama.cpp server rejects), parse it tolerantly into `LLMReply`, and turn it into a `Draft`.
Nothing here trusts the reply: citation verification happens afterwards in `verify.py`.
"""

from __future__ import annotations

import json
import queue
import re
import threading
import time
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reviewer.config import LLMSettings
from reviewer.drafting.base import Drafter, DraftingError
from reviewer.drafting.prompts import PromptTemplate, evidence_blocks, load_prompt, render_messages
from reviewer.models import (
    Citation,
    CriterionAssessment,
    CriterionStatus,
    Draft,
    Evidence,
    Question,
    Verdict,
)

PROMPT_NAME = "draft_finding"

_VERDICT_ALIASES = {
    "compliant": Verdict.conformant,
    "conforming": Verdict.conformant,
    "conformity": Verdict.conformant,
    "met": Verdict.conformant,
    "yes": Verdict.conformant,
    "partially_conformant": Verdict.partial,
    "partially_compliant": Verdict.partial,
    "partly_conformant": Verdict.partial,
    "partly_compliant": Verdict.partial,
    "partially_met": Verdict.partial,
    "partly_met": Verdict.partial,
    "partial_conformity": Verdict.partial,
    "non_conformity": Verdict.nonconformity,
    "nonconformance": Verdict.nonconformity,
    "non_conformance": Verdict.nonconformity,
    "nonconformant": Verdict.nonconformity,
    "non_conformant": Verdict.nonconformity,
    "noncompliant": Verdict.nonconformity,
    "non_compliant": Verdict.nonconformity,
    "not_compliant": Verdict.nonconformity,
    "not_conformant": Verdict.nonconformity,
    "no": Verdict.nonconformity,
    "insufficient": Verdict.insufficient_evidence,
    "no_evidence": Verdict.insufficient_evidence,
    "not_enough_evidence": Verdict.insufficient_evidence,
    "unknown": Verdict.insufficient_evidence,
    "cannot_determine": Verdict.insufficient_evidence,
    "undetermined": Verdict.insufficient_evidence,
}
_STATUS_ALIASES = {
    "partial": CriterionStatus.partly_met,
    "partially_met": CriterionStatus.partly_met,
    "not_met": CriterionStatus.contradicted,
    "unmet": CriterionStatus.contradicted,
    "missing": CriterionStatus.no_evidence,
    "none": CriterionStatus.no_evidence,
    "insufficient_evidence": CriterionStatus.no_evidence,
    "not_addressed": CriterionStatus.no_evidence,
}
_LABEL = re.compile(r"^\[?\s*(?:E|evidence\s*)?(\d+)\s*\]?$", re.I)


def _key(value: str) -> str:
    return value.strip().lower().replace("-", "_").replace(" ", "_")


def normalize_label(value: Any) -> str:
    """'[E3]', 'e3', 'E 3', 3 -> 'E3'; anything else is returned stripped."""
    text = str(value).strip()
    m = _LABEL.match(text)
    return f"E{int(m.group(1))}" if m else text


def parse_verdict(value: Any) -> Verdict:
    """Our verdict names, the gold-file aliases and common paraphrases (compliant, non-compliant...)."""
    if isinstance(value, Verdict):
        return value
    key = _key(str(value))
    if key in _VERDICT_ALIASES:
        return _VERDICT_ALIASES[key]
    return Verdict.parse(key)


def _rename(data: Any, renames: dict[str, str]) -> Any:
    if isinstance(data, dict):
        data = dict(data)
        for old, new in renames.items():
            if old in data and new not in data:
                data[new] = data.pop(old)
    return data


class ReplyCriterion(BaseModel):
    model_config = ConfigDict(extra="ignore")

    criterion_id: str
    status: CriterionStatus
    evidence: list[str] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        return _rename(
            data, {"id": "criterion_id", "criterion": "criterion_id", "labels": "evidence"}
        )

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        key = _key(str(value))
        return _STATUS_ALIASES.get(key, key)

    @field_validator("evidence", mode="before")
    @classmethod
    def _labels(cls, value: Any) -> Any:
        if value is None:
            return []
        items = value if isinstance(value, list) else re.split(r"[,;\s]+", str(value))
        return [normalize_label(v) for v in items if str(v).strip()]


class ReplyCitation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    evidence: str
    quote: str

    @model_validator(mode="before")
    @classmethod
    def _aliases(cls, data: Any) -> Any:
        return _rename(data, {"label": "evidence", "evidence_label": "evidence", "text": "quote"})

    @field_validator("evidence", mode="before")
    @classmethod
    def _label(cls, value: Any) -> str:
        return normalize_label(value)


class LLMReply(BaseModel):
    """The JSON object a model must return (parsed tolerantly: aliases, fences, stray keys)."""

    model_config = ConfigDict(extra="ignore")

    verdict: Verdict
    rationale: str = ""
    criteria: list[ReplyCriterion] = Field(default_factory=list)
    citations: list[ReplyCitation] = Field(default_factory=list)

    @field_validator("verdict", mode="before")
    @classmethod
    def _verdict(cls, value: Any) -> Verdict:
        return parse_verdict(value)


def reply_schema(max_items: int = 6) -> dict[str, Any]:
    """JSON schema of LLMReply for grammar-constrained decoding, with bounded lists.

    The bounds keep a small model from looping inside an array until max_tokens cuts the JSON.
    Strings are left unbounded: llama.cpp expands maxLength into nested rules and its grammar
    parser gives up (and can crash) on a few hundred characters.
    """
    schema = LLMReply.model_json_schema()
    defs = schema.get("$defs", {})
    schema["properties"]["criteria"]["maxItems"] = max_items
    schema["properties"]["citations"]["maxItems"] = max_items
    schema["required"] = ["verdict", "rationale", "criteria", "citations"]
    if "ReplyCriterion" in defs:
        defs["ReplyCriterion"]["properties"]["evidence"]["maxItems"] = max_items
        defs["ReplyCriterion"]["required"] = ["criterion_id", "status", "evidence", "note"]
    return schema


class ReplyParseError(ValueError):
    """The model's reply is not a usable JSON object."""


_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)


def parse_reply(text: str) -> LLMReply:
    """Parse a model reply: strips code fences and prose around the outermost JSON object."""
    body = text.strip()
    fenced = _FENCE.search(body)
    if fenced:
        body = fenced.group(1).strip()
    start, end = body.find("{"), body.rfind("}")
    if start < 0 or end <= start:
        raise ReplyParseError(f"no JSON object in the reply ({_preview(text)})")
    try:
        data = json.loads(body[start : end + 1])
    except json.JSONDecodeError as exc:
        raise ReplyParseError(f"reply is not valid JSON: {exc.msg} ({_preview(text)})") from exc
    try:
        return LLMReply.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "reply"
        raise ReplyParseError(f"reply does not fit the schema at {where}: {first['msg']}") from exc


def _preview(text: str, n: int = 80) -> str:
    flat = " ".join(text.split())
    return repr(flat[:n] + ("..." if len(flat) > n else ""))


def reply_to_draft(
    reply: LLMReply, question: Question, evidence: list[Evidence], model: str = ""
) -> Draft:
    """Map a parsed reply onto a Draft; unknown evidence labels are kept for verify to drop.

    Confidence is a heuristic, not a probability: 0.3 plus 0.4 times the share of criteria the
    model tied to at least one given evidence block (1.0 share when the question has no criteria
    and the reply cites something). An abstention scores 0.3.
    """
    given = {ev.label: ev for ev in evidence}
    by_id = {_key(c.criterion_id): c for c in reply.criteria}
    assessments: list[CriterionAssessment] = []
    if question.criteria:
        for crit in question.criteria:
            got = by_id.get(_key(crit.id))
            if got is None:
                assessments.append(
                    CriterionAssessment(
                        criterion_id=crit.id,
                        criterion=crit.text,
                        status=CriterionStatus.no_evidence,
                        note="not assessed in the model's reply",
                    )
                )
                continue
            assessments.append(
                CriterionAssessment(
                    criterion_id=crit.id,
                    criterion=crit.text,
                    status=got.status,
                    note=got.note,
                    evidence=[lab for lab in got.evidence if lab in given],
                )
            )
    else:
        for got in reply.criteria:
            assessments.append(
                CriterionAssessment(
                    criterion_id=got.criterion_id,
                    status=got.status,
                    note=got.note,
                    evidence=[lab for lab in got.evidence if lab in given],
                )
            )
    citations = [
        Citation(
            label=c.evidence,
            chunk_id=given[c.evidence].chunk.id if c.evidence in given else "",
            quote=c.quote,
        )
        for c in reply.citations
        if c.quote.strip()
    ]
    if reply.verdict == Verdict.insufficient_evidence:
        confidence = 0.3
    elif assessments:
        tied = sum(1 for a in assessments if a.evidence and a.status != CriterionStatus.no_evidence)
        confidence = 0.3 + 0.4 * tied / len(assessments)
    else:
        confidence = 0.7 if citations else 0.3
    return Draft(
        verdict=reply.verdict,
        rationale=reply.rationale.strip(),
        assessments=assessments,
        citations=citations,
        confidence=round(confidence, 3),
        model=model,
    )


def format_criteria(question: Question) -> str:
    if not question.criteria:
        return '(no explicit criteria: use criterion_id "q" for the question as a whole)'
    return "\n".join(f"- {c.id}: {c.text}" for c in question.criteria)


def prompt_values(question: Question, evidence: list[Evidence]) -> dict[str, str]:
    """Every variable the draft_finding template uses, and nothing else."""
    refs = ", ".join(str(r) + (f" ({r.title})" if r.title else "") for r in question.refs)
    return {
        "question_id": question.id,
        "control_refs": refs or "no control reference",
        "question": question.text.strip(),
        "criteria": format_criteria(question),
        "evidence_count": str(len(evidence)),
        "evidence": evidence_blocks(evidence),
    }


@dataclass
class Completion:
    text: str
    tokens_prompt: int = 0
    tokens_completion: int = 0
    cut_off: bool = False  # generation stopped at max_tokens


T = TypeVar("T")


def call_with_timeout(fn: Callable[[], T], timeout_s: float) -> T:
    """Run `fn` in a daemon thread and give up waiting after `timeout_s` (TimeoutError).

    The thread cannot be killed, but HTTP clients are also given the timeout, so an abandoned
    call ends on its own shortly after.
    """
    box: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def run() -> None:
        try:
            box.put((True, fn()))
        except BaseException as exc:  # handed to the caller's thread
            box.put((False, exc))

    threading.Thread(target=run, daemon=True, name="llm-call").start()
    try:
        ok, value = box.get(timeout=timeout_s)
    except queue.Empty:
        raise TimeoutError(f"no reply within {timeout_s:g} s") from None
    if ok:
        return value  # type: ignore[no-any-return]
    raise value


def _is_transient(exc: BaseException) -> bool:
    """Timeouts and dropped connections are worth another try; a 404 or bad key is not."""
    if isinstance(exc, TimeoutError | ConnectionError | ReplyParseError):
        return True
    names = {cls.__name__ for cls in type(exc).__mro__}
    return any(
        "Timeout" in n or n in {"APIConnectionError", "ConnectError", "ReadError"} for n in names
    )


def cut_off_error(backend: str, settings: LLMSettings, *, in_process: bool) -> Exception:
    """The error for a reply that hit the token limit, naming the setting to raise.

    Decoding in process at temperature 0 repeats itself, so another try would be cut at the
    same place: that is a DraftingError, not retried. A server may decode differently on the
    next call, so there it is a parse error and retried as usual.
    """
    message = (
        f"{backend} backend: the reply was cut off at llm.max_tokens={settings.max_tokens} "
        "tokens before its JSON closed; raise llm.max_tokens"
    )
    if in_process and settings.temperature == 0:
        return DraftingError(message)
    return ReplyParseError(message)


_CONTEXT_OVERFLOW = re.compile(r"context (?:length|size|window)", re.I)


def overflows_context(exc: BaseException | None) -> bool:
    """True for a server's refusal of a prompt longer than its context window (OpenAI, vLLM,
    llama.cpp: "maximum context length is ...", "exceeds the available context size")."""
    return exc is not None and bool(_CONTEXT_OVERFLOW.search(str(exc)))


def with_context_fit(draft: Draft, given: int, sent: int, n_ctx: int | None = None) -> Draft:
    """Record in the draft's checks (and so the finding's provenance) that the model read only
    the first `sent` of `given` evidence blocks."""
    if sent == given:
        return draft
    fit: dict[str, int] = {"blocks_given": given, "blocks_sent": sent}
    if n_ctx:
        fit["n_ctx"] = n_ctx
    return draft.model_copy(update={"checks": {**draft.checks, "context_fit": fit}})


class JSONDrafter(Drafter):
    """Shared by LLM drafters: prompt building, bounded retries with backoff, reply mapping."""

    backoff_s: float = 1.0
    in_process = False  # decodes here, so temperature 0 repeats itself exactly

    def __init__(
        self,
        settings: LLMSettings,
        *,
        prompt: PromptTemplate | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.prompt = prompt or load_prompt(PROMPT_NAME)
        self.sleep = sleep
        self.attempts_made = 0

    def messages(self, question: Question, evidence: list[Evidence]) -> list[tuple[str, str]]:
        """(role, content) messages for this question and evidence."""
        return render_messages(self.prompt, **prompt_values(question, evidence))

    @abstractmethod
    def complete(self, messages: list[tuple[str, str]]) -> Completion:
        """One model call; raise TimeoutError when it takes longer than settings.timeout_s."""

    @property
    def model_name(self) -> str:
        return self.settings.model or ""

    def draft(self, question: Question, evidence: list[Evidence]) -> Draft:
        messages = self.messages(question, evidence)
        attempts = max(0, self.settings.retries) + 1
        tokens_prompt = tokens_completion = 0
        last: BaseException | None = None
        for attempt in range(attempts):
            self.attempts_made = attempt + 1
            try:
                out = self.complete(messages)
                tokens_prompt += out.tokens_prompt
                tokens_completion += out.tokens_completion
                if out.cut_off:
                    raise cut_off_error(self.name, self.settings, in_process=self.in_process)
                reply = parse_reply(out.text)
            except DraftingError:
                raise
            except Exception as exc:
                if not _is_transient(exc):
                    raise DraftingError(
                        f"{self.name} backend failed on question {question.id}: "
                        f"{type(exc).__name__}: {exc}"
                    ) from exc
                last = exc
                if attempt + 1 < attempts:
                    self.sleep(self.backoff_s * 2**attempt)
                continue
            draft = reply_to_draft(reply, question, evidence, model=self.model_name)
            return draft.model_copy(
                update={"tokens_prompt": tokens_prompt, "tokens_completion": tokens_completion}
            )
        raise DraftingError(
            f"{self.name} backend gave no usable reply for question {question.id} after "
            f"{attempts} attempt(s): {last}"
        )

    def describe(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "model": self.model_name,
            **self.prompt.describe(),
            "temperature": self.settings.temperature,
            "seed": self.settings.seed,
        }


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(
            part if isinstance(part, str) else str(part.get("text", "")) for part in content
        )
    return str(content)


def _usage(message: Any) -> tuple[int, int]:
    usage = getattr(message, "usage_metadata", None) or {}
    if usage:
        return int(usage.get("input_tokens", 0) or 0), int(usage.get("output_tokens", 0) or 0)
    meta = (getattr(message, "response_metadata", None) or {}).get("token_usage") or {}
    return int(meta.get("prompt_tokens", 0) or 0), int(meta.get("completion_tokens", 0) or 0)


def _rejects_schema(exc: BaseException) -> bool:
    """A 400/422 from a server that does not accept a schema inside response_format."""
    status = getattr(exc, "status_code", None) or getattr(
        getattr(exc, "response", None), "status_code", None
    )
    text = str(exc).lower()
    return status in (400, 422) and ("schema" in text or "response_format" in text)


class LLMDrafter(JSONDrafter):
    """Drafts through any LangChain chat model, in JSON mode where the model supports it.

    JSON mode is requested through ``with_structured_output(method="json_mode")`` (Ollama
    ``format="json"``, OpenAI ``response_format={"type": "json_object"}``), never the OpenAI
    ``json_schema`` response format. With ``schema_hint`` (used for the openai backend) the
    reply schema also rides inside the json_object response format, which llama.cpp's server
    turns into a grammar; a server that refuses that gets plain JSON mode from then on.
    """

    def __init__(
        self,
        chat_model: Any,
        settings: LLMSettings,
        *,
        name: str | None = None,
        prompt: PromptTemplate | None = None,
        sleep: Callable[[float], None] = time.sleep,
        schema_hint: bool = False,
    ) -> None:
        super().__init__(settings, prompt=prompt, sleep=sleep)
        self.chat_model = chat_model
        self.name = name or settings.backend
        self.schema_hint = schema_hint
        self.json_mode = "prompt_only"
        self._runnable = self._bind_json(chat_model)

    def _bind_json(self, model: Any) -> Any:
        """Bind JSON mode; fall back to the plain model (the prompt asks for JSON anyway).

        include_raw=True keeps LangChain's strict parser from raising: we parse the raw text
        ourselves, tolerantly.
        """
        if self.schema_hint:
            try:
                bound = model.bind(
                    response_format={"type": "json_object", "schema": reply_schema()}
                )
            except (NotImplementedError, ValueError, TypeError, AttributeError):
                self.schema_hint = False
            else:
                self.json_mode = "json_object+schema"
                return bound
        try:
            runnable = model.with_structured_output(LLMReply, method="json_mode", include_raw=True)
        except (NotImplementedError, ValueError, TypeError, AttributeError):
            self.json_mode = "prompt_only"
            return model
        self.json_mode = "json_mode"
        return runnable

    def draft(self, question: Question, evidence: list[Evidence]) -> Draft:
        """Draft; when the server refuses the prompt as longer than its context window, ask
        again without the last (least relevant) evidence block.

        The server's tokenizer and window are unknown here, and a refusal comes back before any
        generation, so each retry costs one quick request.
        """
        kept = list(evidence)
        while True:
            try:
                draft = super().draft(question, kept)
            except DraftingError as exc:
                if kept and overflows_context(exc.__cause__):
                    kept.pop()
                    continue
                raise
            return with_context_fit(draft, len(evidence), len(kept))

    @property
    def model_name(self) -> str:
        for attr in ("model_name", "model"):
            value = getattr(self.chat_model, attr, None)
            if isinstance(value, str) and value:
                return value
        return self.settings.model or type(self.chat_model).__name__

    def complete(self, messages: list[tuple[str, str]]) -> Completion:
        try:
            result = call_with_timeout(
                lambda: self._runnable.invoke(messages), self.settings.timeout_s
            )
        except Exception as exc:
            if self.schema_hint and _rejects_schema(exc):
                self.schema_hint = False
                self._runnable = self._bind_json(self.chat_model)
                return self.complete(messages)
            raise
        message = result.get("raw") if isinstance(result, dict) else result
        if message is None:
            raise ReplyParseError("the model returned no message")
        meta = getattr(message, "response_metadata", None) or {}
        stop = (meta.get("finish_reason"), meta.get("done_reason"))  # OpenAI, Ollama
        tokens_prompt, tokens_completion = _usage(message)
        return Completion(
            _content_text(getattr(message, "content", message)),
            tokens_prompt,
            tokens_completion,
            cut_off="length" in stop,
        )

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["json_mode"] = self.json_mode
        if self.settings.base_url and self.name in ("ollama", "openai"):
            out["base_url"] = self.settings.base_url
        return out


class LocalLlamaDrafter(JSONDrafter):
    """Drafts with llama.cpp in process (bundled SmolLM2 unless llm.model_path is set).

    Output is constrained by the LLMReply JSON schema, so it parses unless it is cut off; what
    it says is another matter for such a small model, which is why verification follows.

    The evidence budget is counted in cl100k tokens, but a GGUF model counts with its own
    tokenizer, often more of them, so a prompt within the budget can still overflow `llm.n_ctx`.
    Evidence blocks are dropped from the end (the least relevant, after cross-checking's focus
    order) until prompt and reply fit.
    """

    name = "local"
    in_process = True
    # Tokens the chat template adds around each message (role markers, separators).
    template_tokens_per_message = 8

    def __init__(
        self,
        settings: LLMSettings,
        *,
        prompt: PromptTemplate | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from reviewer.llm.local import bundled_model_path, check_model_file

        super().__init__(settings, prompt=prompt, sleep=sleep)
        self.model_path = Path(settings.model_path) if settings.model_path else bundled_model_path()
        self.model_sha256 = check_model_file(self.model_path)  # pinned hash for the bundled file
        self._llama: Any = None

    @property
    def model_name(self) -> str:
        return self.model_path.name

    def _model(self) -> Any:
        if self._llama is None:
            from reviewer.llm.local import load_llama

            self._llama = load_llama(self.model_path, self.settings.n_ctx, self.settings.seed)
        return self._llama

    def draft(self, question: Question, evidence: list[Evidence]) -> Draft:
        kept = self.fit_evidence(question, evidence)
        draft = super().draft(question, kept)
        return with_context_fit(draft, len(evidence), len(kept), self.settings.n_ctx)

    def prompt_tokens(self, messages: list[tuple[str, str]]) -> int:
        """The prompt's length in this model's tokens (template markers estimated)."""
        llama = self._model()
        return sum(
            len(llama.tokenize(content.encode(), add_bos=False)) + self.template_tokens_per_message
            for _, content in messages
        )

    def fit_evidence(self, question: Question, evidence: list[Evidence]) -> list[Evidence]:
        """The leading evidence blocks whose prompt leaves `llm.max_tokens` free in `llm.n_ctx`."""
        room = self.settings.n_ctx - self.settings.max_tokens
        kept = list(evidence)
        while (used := self.prompt_tokens(self.messages(question, kept))) > room:
            if not kept:
                raise DraftingError(
                    f"local backend: the prompt for question {question.id} takes {used} tokens "
                    f"without any evidence, and llm.n_ctx={self.settings.n_ctx} minus "
                    f"llm.max_tokens={self.settings.max_tokens} leaves {room}; raise llm.n_ctx"
                )
            kept.pop()
        return kept

    def complete(self, messages: list[tuple[str, str]]) -> Completion:
        """Stream the reply so the time limit can stop generation between tokens.

        (An exception raised from a llama.cpp logits processor is swallowed by its C callback,
        so streaming is the one place Python regains control mid-generation.)
        """
        from reviewer.llm.local import GENERATION_LOCK

        llama = self._model()
        limit = self.settings.timeout_s
        parts: list[str] = []
        with GENERATION_LOCK:
            deadline = time.monotonic() + limit
            stream = llama.create_chat_completion(
                messages=[{"role": role, "content": content} for role, content in messages],
                response_format={"type": "json_object", "schema": reply_schema()},
                temperature=self.settings.temperature,
                seed=self.settings.seed,
                max_tokens=self.settings.max_tokens,
                stream=True,
            )
            finish = None
            try:
                for chunk in stream:
                    choice = chunk["choices"][0]
                    delta = choice.get("delta") or {}
                    if delta.get("content"):
                        parts.append(delta["content"])
                    finish = choice.get("finish_reason") or finish
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"no reply within {limit:g} s")
            finally:
                stream.close()
            # Streams carry no usage; the context holds prompt + generated tokens.
            tokens_completion = len(parts)
            tokens_prompt = max(0, int(llama.n_tokens) - tokens_completion)
        return Completion("".join(parts), tokens_prompt, tokens_completion, finish == "length")

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update({"model_file": self.model_path.name, "model_sha256": self.model_sha256})
        return out
