"""The one interface every drafter implements (extractive, local, ollama, openai, fake)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from reviewer.models import Draft, Evidence, Question


class DraftingError(RuntimeError):
    """A drafter could not produce a draft (timeout, unparsable output after retries, ...)."""


class Drafter(ABC):
    """Turns a question plus numbered evidence into a Draft (verdict, rationale, citations).

    Drafters never see anything but the question and the evidence blocks; citation
    verification happens afterwards, outside the drafter, so no drafter can vouch for itself.
    """

    name: str = "base"

    @abstractmethod
    def draft(self, question: Question, evidence: list[Evidence]) -> Draft:
        """Draft a finding for `question` from `evidence` (labels E1..En)."""

    def describe(self) -> dict[str, Any]:
        """Provenance: backend, model + file sha256, prompt name + sha256, temperature, seed."""
        return {"backend": self.name}
