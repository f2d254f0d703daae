"""Doc-type detection: declared type > path cues > content cues > other."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.ingest.base import LoadedDocument
from reviewer.ingest.doctype import content_scores, detect_doc_type
from reviewer.ingest.loaders import load_file
from reviewer.models import DocType
from tests.fixtures.builders import (
    DOCX_BLOCKS,
    MODEL_CARD_BODY,
    MODEL_CARD_FRONT_MATTER,
    POLICY_PAGES,
    VENDOR_TEXT,
    build_docx,
    build_markdown,
    build_pdf,
    build_text,
)

NEUTRAL = Path("evidence/inbox/document.txt")


def _doc(text: str, metadata: dict | None = None) -> LoadedDocument:
    return LoadedDocument(text=text, metadata=metadata or {})


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({"doc_type": "policy"}, DocType.policy),
        ({"type": "Model Card"}, DocType.model_card),
        ({"type": "vendor"}, DocType.vendor),
        ({"doc_type": "supplier"}, DocType.vendor),
        ({"doc_type": "other"}, DocType.other),
        ({"base_model": "x"}, DocType.model_card),
        ({"model-index": []}, DocType.model_card),
        ({"license": "mit", "datasets": ["a"]}, DocType.model_card),
    ],
)
def test_front_matter_decides(metadata: dict, expected: DocType) -> None:
    # The path and the content point elsewhere: declared metadata still wins.
    doc = _doc(POLICY_PAGES[0], metadata)
    assert detect_doc_type(Path("corpus/policies/acme-policy.md"), doc) is expected


def test_license_alone_is_not_a_model_card() -> None:
    assert detect_doc_type(NEUTRAL, _doc("Short note.", {"license": "mit"})) is DocType.other


def test_unknown_declared_type_falls_through_to_path() -> None:
    doc = _doc("Short note.", {"type": "article"})
    assert detect_doc_type(Path("x/policies/note.md"), doc) is DocType.policy


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("corpus/model-cards/churn.md", DocType.model_card),
        ("corpus/misc/churn_model_card.pdf", DocType.model_card),
        ("corpus/misc/ModelCard.md", DocType.model_card),
        ("corpus/misc/dataset-datasheet.pdf", DocType.model_card),
        ("corpus/vendors/larkspur.pdf", DocType.vendor),
        ("corpus/misc/larkspur-dpa.pdf", DocType.vendor),
        ("corpus/misc/terms-of-service.html", DocType.vendor),
        ("corpus/misc/soc2-report.pdf", DocType.vendor),
        ("corpus/misc/subprocessors.md", DocType.vendor),
        ("corpus/misc/LICENSE.txt", DocType.vendor),
        ("corpus/misc/licence.txt", DocType.vendor),
        ("corpus/policies/access.docx", DocType.policy),
        ("corpus/misc/ai-policy.pdf", DocType.policy),
        ("corpus/misc/secure-dev-standard.docx", DocType.policy),
        ("corpus/misc/incident_procedure.md", DocType.policy),
        ("corpus/vendors/acme-ai-policy.pdf", DocType.policy),  # the file name is nearer
        ("corpus/misc/policy-supplier-security.docx", DocType.policy),  # kind beats subject
        ("corpus/misc/supplier-register.xlsx", DocType.vendor),
        ("corpus/policies/vendor-dpa.pdf", DocType.vendor),
    ],
)
def test_path_cues(path: str, expected: DocType) -> None:
    assert detect_doc_type(Path(path), _doc("Short note.")) is expected


def test_path_cues_ignore_distant_folders() -> None:
    path = Path("policies/2024/archive/scan/notes.txt")
    assert detect_doc_type(path, _doc("Short note.")) is DocType.other


def test_content_cues_on_real_files(inbox: Path) -> None:
    card = load_file(build_markdown(inbox / "card.md", body=MODEL_CARD_BODY))
    assert detect_doc_type(inbox / "card.md", card) is DocType.model_card
    vendor = load_file(build_text(inbox / "larkspur.txt", VENDOR_TEXT))
    assert detect_doc_type(inbox / "larkspur.txt", vendor) is DocType.vendor
    policy = load_file(build_pdf(inbox / "classification.pdf", POLICY_PAGES))
    assert detect_doc_type(inbox / "classification.pdf", policy) is DocType.policy


def test_model_card_front_matter_on_real_file(inbox: Path) -> None:
    path = build_markdown(
        inbox / "notes.md", body="# Notes\n\nShort.\n", front_matter=MODEL_CARD_FRONT_MATTER
    )
    assert detect_doc_type(path, load_file(path)) is DocType.model_card


def test_docx_standard_by_content(inbox: Path) -> None:
    path = build_docx(
        inbox / "register.docx",
        DOCX_BLOCKS
        + [
            (
                "p",
                "This standard shall apply to all teams. Exceptions need approval. Roles and responsibilities are listed below.",
            )
        ],
    )
    scores = content_scores(load_file(path).text)
    assert scores[DocType.policy] > scores[DocType.model_card]


def test_weak_content_is_other() -> None:
    doc = _doc("Lunch menu for Tuesday: soup, bread and an apple.")
    assert detect_doc_type(NEUTRAL, doc) is DocType.other
