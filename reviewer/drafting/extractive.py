"""The extractive drafter: verdicts from evidence logic, no LLM.

For each criterion of the question:
1. every sentence of every evidence block is scored: 0.55 x cosine(sentence, criterion)
   + 0.25 x cosine(sentence, question) + 0.20 x share of the criterion's content words found
   in the sentence (MiniLM embeddings, bundled);
2. the best sentences above `support` are the criterion's evidence; none => `no_evidence`;
3. cues in the clause of the best sentence that talks about the criterion decide the status:
   - a negation/absence cue ("has not been evaluated", "no formal process", "out of scope")
     => `contradicted`;
   - a permission granted to a counterparty ("may use Customer Data") when the criterion asks
     for a prohibition => `contradicted`; a prohibition in the evidence => `met`;
   - hedged, partial or future wording ("where feasible", "planned for Q3") => `partly_met`;
   - otherwise => `met`.
   A contradiction needs a sentence scoring at least `contradict`; weaker ones only count as
   partial support, so an unrelated "not" cannot sink a finding.
Verdict: any contradicted criterion => nonconformity; no criterion with evidence =>
insufficient_evidence; every criterion met => conformant; otherwise partial.
Confidence rises with the evidence scores and the share of criteria that agree.
Questions without criteria (ad-hoc, questionnaires) are treated as one criterion: the question.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

import numpy as np

from reviewer.drafting.base import Drafter
from reviewer.drafting.cues import governing_clause, is_prohibitive, read_cues
from reviewer.models import (
    Citation,
    Criterion,
    CriterionAssessment,
    CriterionStatus,
    Draft,
    Evidence,
    Question,
    Verdict,
)
from reviewer.store.lexical import STOPWORDS, stem
from reviewer.text import norm_tokens, split_sentences


class Embeds(Protocol):
    def embed(self, texts: list[str]) -> np.ndarray: ...
    def describe(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ExtractiveParams:
    """Thresholds, tuned on the demo gold's dev split only (see evals/README.md)."""

    w_criterion: float = 0.55
    w_question: float = 0.25
    w_lexical: float = 0.20
    support: float = 0.42
    contradict: float = 0.48
    max_quotes: int = 2
    min_sentence_chars: int = 25
    max_sentence_chars: int = 600


@dataclass
class Sentence:
    label: str
    text: str
    ev: Evidence


def content_words(text: str) -> set[str]:
    return {stem(t) for t in norm_tokens(text) if t not in STOPWORDS and len(t) > 2}


class ExtractiveDrafter(Drafter):
    name = "extractive"
    version = 1

    def __init__(self, embedder: Embeds, params: ExtractiveParams | None = None):
        self.embedder = embedder
        self.params = params or ExtractiveParams()

    def describe(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "model": f"extractive-v{self.version}",
            **self.embedder.describe(),
            "params": asdict(self.params),
            "temperature": 0.0,
        }

    # -- evidence sentences --------------------------------------------------------------------
    def sentences(self, evidence: list[Evidence]) -> list[Sentence]:
        p = self.params
        out: list[Sentence] = []
        seen: set[str] = set()
        for ev in evidence:
            text = ev.chunk.text
            for start, end in split_sentences(text):
                s = text[start:end].strip()
                if len(s) < p.min_sentence_chars:
                    continue
                if len(s) > p.max_sentence_chars:
                    s = s[: p.max_sentence_chars].rsplit(" ", 1)[0]
                key = " ".join(norm_tokens(s))
                if key in seen:
                    continue
                seen.add(key)
                out.append(Sentence(ev.label, s, ev))
        return out

    def draft(self, question: Question, evidence: list[Evidence]) -> Draft:
        p = self.params
        criteria = question.criteria or [Criterion(id="q", text=question.text)]
        sents = self.sentences(evidence)
        if not sents:
            return self._no_evidence(question, criteria)
        vecs = self.embedder.embed(
            [s.text for s in sents] + [question.text] + [c.text for c in criteria]
        )
        s_vecs, q_vec, c_vecs = vecs[: len(sents)], vecs[len(sents)], vecs[len(sents) + 1 :]
        q_sim = s_vecs @ q_vec
        kw = content_words(" ".join(question.keywords))
        assessments: list[CriterionAssessment] = []
        citations: list[Citation] = []
        cited: set[tuple[str, str]] = set()
        for crit, c_vec in zip(criteria, c_vecs, strict=True):
            words = content_words(crit.text)
            lex = np.array([len(words & content_words(s.text)) / max(1, len(words)) for s in sents])
            kw_bonus = (
                np.array([min(1.0, len(kw & content_words(s.text)) / 3) for s in sents]) * 0.05
                if kw
                else 0.0
            )
            score = p.w_criterion * (s_vecs @ c_vec) + p.w_question * q_sim + p.w_lexical * lex
            score = score + kw_bonus
            order = np.argsort(-score, kind="stable")
            best = [int(i) for i in order[: p.max_quotes] if score[i] >= p.support]
            assessment = self._assess(
                crit, [sents[i] for i in best], [float(score[i]) for i in best]
            )
            assessments.append(assessment)
            for i in best:
                key = (sents[i].label, sents[i].text)
                if key not in cited:
                    cited.add(key)
                    citations.append(
                        Citation(
                            label=sents[i].label, chunk_id=sents[i].ev.chunk.id, quote=sents[i].text
                        )
                    )
        verdict = aggregate([a.status for a in assessments])
        return Draft(
            verdict=verdict,
            rationale=self._rationale(question, assessments, citations, verdict),
            assessments=assessments,
            citations=citations if verdict != Verdict.insufficient_evidence else [],
            confidence=self._confidence(assessments, verdict),
            model=f"extractive-v{self.version}",
        )

    def _assess(
        self, crit: Criterion, best: list[Sentence], scores: list[float]
    ) -> CriterionAssessment:
        p = self.params
        if not best:
            return CriterionAssessment(
                criterion_id=crit.id,
                criterion=crit.text,
                status=CriterionStatus.no_evidence,
                note="No evidence sentence addresses this criterion.",
            )
        top, top_score = best[0], scores[0]
        clause = governing_clause(top.text, crit.text)
        cues = read_cues(clause)
        prohibitive = is_prohibitive(crit.text)
        status = CriterionStatus.met
        why = "stated"
        if cues.negation and not (prohibitive and cues.prohibiting):
            if top_score >= p.contradict:
                status, why = CriterionStatus.contradicted, f"denied ({cues.negation[0]!r})"
            else:
                status, why = CriterionStatus.partly_met, f"weak and negated ({cues.negation[0]!r})"
        elif prohibitive and cues.permission and not cues.prohibiting:
            if top_score >= p.contradict:
                status, why = (
                    CriterionStatus.contradicted,
                    f"permitted ({cues.permission[0]!r}) where a prohibition is required",
                )
            else:
                status, why = (
                    CriterionStatus.partly_met,
                    "permission wording on a weakly related sentence",
                )
        elif cues.future:
            status, why = CriterionStatus.partly_met, f"planned, not in place ({cues.future[0]!r})"
        elif cues.hedge or (cues.permission and not cues.obligation):
            cue = (cues.hedge or cues.permission)[0]
            status, why = CriterionStatus.partly_met, f"hedged or partial ({cue!r})"
        return CriterionAssessment(
            criterion_id=crit.id,
            criterion=crit.text,
            status=status,
            note=why,
            evidence=[s.label for s in best],
            score=round(top_score, 4),
        )

    @staticmethod
    def _confidence(assessments: list[CriterionAssessment], verdict: Verdict) -> float:
        scores = [a.score for a in assessments if a.status != CriterionStatus.no_evidence]
        strength = float(np.mean(scores)) if scores else 0.0
        statuses = [a.status for a in assessments]
        dominant = max(statuses.count(s) for s in set(statuses)) / len(statuses)
        if verdict == Verdict.insufficient_evidence:
            return round(0.5 + 0.3 * dominant, 3)
        return round(min(1.0, 0.2 + 0.5 * strength + 0.3 * dominant), 3)

    def _no_evidence(self, question: Question, criteria: list[Criterion]) -> Draft:
        assessments = [
            CriterionAssessment(
                criterion_id=c.id, criterion=c.text, status=CriterionStatus.no_evidence
            )
            for c in criteria
        ]
        return Draft(
            verdict=Verdict.insufficient_evidence,
            rationale="No evidence was retrieved for this question.",
            assessments=assessments,
            confidence=0.8,
            model=f"extractive-v{self.version}",
        )

    @staticmethod
    def _rationale(
        question: Question,
        assessments: list[CriterionAssessment],
        citations: list[Citation],
        verdict: Verdict,
    ) -> str:
        quote = {c.label: c.quote for c in citations}
        lines = []
        for a in assessments:
            label = {
                CriterionStatus.met: "Met",
                CriterionStatus.partly_met: "Partly met",
                CriterionStatus.contradicted: "Contradicted",
                CriterionStatus.no_evidence: "No evidence",
            }[a.status]
            line = f"{label} — {a.criterion.rstrip('.')}."
            if a.status != CriterionStatus.no_evidence and verdict != Verdict.insufficient_evidence:
                refs = " ".join(f"[{lbl}]" for lbl in dict.fromkeys(a.evidence) if lbl in quote)
                line += f" Evidence {refs} ({a.note})."
            lines.append(line)
        head = {
            Verdict.conformant: "The evidence addresses every criterion.",
            Verdict.partial: "The evidence addresses the requirement only in part.",
            Verdict.nonconformity: "The evidence contradicts at least one criterion.",
            Verdict.insufficient_evidence: "The documents reviewed do not address this requirement.",
        }[verdict]
        return head + "\n" + "\n".join(f"- {line}" for line in lines)


def aggregate(statuses: list[CriterionStatus]) -> Verdict:
    """Per-criterion statuses to a verdict (documented in the module docstring)."""
    if CriterionStatus.contradicted in statuses:
        return Verdict.nonconformity
    if all(s == CriterionStatus.no_evidence for s in statuses):
        return Verdict.insufficient_evidence
    if all(s == CriterionStatus.met for s in statuses):
        return Verdict.conformant
    return Verdict.partial
