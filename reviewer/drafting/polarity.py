"""Questions worded in the negative, read as their positive twin with the answer flipped.

A questionnaire row asks "Is production data kept off personal workstations?" as often as "Is
production data kept on personal workstations?". The extractive drafter reads a bare question as
its own criterion and answers it from the cues of the best sentence: a denial there
("must not be copied to workstations") answers no. Against a negatively worded question that
reading is backwards. So a yes/no question with exactly one negating marker in its main clause
is rewritten to its positive twin, drafted as that, and the verdict flipped (conformant <->
nonconformity; partial and insufficient evidence stay), with a note saying so.

Two markers ("Are models never released without review?") cancel or tangle, so such a question
is left as written; so is a marker inside a condition, a relative clause or a check's object
("data that is no longer needed", "to confirm it has not changed"), and an idiom that negates
nothing asked ("without undue delay", "no later than"). When the evidence says it in the
question's own negative terms ("Telemetry is disabled by default"), the drafter keeps the
question as written (see `ExtractiveDrafter.draft`).

`asks_opposite` is for batch: a questionnaire row that may ask the other sense of the bank
question it matched is answered as its own question rather than by the bank's criteria.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from reviewer.drafting.cues import YES_NO_QUESTION, spell_out_contractions
from reviewer.models import CriterionAssessment, CriterionStatus, Draft, Verdict

# (pattern, positive replacement). Each is one negating marker.
_PRIVATIVE_STEMS = (
    r"redacted|reviewed|encrypted|tested|verified|authenticated|scanned|signed|approved|monitored|"
    r"patched|vetted|checked|validated|documented|versioned|classified|labell?ed|screened|filtered|"
    r"pseudonymi[sz]ed|anonymi[sz]ed|logged|recorded|disclosed|protected|secured|supervised"
)
MARKERS: list[tuple[re.Pattern[str], str]] = [
    # not "without undue delay", "without exception", "with or without", nor an ease
    # ("Can users delete their data without contacting support?", "... without downtime?")
    (
        re.compile(
            r"(?<!\bwith or )\bwithout\b(?!\s+(?:undue\s+)?delay\b|\s+exceptions?\b"
            r"|\s+(?:additional\s+|extra\s+)?(?:charges?|costs?|fees?)\b"
            r"|\s+(?:any\s+|the\s+need\s+to\s+|needing\s+to\s+|having\s+to\s+)?(?:contact\w*"
            r"|support|downtime|interruption|restart\w*|help|assistance|manual\w*|effort"
            r"|writing\s+code|code\s+changes)\b)",
            re.I,
        ),
        "with",
    ),
    # not "not only ... but also", nor a contrast tacked on after a comma (", not after?")
    (re.compile(r"(?<!,\s)\bnot\s+(?!(?:only|just|merely|least)\b)", re.I), ""),
    # not "no later than 72 hours", "with no exceptions": those negate nothing asked
    (
        re.compile(
            r"\bno\s+(?!(?:later|more|less|longer|fewer|sooner|earlier|matter|exceptions?)\b)"
            r"(?=\w)",
            re.I,
        ),
        "",
    ),
    (re.compile(r"\bnever\b", re.I), "ever"),
    (re.compile(r"\b(kept|keep|keeps|turned|switched|stays?)\s+off\b", re.I), r"\1 on"),
    (
        re.compile(r"\b(?:left|kept|keep|keeps|leave|leaves|stays?)\s+out\s+of\b", re.I),
        "included in",
    ),
    (re.compile(r"\bexclud(?:ed|es?)\s+from\b", re.I), "included in"),
    (re.compile(r"\bwithh(?:eld|olds?|olding)\s+from\b", re.I), "shared with"),
    (re.compile(r"\b(?:kept\s+)?(?:hidden|secret)\s+from\b", re.I), "disclosed to"),
    (re.compile(r"\bruled\s+out\b", re.I), "allowed"),
    (re.compile(r"\b(?:advises?|recommends?|cautions?)\s+against\b", re.I), "recommend"),
    (re.compile(r"\bdisabled\b", re.I), "enabled"),
    (re.compile(r"\b(?:fall|falls|lie|lies|sit|sits)\s+outside\b", re.I), "fall within"),
    (re.compile(r"\brefrains?\s+from\s+", re.I), ""),
    # only as the predicate ("left unredacted in the corpus?", "are backups unencrypted?"): before
    # a noun ("is unauthenticated access blocked?") it names what a control acts on
    (
        re.compile(
            rf"\bun({_PRIVATIVE_STEMS})\b(?=\s*(?:\?|,|$|(?:in|on|at|by|for|to|when|before|after"
            r"|during|while|within|from|into|until)\b))",
            re.I,
        ),
        r"\1",
    ),
]
# A negation after one of these sits in a condition, a relative clause or a check's object
# ("re-validated to confirm their behaviour has not changed").
SUBORDINATE = re.compile(
    r"\b(?:that|which|who|whose|if|when|whenever|unless|where|whether|once|so that"
    r"|confirm|ensure|verify|check)\b",
    re.I,
)


@dataclass(frozen=True)
class Rewrite:
    positive: str  # the question with its negating marker undone
    marker: str  # the marker as written (lower case)
    pattern: re.Pattern[str]  # the marker's pattern, to find it in evidence


def _plain(text: str) -> str:
    return " ".join(spell_out_contractions(text).split())


def _markers(q: str) -> list[tuple[re.Match[str], str, re.Pattern[str]]]:
    """Every negating marker in `q`: (match, positive replacement, pattern)."""
    return [(m, repl, pat) for pat, repl in MARKERS for m in pat.finditer(q)]


def negated_question(text: str) -> Rewrite | None:
    """The positive twin of a yes/no question worded in the negative, else None."""
    q = _plain(text)
    if not q.endswith("?") or not YES_NO_QUESTION.match(q):
        return None
    hits = _markers(q)
    if len(hits) != 1:
        return None
    m, repl, pattern = hits[0]
    if SUBORDINATE.search(q[: m.start()]):
        return None
    positive = q[: m.start()] + m.expand(repl) + q[m.end() :]
    positive = re.sub(r"\s+", " ", positive).strip()
    return Rewrite(positive[0].upper() + positive[1:], m.group(0).strip().lower(), pattern)


FLIPPED_VERDICT = {
    Verdict.conformant: Verdict.nonconformity,
    Verdict.nonconformity: Verdict.conformant,
}
FLIPPED_STATUS = {
    CriterionStatus.met: CriterionStatus.contradicted,
    CriterionStatus.contradicted: CriterionStatus.met,
}


def flip(
    draft: Draft,
    question: str,
    rewrite: Rewrite,
    rationale: Callable[[list[CriterionAssessment], Verdict, str], str],
) -> Draft:
    """The draft of the positive twin as an answer to the negatively worded question;
    `rationale` rebuilds the text from the flipped assessments, verdict and a note."""
    assessments = [
        a.model_copy(
            update={
                "criterion": question,
                "status": FLIPPED_STATUS.get(a.status, a.status),
                "note": f"{a.note.rstrip('.')}, read as {rewrite.positive!r}" if a.note else "",
            }
        )
        for a in draft.assessments
    ]
    verdict = FLIPPED_VERDICT.get(draft.verdict, draft.verdict)
    note = (
        f"The question is worded in the negative ({rewrite.marker!r}), so the evidence was read "
        f"against {rewrite.positive!r}"
        + (" and the answer turned round." if verdict != draft.verdict else ".")
    )
    return draft.model_copy(
        update={
            "verdict": verdict,
            "assessments": assessments,
            "rationale": rationale(assessments, verdict, note),
        }
    )


# Wording that keeps something from happening: a prohibition ("Do agreements prohibit the
# provider from training on our data?") or a guard ("controls to prevent poisoning", "kept
# separate from production").
KEEPS_FROM = re.compile(
    r"\b(?:prohibit\w*|forbid\w*|bar(?:s|red)?|ban(?:s|ned)?|disallow\w*|exclud\w*|refrain\w*"
    r"|prevent\w*|stop\w*|block\w*|restrict\w*|limit\w*|separat\w*|isolat\w*|segregat\w*"
    r"|(?:protect|guard|defend)\w*\s+against)\b",
    re.I,
)


def asks_opposite(row: str, bank: str) -> bool:
    """A questionnaire row that may ask something other than the yes/no sense of the bank
    question it matched: the row is itself negated or tangled ("Can anyone call the endpoints
    without authentication?" against "Are endpoints protected ... through authentication?"),
    or one of the two keeps something from happening and the other does not ("Are providers
    allowed to train on our data?" against "Do agreements prohibit the provider from
    training ...?").

    The check is deliberately wide. Batch answers such a row as its own question instead of
    borrowing the bank's criteria, which would answer the bank's question: a row flagged
    wrongly loses the bank's criteria, never the sense of its answer."""
    q = _plain(row)
    if negated_question(row) is not None or len(_markers(q)) > 1:
        return True
    return bool(KEEPS_FROM.search(q)) != bool(KEEPS_FROM.search(bank))
