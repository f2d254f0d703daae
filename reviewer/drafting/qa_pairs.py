"""Question-and-answer templates in evidence: datasheets, model-card forms, FAQs.

A datasheet asks "Were any ethical review processes conducted? If so, please provide a
description." and answers on the next line: "No." The question shares every word with a criterion
about ethics review, so read alone it looks like the best evidence that a review took place. A
question states nothing; its answer does. Here a question line and the lines that answer it form
one unit: cited as one verbatim span, its cues (denial, hedge, ...) read from the answer only. A
question with no answer under it is not evidence at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def is_prompt_line(line: str) -> bool:
    """A line that asks a question and says nothing else (instructions aside)."""
    body = line.strip().strip(_MARKUP)
    if "?" not in body:
        return False
    tail = body[body.rfind("?") + 1 :].strip(_MARKUP)
    return not tail or bool(_INSTRUCTION.match(tail))


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
        if not is_prompt_line(text[s:e]):
            i += 1
            continue
        start = s + len(text[s:e]) - len(text[s:e].lstrip(_MARKUP))
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


def answer_denies(answer: str) -> bool:
    """A bare "No." / "None." / "N/A" answer denies what its question asks about."""
    return bool(_BARE_DENIAL.match(answer))
