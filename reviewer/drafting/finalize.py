"""Turn a Draft into a Finding: verify citations, flag injected instructions, record provenance."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from reviewer.drafting.base import Drafter
from reviewer.drafting.injection import find_injections
from reviewer.drafting.verify import locate, verify_draft
from reviewer.models import Draft, Evidence, Finding, Flag, Question, Verdict

# A downgraded draft is shown as insufficient_evidence; its confidence says how sure we are of
# that abstention, not of the model's claim, so it is kept low.
UNSUPPORTED_CONFIDENCE_CAP = 0.2


def _sha(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def finding_id(run_id: str, question_id: str, source: dict[str, Any]) -> str:
    """Short stable id: the same run, question and source always give the same id."""
    return _sha([run_id, question_id, source])[:16]


def cache_key(question: Question, evidence: list[Evidence], drafter_desc: dict[str, Any]) -> str:
    """sha256 over everything that decides a draft: question, evidence, prompt, model, sampling."""
    payload = {
        "question": {
            "id": question.id,
            "text": question.text,
            "criteria": [[c.id, c.text] for c in question.criteria],
        },
        # Order matters: it decides which block is E1, E2...
        "evidence": [[ev.label, ev.chunk.id, ev.chunk.doc_sha256] for ev in evidence],
        "drafter": {
            key: drafter_desc.get(key)
            for key in (
                "backend",
                "model",
                "model_file",
                "model_sha256",
                "prompt",
                "prompt_version",
                "prompt_sha256",
                "temperature",
                "seed",
                # the extractive drafter's thresholds and switches: a change within a version
                # (a tuning run, a rule switched off) must not return drafts made without it
                "params",
            )
        },
    }
    return _sha(payload)


def adjusted_confidence(draft: Draft, n_verified: int, n_dropped: int, downgraded: bool) -> float:
    """Draft confidence scaled by the share of citations that verified; capped when downgraded.

    E.g. 0.8 with 1 of 2 citations verified -> 0.4; a verdict downgraded to
    insufficient_evidence keeps at most UNSUPPORTED_CONFIDENCE_CAP.
    """
    confidence = draft.confidence
    if n_dropped:
        confidence *= n_verified / (n_verified + n_dropped)
    if downgraded:
        confidence = min(confidence, UNSUPPORTED_CONFIDENCE_CAP)
    return round(max(0.0, min(1.0, confidence)), 3)


def _elapsed(started: float, now_perf: float) -> float:
    # `started` should be a time.perf_counter() value; accept a time.time() stamp too (those
    # are epoch seconds, far larger than any perf_counter reading).
    if started > 1e9:
        return round(time.time() - started, 3)
    return round(now_perf - started, 3)


def finalize(
    question: Question,
    draft: Draft,
    evidence: list[Evidence],
    drafter: Drafter,
    *,
    run_id: str,
    retrieval_params: dict[str, Any],
    cache_key: str,
    source: dict[str, Any],
    started: float,
) -> Finding:
    """Verify `draft` against `evidence` and assemble the Finding with full provenance.

    Injection text in the evidence is flagged (with the chunk ids) but never changes the verdict.
    """
    t0 = time.perf_counter()
    check = verify_draft(draft, evidence, question)
    flags = list(draft.flags) + list(check.flags)

    injected: dict[str, list[str]] = {}
    for ev in evidence:
        hits = find_injections(ev.chunk.text)
        if hits:
            injected[ev.chunk.id] = hits
    if injected:
        flags.append(Flag.injection.value)
    verify_s = round(time.perf_counter() - t0, 3)

    downgraded = Flag.unsupported_draft.value in flags
    rationale = draft.rationale
    if downgraded:
        rationale = (
            f"No quoted evidence could be verified, so the drafted verdict "
            f"({draft.verdict.value}) is not presented as supported. {rationale}"
        ).strip()
    elif draft.verdict == Verdict.insufficient_evidence and not rationale:
        rationale = "The evidence provided does not address this question."

    provenance: dict[str, Any] = dict(drafter.describe())
    provenance.update(
        {
            "retrieval": dict(retrieval_params),
            "evidence": {ev.label: ev.chunk.id for ev in evidence},
            "chunk_ids": [ev.chunk.id for ev in evidence],
            "doc_sha256s": sorted({ev.chunk.doc_sha256 for ev in evidence}),
            "timings": {"total_s": _elapsed(started, time.perf_counter()), "verify_s": verify_s},
            "tokens": {"prompt": draft.tokens_prompt, "completion": draft.tokens_completion},
        }
    )
    provenance.update(draft.checks)
    if check.notes:
        provenance["verification_notes"] = check.notes
    if check.verdict == Verdict.insufficient_evidence and draft.closest:
        by_label = {ev.label.upper(): ev for ev in evidence}
        located = [c for c in (locate(c, by_label) for c in draft.closest) if c is not None]
        if located:  # not evidence: kept beside the finding for the auditor, never as citations
            provenance["closest"] = [
                c.model_copy(update={"verified": False}).model_dump(mode="json") for c in located
            ]
    if check.ungrounded:
        provenance["ungrounded_references"] = check.ungrounded
    if injected:
        provenance["injection_chunks"] = sorted(injected)
        provenance["injection_snippets"] = injected
        # for people: which evidence block of which file holds the instruction-like text
        provenance["injection_sources"] = [
            f"{ev.label} {ev.chunk.path}" + (f" p.{ev.chunk.page}" if ev.chunk.page else "")
            for ev in evidence
            if ev.chunk.id in injected
        ]
    if check.changed:
        provenance["original_draft"] = {
            "verdict": draft.verdict.value,
            "rationale": draft.rationale,
            "citations": [c.model_dump(mode="json") for c in draft.citations],
        }

    return Finding(
        id=finding_id(run_id, question.id, source),
        run_id=run_id,
        question=question,
        verdict=check.verdict,
        rationale=rationale,
        assessments=list(draft.assessments),
        citations=check.citations,
        confidence=adjusted_confidence(draft, len(check.citations), len(check.dropped), downgraded),
        flags=list(dict.fromkeys(flags)),
        provenance=provenance,
        source=dict(source),
        cache_key=cache_key,
    )
