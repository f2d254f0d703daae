"""Dispatch and the guards every loader shares."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.config import IngestSettings
from reviewer.ingest.base import IngestError
from reviewer.ingest.loaders import SUPPORTED_EXTENSIONS, load_file
from tests.fixtures.builders import POLICY_PAGES, build_bytes, build_corpus, build_pdf, build_text


def _cause(path: Path, limits: IngestSettings | None = None) -> str:
    with pytest.raises(IngestError) as info:
        load_file(path, limits)
    err = info.value
    assert str(err) == f"{path}: {err.cause}" and err.path == path
    return err.cause


def test_supported_extensions() -> None:
    assert {
        ".pdf",
        ".docx",
        ".md",
        ".markdown",
        ".txt",
        ".text",
        ".html",
        ".htm",
    } == SUPPORTED_EXTENSIONS


def test_unsupported_extension_lists_supported(inbox: Path) -> None:
    cause = _cause(build_bytes(inbox / "diagram.xyz", b"data"))
    assert cause.startswith("unsupported file type '.xyz' (supported: ")
    assert ".pdf" in cause and ".docx" in cause


def test_extension_is_case_insensitive(inbox: Path) -> None:
    assert (
        load_file(build_text(inbox / "NOTES.TXT", "Upper-case name.\n")).text
        == "Upper-case name.\n"
    )


@pytest.mark.parametrize("ext", sorted(SUPPORTED_EXTENSIONS))
def test_empty_file_for_every_format(inbox: Path, ext: str) -> None:
    assert _cause(build_bytes(inbox / f"empty{ext}", b"")) == "empty file"


def test_file_too_large(inbox: Path) -> None:
    path = build_text(inbox / "big.txt", "x" * 300_000)
    cause = _cause(path, IngestSettings(max_file_mb=0.1))
    assert cause == "file too large (0.3 MB > limit 0.1 MB)"


def test_missing_and_unreadable(inbox: Path) -> None:
    assert _cause(inbox / "missing.pdf") == "cannot read: No such file or directory"
    folder = inbox / "folder.md"
    folder.mkdir()
    assert _cause(folder) == "cannot read: Is a directory"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files regardless of permissions")
def test_permission_denied(inbox: Path) -> None:
    path = build_text(inbox / "secret.txt", "x")
    path.chmod(0)
    try:
        assert _cause(path) == "cannot read: Permission denied"
    finally:
        path.chmod(0o644)


def test_error_keeps_two_argument_form_when_pickled() -> None:
    import pickle

    err = pickle.loads(pickle.dumps(IngestError("a.pdf", "empty file")))
    assert (err.path, err.cause, str(err)) == ("a.pdf", "empty file", "a.pdf: empty file")


def test_corpus_good_files_load_and_bad_files_fail_with_their_cause(tmp_path: Path) -> None:
    corpus = build_corpus(tmp_path / "corpus")
    for path in corpus.good:
        doc = load_file(path)
        assert doc.text.strip(), path
    for path, fragment in corpus.bad.items():
        assert fragment in _cause(path), path


def test_timer_does_not_outlive_the_parse(inbox: Path) -> None:
    import signal

    load_file(build_pdf(inbox / "p.pdf", POLICY_PAGES[:1]), IngestSettings(parse_timeout_s=5))
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.one_of(
        st.binary(min_size=1, max_size=2048),
        st.builds(lambda tail: b"%PDF-1.4\n" + tail + b"\n%%EOF", st.binary(max_size=2048)),
        st.builds(lambda tail: b"PK\x03\x04" + tail, st.binary(max_size=2048)),
    ),
    ext=st.sampled_from(sorted(SUPPORTED_EXTENSIONS)),
)
def test_arbitrary_bytes_raise_only_ingest_error(inbox: Path, data: bytes, ext: str) -> None:
    path = build_bytes(inbox / f"fuzz{ext}", data)
    try:
        doc = load_file(path)
    except IngestError as err:
        assert "\n" not in str(err)
    else:
        assert isinstance(doc.text, str) and doc.text.strip()
