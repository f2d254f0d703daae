"""Question-and-answer templates in evidence: datasheets, model-card forms, FAQs.

A datasheet asks "Were any ethical review processes conducted? If so, please provide a
description." and answers on the next line: "No." The question shares every word with a criterion
about ethics review, so read alone it looks like the best evidence that a review took place. A
question states nothing; its answer does. Here a question line and the lines that answer it form
one unit: cited as one verbatim span, its cues (denial, hedge, ...) read from the answer only. A
question with no answer under it is not evidence at all. Card fields (a heading or bold label
with a short value under or beside it) are read the same way: see `field_values`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from reviewer.drafting.cues import YES_NO_QUESTION

# What may follow the last "?" of a template question on its line: nothing, or instructions
# to the person filling it in ("If so, please describe how.").
_INSTRUCTION = re.compile(r"^(?:if\b|please\b|\(|e\.g\.|for example\b)", re.I)
_MARKUP = " \t*_#>•-"
_LIST_OR_HEADING = re.compile(r"^\s*(?:#|[-*•]\s|\d+[.)]\s|\|)")
_BARE_DENIAL = re.compile(r"^\W*(?:no|none|not applicable|n/a|unknown)\b\W*$", re.I)


@dataclass(frozen=True)
class QA:
    start: int  # the question's first character
    end: int  # end of the answer (or of the question when unanswered)
    answer_start: int | None  # None: nobody answered the question

    def answer(self, text: str) -> str:
        return text[self.answer_start : self.end] if self.answer_start is not None else ""

    def overlaps(self, start: int, end: int) -> bool:
        """The unit shares at least one character with text[start:end]."""
        return start < self.end and self.start < end


def is_prompt_line(line: str) -> bool:
    """A line that asks a question and says nothing else (instructions aside)."""
    body = line.strip().strip(_MARKUP)
    if "?" not in body:
        return False
    tail = body[body.rfind("?") + 1 :].strip(_MARKUP)
    return not tail or bool(_INSTRUCTION.match(tail))


# A questionnaire answered on the question's own line: "Does the vendor perform vulnerability
# scans? No", "Has the Vendor been audited? Currently undergoing SOC-2 certification". The line
# must open like a question and its answer be short; a longer tail is prose after a question.
_ASKS = re.compile(
    rf"{YES_NO_QUESTION.pattern}|^(?:what|which|who|whom|whose|where|when|why|how)\b", re.I
)
INLINE_ANSWER_CHARS = 80


def inline_answer(line: str) -> int | None:
    """Offset in `line` of the answer after a question on the same line, or None."""
    body = line.strip().strip(_MARKUP)
    if not _ASKS.match(body) or "?" not in body:
        return None
    # The first "?" ends the question; a second question on the line makes it prose, and a "?"
    # in the answer ("see https://example.com/trust?section=1") belongs to the answer.
    cut = line.find("?") + 1
    tail = line[cut:].strip().strip(_MARKUP)
    if not tail or len(tail) > INLINE_ANSWER_CHARS or _INSTRUCTION.match(tail):
        return None
    if "? " in tail or tail.endswith("?"):
        return None
    return cut + len(line[cut:]) - len(line[cut:].lstrip(_MARKUP))


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def question_answers(text: str) -> list[QA]:
    """Every template question in `text`, with the lines that answer it (up to a blank line,
    another question, a heading or a list item)."""
    lines = _lines(text)
    found: list[QA] = []
    i = 0
    while i < len(lines):
        s, e = lines[i]
        line = text[s:e]
        start = s + len(line) - len(line.lstrip(_MARKUP))
        if not is_prompt_line(line):
            if (at := inline_answer(line)) is not None:
                found.append(QA(start, s + len(line.rstrip()), s + at))
            i += 1
            continue
        j, answer_start, end = i + 1, None, e
        while j < len(lines):
            ls, le = lines[j]
            line = text[ls:le]
            if not line.strip() or is_prompt_line(line) or _LIST_OR_HEADING.match(line):
                break
            if answer_start is None:
                answer_start = ls + len(line) - len(line.lstrip())
            end = ls + len(line.rstrip())
            j += 1
        found.append(QA(start, end, answer_start))
        i = j
    return found


# Field lines of model and dataset cards: a heading whose section is one short value
# ("### Licensing Information" / "MIT Licence", "# Model Date" / "April 2023"), or a bold label
# with its value on the same line ("**License**  CC BY-NC"). The value alone is too short to be
# evidence and the heading says nothing; together they state a fact, cited as one verbatim span.
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+(?=\S)")
_BOLD_FIELD = re.compile(
    r"^\s*[-*•]?\s*\*\*(?P<label>[^*\n]{2,60}?)\*\*:?[ \t]+(?P<value>\S[^\n]*?)\s*$"
)
FIELD_VALUE_CHARS = 40
# A section left to be filled in states nothing: "[More Information Needed]", "TBD".
_PLACEHOLDER = re.compile(
    r"^\W*(?:more information needed|needs? more information|information needed|tbd|tba|todo"
    r"|to be (?:added|determined|confirmed|completed)|coming soon|none|n/?a|unknown|-+)\W*$",
    re.I,
)


def _is_section_start(line: str) -> bool:
    return bool(_MD_HEADING.match(line) or _BOLD_FIELD.match(line)) or (
        line.strip().startswith("**") and line.strip().endswith("**")
    )


def field_values(text: str) -> list[QA]:
    """Every heading-and-short-value field in `text` (see above), as (label, value) spans."""
    lines = _lines(text)
    found: list[QA] = []
    for i, (s, e) in enumerate(lines):
        line = text[s:e]
        bold = _BOLD_FIELD.match(line)
        if bold and _PLACEHOLDER.match(bold.group("value")):
            continue
        nxt = text[lines[i + 1][0] : lines[i + 1][1]] if i + 1 < len(lines) else ""
        ends = not nxt.strip() or _is_section_start(nxt) or bool(_LIST_OR_HEADING.match(nxt))
        if bold and ends and len(bold.group("value")) <= FIELD_VALUE_CHARS:
            found.append(
                QA(s + bold.start("label") - 2, s + bold.end("value"), s + bold.start("value"))
            )
            continue
        heading = _MD_HEADING.match(line)
        if not heading:
            continue
        # The first two non-blank lines of the section: its value, and what follows it.
        body = list(
            islice((j for j in range(i + 1, len(lines)) if text[slice(*lines[j])].strip()), 2)
        )
        if not body:
            continue
        v = body[0]
        vs, ve = lines[v]
        value = text[vs:ve].strip()
        if not value or len(value) > FIELD_VALUE_CHARS or _PLACEHOLDER.match(value):
            continue
        if _is_section_start(text[vs:ve]):
            continue
        if "?" in value or len(body) > 1 and not _is_section_start(text[slice(*lines[body[1]])]):
            continue  # a longer section: its value line is a subheading or the start of prose
        start = s + heading.end()
        found.append(QA(start, vs + len(text[vs:ve].rstrip()), vs + text[vs:ve].index(value)))
    return found


def answer_denies(answer: str) -> bool:
    """A bare "No." / "None." / "N/A" answer denies what its question asks about."""
    return bool(_BARE_DENIAL.match(answer))
