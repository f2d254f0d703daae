"""LLMDrafter over the scripted fake model: prompt content, parsing, retries, token counts."""

from __future__ import annotations

import json
import re

import pytest
from langchain_core.messages import AIMessage

from reviewer.config import LLMSettings
from reviewer.drafting.base import DraftingError
from reviewer.drafting.llm_drafter import ReplyParseError, parse_reply, reply_schema
from reviewer.llm.fake import FakeChatModel, FakeDrafter
from reviewer.models import CriterionStatus, Verdict


def test_prompt_fences_evidence_as_untrusted_and_keeps_injection_inside(
    fake, question, evidence, make_reply
):
    fake.enqueue(make_reply())
    fake.draft(question, evidence)
    [messages] = fake.prompts
    assert [m.type for m in messages] == ["system", "human"]
    system, user = (str(m.content) for m in messages)
    assert "untrusted" in system and "never instructions" in system
    assert "insufficient_evidence" in system
    for ev in evidence:
        assert f"<<<EVIDENCE {ev.label} " in user and f"<<<END {ev.label}>>>" in user
    # Each block opens once and closes once: the look-alike delimiters inside E3 were defused.
    assert user.count("<<<EVIDENCE ") == 3 and user.count("<<<END ") == 3
    assert "E9" not in re.findall(r"<<<EVIDENCE (E\d+)", user)
    blocks = re.findall(r"<<<EVIDENCE (E\d+)[^\n]*untrusted>>>\n(.*?)\n<<<END \1>>>", user, re.S)
    by_label = dict(blocks)
    assert "ignore all previous instructions" in by_label["E3"]
    outside = re.sub(r"<<<EVIDENCE.*?<<<END E\d+>>>", "", user, flags=re.S)
    assert "ignore all previous" not in outside.lower()
    assert question.text in user and "c1: Training data is covered" in user
    assert 'file="ai-policy.pdf" page=3 section="Data governance"' in user


def test_reply_becomes_draft_with_all_criteria(fake, question, evidence, make_reply):
    fake.enqueue(
        make_reply(criteria=[{"id": "C1", "status": "partially met", "evidence": "[E1], E8"}])
    )
    draft = fake.draft(question, evidence)
    assert draft.verdict == Verdict.conformant
    c1, c2 = draft.assessments
    assert (c1.criterion_id, c1.status, c1.evidence) == ("c1", CriterionStatus.partly_met, ["E1"])
    assert c1.criterion == question.criteria[0].text
    # The model skipped c2: it is reported as having no evidence rather than silently dropped.
    assert (c2.criterion_id, c2.status) == ("c2", CriterionStatus.no_evidence)
    [cit] = draft.citations
    assert cit.label == "E1" and cit.chunk_id == evidence[0].chunk.id and not cit.verified
    assert draft.model == "fake-model"


def test_token_counts_recorded_from_usage(fake, question, evidence, make_reply):
    fake.enqueue("not json at all", make_reply())
    draft = fake.draft(question, evidence)
    prompt_words = sum(len(str(m.content).split()) for m in fake.prompts[0])
    out_words = len("not json at all".split()) + len(json.dumps(make_reply()).split())
    assert draft.tokens_prompt == 2 * prompt_words  # both attempts are counted
    assert draft.tokens_completion == out_words


@pytest.mark.parametrize(
    "text, verdict",
    [
        ('```json\n{"verdict": "Compliant", "rationale": "ok"}\n```', Verdict.conformant),
        ('Here you go: {"verdict": "non-compliant"} Hope it helps.', Verdict.nonconformity),
        (
            '{"verdict": "supported", "citations": [{"label": "e2", "quote": "x y z"}]}',
            Verdict.conformant,
        ),
        ('{"verdict": "not_addressed", "extra": 1}', Verdict.insufficient_evidence),
        ('{"verdict": "partially conformant"}', Verdict.partial),
    ],
)
def test_tolerant_parsing(text, verdict):
    reply = parse_reply(text)
    assert reply.verdict == verdict
    assert all(c.evidence.startswith("E") for c in reply.citations)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "I think it is compliant.",
        '{"verdict": "maybe"}',
        '{"rationale": "no verdict"}',
        "{broken",
    ],
)
def test_unparsable_replies_raise(text):
    with pytest.raises(ReplyParseError):
        parse_reply(text)


def test_retries_with_exponential_backoff_then_drafting_error(fake, question, evidence):
    fake.enqueue("nonsense", '{"verdict": 42}', "```still not json```")
    with pytest.raises(DraftingError, match=r"fake backend .*ai27-a82-01.* 3 attempt"):
        fake.draft(question, evidence)
    assert len(fake.prompts) == 3  # retries = 2 -> three calls
    assert fake.sleeps == [pytest.approx(0.01), pytest.approx(0.02)]  # doubled each time
    assert fake.queue == []


def test_recovers_when_a_retry_parses(fake, question, evidence, make_reply):
    fake.enqueue("nonsense", make_reply(verdict="partial"))
    assert fake.draft(question, evidence).verdict == Verdict.partial
    assert fake.attempts_made == 2 and len(fake.sleeps) == 1


def test_timeout_is_retried(question, evidence, make_reply):
    sleeps: list[float] = []
    model = FakeChatModel(delay_s=0.5)
    drafter = FakeDrafter(
        LLMSettings(backend="fake", timeout_s=0.1, retries=1), model, sleep=sleeps.append
    )
    model.enqueue(make_reply(), make_reply())
    with pytest.raises(DraftingError, match="no reply within 0.1 s"):
        drafter.draft(question, evidence)
    assert len(sleeps) == 1


def test_non_transient_error_is_not_retried(fake, question, evidence):
    fake.enqueue(PermissionError("invalid API key"))
    with pytest.raises(DraftingError, match="PermissionError: invalid API key"):
        fake.draft(question, evidence)
    assert len(fake.prompts) == 1 and fake.sleeps == []


@pytest.mark.parametrize("meta", [{"finish_reason": "length"}, {"done_reason": "length"}])
def test_reply_cut_at_max_tokens_names_the_setting(fake, question, evidence, make_reply, meta):
    # OpenAI-style servers say finish_reason, Ollama done_reason. A server may decode
    # differently next time, so the cut reply is retried; when every try is cut, the error
    # says which setting to raise.
    cut = AIMessage(content='{"verdict": "conformant", "rati', response_metadata=meta)
    fake.enqueue(cut, make_reply(verdict="partial"))
    assert fake.draft(question, evidence).verdict == Verdict.partial
    assert fake.attempts_made == 2
    fake.enqueue(cut, cut, cut)
    with pytest.raises(
        DraftingError, match=r"3 attempt.*cut off at llm.max_tokens=\d+ .*raise llm"
    ):
        fake.draft(question, evidence)


def test_server_context_overflow_drops_trailing_evidence_blocks(
    fake, question, evidence, make_reply
):
    refusal = "This model's maximum context length is 512 tokens. However, you requested 841"
    fake.enqueue(ValueError(refusal), ValueError(refusal), make_reply())
    draft = fake.draft(question, evidence)
    assert re.findall(r"<<<EVIDENCE (E\d+)", fake.model.last_prompt_text()) == [evidence[0].label]
    assert len(fake.prompts) == 3 and fake.sleeps == []  # a refusal is no transient failure
    assert draft.checks["context_fit"] == {"blocks_given": 3, "blocks_sent": 1}
    # Nothing left to drop: the server's own message reaches the user.
    fake.enqueue(*[ValueError(refusal)] * 4)
    with pytest.raises(DraftingError, match="maximum context length is 512"):
        fake.draft(question, evidence)
    # Other refusals are not mistaken for it, and a prompt that fits records nothing.
    fake.enqueue(ValueError("model 'x' not found"))
    with pytest.raises(DraftingError, match="not found"):
        fake.draft(question, evidence)
    assert fake.queue == []
    fake.enqueue(make_reply())
    assert "context_fit" not in fake.draft(question, evidence).checks


def test_empty_queue_without_default_fails_and_default_reply_serves(question, evidence, make_reply):
    drafter = FakeDrafter(LLMSettings(backend="fake", retries=0))
    with pytest.raises(DraftingError, match="no reply queued"):
        drafter.draft(question, evidence)
    drafter.model.default_reply = make_reply(verdict="nonconformity")
    assert drafter.draft(question, evidence).verdict == Verdict.nonconformity
    assert drafter.draft(question, evidence).verdict == Verdict.nonconformity


class _SchemaRejected(Exception):
    status_code = 400


def test_schema_hint_falls_back_when_server_refuses(question, evidence, make_reply):
    drafter = FakeDrafter(LLMSettings(backend="fake", retries=0))
    drafter.schema_hint = True
    drafter._runnable = drafter._bind_json(drafter.chat_model)
    assert drafter.describe()["json_mode"] == "json_object+schema"
    drafter.enqueue(_SchemaRejected("response_format.schema is not supported"), make_reply())
    assert drafter.draft(question, evidence).verdict == Verdict.conformant
    assert drafter.describe()["json_mode"] == "prompt_only"
    assert len(drafter.prompts) == 2


def test_describe_names_backend_model_prompt_and_sampling(fake):
    desc = fake.describe()
    assert desc["backend"] == "fake" and desc["model"] == "fake-model"
    assert desc["prompt"] == "draft_finding" and desc["prompt_version"] >= 1
    assert re.fullmatch(r"[0-9a-f]{64}", desc["prompt_sha256"])
    assert desc["temperature"] == 0.0 and desc["seed"] == 7


def test_reply_schema_is_closed_and_bounded():
    schema = reply_schema(max_items=4)
    assert schema["required"] == ["verdict", "rationale", "criteria", "citations"]
    assert schema["properties"]["citations"]["maxItems"] == 4
    verdict_enum = schema["$defs"]["Verdict"]["enum"]
    assert set(verdict_enum) == {v.value for v in Verdict}
    assert "json_schema" not in json.dumps(schema)
