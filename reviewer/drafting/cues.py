"""Cue lexicon for the extractive drafter: which words turn a relevant sentence into support,
partial support or a contradiction, and which clause of the sentence a cue governs.

Patterns are matched on normalised, lower-case text. Keep them readable: a reviewer of a
finding should be able to see why a sentence counted as a contradiction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reviewer.text import norm_tokens, normalize

# Contractions spelled out, so that "doesn't implement" and "don't have to" read as the denials
# they are: "can't" -> "cannot", "won't" -> "will not", "isn't" -> "is not".
_CONTRACTION = re.compile(r"\b(\w+)n[’']t\b")
_SPELLED = {"ca": "cannot", "wo": "will not", "sha": "shall not"}


def spell_out_contractions(text: str) -> str:
    """Contractions spelled out, case kept: "can't" -> "cannot", "isn't" -> "is not"."""
    return _CONTRACTION.sub(lambda m: _SPELLED.get(m.group(1).lower()) or f"{m.group(1)} not", text)


# A question answered yes or no: "Does the vendor ...?", "Is data ...?".
YES_NO_QUESTION = re.compile(
    r"^(?:do|does|did|is|are|was|were|has|have|had|can|could|will|would|shall|should|may|must)\b",
    re.I,
)


def cue_text(text: str) -> str:
    """Lower-case text with unified punctuation and contractions spelled out."""
    return spell_out_contractions(normalize(text))


_PRACTICE = (
    r"(?:tested|evaluated|assessed|classified|labell?ed|versioned|reviewed|documented|performed|"
    r"implemented|conducted|tracked|recorded|scanned|monitored|audited|approved|signed|encrypted|"
    r"verified|validated|checked|inventoried|catalogued|maintained|enforced|defined|established|"
    r"measured|retained|logged|red[- ]teamed|patched|updated|required|covered|addressed|included|"
    r"considered|performed|in place|available|applied|intended|designed|recommended|eligible|"
    r"obligated|obliged|subject to|supported|guaranteed|warranted|responsible|liable)"
)

# Base forms after "does not": only the denial of a practice counts. "does not weaken the
# protection" or "does not replace the contract" deny a harm or a substitution, not a control.
_PRACTICE_VERB = (
    r"(?:test|evaluate|assess|classify|label|version|review|document|perform|implement|conduct|"
    r"track|record|scan|monitor|audit|approve|sign|encrypt|verify|validate|check|inventory|"
    r"maintain|enforce|define|establish|measure|retain|log|patch|update|require|cover|address|"
    r"include|consider|apply|have|provide|support|offer|guarantee|publish|disclose|keep|follow|"
    r"undergo|use|train|collect|store|share|delete|notify|report|red[- ]team|recommend|warrant|"
    r"commit|promise|accept)\b"
)

# Absence or denial of a practice: "has not been evaluated", "no formal process", "out of scope".
NEGATION = re.compile(
    r"\b(?:(?:has|have|had|is|are|was|were|been|be|being)\s+(?:not|never)(?:\s+\(?(?:yet|been|be|formally|systematically|independently|specifically|fully)\)?)*\s+"
    + _PRACTICE
    + r"|not\s+(?:been\s+|\(?yet\)?\s+|formally\s+|systematically\s+)*"
    + _PRACTICE
    + r"|(?:does|do|did)\s+not\s+(?:currently\s+|yet\s+|always\s+|\w+ly\s+)?"
    + _PRACTICE_VERB
    + r"|(?:no|without(?:\s+any)?)\s+(?:\w+\s+){0,2}(?:process|procedure|policy|testing|test|tests|evaluation|assessment|review|record|records|inventory|contract|agreement|clause|versioning|classification|labell?ing|lineage|provenance|scan|scanning|monitoring|audit|approval|controls?|requirement|plan|documentation|register|owner|guarantees?|assurance|commitment|obligations?|assertions?|representations?|methods?|means|mechanisms?)"
    + r"|never\b|out of scope|not in scope|not applicable|\bn/a\b|\btbd\b|to be (?:determined|defined|confirmed)"
    # "there has not been a systematic effort": the effort, review or test is what is denied
    # ("there are no personal identifiers" denies a harm, and is no denial of a control).
    + r"|\bthere\s+(?:has|have|had)\s+(?:not|never)\s+(?:yet\s+)?been\s+(?:(?:a|an|any)\s+)?(?:\w+\s+){0,2}"
    + r"(?:effort|review|assessment|evaluation|audit|test|testing|analysis|study|check)s?\b"
    + r"|\bunclassified\b|\bunlabell?ed\b|\bunversioned\b|\buntested\b|\bundocumented\b|\bunknown\b|\blacks?\b|\babsent\b"
    + r"|cannot (?:be )?(?:guarantee|confirm|verify|reproduce|audit)|no longer"
    # Terms and security policies deny by exclusion: "neither ... nor ... give any warranties",
    # "none of the primitives include any authorization", "is currently unavailable".
    + r"|\bneither\b|\bnone of\b|\bunavailable\b|\bnot\s+(?:\w+\s+)?(?:any|all)\b"
    # Liability and stability disclaimers, open questions: "shall not be liable", "accepts no
    # liability", "may change at any time", "is unclear", a "to-do" left in the text.
    + r"|not\s+be\s+(?:held\s+)?(?:liable|responsible)|no\s+(?:\w+\s+)?liability|\bunclear\b|\bto-do\b"
    # Advice against a use: "we advise against employing them for commercial purposes".
    + r"|\b(?:advises?|advised|recommends?|recommended|cautions?)\s+against\b|\bdiscourages?\b"
    + r"|\bmay\s+(?:\w+\s+){0,2}(?:change|be changed|be modified|modify|discontinue|be discontinued|suspend|withdraw|disable)\b[^.;]*\bat any time"
    # Disclaimers deny assurance; a draft or to-do marks a rule that is not in force yet.
    + r"|(?:provided\s+)?[\"']?as[- ]is[\"']?\s+(?:and\s+)?without|without\s+warrant(?:y|ies)|no\s+warrant(?:y|ies)"
    + r"|disclaims?\b|\bdraft\b(?:\s+(?:policy|version|status))?|work in progress|\btodo\b)\b"
)

# Wording that grants the counterparty a right or leaves a practice optional.
PERMISSION = re.compile(
    r"\b(?:may|can|might|reserves? the right|is (?:permitted|allowed|entitled) to|at (?:its|our) (?:sole )?discretion"
    r"|unless (?:the )?customer opts? out|unless (?:you|customer) opt out|opt[- ]out)\b"
)

# Hedged, partial or informal practice.
HEDGE = re.compile(
    r"\b(?:should consider|where (?:feasible|possible|practical|practicable|applicable)|as appropriate|(?:if|when) (?:possible|feasible|applicable)"
    r"|(?:is |are )?encouraged|encourages?|recommended|recommends?|optional(?:ly)?|best[- ]effort|ad[- ]hoc|informal(?:ly)?|partial(?:ly)?"
    r"|some of|selected|limited|not all|except|only for|only (?:the|some)|manual(?:ly)?|case[- ]by[- ]case|pilot"
    r"|spot[- ]check|sample of|on request|not (?:yet )?(?:fully|consistently|always)|inconsistent(?:ly)?|in part"
    # Effort, not commitment: "we will endeavor to preserve", "will attempt to provide tools".
    r"|endeavou?r(?:s|ed)?|(?<!not )attempts? to|(?:try|tries) to|strives? to|(?:commercially )?reasonable efforts?"
    # Deferred to another document: "the evaluation details are presented in the paper".
    r"|(?:refer|see)\s+(?:to\s+)?(?:the\s+|our\s+)?(?:\w+\s+)?(?:paper|publication|technical report|article)"
    r"|(?:presented|described|detailed|discussed|reported|provided|given|found)\s+in\s+(?:the\s+|our\s+)?(?:\w+\s+)?(?:paper|publication|technical report|article))\b"
)

# Commitments about the future rather than practice today.
FUTURE = re.compile(
    r"\b(?:planned|plans? to|will be (?:introduced|rolled out|implemented|developed|added|extended|completed)|intends? to|roadmap|by (?:q[1-4]|end of|20\d\d)|in progress|being (?:developed|implemented|rolled out|drafted|piloted)"
    r"|under development|not yet|next (?:year|quarter|release)|target date|scheduled for"
    r"|(?:currently )?undergoing (?:an? |its |the )?(?:[\w-]+ ){0,2}(?:certification|accreditation|audit)"
    r"|working towards?)\b"
)

# Mandatory wording: a requirement exists.
OBLIGATION = re.compile(
    r"\b(?:shall|must|is required|are required|required to|mandatory|needs? to|will not|shall not|must not|prohibit(?:s|ed)?|forbid(?:s|den)?)\b"
)

# Criteria that ask for a prohibition: a permission in the evidence contradicts them.
PROHIBITIVE_CRITERION = re.compile(
    r"\b(?:prohibit\w*|forbid\w*|not (?:be )?(?:used|permitted|allowed|retained|shared)|no (?:use|training|retention|sharing)"
    r"|restrict\w*|must not|shall not|never|opt[- ]in|excluded|exclude\w*|without (?:the )?(?:customer's )?(?:consent|approval)"
    # A use limited to one purpose or route: "use of collected data is limited to providing the service".
    r"|(?:is|are) limited to|(?<!not )only (?:through|for|to|by|within)"
    # An instruction to refrain: "reporters are asked not to disclose publicly".
    r"|(?:asked|told|instructed|required|expected)\s+not\s+to)\b"
)

PROHIBITING = re.compile(
    r"\b(?:shall not|must not|will not|won't|does not|do not|may not|cannot|is not permitted|are not permitted|prohibit\w*|forbid\w*|never|neither|none of|no (?:customer|client) data|excluded from|not (?:be )?used|agree\w* to not)\b"
)

CLAUSE_SPLIT = re.compile(
    r";|,\s*(?:but|however|although|though|whereas|except|unless)\b|\bbut\b|\bhowever\b|\bexcept\b|\bwhereas\b"
)


@dataclass
class Cues:
    negation: list[str] = field(default_factory=list)
    permission: list[str] = field(default_factory=list)
    hedge: list[str] = field(default_factory=list)
    future: list[str] = field(default_factory=list)
    obligation: list[str] = field(default_factory=list)
    prohibiting: list[str] = field(default_factory=list)

    def any(self) -> bool:
        return bool(self.negation or self.permission or self.hedge or self.future)


def clauses(sentence: str) -> list[str]:
    parts = [p.strip() for p in CLAUSE_SPLIT.split(sentence)]
    return [p for p in parts if p]


def governing_clause(sentence: str, topic: str) -> str:
    """The clause of `sentence` that talks most about `topic` (the criterion); cues are read there."""
    parts = clauses(sentence)
    if len(parts) <= 1:
        return sentence
    topic_tokens = {t for t in norm_tokens(topic) if len(t) > 3}
    best, best_hits = parts[0], -1
    for p in parts:
        hits = len(topic_tokens & {t for t in norm_tokens(p) if len(t) > 3})
        if hits > best_hits:
            best, best_hits = p, hits
    return best


RESTRICTIVE_MAY = re.compile(
    r"\b(?:may|can)\s+(?:\w+\s+){0,6}only\b|\bonly\b[^.;]*\b(?:may|can)\b|\b(?:may|can)\s+not\b|\bcannot\b"
)


def read_cues(text: str) -> Cues:
    t = cue_text(text)
    if RESTRICTIVE_MAY.search(t):
        # "may enter ... only through the approved pipeline" restricts; it grants nothing.
        cues = _read(t)
        cues.prohibiting.extend(cues.permission)
        cues.permission = [p for p in cues.permission if p not in ("may", "can")]
        return cues
    return _read(t)


# "If you plan to open your model to untrusted inputs, ...": a condition on the reader, not a
# plan; advice that applies only under a condition is hedged.
CONDITION_BEFORE = re.compile(r"\b(?:if|when|whenever|unless)\s+(?:\w+\s+){0,2}$")


# A denial that only sets a condition or picks out a noun states no fact: "where the publisher
# does not disclose the training data, the owner records the risk"; "documents which do not have
# annotations are marked"; nor does an instruction ("Please do not disclose ... publicly", v22).
# The text before the cue, back to the last comma, decides.
CONDITION_OPEN = re.compile(r"\b(?:if|where|when|whenever|unless|in case|whether)\b")
RELATIVE_OPEN = re.compile(r"\b(?:which|that|who)\s+$")


def _clause_before(t: str, start: int) -> str:
    """The text before `start`, back to the last comma or stop (at most 80 characters)."""
    return re.split(r"[,;:.!?]", t[max(0, start - 80) : start])[-1]


def _states_denial(t: str, start: int) -> bool:
    before = _clause_before(t, start)
    if INSTRUCTION.match(before + t[start : start + 12]):
        return False  # "Please do not disclose the vulnerability publicly": an instruction
    return not CONDITION_OPEN.search(before) and not RELATIVE_OPEN.search(before)


# A denial of the very thing a criterion names (v22): "does not sanitize user inputs" against
# "user inputs are sanitized", "are not regularly updated" against "updated on a schedule",
# "there is no built-in authentication" against "built-in authentication is provided". The
# negator governs the word after it (an -ly adverb may sit between); the drafter counts it only
# when that word is one of the criterion's. Factual negators only: "must not be deployed without
# review" states a rule, and an instruction "Do not upload ..." gives advice (`_states_denial`).
# "not only / merely / necessarily ..." limits or hedges; it denies nothing.
_ADVERB = r"(?:(?!(?:only|merely|simply|solely|exclusively|necessarily)\b)\w+ly\s+)?"
NEGATED_VERB = re.compile(
    r"\b(?:(?:does|do|did|can|could)\s+not|cannot)\s+(?:(?:yet|currently|always)\s+)?"
    + _ADVERB
    + r"([a-z][a-z-]+)"
)
NEGATED_PARTICIPLE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|be|been|being)\s+not\s+"
    + _ADVERB
    + r"(?:(?:yet|been|being)\s+)*"
    + r"((?!(?:even|often|open|then|when|seen)\b)[a-z][a-z-]+(?:ed|en)"
    + r"|kept|held|sent|made|built|run|done)\b"
)
# Only a noun naming an activity or a feature ("no built-in authentication", "no monitoring"):
# "there are no personal identifiers" denies a harm, not a control.
NEGATED_NOUN = re.compile(
    r"\b(?:there\s+(?:is|are|was|were)|(?:has|have|had|provides?|offers?|includes?))\s+no\s+"
    r"((?:[a-z][a-z-]*\s+){0,2}[a-z-]*(?:tion|sion|ment|ing|ance|ence|ysis))\b"
)
# Within the clause: "is not encrypted. Unless you pay, ..." is a denial and a new sentence.
UNTIL_AFTER = re.compile(r"[^\w,;:.!?]*(?:\w+[^\w,;:.!?]+){0,5}?(?:until|unless|without|except)\b")
_TAIL = re.compile(r"[^,;:.!?]{0,200}")
NEGATED_FORMS = {"verb": NEGATED_VERB, "participle": NEGATED_PARTICIPLE, "noun": NEGATED_NOUN}


def negated_phrases(
    text: str, forms: tuple[str, ...] = tuple(NEGATED_FORMS)
) -> list[tuple[str, str, str, str, str]]:
    """(form, cue, what it negates, its clause before and after it) for each factual denial in
    `text`, outside conditions, relative clauses and instructions ("Do not upload ...", see
    `_states_denial`). The clause around the cue tells a denial of the thing from a denial of
    a variant of it ("is not stored outside the EU") or of someone else's ("individual users
    cannot disable telemetry")."""
    t = cue_text(text)
    found = []
    for form in forms:
        for m in NEGATED_FORMS[form].finditer(t):
            if not _states_denial(t, m.start()):
                continue
            if UNTIL_AFTER.match(t, m.end()):
                continue  # "is not granted until training is completed": a condition
            tail = _TAIL.match(t, m.end())
            assert tail is not None  # the pattern matches the empty string
            found.append(
                (form, m.group(0), m.group(1), _clause_before(t, m.start()), tail.group(0))
            )
    return found


def _read(t: str) -> Cues:
    future: list[str] = []
    conditional: list[str] = []
    for m in FUTURE.finditer(t):
        before = t[max(0, m.start() - 40) : m.start()]
        (conditional if CONDITION_BEFORE.search(before) else future).append(m.group(0))
    return Cues(
        negation=[m.group(0) for m in NEGATION.finditer(t) if _states_denial(t, m.start())],
        permission=[m.group(0) for m in PERMISSION.finditer(t)],
        hedge=[m.group(0) for m in HEDGE.finditer(t)] + conditional,
        future=future,
        obligation=[m.group(0) for m in OBLIGATION.finditer(t)],
        prohibiting=[m.group(0) for m in PROHIBITING.finditer(t)],
    )


# Criteria that ask for a right or an option: "may object", "can opt out" then satisfy them.
GRANTS_RIGHT = re.compile(
    r"\b(?:right|rights|may|can|option|opt[- ]out|opt[- ]in|allow\w*|permit\w*|entitle\w*)\b"
)


def asks_for_right(criterion: str) -> bool:
    return bool(GRANTS_RIGHT.search(cue_text(criterion)))


def is_ability(cues: Cues) -> bool:
    """Only "can" among the permission cues: ability ("a model can memorise"), not an option."""
    return bool(cues.permission) and all(p == "can" for p in cues.permission)


# Criteria that ask for a restriction to be written down ("prohibited uses are defined", "usage
# restrictions are stated"): a permission elsewhere does not contradict them.
STATES_A_RESTRICTION = re.compile(
    r"\b(?:is|are)\s+(?:clearly\s+)?(?:defined|listed|stated|documented|described|specified|identified)\.?$"
    r"|\b(?:define|list|state|document|describe|specify|identify)s?\s+(?:the\s+|any\s+|which\s+)?"
    r"(?:prohibited|restricted|forbidden|excluded)\b"
    # Guidance to the reader: "operators are told to restrict who can change model artifacts".
    r"|\b(?:told|advised|instructed|directed|urged)\s+to\s+(?:restrict|limit|prohibit|forbid|exclude)"
)


# A commitment to refrain is a prohibition even when the criterion asks for it to be stated:
# "the supplier's commitment not to train on customer data is stated".
COMMITS_TO_REFRAIN = re.compile(
    r"\b(?:commitment|commit\w*|agree\w*|promise\w*|undertak\w*|bound)\s+(?:not\s+to|to\s+not)\b"
)


def is_prohibitive(text: str) -> bool:
    """A criterion or question that asks for a prohibition (not merely for one to be written down)."""
    text = cue_text(text).strip()
    if COMMITS_TO_REFRAIN.search(text):
        return True
    return bool(PROHIBITIVE_CRITERION.search(text)) and not STATES_A_RESTRICTION.search(text)


# Criteria whose wanted state is an absence or an inability ("the model does not produce
# violence-related content", "no LLM provider retains the context", "individuals cannot be
# identified"): a related sentence saying the thing may, can or could happen contradicts them, as
# a permission contradicts a prohibition. A negation inside a condition or purpose ("if the primary
# channel cannot be used", "so that no data is sent") or under a verb of checking ("must confirm
# that the code does not infringe") states no absence.
ABSENCE_CRITERION = re.compile(
    r"^(?:no|none of)\b|\b(?:does|do|did|is|are|was|were|will|can|could) not\b(?! only)|\bcannot\b|\bnever\b"
    r"|\b(?:contains?|has|have|holds?|includes?|retains?|stores?|collects?|sends?|shares?) no\b"
)
ABSENCE_EXCEPT = re.compile(
    r"\b(?:if|unless|when|whenever|so that|in order that|until|whether|confirm\w*|ensur\w*|verif\w*|check\w*)\b"
)
# Admissions that the thing can happen, beyond the permission cues: "is capable of producing".
CAPABLE = re.compile(
    r"\b(?:(?:is|are|was|were) (?:capable of|able to)|could|can|may|might)\b(?!\s+not\b)"
)


def states_absence(criterion: str) -> bool:
    """A criterion asking for something not to happen or not to be possible."""
    text = cue_text(criterion).strip()
    m = ABSENCE_CRITERION.search(text)
    if not m:
        return False
    before = text[: m.start()]
    # "Submissions that were not tested have a consequence": a negation in a relative clause.
    return not ABSENCE_EXCEPT.search(before) and not RELATIVE_OPEN.search(before)


def admits_possibility(text: str) -> str | None:
    """The cue by which a sentence says something can or may happen ("is capable of"), if any."""
    m = CAPABLE.search(cue_text(text))
    return m.group(0) if m else None


# Criteria that ask for limitations, risks or exclusions to be disclosed: a sentence stating a
# limitation ("has not been evaluated on ...") is then the evidence, not a denial.
DISCLOSURE_CRITERION = re.compile(
    r"\b(?:limitations?|out[- ]of[- ]scope|known (?:issues|risks|gaps)|caveats?|exclusions?"
    r"|residual risks?|restrictions on use|unsuitable uses?|misuse"
    # "It is stated whether the tool collects user data": a yes or a no both answer it.
    r"|whether)\b"
)


def asks_for_disclosure(criterion: str) -> bool:
    return bool(DISCLOSURE_CRITERION.search(cue_text(criterion)))


# Criteria that ask for a risk, a warning or a possible consequence to be stated ("the risk of
# unsafe output is disclosed", "the dataset carries a warning that it contains offensive
# content"): the risk is stated in modal words ("the model may produce unsafe responses"), so
# "may", "might" or "can" there is the statement asked for, not a hedge.
RISK_CRITERION = re.compile(
    r"\b(?:risks?|warn(?:s|ed|ing|ings)?|consequences?|potential(?:ly)?|possib(?:le|ly|ility)"
    r"|hazards?|harms?|harmful|dangers?|dangerous)\b"
)


def asks_for_risk_statement(criterion: str) -> bool:
    return asks_for_disclosure(criterion) or bool(RISK_CRITERION.search(cue_text(criterion)))


# Criteria that ask for advice ("operators are advised to keep dynamic updates disabled"): a
# recommendation is what they ask for, so "recommended" or "encouraged" there is no hedge.
ADVICE_CRITERION = re.compile(
    r"\b(?:advis\w*|recommend\w*|encourag\w*|suggest\w*|guidance|told to|urged)\b"
)
ADVICE_HEDGE = re.compile(r"recommend|encourag|suggest|should consider")


def advice_hedges(criterion: str, hedges: list[str]) -> list[str]:
    """The hedge cues that still weaken a sentence for this criterion: all of them, unless the
    criterion asks for advice, when wording of advice is what it asks for."""
    if not ADVICE_CRITERION.search(cue_text(criterion)):
        return hedges
    return [h for h in hedges if not ADVICE_HEDGE.search(h)]


# Criteria that ask for consent first ("no telemetry is sent unless the user enables it"): an
# opt-out ("users can disable telemetry") is the opposite default, so it contradicts them.
OPT_IN_CRITERION = re.compile(
    r"\bopt[- ]in\b|\b(?:off|disabled) by default\b|\b(?:prior|explicit|affirmative) consent\b"
    r"|\bonly (?:with|after) (?:\w+ )?(?:consent|permission|approval)\b"
    r"|\bunless (?:the |a |each )?(?:user|customer|client|you|data subject|individual)s?\s+(?:\w+\s+)?"
    r"(?:enables?|opts? in|consents?|agrees?|turns? \w+ on|switch\w* \w+ on)\b"
)
OPT_OUT = re.compile(
    r"\bopt(?:s|ed|ing)?[- ]?out\b|\b(?:enabled|on|collected|active) by default\b"
    r"|\b(?:can|may)\s+(?:\w+\s+){0,2}(?:disable|deactivate|turn\s+(?:\w+\s+)?off|switch\s+(?:\w+\s+)?off)\b"
)


# Criteria that ask for an assurance ("the supplier commits to providing updates", "results are
# guaranteed across releases", "an SLA is given"): a disclaimer of it anywhere in the related
# text ("is not obligated to provide updates", "may change at any time") contradicts them.
ASSURANCE_CRITERION = re.compile(
    r"\b(?:commit(?:s|ted|ment|ments)?|guarantee[sd]?|assur(?:e|es|ed|ance)|warrant(?:s|y|ies|ed)?"
    r"|promise[sd]?|sla|service levels?|uptime)\b"
)


# A denial that disclaims an assurance names it ("is not obligated to", "no uptime guarantee",
# "may change at any time", "as is"); "we do not train on your data" is itself a promise.
DISCLAIMING = re.compile(
    r"guarantee|warrant|obligat|oblige|commit|promis|assur|liab|responsib|subject to|at any time"
    r"|as[- ]is|disclaim|\bsla\b|uptime|service level"
)


def disclaims_assurance(text: str, negations: list[str], reach: int = 60) -> bool:
    """A negation in `text` that names an assurance itself or within `reach` characters after
    it ("Neither X nor Y give any express warranties")."""
    t = cue_text(text)
    for n in negations:
        at = t.find(cue_text(n))
        window = cue_text(n) if at < 0 else t[at : at + len(n) + reach]
        if DISCLAIMING.search(window):
            return True
    return False


# An assurance to refrain ("a commitment not to train on customer data") is met by a denial.
REFRAIN = re.compile(r"\b(?:not|no|never|without)\b")


def asks_for_assurance(criterion: str) -> bool:
    text = cue_text(criterion)
    return bool(ASSURANCE_CRITERION.search(text)) and not REFRAIN.search(text)


# Criteria that ask for commercial use to be allowed ("the model licence permits commercial use"):
# a non-commercial licence or a research-only restriction anywhere in the related text
# contradicts them, however little else the two share. A criterion asking *whether* it is
# allowed to be stated ("whether commercial use is allowed is stated") asks for a statement.
COMMERCIAL_CRITERION = re.compile(r"(?<!non-)(?<!non )\bcommercial(?:ly)?\b")
ALLOWS = re.compile(r"\b(?:allow|permit|support|endorse|cover|licen[cs])\w*\b")
NON_COMMERCIAL = re.compile(
    r"\bnon[- ]?commercial\b|\bcc[- ]by[- ](?:sa[- ])?nc\b|\bby[- ]nc\b"
    r"|\b(?:for |to )?research (?:purposes |use )?only\b|\bnot (?:be used )?for commercial\b"
    r"|\bnot (?:licen[cs]ed|permitted|allowed) for commercial\b"
)


def asks_for_commercial_use(criterion: str) -> bool:
    text = cue_text(criterion)
    return (
        bool(COMMERCIAL_CRITERION.search(text) and ALLOWS.search(text))
        and not re.search(r"\bwhether\b", text)
        and not is_prohibitive(text)
    )


# An instruction to the reader ("Do not disclose it as a public issue") forbids something; it
# disclaims no assurance of the writer's.
INSTRUCTION = re.compile(r"^\W*(?:please\s+)?(?:do not|don't|never)\b")


def is_instruction(text: str) -> bool:
    return bool(INSTRUCTION.search(cue_text(text)))


def restricts_commercial_use(text: str) -> str | None:
    m = NON_COMMERCIAL.search(cue_text(text))
    return m.group(0) if m else None


def asks_for_opt_in(criterion: str) -> bool:
    return bool(OPT_IN_CRITERION.search(cue_text(criterion)))


def offers_opt_out(text: str) -> str | None:
    m = OPT_OUT.search(cue_text(text))
    return m.group(0) if m else None


# Criteria that ask for a stated time ("acknowledged within a stated time", "a target period for
# fixing is stated"): a sentence giving no duration, date or frequency meets them only partly.
TIME_CRITERION = re.compile(
    r"\b(?:within|in)\s+(?:a|an|the)\s+(?:stated|defined|set|fixed|specified|agreed|committed|given)\s+"
    r"(?:time|period|timeframe|time ?frame|number of days)"
    r"|\b(?:stated|defined|set|specified|target|committed|fixed)\s+(?:time|timeframe|time frame|timeline|deadline|period)"
    r"|\btime limits?\b|\btimelines?\b|\bdeadlines?\b|\bhow long\b|\b(?:retention|notice) periods?\b"
    r"|\b(?:maximum|max\.?|target)\s+(?:\w+\s+)?(?:time|period|delay)\b|\bresponse times?\b"
    r"|\btime to (?:patch|fix|respond|remediate|resolve|acknowledge|triage)\b"
)
TIME_EXPRESSION = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*-?\s*(?:\w+\s+)?(?:minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|h|d)\b"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|fifteen|thirty|sixty|ninety)"
    r"\s+(?:\(\d+\)\s+)?(?:\w+\s+)?(?:hours?|days?|weeks?|months?|years?)\b"
    r"|\b(?:daily|weekly|fortnightly|monthly|quarterly|annually|yearly|every (?:day|week|month|quarter|year))\b"
    r"|\b(?:a|one) (?:day|week|month|year)\b"
)


def asks_for_time(criterion: str) -> bool:
    return bool(TIME_CRITERION.search(cue_text(criterion)))


def states_time(text: str) -> bool:
    return bool(TIME_EXPRESSION.search(cue_text(text)))


# Criteria that ask for an obligation ("regression testing is required before adoption"): a
# sentence that only allows or enables it ("a customer can test it") meets them only partly.
REQUIRES = re.compile(
    r"\b(?:is|are)\s+(?:\w+\s+)?(?:required|mandatory|obligatory|compulsory)\b|\bmust\b|\bshall\b"
)


def asks_for_obligation(criterion: str) -> bool:
    return bool(REQUIRES.search(cue_text(criterion)))
