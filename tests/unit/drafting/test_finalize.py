"""Finding assembly: provenance, injection flags, confidence, ids and cache keys."""

from __future__ import annotations

import time

import pytest

from reviewer.drafting.finalize import adjusted_confidence, cache_key, finalize
from reviewer.models import Citation, Criterion, Draft, Flag, Verdict
from reviewer.text import find_quote


def _finalize(question, draft, evidence, drafter, **over):  # type: ignore[no-untyped-def]
    kwargs = {
        "run_id": "run-1",
        "retrieval_params": {"k": 3, "rrf_k": 60},
        "cache_key": "ck",
        "source": {"bank": "ai27"},
        "started": time.perf_counter(),
    }
    kwargs.update(over)
    return finalize(question, draft, evidence, drafter, **kwargs)


def test_injection_flagged_but_verdict_kept(fake, question, evidence, make_reply):
    fake.enqueue(make_reply())
    draft = fake.draft(question, evidence)
    finding = _finalize(question, draft, evidence, fake)
    assert finding.verdict == Verdict.conformant == draft.verdict
    assert Flag.injection.value in finding.flags
    assert finding.provenance["injection_chunks"] == [evidence[2].chunk.id]
    assert "original_draft" not in finding.provenance  # verification changed nothing


def test_no_injection_flag_for_clean_evidence(fake, question, evidence, make_reply):
    fake.enqueue(make_reply())
    draft = fake.draft(question, evidence[:2])
    finding = _finalize(question, draft, evidence[:2], fake)
    assert finding.flags == [] and "injection_chunks" not in finding.provenance


def test_provenance_contents(fake, question, evidence, make_reply):
    fake.enqueue(make_reply())
    draft = fake.draft(question, evidence)
    finding = _finalize(question, draft, evidence, fake, started=time.perf_counter() - 1.5)
    prov = finding.provenance
    for key, value in fake.describe().items():
        assert prov[key] == value
    assert prov["retrieval"] == {"k": 3, "rrf_k": 60}
    assert prov["chunk_ids"] == [ev.chunk.id for ev in evidence]
    assert prov["doc_sha256s"] == sorted(ev.chunk.doc_sha256 for ev in evidence)
    assert prov["tokens"] == {"prompt": draft.tokens_prompt, "completion": draft.tokens_completion}
    assert prov["tokens"]["prompt"] > 0
    assert 1.5 <= prov["timings"]["total_s"] < 10
    assert finding.citations[0].verified and finding.cache_key == "ck"
    assert finding.source == {"bank": "ai27"} and finding.run_id == "run-1"


def test_finding_id_short_stable_and_distinct(fake, question, evidence, make_reply):
    draft = Draft(verdict=Verdict.insufficient_evidence, rationale="Not addressed.")
    a = _finalize(question, draft, evidence, fake)
    b = _finalize(question, draft, evidence, fake)
    assert a.id == b.id and len(a.id) == 16
    assert _finalize(question, draft, evidence, fake, run_id="run-2").id != a.id
    assert _finalize(question, draft, evidence, fake, source={"row": 4}).id != a.id
    other_q = question.model_copy(update={"id": "ai27-a82-02"})
    assert _finalize(other_q, draft, evidence, fake).id != a.id


def test_confidence_lowered_by_share_of_dropped_citations(fake, question, evidence):
    draft = Draft(
        verdict=Verdict.conformant,
        rationale="Classified [E1].",
        confidence=0.8,
        citations=[
            Citation(label="E1", chunk_id="", quote="classified as Confidential before use"),
            Citation(label="E1", chunk_id="", quote="datasets are encrypted"),
        ],
    )
    finding = _finalize(question, draft, evidence, fake)
    assert finding.confidence == pytest.approx(0.4)
    assert Flag.unverified_quote.value in finding.flags
    assert finding.provenance["original_draft"]["citations"][1]["quote"] == "datasets are encrypted"
    assert adjusted_confidence(draft, 2, 0, False) == 0.8
    assert adjusted_confidence(draft, 0, 2, True) == 0.0


def test_cache_key_stable_and_sensitive_to_each_input(fake, question, evidence):
    desc = fake.describe()
    base = cache_key(question, evidence, desc)
    assert base == cache_key(question.model_copy(deep=True), list(evidence), dict(desc))
    assert len(base) == 64
    variants = [
        cache_key(question.model_copy(update={"id": "other"}), evidence, desc),
        cache_key(question.model_copy(update={"text": question.text + "?"}), evidence, desc),
        cache_key(
            question.model_copy(update={"criteria": [Criterion(id="c1", text="changed")]}),
            evidence,
            desc,
        ),
        cache_key(question, evidence[:2], desc),
        cache_key(question, list(reversed(evidence)), desc),
        cache_key(question, evidence, {**desc, "prompt_sha256": "0" * 64}),
        cache_key(question, evidence, {**desc, "model": "other-model"}),
        cache_key(question, evidence, {**desc, "model_sha256": "1" * 64}),
        cache_key(question, evidence, {**desc, "temperature": 0.7}),
        cache_key(question, evidence, {**desc, "seed": 8}),
        cache_key(question, evidence, {**desc, "params": {"support_z": 3.0}}),
    ]
    assert base not in variants and len(set(variants)) == len(variants)
    # Provenance that does not change the draft does not change the key.
    assert cache_key(question, evidence, {**desc, "json_mode": "other"}) == base


def test_closest_passages_of_an_abstention_are_located_and_kept_apart_from_citations(
    fake, question, evidence
):
    chunk = evidence[0].chunk
    words = chunk.text.split()
    quote = " ".join(words[: min(6, len(words))])
    near = [
        Citation(label="E1", chunk_id=chunk.id, quote=quote),
        Citation(label="E1", chunk_id=chunk.id, quote="words that are nowhere in the chunk"),
        Citation(label="E9", chunk_id="missing", quote=quote),
    ]
    draft = Draft(verdict=Verdict.insufficient_evidence, rationale="Not addressed.", closest=near)
    finding = _finalize(question, draft, evidence, fake)
    assert finding.citations == [] and Flag.unverified_quote.value not in finding.flags
    (shown,) = finding.closest()  # the two that cannot be found are left out
    start, end = find_quote(chunk.text, quote) or (-1, -1)
    assert shown.quote == chunk.text[start:end] and shown.path == chunk.path  # the document's own
    assert shown.char_start == chunk.char_start + start
    assert not shown.verified  # located, but never to be taken for a verified citation
    # once a reviewer edits the verdict away from an abstention, there is nothing to show
    assert finding.model_copy(update={"verdict": Verdict.conformant}).closest() == []
    # an answered draft keeps no closest passages, whatever the drafter sent
    answered = Draft(
        verdict=Verdict.conformant,
        rationale="Stated [E1].",
        citations=[Citation(label="E1", chunk_id=chunk.id, quote=quote)],
        closest=near,
    )
    assert _finalize(question, answered, evidence, fake).closest() == []
