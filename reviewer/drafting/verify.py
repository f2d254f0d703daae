"""Fail-closed citation verification: a drafter never vouches for its own quotes.

Every citation must name an evidence label the drafter was given and its quote must occur in
that chunk (``reviewer.text.find_quote``: case, whitespace, ligature and quote-mark differences
tolerated, nothing fuzzier). Failing citations are dropped; a non-abstaining verdict left with
no verified citation is downgraded to insufficient_evidence. Control IDs, dates and numbers in
the rationale that no cited chunk (and not the question) mentions are flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reviewer.models import Citation, Draft, Evidence, Flag, Question, Verdict
from reviewer.text import find_quote, normalize


def section_of(heading_path: list[str], depth: int = 2) -> str:
    """The innermost headings above a chunk ("6. AI services > 6.1 Contracts"); the outer ones
    are usually the document title, which the file name already gives."""
    return " > ".join(" ".join(h.split()) for h in heading_path[-depth:] if h.strip())


@dataclass
class Verification:
    verdict: Verdict
    citations: list[Citation]
    dropped: list[Citation]
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ungrounded: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when verification dropped a citation or changed the verdict."""
        return bool(self.dropped) or Flag.unsupported_draft.value in self.flags


_MARKER = re.compile(r"\[\s*(E\d+)(?:\s*[,;]\s*E\d+)*\s*\]", re.I)
_LABELS_IN_MARKER = re.compile(r"E\d+", re.I)

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# Order matters: longer, more specific shapes first; matched spans are blanked before the
# next pattern runs so "A.8.2.1" is not also reported as the number "8.2".
_REFERENCE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("control", re.compile(r"\bAML\.[TM]\d{4}(?:\.\d{3})?\b")),
    ("control", re.compile(r"\bA\.\d{1,2}(?:\.\d{1,2}){0,3}\b")),
    ("article", re.compile(r"\bArt(?:icle)?\.?\s?\d{1,3}[a-z]?\b", re.I)),
    (
        "control",
        re.compile(r"\b[A-Z]{2,6}[-.]\d{1,3}(?:\.\d{1,3})*\b"),
    ),  # GOVERN-1.2, MAP.3, LLM01 forms
    ("number", re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?\s?%")),
    ("date", re.compile(r"\b\d{4}-\d{2}-\d{2}\b")),
    ("date", re.compile(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")),
    ("date", re.compile(rf"\b\d{{1,2}}\s+{_MONTH}\.?\s+\d{{4}}\b", re.I)),
    ("date", re.compile(rf"\b{_MONTH}\.?\s+\d{{1,2}},?\s+\d{{4}}\b", re.I)),
    ("date", re.compile(rf"\b{_MONTH}\.?\s+\d{{4}}\b", re.I)),
    ("control", re.compile(r"\b\d{1,2}(?:\.\d{1,2}){1,3}\b")),  # clause numbers 5.12, 6.1.2
    # Numbers: two or more digits, or any with decimals/percent; single digits ("2 of 3
    # criteria") are too often the drafter's own counting to be worth a flag.
    ("number", re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w.]\d)")),
    ("number", re.compile(r"(?<![\w.])\d*\.\d+(?![\w.]\d)")),
    ("number", re.compile(r"(?<![\w.])\d{2,}(?![\w.]\d)")),
]


# Names of standards ("ISO/IEC 27001:2022", "NIST SP 800-53") identify a framework, they are
# not claims about the organisation, so their numbers are not checked.
_STANDARD_NAME = re.compile(
    r"\b(?:ISO/IEC|ISO|IEC|NIST(?:\s+(?:AI|SP))?)\s*\d{3,5}(?:-\d+)*(?::\d{4})?", re.I
)


def find_references(text: str) -> list[tuple[str, str]]:
    """(kind, text) of control IDs, dates and numbers in `text`, evidence markers excluded."""
    work = _MARKER.sub(lambda m: " " * len(m.group(0)), text)
    work = _STANDARD_NAME.sub(lambda m: " " * len(m.group(0)), work)
    found: list[tuple[int, str, str]] = []
    for kind, pattern in _REFERENCE_PATTERNS:
        for m in pattern.finditer(work):
            found.append((m.start(), kind, m.group(0).strip()))
        work = pattern.sub(lambda m: " " * len(m.group(0)), work)
    return [(kind, ref) for _, kind, ref in sorted(found)]


def _grounding_pattern(kind: str, ref: str) -> re.Pattern[str]:
    norm = normalize(ref)
    if kind == "article":
        number = re.search(r"\d{1,3}[a-z]?", norm)
        body = rf"art(?:icle)?\.?\s?{number.group(0) if number else ''}"
    elif kind == "number":
        # Thousands separators may be written or not; haystacks are also tried without them.
        digits = norm.replace(",", "").replace(" ", "")
        body = re.escape(digits).replace("%", r"\s?(?:%|percent)")
    else:
        body = re.escape(norm).replace(r"\ ", r"\s?")
    return re.compile(rf"(?<![\w.]){body}(?!\.?\w)")


def _grounded(kind: str, ref: str, haystacks: list[str]) -> bool:
    pattern = _grounding_pattern(kind, ref)
    for hay in haystacks:
        if pattern.search(hay) or (kind == "number" and pattern.search(hay.replace(",", ""))):
            return True
    return False


def _cited_labels(text: str) -> set[str]:
    labels: set[str] = set()
    for m in _MARKER.finditer(text):
        labels.update(x.upper() for x in _LABELS_IN_MARKER.findall(m.group(0)))
    return labels


def _question_text(question: Question) -> str:
    parts = [question.id, question.text, *(c.text for c in question.criteria)]
    parts += [f"{r.framework} {r.edition} {r.control} {r.title or ''}" for r in question.refs]
    parts += question.threats + question.keywords
    return "\n".join(parts)


def locate(cit: Citation, by_label: dict[str, Evidence]) -> Citation | None:
    """The citation with its quote found in its evidence block and placed in the document
    (path, page, section, character offsets), or None when the label or the quote is not there."""
    label = cit.label.strip().strip("[]").upper()
    ev = by_label.get(label)
    span = find_quote(ev.chunk.text, cit.quote) if ev is not None else None
    if ev is None or span is None:
        return None
    start, end = span
    chunk = ev.chunk
    return cit.model_copy(
        update={
            "label": label,
            # The document's own wording, so a highlight shows exactly what is there.
            "quote": chunk.text[start:end],
            "chunk_id": chunk.id,
            "path": chunk.path,
            "page": chunk.page,
            "section": section_of(chunk.heading_path),
            "doc_sha256": chunk.doc_sha256,
            "verified": True,
            "char_start": chunk.char_start + start,
            "char_end": chunk.char_start + end,
        }
    )


def verify_draft(draft: Draft, evidence: list[Evidence], question: Question) -> Verification:
    """Check every citation against its chunk, fill locations, and downgrade unsupported drafts."""
    by_label = {ev.label.upper(): ev for ev in evidence}
    verified: list[Citation] = []
    dropped: list[Citation] = []
    flags: list[str] = []
    notes: list[str] = []
    seen: set[tuple[str, int, int]] = set()

    for cit in draft.citations:
        label = cit.label.strip().strip("[]").upper()
        if label not in by_label:
            dropped.append(cit.model_copy(update={"verified": False}))
            notes.append(f"citation to {cit.label!r} dropped: no evidence block has that label")
            continue
        found = locate(cit, by_label)
        if found is None:
            dropped.append(cit.model_copy(update={"verified": False}))
            notes.append(f"citation to {label} dropped: quote not found in that chunk")
            continue
        key = (label, found.char_start or 0, found.char_end or 0)
        if key in seen:
            continue
        seen.add(key)
        verified.append(found)
    if dropped:
        flags.append(Flag.unverified_quote.value)

    verdict = draft.verdict
    if verdict != Verdict.insufficient_evidence and not verified:
        verdict = Verdict.insufficient_evidence
        flags.append(Flag.unsupported_draft.value)
        notes.append(
            f"draft verdict {draft.verdict.value} had no verified citation; "
            "shown as insufficient_evidence"
        )

    cited = {c.label for c in verified} | (_cited_labels(draft.rationale) & by_label.keys())
    haystacks = [normalize(by_label[label].chunk.text) for label in sorted(cited)]
    haystacks.append(normalize(_question_text(question)))
    ungrounded = [
        ref for kind, ref in find_references(draft.rationale) if not _grounded(kind, ref, haystacks)
    ]
    ungrounded = list(dict.fromkeys(ungrounded))
    if ungrounded:
        flags.append(Flag.ungrounded_reference.value)
        notes.append("rationale mentions what no cited evidence says: " + ", ".join(ungrounded))

    return Verification(
        verdict=verdict,
        citations=verified,
        dropped=dropped,
        flags=flags,
        notes=notes,
        ungrounded=ungrounded,
    )
