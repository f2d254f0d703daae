"""A scripted chat model and drafter for tests: replies are enqueued, prompts are recorded.

The fake goes through the same LLMDrafter code as the real backends (prompt rendering, parsing,
retries), so tests of that code never depend on what a model happens to say.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from reviewer.config import LLMSettings
from reviewer.drafting.llm_drafter import LLMDrafter
from reviewer.drafting.prompts import PromptTemplate

Reply = str | dict[str, Any] | AIMessage | BaseException


class FakeChatModel(BaseChatModel):
    """Returns queued replies in order (dicts are sent as JSON, messages as they are, exceptions
    are raised).

    Every call's messages are appended to `prompts`. With an empty queue the model raises,
    unless `default_reply` is set.
    """

    queue: list[Any] = Field(default_factory=list)
    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    default_reply: Any = None
    delay_s: float = 0.0
    model_name: str = "fake-model"

    @property
    def _llm_type(self) -> str:
        return "fake-chat"

    def enqueue(self, *replies: Reply) -> None:
        """Add replies to the end of the queue."""
        self.queue.extend(replies)

    def last_prompt_text(self) -> str:
        """All message contents of the most recent call, joined."""
        if not self.prompts:
            return ""
        return "\n".join(str(m.content) for m in self.prompts[-1])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.prompts.append(list(messages))
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.queue:
            reply = self.queue.pop(0)
        elif self.default_reply is not None:
            reply = self.default_reply
        else:
            raise RuntimeError("FakeChatModel: no reply queued and no default_reply set")
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, AIMessage):
            return ChatResult(generations=[ChatGeneration(message=reply)])
        text = reply if isinstance(reply, str) else json.dumps(reply)
        # Rough usage so token accounting can be tested: words in, words out.
        tokens_in = sum(len(str(m.content).split()) for m in messages)
        tokens_out = len(text.split())
        message = AIMessage(
            content=text,
            usage_metadata={
                "input_tokens": tokens_in,
                "output_tokens": tokens_out,
                "total_tokens": tokens_in + tokens_out,
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])


class FakeDrafter(LLMDrafter):
    """An LLMDrafter over a FakeChatModel; `queue` and `prompts` are the model's."""

    name = "fake"
    backoff_s = 0.01

    def __init__(
        self,
        settings: LLMSettings | None = None,
        model: FakeChatModel | None = None,
        *,
        prompt: PromptTemplate | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        settings = settings or LLMSettings(backend="fake")
        super().__init__(
            model or FakeChatModel(), settings, name="fake", prompt=prompt, sleep=sleep
        )

    @property
    def model(self) -> FakeChatModel:
        return self.chat_model  # type: ignore[no-any-return]

    @property
    def queue(self) -> list[Any]:
        return self.model.queue

    @property
    def prompts(self) -> list[list[BaseMessage]]:
        return self.model.prompts

    def enqueue(self, *replies: Reply) -> None:
        self.model.enqueue(*replies)
