"""The extractive drafter: verdicts from evidence logic, no LLM.

For each criterion of the question:
1. every sentence of every evidence block is scored (a template question with the lines that
   answer it, as in datasheets and FAQs, counts as one sentence whose cues are read from the
   answer; a question nobody answered is dropped; a card field, a heading or bold label with
   its short value ("Licensing Information" / "MIT Licence"), is one unit too (v10), and so is
   a question answered on its own line ("Does the vendor perform vulnerability scans? No", v21):
   qa_pairs.py):
   w_criterion x cosine(sentence, criterion) + w_question x cosine(sentence, question)
   + w_lexical x IDF-weighted share of the criterion's content words found in the sentence
   + w_heading x how far the sentence's section heading's similarity to the criterion exceeds
   `heading_floor` (v7: "Out-of-Scope Use" above a sentence in a model card)
   (MiniLM embeddings, bundled; IDF over the workspace's chunks; auditor synonyms folded);
2. the bar: the same score over a background sample of the corpus's own sentences gives a mean
   and standard deviation; a sentence is evidence when it scores `support_z` deviations above
   the mean (never below `support_floor`). The best `candidates` such sentences are the
   criterion's evidence; none => `no_evidence`. When no sentence covers at least `topic` of
   the question's (IDF-weighted) words, the question is off topic and every criterion is
   `no_evidence`, except one whose best sentence clears its bar by `topic_override` deviations
   (v8: the gate is `topic_one_doc` when all the evidence comes from one document);
3. cues in the clause that talks about the criterion decide the status:
   - a related sentence clearing the `contradict_z` bar that denies the practice ("has not been
     evaluated", "not recorded") or grants what the criterion prohibits ("may use Customer
     Data") => `contradicted`, citing the best sentence next to the contradicting one;
   - requirement vs practice: a vendor document's sentence granting what a prohibitive
     criterion forbids (`counter_terms`), or a model card's or record's denial covered by a
     candidate requirement (`practice_gap`) => `contradicted`, citing both sides;
   - a criterion asking for an assurance (a commitment, guarantee, SLA) is contradicted by a
     disclaimer of it ("is not obligated to provide updates", "may change at any time") among
     the `disclaimers` sentences most related to the question, even when no sentence clears
     the support bar, and so is a criterion asking for commercial use by a licence limited to
     non-commercial or research use (v9); the denial must name the assurance it disclaims, and
     a criterion asking for a commitment to refrain ("not to train on customer data") is met,
     not contradicted, by a denial of that action; "without" followed by what the criterion asks
     for ("loaded without integrity verification") is a denial (v11); a criterion asking for an
     absence ("the model does not produce violent content") is read as a prohibition, and a
     sentence admitting the thing can happen ("is capable of producing", "may keep") contradicts
     it, in the contradiction pool or among the question's related sentences (v12); an effort
     ("will endeavor to", "attempt to") is a hedge, not a commitment (v13); contractions are
     spelled out before cues are read ("doesn't implement"); a modal sentence states the risk a
     criterion asks to be disclosed ("may produce unsafe output"), and a recommendation is the
     advice a criterion asks for, not a hedge; a criterion asking that the reader be told to
     restrict something asks for guidance, not a prohibition (v14); a cue the criterion itself
     uses ("the optional data collection") weakens nothing, and "may" beside a privative form of
     what the criterion asks for ("may be sent unencrypted") is a denial (v15); "we recommend" is
     a hedge, and a denial that only sets a condition ("where the publisher does not disclose
     ...") or opens a relative clause ("documents which do not have ...") states no fact (v16);
     under an absence criterion, a best sentence with no negative wording at all ("shares
     screenshots with model providers") states the opposite and contradicts it (v17); a
     factual denial of what the criterion says of its subject ("does not sanitize user
     inputs", "are not regularly updated", "cannot run locally"), or of a feature it names
     ("there is no built-in authentication"), denies it (v22);
   - otherwise the best sentence decides: a denial in its clause about the criterion =>
     `contradicted` (v4; before, `partly_met`); hedged, partial, optional, conditional or future
     wording ("where feasible", "we encourage", "if you plan to", "planned for Q3", details
     "presented in the paper"), in the sentence or, for a list item, advice in the line that
     introduces the list ("we recommend the following practices:", v21) => `partly_met`; so is a sentence that only allows what the
     criterion requires ("can test" for "testing is required") or gives no time where the
     criterion asks for one ("within a stated time") (v7); an opt-out ("users can disable
     telemetry") where the criterion asks for consent first => `contradicted` (v7); else `met`.
Verdict: any contradicted criterion => nonconformity; no criterion with evidence =>
insufficient_evidence; every criterion met => conformant; otherwise partial.
Confidence: how far the criterion nearest its bar sits from it (0.5 = on the bar, 1 = far),
blended half and half with how often a verdict of that kind was right on dev (v4).
v5 and v6 (fifth session) and v7 (sixth) widened the cue lexicon from real dev errors: cues.py.
Questions without criteria (ad-hoc, questionnaires) are treated as one criterion: the question.
Every threshold was chosen on dev items only: evals/tuning/README.md.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol

import numpy as np

from reviewer.drafting.base import Drafter
from reviewer.drafting.cues import (
    YES_NO_QUESTION,
    Cues,
    admits_possibility,
    advice_hedges,
    asks_for_assurance,
    asks_for_commercial_use,
    asks_for_disclosure,
    asks_for_obligation,
    asks_for_opt_in,
    asks_for_right,
    asks_for_risk_statement,
    asks_for_time,
    clauses,
    cue_text,
    disclaims_assurance,
    governing_clause,
    is_ability,
    is_instruction,
    is_prohibitive,
    negated_phrases,
    offers_opt_out,
    read_cues,
    restricts_commercial_use,
    states_absence,
    states_time,
)
from reviewer.drafting.polarity import flip, negated_question
from reviewer.drafting.qa_pairs import answer_denies, field_values, question_answers
from reviewer.drafting.synonyms import canonical
from reviewer.models import (
    Citation,
    Criterion,
    CriterionAssessment,
    CriterionStatus,
    DocType,
    Draft,
    Evidence,
    Question,
    Verdict,
)
from reviewer.store.lexical import STOPWORDS, stem
from reviewer.text import norm_tokens, normalize, split_sentences


class Embeds(Protocol):
    def embed(self, texts: list[str]) -> np.ndarray: ...
    def describe(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ExtractiveParams:
    """Thresholds, tuned on dev items only (see evals/tuning/README.md)."""

    w_criterion: float = 0.55
    w_question: float = 0.25
    w_lexical: float = 0.20
    support: float = 0.50
    contradict: float = 0.55
    # Relative thresholds (v3): a sentence supports a criterion when its score stands
    # `support_z` standard deviations above the criterion's score on a fixed sample of the
    # corpus's sentences, and never below `support_floor`. Writing style moves every score
    # of a corpus up or down together; the distance from the corpus's own baseline moves less.
    # `support_z=None` falls back to the absolute `support` threshold (v2).
    support_z: float | None = 3.5
    support_floor: float = 0.30
    contradict_z: float | None = 4.5
    background_size: int = 1000
    min_background: int = 50
    topic: float = 0.20
    # The same gate when every evidence chunk comes from one document (a question scoped to a
    # document, or a one-document corpus): the reader pointed us there, so a question worded
    # unlike the document is not a sign it is off topic (None = use `topic`). v8: 0 = no gate
    # (grid33 over 261 dev items: 0-0.05 +10 items, the demo corpus unchanged; halving the gate
    # everywhere instead cost the demo corpus 0.575 -> 0.386, row 37).
    topic_one_doc: float | None = 0.0
    # A criterion whose best sentence clears its bar by this many background standard deviations
    # is answered even when the question as a whole looks off topic (0 = never).
    topic_override: float = 1.5
    candidates: int = 4
    max_quotes: int = 1
    # An abstaining draft shows the auditor up to this many sentences nearest their criterion's
    # bar, labelled as not evidence: the three best of each criterion, taken in turns (every
    # criterion's best first), each once (v23).
    closest: int = 5
    # A denial counts only in a clause sharing a content word with the criterion.
    cue_needs_topic: bool = True
    # How many of a vendor document's sentences (most related to the question first) are
    # searched for a permission that contradicts a prohibition (0 = none).
    counter_terms: int = 8
    # How many of the sentences most related to the question are searched for a disclaimer
    # ("is not obligated to provide updates") when a criterion asks for an assurance (a
    # commitment, guarantee, SLA); a disclaimer whose clause covers at least `disclaim_cover`
    # of the criterion's IDF-weighted words contradicts it (0 = none). v9, grid34 over 261 dev
    # items: 12-40 sentences with cover 0.1 +3 items and none lost; cover 0 also turns an
    # unrelated "no" into a contradiction.
    disclaimers: int = 20
    disclaim_cover: float = 0.1
    # The denial must name the assurance it disclaims, in its cue or just after it ("is not
    # obligated", "neither ... give any warranties"): "we do not train on customer data", under
    # a heading about a data commitment, is a promise (v11, from the fresh8b folder: +1, none lost).
    disclaim_names: bool = True
    # A licence limited to non-commercial or research use among those sentences contradicts a
    # criterion that asks for commercial use (v9, grid35: +1 dev item, none lost).
    commercial: bool = True
    # Card fields as evidence: a heading whose section is one short value ("Licensing
    # Information" / "MIT Licence") or a bold label with its value ("**License**  CC BY-NC"),
    # cited as one span with cues read from the value (qa_pairs.py; v10, grid38: +2 dev items).
    fields: bool = True
    # Absence criteria ("the model does not produce violent content", "no provider retains the
    # context"): read as prohibitions, and a related sentence admitting the thing can happen
    # ("is capable of producing", "may keep") contradicts them (v12, grid40 over 323 dev items:
    # +2, none lost; the same admission in the best sentence below the contradiction bar changed
    # nothing and was dropped).
    absence: bool = True
    # The admission is also looked for among the `disclaimers` sentences most related to the
    # question, as a disclaimer is, when its clause covers this share of the criterion's words
    # (0 = off; grid41: 0.3 +1 dev item and none lost, 0.2 +2 and one lost, 0.1 -1).
    absence_cover: float = 0.3
    # A criterion asking for a risk, warning or possible consequence to be stated is met by the
    # modal sentence that states it ("the model may produce unsafe responses"): "may" is not a
    # hedge there (v14, from the fresh12b folder: +3 of 388 dev items, none lost).
    risk_modal: bool = True
    # A criterion asking for advice ("operators are advised to ...") is met by a recommendation:
    # "recommended", "encouraged" are not a hedge there (v14: +2 of 388 dev items, none lost).
    advice: bool = True
    # A hedge, permission or future cue that the criterion itself uses ("governs the optional
    # data collection") describes the subject and does not weaken the sentence (v15).
    echo: bool = True
    # Under an absence criterion ("data entered in the browser is not sent to model providers"),
    # a best sentence with no wording that keeps the thing from happening states that it happens
    # ("shares browser screenshots with model providers, including any data entered"): a
    # contradiction, not support (v17, from the fresh15b folder: +3 of 452 dev items, none lost).
    absence_affirm: bool = True
    # An ad-hoc yes/no question ("Does the vendor use customer prompts to train models?", from
    # `review --question` or a questionnaire row with no bank match) is its own criterion; a
    # best sentence that forbids or forswears the practice ("will not use customer prompts to
    # train models") answers no: a contradiction, not support (v18; bank and gold criteria are
    # statements, so no dev item can move).
    question_denial: bool = True
    # The support bar for a bare question (no criteria: `review --question`, a questionnaire row
    # with no bank match), whose only criterion is the whole question. A long, many-part
    # question stands out less from the corpus than a short criterion does, so its answer sits
    # lower (v19, row 86: on the 452 dev items asked as bare questions, 3.25 gives 190 right
    # against 175 at the shared 3.5, better or equal in 12 of 13 corpora; 3.0-3.25 a plateau).
    # None = the shared `support_z`.
    bare_support_z: float | None = 3.25
    # A bare yes/no question worded in the negative ("Is production data kept off personal
    # workstations?", "... released without a safety evaluation?") is drafted as its positive
    # twin and the answer turned round (polarity.py; v20).
    question_polarity: bool = True
    # An item of a list carries the advice of the line that introduces the list ("we recommend
    # the following practices:" / "2. Secure your API endpoints ..."; v21): a hedge. Not its
    # permissions (two dev items lost) or facts ("access is limited to the support team, and the
    # following safeguards apply:"; code review, row 102). Since v22 also its plans ("editions
    # (planned for Q2) will include:") and its denials as prohibitions ("**Never sent:**"):
    # +1 dev item each, none lost (row 107; a denial as a plain negation moved nothing, row 99).
    lead_ins: bool = True
    # A denial of a word the criterion names ("does not sanitize user inputs" against "user
    # inputs are sanitized"; `cues.negated_phrases`), by form: a verb after "does not" /
    # "cannot", a participle after "is not", a noun after "there is no" (v22).
    negated_verb: bool = True
    negated_participle: bool = True
    negated_noun: bool = True
    # A bare "No" answering a questionnaire line contradicts a criterion only when its question
    # covers this IDF-weighted share of the criterion's words: "Does the vendor perform
    # vulnerability scans? No" says nothing about a reporting channel for vulnerabilities (v21,
    # row 104: 0.3-0.5 +1 dev item and none lost, 0.2 nothing; 0 = off).
    answer_cover: float = 0.4
    # Requirement vs practice: a requirement met by a policy sentence is contradicted by a
    # denial in a model card or other record whose words the requirement covers to at least
    # this IDF-weighted share ("Lineage: not recorded in the lineage tool"); 0 = off.
    practice_gap: float = 0.7
    # Confidence blends how far the weakest criterion sits from its bar with how often a verdict
    # of this kind was right on dev (all 131 dev items, fourth session): the drafter's abstentions
    # are right far less often than its nonconformities. Weight 0 = margin only (v3).
    prior_weight: float = 0.5
    prior_conformant: float = 0.69
    prior_partial: float = 0.51
    prior_nonconformity: float = 0.92
    prior_insufficient: float = 0.39
    min_sentence_chars: int = 25
    max_sentence_chars: int = 600
    # Section headings as priors (model cards: "Out-of-Scope Use", "Licensing Information"): a
    # sentence under a heading whose similarity to the criterion exceeds heading_floor gains
    # w_heading times the excess (0 = off; grid28: 0.1-0.2 with floor 0.4 all +3 dev items).
    w_heading: float = 0.1
    heading_floor: float = 0.4


WITHOUT = re.compile(r"\bwithout\s+((?:[a-z][a-z-]*\s+){0,2}[a-z][a-z-]*)")
# "Messages may be sent unencrypted" against "communication is encrypted": a possibility of the
# privative state of what the criterion asks for. Only beside "may", "might" or "could": alone,
# privative words were as often rules or explanations ("an untagged data set is treated as
# Confidential"; experiments row 52).
PRIVATIVE = re.compile(r"\b(?:un|non-?)([a-z]{4,}(?:ed|able|ible|al|ic|ure))\b")
MAY = re.compile(r"\b(?:may|might|could)\b")


def _same_word(a: str, b: str) -> bool:
    """Two stems of one word: equal, or one the other's inflection ("sanitize" / "sanitiz",
    "use" / "used", "added" / "add", "runn" / "run", "logg" / "log")."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    rest = long[len(short) :] if long.startswith(short) else None
    if rest in ("e", "d", "ed"):
        return True
    if short.endswith("e") and long == short[:-1]:
        return True
    return rest is not None and len(rest) == 1 and rest == short[-1]  # a doubled consonant


def _meets(word: str, words: set[str]) -> bool:
    return any(_same_word(word, w) for w in words)


AUXILIARY = re.compile(
    r"\b(?:is|are|was|were|be|been|can|could|must|shall|should|will|may|has|have|do|does)\b"
)


def predicate(criterion: str) -> str:
    """What a criterion says of its subject: the words after its first auxiliary ("are
    sanitized or validated by default"); the whole criterion when it has none ("the vendor
    sanitizes user inputs"), whose subject the check of the words around a denial guards."""
    text = cue_text(criterion)
    m = AUXILIARY.search(text)
    return text[m.end() :] if m else text


# Advice where the criterion asks for a requirement: "users should do in-depth testing" meets
# "users must test the model" only in part (v22, row 110).
# Not an inverted condition ("Should an incident occur, customers are notified").
SHOULD = re.compile(r"(?<=\w\s)should\b(?!\s+not\b)")
# "we have to manually review every change" is the human review a criterion asks for (row 109).
HUMAN = re.compile(r"\bhumans?\b")


# A criterion worded in the negative ("prompts are not retained") agrees with a denial.
# ("without" never reaches here: such a criterion has no `wanted` words; "not only" negates
# nothing.)
NEGATED_CRITERION = re.compile(r"\b(?:not(?!\s+only\b)|no|never|none|neither|nor|cannot)\b")
NEVER_WITHOUT = re.compile(r"\bnever\b(?:\s+\w+){0,6}\s+without\b")
# A prohibition before "without" makes it a requirement: "must not be deployed without approval".
NOT_BEFORE = re.compile(
    r"\b(?:(?:may|must|shall|will|can|could|should|would|do|does|did)\s+not|cannot|never|no one"
    r"|nobody)\s+(?:\w+\s+){0,6}$"
)


def under_prohibition(text: str, at: int) -> bool:
    """A prohibition governs what stands at `at` ("may not deploy them | without ...")."""
    return at > 0 and bool(NOT_BEFORE.search(text[:at]))


def echoes(marker: re.Pattern[str], quote: str) -> bool:
    """The quote uses a question's negating marker itself ("disabled", "kept off"), other than
    under a prohibition ("never released without ...", which the cues read right)."""
    text = normalize(quote)
    return any(not under_prohibition(text, m.start()) for m in marker.finditer(text))


def required_by_prohibition(cue: str, text: str) -> bool:
    """A "without ..." denial that a prohibition governs ("may not deploy ... without an
    approved record", "never released without a safety evaluation") states a requirement."""
    return cue.startswith("without") and under_prohibition(text, text.find(cue))


# Any wording that keeps a thing from happening: a sentence with none of it, under an absence
# criterion, states the thing happens.
NEGATIVE_WORD = re.compile(
    r"\b(?:no|not|never|none|neither|nor|without|only|cannot|prevent\w*|block\w*|avoid\w*"
    r"|exclud\w*|prohibit\w*|restrict\w*|disabl\w*|off|remov\w*|delet\w*|strip\w*|anonymi\w*)\b"
)


def states_it_happens(sent: Sentence) -> bool:
    """No wording anywhere in the sentence keeps anything from happening: no denial or
    prohibition cue, and none of the words of `NEGATIVE_WORD`."""
    whole = sent.cues()
    return (
        not whole.negation
        and not whole.prohibiting
        and not NEGATIVE_WORD.search(cue_text(sent.answer or sent.text))
    )


@dataclass
class Sentence:
    label: str
    text: str
    ev: Evidence
    # For a template question with its answer (see qa_pairs.py): the answer, where cues are read.
    answer: str | None = None
    # The nearest section heading above the sentence ("" if none).
    heading: str = ""
    # For an item of a list: the line that introduces the list ("We recommend the following
    # practices:"), whose advice hedges every item (`LEAD_IN_HEDGE`; "" if none).
    lead_in: str = ""
    # Which forms of `cues.negated_phrases` deny a criterion word (from `ExtractiveParams`,
    # set by `ExtractiveDrafter.sentences`; a Sentence built elsewhere has the rule off).
    negated_forms: tuple[str, ...] = ()

    def topic_clause(self, topic: str) -> str:
        """The part that must be about `topic`: a Q&A unit's question and answer together (the
        question names the topic), else the sentence's clause about it."""
        return self.text if self.answer is not None else governing_clause(self.text, topic)

    def cue_clause(self, topic: str) -> str:
        """Where cues about `topic` are read: a Q&A unit's answer, else the clause about it."""
        return self.answer if self.answer is not None else governing_clause(self.text, topic)

    def admits(self, topic: str) -> str | None:
        """The cue by which the clause about `topic` says the thing can happen, if any."""
        return admits_possibility(self.cue_clause(topic))

    def cues(self, topic: str | None = None) -> Cues:
        if self.answer is not None:
            cues = read_cues(self.answer)
            if answer_denies(self.answer):
                cues.negation.insert(0, self.answer.strip())
            return cues
        if not topic:
            return self._with_lead_in(read_cues(self.text))
        clause = self.cue_clause(topic)
        cues = read_cues(clause)
        # Absence of what the criterion asks for: "closed without explanation" denies "an
        # explanation is given"; "loaded without integrity verification" denies "integrity-checked".
        wanted = content_words(topic) if "without" not in normalize(topic) else set()
        text = normalize(clause)
        for m in WITHOUT.finditer(text):
            if content_words(m.group(1)) & wanted:
                cues.negation.append(m.group(0))
        if NEVER_WITHOUT.search(text):
            # "never released without a safety evaluation": always with one
            cues.negation = [c for c in cues.negation if c != "never"]
        cues.negation = [c for c in cues.negation if not required_by_prohibition(c, text)]
        denials = negated_phrases(clause, self.negated_forms) if wanted else []
        if denials and not NEGATED_CRITERION.search(cue_text(topic)):
            # A denied verb must be what the criterion says of its subject ("User inputs are
            # SANITIZED"), not a word of the subject ("the sources of the TRAINING data are
            # documented" is not denied by "was not trained on customer data"); a denied noun
            # ("there is no built-in authentication") may be the subject itself.
            said = content_words(predicate(topic))
            for form, cue, phrase, head, rest in denials:
                asked = wanted if form == "noun" else said
                if not any(_meets(w, asked) for w in content_words(phrase)):
                    continue
                subject = content_words(head)
                if form != "noun" and subject and not any(_meets(w, wanted) for w in subject):
                    continue  # "individual users cannot disable telemetry": not administrators
                # Every word after it must be the criterion's too: "customer data is not stored
                # outside the EU" denies another place, not "customer data is stored in the EU";
                # "outputs the filter does not block are sampled" denies nothing at all.
                if all(_meets(w, wanted) for w in content_words(rest)) and cue not in cues.negation:
                    cues.negation.append(cue)
        self._with_lead_in(cues)
        if MAY.search(text):
            said = set(norm_tokens(topic))
            for m in PRIVATIVE.finditer(text):
                if m.group(0) not in said and content_words(m.group(1)) & wanted:
                    cues.negation.append(m.group(0))
        return cues

    def _with_lead_in(self, cues: Cues) -> Cues:
        """`cues` plus what the line introducing this list item says of all its items: its
        advice (hedges), its plans ("(planned for Q2) will include:") and its denials of data
        handling ("**Never sent:**"), unless it only sets a condition ("If you opt out:");
        no plan when it reports work done ("Roadmap items already delivered:")."""
        lead = cue_text(self.lead_in)
        if not lead:
            return cues
        cues.hedge += LEAD_IN_HEDGE.findall(lead)
        if not LEAD_IN_CONDITION.match(lead):
            if not LEAD_IN_DONE.search(lead):
                cues.future += read_cues(lead).future
            cues.prohibiting += LEAD_IN_DENIAL.findall(lead)
        return cues


def content_words(text: str) -> set[str]:
    """Stemmed content words, with auditor synonyms folded together (see synonyms.py)."""
    return {canonical(stem(t)) for t in norm_tokens(text) if t not in STOPWORDS and len(t) > 2}


def weighted_coverage(words: set[str], sentence_words: set[str], idf: dict[str, float]) -> float:
    """IDF-weighted share of `words` present in the sentence (plain share without an idf table)."""
    if not words:
        return 0.0
    default = max(idf.values()) if idf else 1.0
    total = sum(idf.get(w, default) for w in words)
    hit = sum(idf.get(w, default) for w in words & sentence_words)
    return hit / total if total else 0.0


STATUS_LABEL = {
    CriterionStatus.met: "Met",
    CriterionStatus.partly_met: "Partly met",
    CriterionStatus.contradicted: "Contradicted",
    CriterionStatus.no_evidence: "No evidence",
}
VERDICT_HEAD = {
    Verdict.conformant: "The evidence addresses every criterion.",
    Verdict.partial: "The evidence addresses the requirement only in part.",
    Verdict.nonconformity: "The evidence contradicts at least one criterion.",
    Verdict.insufficient_evidence: "The documents reviewed do not address this requirement.",
}


class ExtractiveDrafter(Drafter):
    name = "extractive"
    version = 23

    def __init__(
        self,
        embedder: Embeds,
        params: ExtractiveParams | None = None,
        idf: dict[str, float] | None = None,
        background: list[str] | None = None,
    ):
        self.embedder = embedder
        self.params = params or ExtractiveParams()
        # Corpus document frequencies weight the lexical match: rare words such as
        # "inversion" or "lineage" say more about relevance than "data" or "model".
        self.idf = idf or {}
        self.background = background or []
        self._bg: tuple[np.ndarray, list[set[str]]] | None = None

    def background_sample(self) -> tuple[np.ndarray, list[set[str]]] | None:
        """Embeddings and words of the background sample, computed on first use."""
        if not self.background:
            return None
        if self._bg is None:
            sample = self.background[: self.params.background_size]
            self._bg = (self.embedder.embed(sample), [content_words(s) for s in sample])
        return self._bg

    def _thresholds(
        self, c_vec: np.ndarray, q_vec: np.ndarray, words: set[str]
    ) -> tuple[float, float, float]:
        """Support and contradiction thresholds for one criterion, and the score scale.

        Absolute (v2) or corpus-relative (v3); the scale (the background's standard deviation,
        or 0.1 for absolute thresholds) turns a score's distance from the bar into a margin.
        """
        p = self.params
        bg = self.background_sample()
        if p.support_z is None or bg is None or len(bg[1]) < p.min_background:
            # A handful of sentences gives no baseline to stand out from: absolute bars.
            return p.support, p.contradict, 0.1
        vecs, bg_words = bg
        lex = np.array([weighted_coverage(words, w, self.idf) for w in bg_words])
        base = p.w_criterion * (vecs @ c_vec) + p.w_question * (vecs @ q_vec) + p.w_lexical * lex
        mean, std = float(base.mean()), float(base.std()) + 1e-6
        support = max(p.support_floor, mean + p.support_z * std)
        cz = p.contradict_z if p.contradict_z is not None else p.support_z
        contradict = max(p.support_floor, mean + cz * std)
        return support, contradict, std

    def describe(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "model": f"extractive-v{self.version}",
            **self.embedder.describe(),
            "params": asdict(self.params),
            "temperature": 0.0,
        }

    def sentences(self, evidence: list[Evidence]) -> list[Sentence]:
        """Distinct sentences of the evidence blocks, in evidence order."""
        p = self.params
        out: list[Sentence] = []
        seen: set[str] = set()
        forms = tuple(
            form
            for form, on in (
                ("verb", p.negated_verb),
                ("participle", p.negated_participle),
                ("noun", p.negated_noun),
            )
            if on
        )
        for ev in evidence:
            text = ev.chunk.text
            fallback = ev.chunk.heading_path[-1] if ev.chunk.heading_path else ""
            after = 0  # units come in text order: find each after the one before it
            for s, answer in evidence_units(text, p):
                at = text.find(s[:40], after)
                after = at + 1 if at >= 0 else after
                key = " ".join(norm_tokens(s))
                if key in seen:
                    continue
                seen.add(key)
                heading = heading_before(text, at, fallback)
                lead = lead_in_before(text, at) if p.lead_ins else ""
                out.append(Sentence(ev.label, s, ev, answer, heading, lead, forms))
        return out

    def _with(self, **changes: Any) -> ExtractiveDrafter:
        """This drafter (same embedder, IDF and background) with other parameters."""
        other = copy.copy(self)
        other.params = replace(self.params, **changes)
        return other

    def draft(self, question: Question, evidence: list[Evidence]) -> Draft:
        p = self.params
        bare = p.bare_support_z
        if not question.criteria and bare is not None and bare != p.support_z:
            return self._with(support_z=bare).draft(question, evidence)
        if not question.criteria and p.question_polarity:
            rewrite = negated_question(question.text)
            if rewrite is not None:
                twin = self.draft(question.model_copy(update={"text": rewrite.positive}), evidence)
                if twin.verdict is Verdict.conformant and any(
                    echoes(rewrite.pattern, c.quote) for c in twin.citations
                ):
                    # The evidence says it in the question's own negative terms ("Telemetry is
                    # disabled by default"), which the cues do not read as a denial of the
                    # twin: the question as written is the better reading.
                    return self._with(question_polarity=False).draft(question, evidence)
                return flip(
                    twin,
                    question.text,
                    rewrite,
                    lambda a, v, note: self._rationale(a, twin.citations, v, note),
                )
        criteria = question.criteria or [Criterion(id="q", text=question.text)]
        sents = self.sentences(evidence)
        if not sents:
            return self._draft([self._none(c) for c in criteria], [], "No evidence was retrieved.")
        vecs = self.embedder.embed(
            [s.text for s in sents] + [question.text] + [c.text for c in criteria]
        )
        s_vecs, q_vec, c_vecs = vecs[: len(sents)], vecs[len(sents)], vecs[len(sents) + 1 :]
        q_sim = s_vecs @ q_vec
        s_words = [content_words(s.text) for s in sents]
        q_words = content_words(question.text)
        q_cov = np.array([weighted_coverage(q_words, w, self.idf) for w in s_words])
        gate = p.topic
        if p.topic_one_doc is not None and len({e.chunk.doc_id for e in evidence}) == 1:
            gate = p.topic_one_doc
        on_topic = q_cov.max() >= gate
        q_rel = 0.7 * q_sim + 0.3 * q_cov
        q_order = np.argsort(-q_rel, kind="stable")
        q_prohibitive = is_prohibitive(question.text)
        # A counterparty's term granting what a requirement prohibits shares few words with the
        # criterion ("may use Customer Content to improve its models"), so for prohibitive
        # criteria the vendor sentences most related to the question that grant something are
        # checked as well.
        # Cues of whole sentences, read once, for the counter-term and requirement-vs-practice checks.
        s_cues = [s.cues() for s in sents]
        vendor = [i for i in map(int, q_order) if sents[i].ev.chunk.doc_type == DocType.vendor]
        vendor_grants = [i for i in vendor[: p.counter_terms] if grants(s_cues[i])]
        denials = [
            i
            for i, cues in enumerate(s_cues)
            if p.practice_gap
            and sents[i].ev.chunk.doc_type != DocType.policy
            and cues.negation
            and not cues.prohibiting
            and not cues.obligation
        ]
        headings = sorted({s.heading for s in sents if s.heading}) if p.w_heading else []
        h_vecs = self.embedder.embed(headings) if headings else None
        h_index = {h: i for i, h in enumerate(headings)}
        kw = content_words(" ".join(question.keywords))
        kw_bonus = np.array([min(1.0, len(kw & w) / 3) for w in s_words]) * 0.05 if kw else 0.0
        assessments: list[CriterionAssessment] = []
        citations: list[Citation] = []
        cited: set[tuple[str, str]] = set()
        margins: list[float] = []
        nearest: list[tuple[int, float, Sentence]] = []
        for crit, c_vec in zip(criteria, c_vecs, strict=True):
            words = content_words(crit.text)
            lex = np.array([weighted_coverage(words, w, self.idf) for w in s_words])
            score = p.w_criterion * (s_vecs @ c_vec) + p.w_question * q_sim + p.w_lexical * lex
            score = score + kw_bonus
            if h_vecs is not None:
                h_sim = h_vecs @ c_vec
                score = score + p.w_heading * np.array(
                    [
                        max(0.0, float(h_sim[h_index[s.heading]]) - p.heading_floor)
                        if s.heading
                        else 0.0
                        for s in sents
                    ]
                )
            support, contradict, scale = self._thresholds(c_vec, q_vec, words)
            order = np.argsort(-score, kind="stable")
            cands = [int(i) for i in order[: p.candidates] if score[i] >= support]
            # How far the best sentence sits from the bar, in background standard deviations:
            # a verdict resting on borderline criteria is the one most likely to be wrong.
            margins.append((float(score[order[0]]) - support) / scale)
            nearest += [(r, -margins[-1], sents[int(i)]) for r, i in enumerate(order[:3])]
            if not on_topic and not (p.topic_override and margins[-1] >= p.topic_override):
                cands = []
                margins[-1] = min(margins[-1], -1.0)
            # Contradictions may be phrased against the question rather than the criterion
            # ("Meridel may use Customer Content ..." vs "do agreements prohibit ..."), so the
            # sentences most related to the question are checked too.
            pool = list(cands)
            if cands:
                pool += [int(i) for i in q_order[:3] if int(i) not in pool]
            rel = np.maximum(score, q_rel)
            # A question about a prohibition does not make a criterion that asks for a right
            # ("users can switch telemetry off") contradicted by the permission it asks for.
            # An absence unless the user agrees ("no telemetry is sent unless enabled") is the
            # opt-in rule's, whose reading (an opt-out is the opposite default) is more exact.
            absence = p.absence and states_absence(crit.text) and not asks_for_opt_in(crit.text)
            prohibitive = (
                is_prohibitive(crit.text)
                or (q_prohibitive and not asks_for_right(crit.text))
                or absence
            )
            counter: list[tuple[Sentence, float]] = []
            if cands and prohibitive:
                counter = [(sents[i], float(rel[i])) for i in vendor_grants if i not in cands]
            disclaim: list[tuple[Sentence, float, str]] = []
            commercial = p.commercial and asks_for_commercial_use(crit.text)
            assurance = asks_for_assurance(crit.text)
            admits = absence and p.absence_cover > 0
            if (
                p.disclaimers
                and (commercial or assurance or admits)
                and not asks_for_disclosure(crit.text)
            ):
                disclaim = [
                    (sents[i], float(rel[i]), why)
                    for i in map(int, q_order[: p.disclaimers])
                    if (
                        why := self._disclaims(
                            sents[i], words, crit.text, commercial, assurance, admits
                        )
                    )
                ]
            gaps: list[tuple[int, int]] = []
            if denials and not asks_for_disclosure(crit.text):
                gaps = self._gaps(sents, s_words, s_cues, cands, denials, words)
            assessment, used = self._assess(
                crit,
                [sents[i] for i in cands],
                [float(score[i]) for i in cands],
                pool=[(sents[i], float(rel[i])) for i in pool],
                prohibitive=prohibitive,
                contradict=contradict,
                counter=counter,
                gaps=[(sents[r], sents[d], s_cues[d].negation[0], float(rel[d])) for r, d in gaps],
                disclaim=disclaim,
                absence=absence,
            )
            assessments.append(assessment)
            for s in used:
                key = (s.label, s.text)
                if key not in cited:
                    cited.add(key)
                    citations.append(Citation(label=s.label, chunk_id=s.ev.chunk.id, quote=s.text))
        return self._draft(assessments, citations, margins=margins, nearest=nearest)

    def _disclaims(
        self,
        sent: Sentence,
        crit_words: set[str],
        criterion: str,
        commercial: bool,
        assurance: bool,
        admits: bool = False,
    ) -> str:
        """Why the sentence disclaims what the criterion asks for ("" if it does not): a licence
        limited to non-commercial use where the criterion asks for commercial use (`commercial`),
        or a denial in its clause about an assurance the criterion asks for (`assurance`) that
        covers enough of the criterion's words."""
        if commercial and (cue := restricts_commercial_use(sent.answer or sent.text)):
            return f"use limited ({cue!r}) where commercial use is asked for"
        if not (assurance or admits) or is_instruction(sent.text):
            return ""
        clause = content_words(sent.topic_clause(criterion))
        if not crit_words & clause:
            return ""
        cover = weighted_coverage(crit_words, clause, self.idf)
        admit = admits and cover >= self.params.absence_cover
        disclaim = assurance and cover >= self.params.disclaim_cover
        if not (admit or disclaim):
            return ""
        # Where the cues are read (a Q&A answer, else the clause about the criterion), found once.
        said = sent.cue_clause(criterion)
        cues = sent.cues(criterion)
        if admit and not cues.prohibiting and (cue := admits_possibility(said)):
            return f"said to be possible ({cue!r}) where it must not happen"
        negation = cues.negation
        if (
            not disclaim
            or not negation
            or (self.params.disclaim_names and not disclaims_assurance(said, negation))
        ):
            return ""
        return f"assurance disclaimed ({negation[0]!r})"

    def _gaps(
        self,
        sents: list[Sentence],
        s_words: list[set[str]],
        s_cues: list[Cues],
        cands: list[int],
        denials: list[int],
        crit_words: set[str],
    ) -> list[tuple[int, int]]:
        """(requirement, denial) pairs: a candidate requirement covers a record's denial.

        `denials` are sentences of records of practice (not policies) that deny something was
        done; a requirement is a candidate with an obligation cue and no negation.
        """
        found: list[tuple[float, int, int]] = []
        for c in cands:
            if not s_cues[c].obligation or s_cues[c].negation:
                continue
            for d in denials:
                if sents[d].ev.chunk.doc_id == sents[c].ev.chunk.doc_id:
                    continue
                shared = s_words[d] & s_words[c]
                if len(shared) < 2 or not shared & crit_words:
                    continue
                cover = weighted_coverage(s_words[d], s_words[c], self.idf)
                if cover >= self.params.practice_gap:
                    found.append((cover, c, d))
        return [(c, d) for _, c, d in sorted(found, key=lambda t: -t[0])]

    def _draft(
        self,
        assessments: list[CriterionAssessment],
        citations: list[Citation],
        note: str = "",
        margins: list[float] | None = None,
        nearest: list[tuple[int, float, Sentence]] | None = None,
    ) -> Draft:
        verdict = aggregate([a.status for a in assessments])
        closest: list[Citation] = []
        if verdict == Verdict.insufficient_evidence:
            citations = []
            # Over-abstention is the drafter's commonest error, and the answer is usually in the
            # evidence it read (111 of 114 such dev items): show the auditor where to look.
            for *_, sent in sorted(nearest or [], key=lambda t: t[:2]):
                if len(closest) == self.params.closest:
                    break
                if all(c.quote != sent.text for c in closest):
                    closest.append(
                        Citation(label=sent.label, chunk_id=sent.ev.chunk.id, quote=sent.text)
                    )
        return Draft(
            verdict=verdict,
            rationale=self._rationale(assessments, citations, verdict, note),
            assessments=assessments,
            citations=citations,
            closest=closest,
            confidence=self._confidence(assessments, verdict, margins, self.params),
            model=f"extractive-v{self.version}",
        )

    @staticmethod
    def _none(crit: Criterion) -> CriterionAssessment:
        return CriterionAssessment(
            criterion_id=crit.id,
            criterion=crit.text,
            status=CriterionStatus.no_evidence,
            note="No evidence sentence addresses this criterion.",
        )

    def _assess(
        self,
        crit: Criterion,
        cands: list[Sentence],
        scores: list[float],
        pool: list[tuple[Sentence, float]] | None = None,
        prohibitive: bool | None = None,
        contradict: float | None = None,
        counter: list[tuple[Sentence, float]] | None = None,
        gaps: list[tuple[Sentence, Sentence, str, float]] | None = None,
        disclaim: list[tuple[Sentence, float, str]] | None = None,
        absence: bool = False,
    ) -> tuple[CriterionAssessment, list[Sentence]]:
        """Status of one criterion from its candidate sentences (best first) and the ones cited.

        `pool` holds the sentences checked for a contradiction, with their relevance;
        `disclaim` the question's related sentences that disclaim the assurance it asks for.
        """
        p = self.params
        if not cands:
            if disclaim:
                sent, sc, why = disclaim[0]
                return self._assessment(crit, CriterionStatus.contradicted, why, [sent], sc), [sent]
            return self._none(crit), []
        if prohibitive is None:
            prohibitive = is_prohibitive(crit.text)
        if pool is None:
            pool = list(zip(cands, scores, strict=True))
        top = cands[0]
        # A strongly related sentence that denies the practice (or grants a counterparty what
        # the criterion prohibits) contradicts the criterion, even when another document
        # states the requirement: requirement and practice are cited side by side.
        bar = p.contradict if contradict is None else contradict
        topic = content_words(crit.text)
        disclosure = asks_for_disclosure(crit.text)
        opt_in = asks_for_opt_in(crit.text)
        for sent, sc in pool:
            if sc < bar:
                continue
            if p.cue_needs_topic and not topic & content_words(sent.topic_clause(crit.text)):
                # The denial sits in a clause about something else ("... is out of scope"
                # in a list of unrelated uses): it does not speak to this criterion.
                continue
            if (
                p.answer_cover
                and sent.answer is not None
                and answer_denies(sent.answer)
                and weighted_coverage(topic, content_words(sent.text), self.idf) < p.answer_cover
            ):
                # A bare "No" answers its own question ("Does the vendor perform vulnerability
                # scans? No"), which must cover the criterion, not just share a word with it.
                continue
            cues = sent.cues(crit.text)
            why = ""
            if disclosure:
                cues.negation = []  # a stated limitation is what the criterion asks for
            if cues.negation and not (prohibitive and cues.prohibiting):
                why = f"denied ({cues.negation[0]!r})"
            elif prohibitive and cues.permission and not cues.prohibiting:
                why = f"permitted ({cues.permission[0]!r}) where a prohibition is required"
            elif opt_in and (opt_out := offers_opt_out(sent.text)):
                why = f"an opt-out ({opt_out!r}) where consent first is required"
            elif absence and not cues.prohibiting and (cue := sent.admits(crit.text)):
                why = f"said to be possible ({cue!r}) where it must not happen"
            if why:
                used = [sent] if sent is top else [top, sent]
                return self._assessment(crit, CriterionStatus.contradicted, why, used, sc), used
        for sent, sc in counter or []:
            cues = sent.cues()
            if prohibitive and cues.permission and not cues.prohibiting:
                why = f"permitted ({cues.permission[0]!r}) by a counterparty's term"
                used = [top, sent]
                return self._assessment(crit, CriterionStatus.contradicted, why, used, sc), used
        for rule, sent, cue, sc in gaps or []:
            why = f"required, but a record of practice denies it ({cue!r})"
            used = [rule, sent]
            return self._assessment(crit, CriterionStatus.contradicted, why, used, sc), used
        for sent, sc, why in disclaim or []:
            used = [sent] if sent is top else [top, sent]
            return self._assessment(crit, CriterionStatus.contradicted, why, used, sc), used
        cues = top.cues(crit.text)
        if disclosure:
            cues.negation = []
        if p.advice:
            cues.hedge = advice_hedges(crit.text, cues.hedge)
        if p.echo:
            # A cue the criterion itself uses describes its subject ("the optional data
            # collection"): it does not weaken the sentence that states it.
            said = cue_text(crit.text)
            cues.hedge, cues.permission, cues.future = (
                [c for c in found if not re.search(rf"\b{re.escape(c)}\b", said)]
                for found in (cues.hedge, cues.permission, cues.future)
            )
            if HUMAN.search(said):  # "manually review" is the human review asked for
                cues.hedge = [c for c in cues.hedge if not c.startswith("manual")]
        status, why = CriterionStatus.met, "stated"
        if absence and p.absence_affirm and states_it_happens(top):
            status, why = CriterionStatus.contradicted, "stated to happen where it must not"
        elif (
            p.question_denial and not prohibitive and (cue := forswears(crit.text, top.text, cues))
        ):
            status, why = CriterionStatus.contradicted, f"answers no ({cue!r})"
        elif cues.negation and not (prohibitive and cues.prohibiting):
            status, why = CriterionStatus.contradicted, f"weak and negated ({cues.negation[0]!r})"
        elif prohibitive and cues.permission and not cues.prohibiting:
            status, why = CriterionStatus.partly_met, "permission wording, weakly related"
        elif cues.future:
            status, why = CriterionStatus.partly_met, f"planned, not in place ({cues.future[0]!r})"
        elif cues.hedge or (
            cues.permission
            and not cues.obligation
            and not is_ability(cues)
            and not asks_for_right(crit.text)
            and not (p.risk_modal and asks_for_risk_statement(crit.text))
        ):
            cue = (cues.hedge or cues.permission)[0]
            status, why = CriterionStatus.partly_met, f"hedged or partial ({cue!r})"
        elif cues.permission and not cues.obligation and asks_for_obligation(crit.text):
            status, why = (
                CriterionStatus.partly_met,
                f"allowed ({cues.permission[0]!r}), not required",
            )
        elif (
            not cues.obligation
            and asks_for_obligation(crit.text)
            and (should := SHOULD.search(cue_text(top.cue_clause(crit.text))))
        ):
            status, why = CriterionStatus.partly_met, f"advised ({should.group(0)!r}), not required"
        elif asks_for_time(crit.text) and not states_time(top.text):
            status, why = CriterionStatus.partly_met, "no time or frequency stated"
        used = cands[: p.max_quotes]
        return self._assessment(crit, status, why, used, scores[0]), used

    @staticmethod
    def _assessment(
        crit: Criterion, status: CriterionStatus, why: str, used: list[Sentence], score: float
    ) -> CriterionAssessment:
        return CriterionAssessment(
            criterion_id=crit.id,
            criterion=crit.text,
            status=status,
            note=why,
            evidence=[s.label for s in used],
            score=round(score, 4),
        )

    @staticmethod
    def _confidence(
        assessments: list[CriterionAssessment],
        verdict: Verdict,
        margins: list[float] | None = None,
        p: ExtractiveParams | None = None,
    ) -> float:
        """0 to 1: how clear the weakest criterion's evidence decision was (0.5 = on the bar,
        1 = far from it), blended with how often this kind of verdict was right on dev."""
        if margins:
            # The verdict flips when any one criterion crosses its bar, so the smallest
            # distance from the bar bounds how sure the verdict can be.
            weakest = min(abs(m) for m in margins)
            clear = 0.5 + 0.5 * float(np.tanh(weakest / 1.5))
            p = p or ExtractiveParams()
            prior = {
                Verdict.conformant: p.prior_conformant,
                Verdict.partial: p.prior_partial,
                Verdict.nonconformity: p.prior_nonconformity,
                Verdict.insufficient_evidence: p.prior_insufficient,
            }[verdict]
            return round((1 - p.prior_weight) * clear + p.prior_weight * prior, 3)
        scores = [a.score for a in assessments if a.status != CriterionStatus.no_evidence]
        strength = float(np.mean(scores)) if scores else 0.0
        statuses = [a.status for a in assessments]
        dominant = max(statuses.count(s) for s in set(statuses)) / len(statuses)
        if verdict == Verdict.insufficient_evidence:
            return round(0.5 + 0.3 * dominant, 3)
        return round(min(1.0, 0.2 + 0.5 * strength + 0.3 * dominant), 3)

    @staticmethod
    def _rationale(
        assessments: list[CriterionAssessment],
        citations: list[Citation],
        verdict: Verdict,
        note: str = "",
    ) -> str:
        quoted = {c.label for c in citations}
        lines = []
        for a in assessments:
            said = a.criterion.strip().rstrip(".")
            # An ad-hoc question is its own criterion: keep its "?" rather than add a full stop.
            line = f"{STATUS_LABEL[a.status]} — {said}" + ("" if said.endswith(("?", "!")) else ".")
            refs = " ".join(f"[{lbl}]" for lbl in dict.fromkeys(a.evidence) if lbl in quoted)
            if refs:
                line += f" Evidence {refs} ({a.note})."
            lines.append(line)
        head = VERDICT_HEAD[verdict] + (f" {note}" if note else "")
        return head + "\n" + "\n".join(f"- {line}" for line in lines)


SECTION_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[A-Z]\.\d+(?:\.\d+)*)\s")


def _starts_upper(text: str) -> bool:
    return bool(text) and (text[0].isupper() or text[0].isdigit())


# A run-in heading set in bold, numbered or lettered or not: "b. **Use of Collected Data.**".
BOLD_HEADING = re.compile(r"^(?:(?:[a-z]|\d+|[ivx]+)[.)]\s+)?(\*\*|__)([^*_:\n]+)\1$", re.I)


def is_heading(line: str) -> bool:
    """A title or section heading: one short line, no closing punctuation, numbered or capitalised;
    or a short line set wholly in bold."""
    bold = BOLD_HEADING.match(line.strip())
    if bold and len(bold.group(2).split()) <= 8:
        return True
    words = line.split()
    if "\n" in line.strip() or not words or len(words) > 12 or line.rstrip()[-1] in ".!?:;,":
        return False
    if SECTION_NUMBER.match(line.strip()):
        return True
    capital = sum(1 for w in words if _starts_upper(w))
    return capital / len(words) >= 0.6


def heading_before(text: str, pos: int, fallback: str = "") -> str:
    """The nearest heading line of `text` above offset `pos` (markdown marks and bold removed);
    `fallback` (the chunk's own heading) when there is none or `pos` is not found (-1)."""
    if pos <= 0:
        return fallback
    before = text[:pos]
    lines = before.splitlines()
    if not before.endswith("\n"):
        lines = lines[:-1]  # the start of the sentence's own line
    for line in reversed(lines):
        line = line.strip()
        if line and (line.startswith("#") or is_heading(line)):
            return line.lstrip("#").strip().strip("*_").strip()
    return fallback


# What a list's introducing line may say of all its items: advice or options ("we recommend the
# following practices:", "you may optionally:"), not a fact about one of them ("access is
# limited to the support team, and the following safeguards apply:").
LEAD_IN_HEDGE = re.compile(
    r"\b(?:we (?:strongly )?recommend|(?:is|are) (?:strongly )?recommended"
    r"|we (?:strongly )?encourage|(?:is|are) encouraged|we suggest|optional(?:ly)?)\b"
)
# A line that says none of its items happens ("**Never sent:**", "We do not collect:"): each
# item is kept from happening (v22), which is what a prohibitive criterion asks for. Only verbs
# of handling data: "the guarantee does not apply to:" or "what we do not control:" keep
# nothing from happening.
# ("What is not included:" names a scope, so "include" is none of them.)
_HANDLED = (
    r"(?:send|share|store|collect|retain|log|use|keep|save|transmit|sell|process|record"
    r"|sent|shared|stored|collected|retained|logged|used|kept|saved|transmitted|sold|processed"
    r"|recorded)"
)
LEAD_IN_DENIAL = re.compile(
    r"\b(?:never|not)\s+(?:\w+\s+)?" + _HANDLED + r"\b|\bnever\W*$"  # "we never:"
)
# A line that sets a condition ("If you do not opt out:") says nothing of its items as facts,
# and one that reports work done ("Roadmap items already delivered:") plans nothing.
LEAD_IN_CONDITION = re.compile(r"^\W*(?:if|when|whenever|where|unless|in case|whether)\b")
LEAD_IN_DONE = re.compile(r"\b(?:completed|delivered|shipped|already|since|done|released)\b")
LIST_ITEM = re.compile(r"^\s*(?:[-*•+]|\d+[.)]|[a-z][.)])\s+")


def lead_in_before(text: str, pos: int) -> str:
    """The line ending in ":" that introduces the list whose item starts at `pos` ("" when the
    sentence is no list item, or its list has no such line)."""
    if pos <= 0:
        return ""
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    if not LIST_ITEM.match(text[line_start : line_end if line_end >= 0 else None]):
        return ""
    for line in reversed(text[:line_start].splitlines()):
        stripped = line.strip()
        if not stripped or LIST_ITEM.match(line):
            continue
        return stripped if stripped.rstrip("*_ ").endswith(":") else ""  # "**Never sent:**"
    return ""


def _worth_scoring(sentence: str, p: ExtractiveParams) -> str | None:
    """The sentence as scored (long ones cut at a word), or None for titles, headings, scraps."""
    s = sentence.strip()
    if len(s) < p.min_sentence_chars or is_heading(s):
        return None
    if len(s) > p.max_sentence_chars:
        s = s[: p.max_sentence_chars].rsplit(" ", 1)[0]
    return s


def clean_sentences(text: str, p: ExtractiveParams) -> Iterator[str]:
    """Sentences of `text` worth scoring: titles and headings dropped, long ones cut at a word."""
    for start, end in split_sentences(text):
        s = _worth_scoring(text[start:end], p)
        if s is not None:
            yield s


def evidence_units(text: str, p: ExtractiveParams) -> Iterator[tuple[str, str | None]]:
    """(text to cite, answer) in text order: sentences as `clean_sentences` gives them, and each
    answered template question as one unit with its answer. Unanswered questions are dropped."""
    qas = question_answers(text)
    if p.fields:
        qas += [f for f in field_values(text) if not any(qa.overlaps(f.start, f.end) for qa in qas)]
    if not qas:
        for s in clean_sentences(text, p):
            yield s, None
        return
    units: list[tuple[int, str, str | None]] = []
    for qa in qas:
        if qa.answer_start is not None:
            unit = text[qa.start : qa.end]
            if len(unit) > 2 * p.max_sentence_chars:
                unit = unit[: 2 * p.max_sentence_chars].rsplit(" ", 1)[0]
            units.append((qa.start, unit, qa.answer(text)))
    for start, end in split_sentences(text):
        if any(qa.overlaps(start, end) for qa in qas):
            continue
        sentence = _worth_scoring(text[start:end], p)
        if sentence is not None:
            units.append((start, sentence, None))
    for _, unit_text, answer in sorted(units, key=lambda u: u[0]):
        yield unit_text, answer


# "must not be used unless classified": the prohibition is a condition, not a denial
CONDITIONED = re.compile(r"\b(?:unless|until|except|without|other than|before|only)\b", re.I)


# Verbs by which a rule refuses something outright: "the registry rejects pickle-based formats".
REFUSES = re.compile(
    r"\b(?:rejects?|rejected|blocks?|blocked|refuses?|refused|disallows?|disallowed|bans?|banned"
    r"|denies|denied|prevents?|prevented)\b"
)


# Examples a question gives ("Do you rescan model files (for example pickle-based formats)?")
# are not what it asks about: a rule refusing pickle files does not answer whether files are
# rescanned.
EXAMPLES = re.compile(
    r"\([^()]*\)|\b(?:for example|for instance|such as|e\.g\.|including)\b[^,;?]*", re.I
)


# A refusal answers no only to a question about whether something is allowed or possible
# ("Can pickle files be loaded?"), not to one about a control the refusal carries out ("Are API
# requests rate limited?" / "the gateway rejects API requests above 100 per minute").
ASKS_IF_ALLOWED = re.compile(
    r"^(?:can|could|may|might)\b|\b(?:allowed|permitted|accepted|possible|able to|loaded|used|run"
    r"|executed|deployed|installed|shared|sent|uploaded|imported)\b"
)
# The refusal of only some of the thing, on a condition, is the control itself: "blocks uploaded
# files that fail the scan", "rejects requests above 100 per minute".
REFUSAL_AS_CONTROL = re.compile(
    r"\b(?:that|which|who|whose|above|below|after|over|under|exceeding|beyond|unless|without|if"
    r"|when|from)\b"
)


def forswears(criterion: str, sentence: str, cues: Cues) -> str | None:
    """The cue by which a sentence answers no to a yes/no question used as its own criterion
    ("Does the vendor train on prompts?" / "The provider will not use prompts to train
    models"; "Can pickle files be loaded?" / "the registry rejects pickle-based formats", where
    what is refused is named in the question); None when the criterion is a statement, the
    question asks about the refusal itself, or the refusal is conditional."""
    text = criterion.strip()
    if not text.endswith("?") or not YES_NO_QUESTION.match(text):
        return None
    if cues.prohibiting and not CONDITIONED.search(sentence):
        return cues.prohibiting[0]
    asked_text = cue_text(criterion)
    if REFUSES.search(asked_text) or not ASKS_IF_ALLOWED.search(asked_text):
        return None
    asked = content_words(EXAMPLES.sub(" ", criterion))
    for clause in clauses(cue_text(sentence)):
        for m in REFUSES.finditer(clause):
            after = clause[m.end() :].split()[:6]
            refused = " ".join(after[:4])
            if (
                content_words(refused) & asked
                and not CONDITIONED.search(clause)
                and not REFUSAL_AS_CONTROL.search(" ".join(after))
            ):
                return m.group(0)
    return None


def grants(cues: Cues) -> bool:
    """The sentence grants a right or leaves something optional (not a restrictive "may only")."""
    return bool(cues.permission) and not cues.prohibiting and not is_ability(cues)


def sample_sentences(texts: list[str], n: int = 1000) -> list[str]:
    """A deterministic sample of the distinct sentences the drafter would score.

    The sample is chosen by a hash of each sentence's text, so it depends only on what the corpus
    says: not on where it was ingested from (document ids hash the path) nor on the order of
    documents. An evenly spaced pick over doc-id order moved demo macro-F1 by 0.04 between
    checkouts of the same files.
    """
    p = ExtractiveParams()
    distinct = {s for text in texts for s in clean_sentences(text, p)}
    keyed = sorted(distinct, key=lambda s: hashlib.blake2b(s.encode(), digest_size=8).digest())
    return keyed[:n]


def aggregate(statuses: list[CriterionStatus]) -> Verdict:
    """Per-criterion statuses to a verdict (documented in the module docstring)."""
    if CriterionStatus.contradicted in statuses:
        return Verdict.nonconformity
    if all(s == CriterionStatus.no_evidence for s in statuses):
        return Verdict.insufficient_evidence
    if all(s == CriterionStatus.met for s in statuses):
        return Verdict.conformant
    return Verdict.partial
