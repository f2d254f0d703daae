"""Domain types: the vocabulary every function signature uses.

All models forbid unknown fields so a typo in a bank, a gold file or an LLM reply is an error,
not silently ignored data.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def utcnow() -> str:
    """ISO-8601 UTC timestamp with seconds precision, the one time format we store."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Verdict(StrEnum):
    conformant = "conformant"
    partial = "partial"
    nonconformity = "nonconformity"
    insufficient_evidence = "insufficient_evidence"

    @classmethod
    def parse(cls, value: str) -> Verdict:
        """Accept our names and the gold-file aliases (supported/partial/contradicted/not_addressed)."""
        key = value.strip().lower().replace("-", "_").replace(" ", "_")
        alias = VERDICT_ALIASES.get(key)
        if alias is None:
            valid = ", ".join(sorted(VERDICT_ALIASES))
            raise ValueError(f"unknown verdict {value!r}; expected one of: {valid}")
        return alias


VERDICT_ALIASES: dict[str, Verdict] = {
    "conformant": Verdict.conformant,
    "supported": Verdict.conformant,
    "partial": Verdict.partial,
    "nonconformity": Verdict.nonconformity,
    "contradicted": Verdict.nonconformity,
    "insufficient_evidence": Verdict.insufficient_evidence,
    "not_addressed": Verdict.insufficient_evidence,
}


class DocType(StrEnum):
    policy = "policy"
    model_card = "model_card"
    vendor = "vendor"
    other = "other"


class CriterionStatus(StrEnum):
    met = "met"
    partly_met = "partly_met"
    contradicted = "contradicted"
    no_evidence = "no_evidence"


class _Named(StrEnum):
    """A value outside the enum is a ValueError that lists the valid ones."""

    @classmethod
    def _missing_(cls, value: object) -> None:
        valid = ", ".join(m.value for m in cls)
        raise ValueError(f"unknown {cls._label()} {value!r}; choose one of {valid}")

    @classmethod
    def _label(cls) -> str:
        return "".join(f" {c.lower()}" if c.isupper() else c for c in cls.__name__).strip()


class FindingStatus(_Named):
    draft = "draft"
    approved = "approved"
    rejected = "rejected"
    edited = "edited"
    stale = "stale"
    failed = "failed"


class DecisionAction(_Named):
    approve = "approve"
    reject = "reject"
    edit = "edit"
    undo = "undo"


class RejectReason(_Named):
    wrong_verdict = "wrong_verdict"
    unsupported_citation = "unsupported_citation"
    missing_evidence = "missing_evidence"
    out_of_scope = "out_of_scope"
    other = "other"


class Flag(StrEnum):
    unverified_quote = "unverified_quote"
    unsupported_draft = "unsupported_draft"
    injection = "injection"
    stale_source = "stale_source"
    ungrounded_reference = "ungrounded_reference"
    llm_disagrees_with_evidence = "llm_disagrees_with_evidence"


class ControlRef(Strict):
    """A control in one framework edition, e.g. ISO27001:2013 A.8.2.1."""

    framework: str = Field(description="Framework key: ISO27001, ISO42001, NIST-AI-RMF, EU-AI-Act")
    edition: str = Field(description="Edition or version, e.g. 2013, 2022, 2023, 1.0, 2024")
    control: str = Field(description="Control identifier within that edition, e.g. A.8.2.1")
    title: str | None = Field(default=None, description="Control title in that edition")

    def __str__(self) -> str:
        return f"{self.framework}:{self.edition} {self.control}"

    @classmethod
    def parse(cls, text: str, title: str | None = None) -> ControlRef:
        """Parse 'ISO27001:2013 A.8.2.1' (framework:edition, space, control)."""
        head, _, control = text.strip().partition(" ")
        framework, sep, edition = head.partition(":")
        if not sep or not framework or not edition or not control.strip():
            raise ValueError(
                f"control ref {text!r} must look like 'FRAMEWORK:EDITION CONTROL', "
                "e.g. 'ISO27001:2013 A.8.2.1'"
            )
        return cls(framework=framework, edition=edition, control=control.strip(), title=title)


class Criterion(Strict):
    id: str = Field(description="Stable id within the question, e.g. c1")
    text: str = Field(description="One piece of evidence an auditor needs to see")


class Question(Strict):
    id: str = Field(description="Stable id, unique across banks, e.g. ai27-a82-01")
    text: str
    refs: list[ControlRef] = Field(default_factory=list)
    criteria: list[Criterion] = Field(default_factory=list)
    doc_types: list[DocType] = Field(default_factory=list, description="Where evidence is likely")
    threats: list[str] = Field(default_factory=list, description="MITRE ATLAS / OWASP IDs")
    family: str | None = Field(default=None, description="Control family label, e.g. A.8.2")
    keywords: list[str] = Field(default_factory=list, description="Extra retrieval terms")
    bank: str | None = None

    def primary_ref(self) -> str:
        return str(self.refs[0]) if self.refs else "ad-hoc"


class Document(Strict):
    id: str = Field(description="Stable id derived from the path relative to the ingest root")
    path: str = Field(description="Path as ingested (relative to the ingest root when a dir)")
    source_path: str = Field(description="Absolute path at ingest time")
    sha256: str
    doc_type: DocType
    title: str
    pages: int | None = None
    n_chunks: int = 0
    size_bytes: int = 0
    metadata: dict[str, Any] = Field(default_factory=dict)
    ingested_at: str = Field(default_factory=utcnow)
    recipe: str = Field(default="", description="Loader/chunker version and chunk settings used")


class Chunk(Strict):
    id: str
    doc_id: str
    doc_sha256: str
    path: str
    ordinal: int = Field(description="Position of the chunk in its document")
    page: int | None = Field(default=None, description="1-based page (PDF only)")
    char_start: int = Field(description="Start offset in the document text")
    char_end: int = Field(description="End offset (exclusive) in the document text")
    heading_path: list[str] = Field(default_factory=list)
    doc_type: DocType
    text: str

    @property
    def heading(self) -> str:
        return " > ".join(self.heading_path)


class Evidence(Strict):
    """A retrieved chunk as shown to a drafter, labelled E1..En."""

    label: str
    chunk: Chunk
    score: float = 0.0
    dense_rank: int | None = None
    lexical_rank: int | None = None

    def header(self) -> str:
        where = self.chunk.path
        if self.chunk.page:
            where += f", p. {self.chunk.page}"
        if self.chunk.heading_path:
            where += f", § {self.chunk.heading}"
        return f"[{self.label}] {where}"


class Citation(Strict):
    label: str = Field(description="Evidence label the drafter cited, e.g. E3")
    chunk_id: str
    quote: str = Field(description="Verbatim quote from the chunk")
    path: str = ""
    page: int | None = None
    doc_sha256: str = ""
    verified: bool = False
    char_start: int | None = Field(default=None, description="Quote start in the document text")
    char_end: int | None = None
    section: str = Field(default="", description="Headings above the quote, e.g. '6. AI > 6.1'")

    def where(self) -> str:
        """Where the quote is, for people: file, page (PDF) and section (any heading above it)."""
        out = self.path or self.chunk_id
        if self.page:
            out += f" p.{self.page}"
        if self.section:
            out += f" § {self.section}"
        return out


class CriterionAssessment(Strict):
    criterion_id: str
    criterion: str = ""
    status: CriterionStatus
    note: str = ""
    evidence: list[str] = Field(default_factory=list, description="Evidence labels used")
    score: float = 0.0


class Draft(Strict):
    """What a drafter returns, before citation verification."""

    verdict: Verdict
    rationale: str
    assessments: list[CriterionAssessment] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    confidence: float = 0.0
    tokens_prompt: int = 0
    tokens_completion: int = 0
    model: str = ""
    flags: list[str] = Field(default_factory=list, description="Flag values raised while drafting")
    closest: list[Citation] = Field(
        default_factory=list,
        description="Where the auditor should look first should the finding end as an abstention "
        "(the sentences nearest to meeting a criterion, or an LLM cross-check's evidence-logic "
        "sentences). Never evidence, never scored as citations.",
    )
    checks: dict[str, Any] = Field(
        default_factory=dict, description="Second opinions kept for provenance (evidence logic)"
    )


class Finding(Strict):
    id: str
    run_id: str = ""
    question: Question
    verdict: Verdict
    rationale: str
    assessments: list[CriterionAssessment] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    confidence: float = 0.0
    flags: list[str] = Field(default_factory=list)
    provenance: dict[str, Any] = Field(default_factory=dict)
    status: FindingStatus = FindingStatus.draft
    source: dict[str, Any] = Field(default_factory=dict, description="bank or questionnaire row")
    cache_key: str = ""
    created_at: str = Field(default_factory=utcnow)
    used_at: str = Field(default="", description="When a later run last reused this draft")

    def closest(self) -> list[Citation]:
        """The passages nearest to evidence of an abstaining draft (kept in provenance), located
        in their documents like citations but not evidence: the auditor's first place to look.
        None once the verdict is no longer an abstention (a reviewer edited it)."""
        if self.verdict is not Verdict.insufficient_evidence:
            return []
        return [Citation.model_validate(c) for c in self.provenance.get("closest", [])]


class Decision(Strict):
    seq: int = 0
    finding_id: str
    reviewer: str
    action: DecisionAction
    reason_code: RejectReason | None = None
    note: str = ""
    before: dict[str, Any] = Field(default_factory=dict)
    after: dict[str, Any] = Field(default_factory=dict)
    at: str = Field(default_factory=utcnow)
    prev_hash: str = ""
    hash: str = ""


class Run(Strict):
    id: str
    kind: str = Field(description="review | batch | eval")
    drafter: str
    params: dict[str, Any] = Field(default_factory=dict)
    started_at: str = Field(default_factory=utcnow)
    finished_at: str | None = None
    status: str = "running"
