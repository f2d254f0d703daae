"""Spot instruction-like text aimed at an AI inside evidence (prompt injection).

Detection only flags: a finding whose evidence contains such text keeps its verdict and is
marked for the auditor. Matching runs on a folded copy of the text (NFKD, combining marks and
zero-width/format characters removed, Cyrillic/Greek look-alike letters mapped to Latin,
case-folded, whitespace collapsed) so that disguised variants match too; the snippets returned
are cut from the original text.

The patterns are narrow on purpose: policies are full of sentences such as "staff must not
ignore security instructions" or "AI models must be approved before deployment", which are
normal content and must not be flagged.
"""

from __future__ import annotations

import re
import unicodedata

# Letters from other scripts that look like Latin ones (lower case after folding).
_HOMOGLYPHS = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j",
        "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ү": "y",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v",
        "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ζ": "z", "ϲ": "c", "ϳ": "j",
    }
)  # fmt: skip


def _fold(text: str) -> tuple[str, list[int]]:
    """Folded text plus, for each folded char, the index of the original char it came from."""
    out: list[str] = []
    src: list[int] = []
    prev_space = True
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKD", ch):
            if unicodedata.category(c) in ("Mn", "Me", "Cf"):
                continue  # combining accents and zero-width characters
            for f in c.casefold().translate(_HOMOGLYPHS):
                if f in "\n\r\x0b\x0c\u2028\u2029":
                    f = "\n"  # kept: role markers are recognised at line starts
                    prev_space = True
                elif f.isspace():
                    if prev_space:
                        continue
                    f = " "
                    prev_space = True
                else:
                    prev_space = False
                out.append(f)
                src.append(i)
    return "".join(out), src


_QUALIFIER = r"(?:all|any|every|previous|prior|above|earlier|preceding|foregoing|your|system|original|initial|existing)"
_TARGET = r"(?:instructions?|prompts?|rules|directions|directives|guidelines|guidance|commands|context|programming|task)"
_AI = r"(?:ai|a\.i\.|llm|gpt|chatbot|language model|large language model)"
_AI_ROLE = r"(?:reviewer|assistant|auditor|agent|model|grader|evaluator|analyst|system)s?"
# Addressed at the start of a sentence ("AI reviewer: ..."): "AI systems," is ordinary prose.
_AI_ROLE_ADDRESS = r"(?:reviewer|assistant|auditor|agent|model|grader|evaluator|analyst)s?"
_GOOD = r"(?:fully |fully-|totally |100% )?(?:compliant|conformant|conforming|approved|passed|satisfactory)"
_SUBJECT = (
    r"(?:this|these|that|those|the|all|every|each|it|them|any|our|its|my|whole|entire|control|"
    r"controls|question|questions|item|items|finding|findings|requirement|requirements|section|"
    r"document|documents|evidence|organi[sz]ation|company|vendor|supplier|answer|response|"
    r"clause|criterion|criteria|audit|assessment)"
)

_PATTERNS: list[re.Pattern[str]] = [
    # "ignore all previous instructions", "disregard your rules", "forget the above"
    re.compile(
        rf"\b(?:ignore|disregard|forget|override|bypass|overrule)\s+(?:(?:the|of|these|those)\s+)?"
        rf"{_QUALIFIER}(?:\s+\w+){{0,3}}?\s+{_TARGET}\b"
    ),
    re.compile(
        r"\b(?:ignore|disregard|forget)\s+(?:everything|all|anything)\s+(?:above|before|else|prior|previously)\b"
    ),
    re.compile(r"\b(?:ignore|disregard|forget)\s+the\s+(?:above|foregoing|preceding)\b"),
    # role switching
    re.compile(
        r"\byou\s+are\s+now\s+(?:a|an|the|acting|operating|my|free|no\s+longer|dan|unrestricted|"
        r"jailbroken|in\s+developer|developer|allowed)\b"
    ),
    re.compile(
        r"\b(?:new|updated|revised|hidden|secret)\s+instructions?\s*(?::|for\s+(?:the\s+|any\s+)?"
        + _AI
        + ")"
    ),
    re.compile(
        r"\b(?:reveal|print|show|output|repeat|leak|disclose|ignore|disregard|override|forget)\s+"
        r"(?:\w+\s+){0,2}system\s+prompt\b"
    ),
    # chat-template role markers
    # also as a YAML/form value: "notes: 'SYSTEM: ...'" ("Operating system: Linux" is not)
    re.compile(r"(?:^|\n)\s*(?:[\w-]+\s*:\s*[\"']?)?(?:#+\s*)?(?:system|assistant)\s*:", re.M),
    re.compile(
        r"<\|\s*(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id)\s*\|>"
    ),
    re.compile(r"\[/?inst\]|<<\s*/?sys\s*>>|</?\s*(?:system|assistant)\s*>"),
    re.compile(r"(?:^|\n)\s*#{2,}\s*(?:system|instruction|instructions)\b", re.M),
    # requests to give a favourable verdict
    re.compile(
        rf"\b(?:mark|rate|score|grade|classify|label|deem|treat|consider|assess|evaluate)\s+"
        rf"(?:{_SUBJECT}\s+){{0,4}}as\s+(?:being\s+)?{_GOOD}\b"
    ),
    re.compile(
        rf"\b(?:answer|respond|reply|output|return|say|conclude)\s+(?:with\s+|only\s+|simply\s+|"
        rf"that\s+(?:{_SUBJECT}\s+){{1,3}}(?:is|are|was)\s+)?[\"'`]?{_GOOD}\b"
    ),
    re.compile(
        rf"\bverdicts?\s+(?:(?:for|of|on)\s+(?:\w+\s+){{0,3}}?)?(?:is|should\s+be|must\s+be|shall\s+be|=|:)\s*[\"'`]?{_GOOD}\b"
    ),
    # text addressed to an AI reader
    re.compile(
        rf"\b(?:dear|attention|attn|note\s+to|message\s+to|message\s+for|instructions?\s+for|hello|hi|hey)"
        rf"[\s,:]+(?:the\s+|any\s+|all\s+)?(?:{_AI})[\s-]+{_AI_ROLE}\b"
    ),
    re.compile(rf"(?:^|[.!?\n]\s*)(?:{_AI})[\s-]+{_AI_ROLE_ADDRESS}\s*[,:]", re.M),
    re.compile(rf"\bif\s+you\s+are\s+(?:an?\s+)?(?:{_AI}|automated|artificial)\b"),
    re.compile(
        rf"\b(?:{_AI})[\s-]+(?:reviewers?|auditors?|graders?|evaluators?)\s+(?:must|should|shall|"
        rf"are\s+instructed\s+to|reading\s+this)\b"
    ),
    re.compile(rf"\b(?:{_AI})s?\s+(?:reading|processing|analy[sz]ing)\s+this\b"),
]


def find_injections(text: str) -> list[str]:
    """Instruction-like spans aimed at an AI, as snippets of the original text (deduplicated)."""
    folded, src = _fold(text)
    spans: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(folded):
            start, end = m.start(), m.end()
            # Skip the leading newline/space some patterns anchor on.
            while start < end and folded[start] in " \n":
                start += 1
            if start < end:
                spans.append((src[start], src[end - 1] + 1))
    snippets: list[str] = []
    last_end = -1
    for start, end in sorted(spans):
        if start < last_end:  # overlapping matches report one snippet
            continue
        snippet = " ".join(text[start:end].split())
        if snippet and snippet not in snippets:
            snippets.append(snippet)
        last_end = end
    return snippets
