"""PDF loading on real files written with reportlab and pypdf."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.config import IngestSettings
from reviewer.ingest.base import IngestError
from reviewer.ingest.loaders import load_file
from reviewer.ingest.pdf import is_page_number_line, strip_running_lines
from tests.fixtures.builders import (
    PNG_BYTES,
    POLICY_PAGES,
    build_bytes,
    build_encrypted_pdf,
    build_image_pdf,
    build_pdf,
    build_table_pdf,
    build_truncated_pdf,
    build_two_column_pdf,
)

HEADER = "Northwind Analytics - Internal use only"
FOOTER = "Training data policy v3.1 - issued 2024-05-{n}"


def _error(path: Path, limits: IngestSettings | None = None) -> IngestError:
    with pytest.raises(IngestError) as info:
        load_file(path, limits)
    err = info.value
    assert str(err).startswith(str(path) + ": ")
    assert "\n" not in str(err)
    return err


def test_running_header_footer_and_page_numbers_are_removed(inbox: Path) -> None:
    path = build_pdf(inbox / "policy.pdf", POLICY_PAGES, header=HEADER, footer=FOOTER)
    doc = load_file(path)
    assert doc.pages == len(POLICY_PAGES) == len(doc.page_spans)
    assert "Internal use only" not in doc.text
    assert "issued 2024" not in doc.text
    assert "Page 1 of 4" not in doc.text and "of 4" not in doc.text
    for number, (start, end) in enumerate(doc.page_spans, start=1):
        page_text = doc.text[start:end]
        heading = POLICY_PAGES[number - 1].split("\n")[0]
        assert page_text.startswith(heading), (number, page_text[:60])
        # the page's last words survive stripping of the footer lines below them
        last_words = POLICY_PAGES[number - 1].split()[-3:]
        assert page_text.split()[-3:] == last_words


def test_page_spans_are_ordered_and_disjoint(inbox: Path) -> None:
    doc = load_file(build_pdf(inbox / "p.pdf", POLICY_PAGES, header=HEADER))
    previous_end = 0
    for start, end in doc.page_spans:
        assert previous_end <= start <= end <= len(doc.text)
        previous_end = end


def test_headers_kept_when_fewer_than_three_pages(inbox: Path) -> None:
    # With two pages a repeated first line may be real content; only page numbers go.
    doc = load_file(build_pdf(inbox / "two.pdf", POLICY_PAGES[:2], header=HEADER))
    assert doc.text.count(HEADER) == 2
    assert "Page 1 of 2" not in doc.text


def test_pdf_info_becomes_metadata_and_title(inbox: Path) -> None:
    path = build_pdf(
        inbox / "p.pdf", POLICY_PAGES[:1], title="Data classification policy", author="CISO office"
    )
    doc = load_file(path)
    assert doc.title == "Data classification policy"
    assert doc.metadata["author"] == "CISO office"


def test_ligatures_are_normalised(inbox: Path) -> None:
    path = build_pdf(
        inbox / "lig.pdf",
        ["The \ufb01rst \ufb02ow of con\ufb01dential data is classi\ufb01ed."],
        unicode_font=True,
        page_numbers=None,
    )
    doc = load_file(path)
    assert "first flow of confidential data is classified" in doc.text
    assert "\ufb01" not in doc.text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("3", True),
        ("Page 3 of 8", True),
        ("page 12", True),
        ("- 3 -", True),
        ("\u2013 14 \u2013", True),
        ("3/8", True),
        ("3. Scope", False),
        ("Training data shall be labelled", False),
        ("2024 annual review", False),
    ],
)
def test_page_number_lines(line: str, expected: bool) -> None:
    assert is_page_number_line(line) is expected


def test_strip_running_lines_needs_half_the_pages() -> None:
    pages = [
        ["Acme - confidential", "Body one", "Footer note"],
        ["Acme - confidential", "Body two", "Other footer"],
        ["Body three", "Third footer"],
        ["Body four", "Fourth footer"],
        ["Body five", "Fifth footer"],
    ]
    # "Acme - confidential" is on 2 of 5 pages: less than half, so it stays.
    assert strip_running_lines(pages)[0][0] == "Acme - confidential"
    pages[2].insert(0, "Acme - confidential")
    stripped = strip_running_lines(pages)
    assert all("Acme - confidential" not in p for p in stripped)
    assert [p[0] for p in stripped] == [
        "Body one",
        "Body two",
        "Body three",
        "Body four",
        "Body five",
    ]


def test_two_column_pdf_keeps_both_columns(inbox: Path) -> None:
    left = ["Model versions are tagged in the registry before release."]
    right = ["Suppliers of hosted models are reviewed every year."]
    doc = load_file(build_two_column_pdf(inbox / "cols.pdf", left, right))
    flat = " ".join(doc.text.split())
    assert "Model versions are tagged in the registry before release." in flat
    assert "Suppliers of hosted models are reviewed every year." in flat


def test_table_pdf_keeps_cell_text(inbox: Path) -> None:
    rows = [
        ["Control", "Owner", "Status"],
        ["A.8.2", "CISO", "Implemented"],
        ["A.12.6", "ML Ops", "Partial"],
    ]
    doc = load_file(build_table_pdf(inbox / "soa.pdf", rows, intro="Statement of applicability."))
    for row in rows:
        for cell in row:
            assert cell in doc.text
    assert doc.text.index("A.8.2") < doc.text.index("A.12.6")


def test_aes_encrypted_with_empty_user_password_opens(inbox: Path) -> None:
    text = "Model inversion tests run before every release."
    for algorithm in ("AES-256", "AES-128"):
        path = build_encrypted_pdf(inbox / f"open-{algorithm}.pdf", [text], algorithm=algorithm)
        assert load_file(path).text == text


def test_pdf_with_real_password_fails_cleanly(inbox: Path) -> None:
    path = build_encrypted_pdf(inbox / "locked.pdf", ["Secret terms."], user_password="hunter2")
    assert "password-protected PDF" in _error(path).cause


def test_image_only_pdf_has_no_text_layer(inbox: Path) -> None:
    err = _error(build_image_pdf(inbox / "scan.pdf"))
    assert err.cause == "no text layer (scanned image PDF?); run OCR first"


def test_truncated_pdf_fails_cleanly(inbox: Path) -> None:
    err = _error(build_truncated_pdf(inbox / "cut.pdf"))
    assert "truncated" in err.cause


def test_header_only_pdf_is_reported_damaged(inbox: Path) -> None:
    path = build_bytes(inbox / "stub.pdf", b"%PDF-1.4\nthis is not a real body\n%%EOF\n")
    cause = _error(path).cause
    assert cause.startswith(("damaged PDF", "cannot parse PDF")), cause


def test_broken_xref_is_repaired_or_reported(inbox: Path) -> None:
    good = build_pdf(inbox / "good.pdf", POLICY_PAGES).read_bytes()
    cut = good.rfind(b"startxref")
    path = build_bytes(inbox / "xref.pdf", good[:cut] + b"startxref\n987654\n%%EOF\n")
    doc = load_file(path)  # pypdf rebuilds the cross-reference table by scanning
    assert doc.pages == len(POLICY_PAGES)
    assert "Roles and responsibilities" in doc.text
    assert doc.metadata.get("parse_warnings"), "the repair should be visible in metadata"


def test_png_named_pdf_says_what_it_is(inbox: Path) -> None:
    err = _error(build_bytes(inbox / "logo.pdf", PNG_BYTES))
    assert err.cause == "not a PDF (looks like a PNG image)"


def test_text_named_pdf_has_no_header(inbox: Path) -> None:
    err = _error(build_bytes(inbox / "notes.pdf", b"just some notes\n"))
    assert err.cause == "not a PDF (no %PDF- header)"


def test_too_many_pages_refused(inbox: Path) -> None:
    path = build_pdf(
        inbox / "long.pdf", [f"Section {i}: {w} review." for i, w in enumerate("abcde")]
    )
    err = _error(path, IngestSettings(max_pages=4))
    assert err.cause == "too many pages (5 > limit 4)"
    assert load_file(path, IngestSettings(max_pages=5)).pages == 5


def test_parse_timeout_is_enforced(inbox: Path) -> None:
    pages = [" ".join(POLICY_PAGES) for _ in range(60)]
    path = build_pdf(inbox / "slow.pdf", pages)
    err = _error(path, IngestSettings(parse_timeout_s=0.001))
    assert "parsing took longer than 0.001 s" in err.cause
    assert load_file(path).pages == 60  # the timer is gone afterwards
