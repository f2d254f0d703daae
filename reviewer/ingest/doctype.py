"""Guess what kind of evidence a document is: model card, vendor document, policy, or other.

Order of trust: what the document says about itself (front matter) > where it was filed
(file and folder names) > what it talks about (weighted keyword counts).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from reviewer.ingest.base import LoadedDocument
from reviewer.models import DocType

_DECLARED: dict[str, DocType] = {
    "model_card": DocType.model_card,
    "modelcard": DocType.model_card,
    "model": DocType.model_card,
    "datasheet": DocType.model_card,
    "system_card": DocType.model_card,
    "vendor": DocType.vendor,
    "supplier": DocType.vendor,
    "third_party": DocType.vendor,
    "dpa": DocType.vendor,
    "terms": DocType.vendor,
    "contract": DocType.vendor,
    "agreement": DocType.vendor,
    "policy": DocType.policy,
    "standard": DocType.policy,
    "procedure": DocType.policy,
    "other": DocType.other,
}
# Hugging Face model-card metadata: any one of these settles it.
_MODEL_CARD_KEYS = {"model-index", "model_index", "base_model", "model_name", "pipeline_tag",
                    "library_name"}  # fmt: skip
_MODEL_CARD_SOFT_KEYS = {"license", "datasets", "metrics", "language", "tags"}

# Path cues, checked on the file name first, then the nearest folders. Words naming the kind
# of document (dpa, terms, policy) outrank words naming its subject (vendor, supplier), so
# "policy-supplier-security.docx" is a policy and "vendor-dpa.pdf" a vendor document.
_PATH_CUES: list[tuple[re.Pattern[str], DocType]] = [
    (re.compile(r"model[-_ .]?cards?|datasheets?|system[-_ .]?cards?"), DocType.model_card),
    (
        re.compile(
            r"(?:^|[-_ .])(?:dpa|terms|tos|soc[-_ ]?2|sub[-_ ]?processors?|licen[cs]es?"
            r"|contracts?|msa|sla)(?:$|[-_ .])"
        ),
        DocType.vendor,
    ),
    (
        re.compile(r"(?:^|[-_ .])(?:polic(?:y|ies)|standards?|procedures?)(?:$|[-_ .])"),
        DocType.policy,
    ),
    (re.compile(r"(?:^|[-_ .])(?:vendors?|suppliers?)(?:$|[-_ .])"), DocType.vendor),
]
_PATH_DEPTH = 2  # folders above the file that may carry a cue (deeper ones are the machine's)

# Content cues: (phrase regex, weight). Counts are capped so one repeated word cannot decide.
_CONTENT_CUES: dict[DocType, list[tuple[str, float]]] = {
    DocType.model_card: [
        (r"model card", 3.0),
        (r"model details", 2.0),
        (r"intended use", 2.5),
        (r"out-of-scope use", 2.5),
        (r"training data(?:set)?", 2.0),
        (r"evaluation (?:data|results|metrics)", 2.0),
        (r"\bevaluation\b", 1.0),
        (r"limitations", 1.5),
        (r"\bbias(?:es)?\b", 1.0),
        (r"fine-?tun(?:ed|ing)", 1.0),
        (r"\bparameters\b", 0.5),
        (r"benchmark", 1.0),
        (r"\bf1\b|\baccuracy\b|\bprecision\b|\brecall\b", 0.5),
        (r"model (?:architecture|version)", 1.5),
    ],
    DocType.vendor: [
        (r"\bcustomer\b", 1.0),
        (r"\bprovider\b", 1.0),
        (r"sub-?processors?", 2.5),
        (r"data processing (?:addendum|agreement)", 3.0),
        (r"service terms|terms of (?:service|use)", 2.5),
        (r"\bcontroller\b", 1.0),
        (r"\bprocessor\b", 1.0),
        (r"service level", 1.5),
        (r"liability|indemnif", 1.5),
        (r"warrant(?:y|ies)", 1.0),
        (r"governing law", 2.0),
        (r"\bsoc ?2\b|trust services", 1.5),
        (r"subscription|fees", 0.5),
    ],
    DocType.policy: [
        (r"\bscope\b", 1.0),
        (r"\bpurpose\b", 1.0),
        (r"roles and responsibilities", 2.5),
        (r"\bshall\b", 0.7),
        (r"\bmust\b", 0.4),
        (r"exceptions?\b", 1.0),
        (r"this (?:policy|standard|procedure)", 2.5),
        (r"policy owner|document owner", 2.0),
        (r"\bcompliance\b", 0.5),
        (r"review(?:ed)? (?:annually|at least)", 1.5),
        (r"approved by|approval", 1.0),
        (r"enforcement|disciplinary", 1.5),
        (r"version history|revision history", 1.5),
    ],
}
_CAP_PER_CUE = 5
_MIN_SCORE = 5.0
_MIN_LEAD = 1.25  # the winner must beat the runner-up by this factor
_CONTENT_CHARS = 60_000  # the opening of a document says what it is


def detect_doc_type(path: Path, doc: LoadedDocument) -> DocType:
    """Classify a document; DocType.other when nothing points anywhere."""
    return (
        doc_type_from_metadata(doc.metadata)
        or doc_type_from_path(Path(path))
        or doc_type_from_content(doc.text)
        or DocType.other
    )


def doc_type_from_metadata(metadata: dict[str, Any]) -> DocType | None:
    """A declared `doc_type`/`type`, or Hugging Face model-card keys."""
    for key in ("doc_type", "doctype", "document_type", "type"):
        value = metadata.get(key)
        if isinstance(value, str):
            declared = _DECLARED.get(re.sub(r"[-\s]+", "_", value.strip().lower()))
            if declared is not None:
                return declared
    keys = {str(k).lower() for k in metadata}
    if keys & _MODEL_CARD_KEYS:
        return DocType.model_card
    if "license" in keys and len(keys & _MODEL_CARD_SOFT_KEYS) >= 2:
        return DocType.model_card
    return None


def doc_type_from_path(path: Path) -> DocType | None:
    """Cues in the file name, then in the nearest `_PATH_DEPTH` folder names."""
    names = [path.stem, *[p.name for p in list(path.parents)[:_PATH_DEPTH]]]
    for name in names:
        lowered = name.lower()
        for pattern, doc_type in _PATH_CUES:
            if pattern.search(lowered):
                return doc_type
    return None


def doc_type_from_content(text: str) -> DocType | None:
    """Weighted keyword counts over the opening of the text; None below the threshold."""
    scores = content_scores(text)
    best = max(scores, key=lambda t: scores[t])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < _MIN_SCORE or ranked[0] < ranked[1] * _MIN_LEAD:
        return None
    return best


def content_scores(text: str) -> dict[DocType, float]:
    """Per-type content score (exposed for debugging and tests)."""
    sample = text[:_CONTENT_CHARS].lower()
    scores: dict[DocType, float] = {}
    for doc_type, cues in _CONTENT_CUES.items():
        total = 0.0
        for pattern, weight in cues:
            hits = len(re.findall(pattern, sample))
            total += min(hits, _CAP_PER_CUE) * weight
        scores[doc_type] = total
    return scores
