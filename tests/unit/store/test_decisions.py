"""Decision state machine and the tamper-evident, hash-chained decision log."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from reviewer.models import DecisionAction, Finding, FindingStatus, RejectReason, Verdict
from reviewer.store.db import StoreError, connect
from reviewer.store.findings import FindingsStore, decision_hash

MakeFinding = Callable[..., Finding]


@pytest.fixture
def finding(store: FindingsStore, make_finding: MakeFinding) -> Finding:
    f = make_finding(verdict=Verdict.partial, rationale="Partly classified [E1].")
    store.save_finding(f)
    return f


def _state(store: FindingsStore, finding_id: str) -> tuple[str, str, str]:
    f = store.get_finding(finding_id)
    assert f is not None
    return f.status.value, f.verdict.value, f.rationale


def test_approve_reject_edit_and_undo(store: FindingsStore, finding: Finding) -> None:
    fid = finding.id
    draft = ("draft", "partial", "Partly classified [E1].")

    approved = store.decide(fid, "ann", DecisionAction.approve, note="looks right")
    assert approved.seq == 1 and approved.prev_hash == ""
    assert approved.before == dict(zip(("status", "verdict", "rationale"), draft, strict=True))
    assert approved.after["status"] == "approved"
    assert _state(store, fid) == ("approved", "partial", draft[2])

    edited = store.decide(
        fid, "ann", DecisionAction.edit, verdict=Verdict.nonconformity, rationale="No labels [E1]."
    )
    assert edited.before == {"status": "approved", "verdict": "partial", "rationale": draft[2]}
    assert edited.after == {
        "status": "edited",
        "verdict": "nonconformity",
        "rationale": "No labels [E1].",
    }
    assert _state(store, fid) == ("edited", "nonconformity", "No labels [E1].")

    rationale_only = store.decide(fid, "bob", DecisionAction.edit, rationale="Reworded [E1].")
    assert rationale_only.after["verdict"] == "nonconformity"

    rejected = store.decide(fid, "bob", DecisionAction.reject, RejectReason.wrong_verdict)
    assert rejected.reason_code is RejectReason.wrong_verdict
    assert _state(store, fid)[0] == "rejected"

    # Undo walks back through the finding's decisions, newest first.
    undo1 = store.decide(fid, "bob", DecisionAction.undo)
    assert undo1.after == {**rejected.before, "undoes": rejected.seq}
    assert _state(store, fid) == ("edited", "nonconformity", "Reworded [E1].")
    store.decide(fid, "bob", DecisionAction.undo)
    store.decide(fid, "bob", DecisionAction.undo)
    assert _state(store, fid) == ("approved", "partial", draft[2])
    last_undo = store.decide(fid, "bob", DecisionAction.undo)
    assert last_undo.after["undoes"] == approved.seq
    assert _state(store, fid) == draft
    with pytest.raises(ValueError, match="nothing to undo"):
        store.decide(fid, "bob", DecisionAction.undo)

    log = store.decisions(fid)
    assert [d.action.value for d in log] == [
        "approve", "edit", "edit", "reject", "undo", "undo", "undo", "undo",
    ]  # fmt: skip
    assert [d.seq for d in log] == list(range(1, 9))
    assert all(b.prev_hash == a.hash for a, b in zip(log, log[1:], strict=False))
    assert store.verify_chain().ok and store.chain_head() == (8, log[-1].hash)


def test_undo_only_touches_its_own_finding(
    store: FindingsStore, finding: Finding, make_finding: MakeFinding
) -> None:
    other = make_finding()
    store.save_finding(other)
    store.decide(finding.id, "ann", DecisionAction.approve)
    store.decide(other.id, "ann", DecisionAction.reject, RejectReason.out_of_scope)
    undo = store.decide(finding.id, "ann", DecisionAction.undo)
    assert undo.after["undoes"] == 1
    assert _state(store, finding.id)[0] == "draft"
    assert _state(store, other.id)[0] == "rejected"


def test_invalid_decisions_write_nothing(store: FindingsStore, finding: Finding) -> None:
    with pytest.raises(ValueError, match="reason code"):
        store.decide(finding.id, "ann", DecisionAction.reject)
    with pytest.raises(ValueError, match="verdict and/or rationale"):
        store.decide(finding.id, "ann", DecisionAction.edit)
    with pytest.raises(ValueError, match="nothing to undo"):
        store.decide(finding.id, "ann", DecisionAction.undo)
    with pytest.raises(ValueError, match="no finding"):
        store.decide("nope", "ann", DecisionAction.approve)
    with pytest.raises(ValueError, match="reviewer"):
        store.decide(finding.id, " ", DecisionAction.approve)
    assert store.decisions() == []
    assert store.chain_head() == (0, "")
    assert _state(store, finding.id)[0] == "draft"


def test_decision_is_durable_when_decide_returns(
    store: FindingsStore, finding: Finding, db_path: Path
) -> None:
    decision = store.decide(finding.id, "ann", DecisionAction.approve)
    other = FindingsStore(connect(db_path))
    assert other.decisions() == [decision]
    loaded = other.get_finding(finding.id)
    assert loaded is not None and loaded.status is FindingStatus.approved
    other.conn.close()


def test_hash_covers_every_field(store: FindingsStore, finding: Finding) -> None:
    decision = store.decide(finding.id, "ann", DecisionAction.approve, note="n")
    fields = decision.model_dump(mode="json", exclude={"hash"})
    assert decision_hash(fields) == decision.hash
    for name, changed in [
        ("seq", 2),
        ("finding_id", "f-other"),
        ("reviewer", "eve"),
        ("action", "reject"),
        ("reason_code", "other"),
        ("note", "N"),
        ("before", {}),
        ("after", {"status": "rejected"}),
        ("at", "2000-01-01T00:00:00+00:00"),
        ("prev_hash", "0" * 64),
    ]:
        assert decision_hash({**fields, name: changed}) != decision.hash, name


# --- tampering with the file directly, as someone with write access to it could ----------


@pytest.fixture
def logged(store: FindingsStore, make_finding: MakeFinding, db_path: Path) -> Path:
    """Five decisions on two findings; the connection is closed so the file can be edited."""
    a, b = make_finding(), make_finding()
    store.save_finding(a)
    store.save_finding(b)
    store.decide(a.id, "ann", DecisionAction.approve)
    store.decide(b.id, "ann", DecisionAction.reject, RejectReason.missing_evidence, note="thin")
    store.decide(a.id, "bob", DecisionAction.edit, verdict=Verdict.conformant)
    store.decide(b.id, "bob", DecisionAction.undo)
    store.decide(a.id, "ann", DecisionAction.approve)
    assert store.verify_chain().ok
    store.conn.close()
    return db_path


@contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """Plain sqlite3 with the append-only triggers dropped, as a tamperer would."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TRIGGER decisions_no_update")
    conn.execute("DROP TRIGGER decisions_no_delete")
    yield conn
    conn.close()


def _check(path: Path) -> tuple[int | None, str]:
    conn = connect(path)
    result = FindingsStore(conn).verify_chain()
    conn.close()
    assert not result.ok
    assert "\n" not in result.reason and f"seq {result.first_bad_seq}" in result.reason
    return result.first_bad_seq, result.reason


def test_tamper_edited_note(logged: Path) -> None:
    with raw(logged) as conn:
        conn.execute("UPDATE decisions SET note = 'fine' WHERE seq = 2")
    bad, reason = _check(logged)
    assert bad == 2 and "edited" in reason


def test_tamper_edited_before_snapshot(logged: Path) -> None:
    with raw(logged) as conn:
        conn.execute("""UPDATE decisions SET "after" = '{"status":"approved"}' WHERE seq = 4""")
    assert _check(logged)[0] == 4


def test_tamper_deleted_middle_row(logged: Path) -> None:
    with raw(logged) as conn:
        conn.execute("DELETE FROM decisions WHERE seq = 3")
    bad, reason = _check(logged)
    assert bad == 3 and "deleted" in reason


def test_tamper_deleted_middle_row_and_renumbered(logged: Path) -> None:
    with raw(logged) as conn:
        conn.execute("DELETE FROM decisions WHERE seq = 3")
        conn.execute("UPDATE decisions SET seq = seq - 1 WHERE seq > 3")
    assert _check(logged)[0] == 3


def test_tamper_deleted_last_row(logged: Path) -> None:
    with raw(logged) as conn:
        conn.execute("DELETE FROM decisions WHERE seq = 5")
    bad, reason = _check(logged)
    assert bad == 5 and "deleted" in reason


def test_deleted_last_row_blocks_new_decisions(logged: Path) -> None:
    with raw(logged) as conn:
        conn.execute("DELETE FROM decisions WHERE seq = 5")
    store = FindingsStore(connect(logged))
    with pytest.raises(StoreError, match="recorded head"):
        store.decide("f1", "ann", DecisionAction.approve)
    assert len(store.decisions()) == 4
    store.conn.close()


def test_tamper_inserted_row_with_a_valid_looking_hash(logged: Path) -> None:
    with raw(logged) as conn:
        head = conn.execute("SELECT hash FROM decisions WHERE seq = 5").fetchone()[0]
        forged = {
            "seq": 6,
            "finding_id": "f2",
            "reviewer": "mallory",
            "action": "approve",
            "reason_code": None,
            "note": "",
            "before": {},
            "after": {"status": "approved"},
            "at": "2024-01-01T00:00:00+00:00",
            "prev_hash": head,
        }
        conn.execute(
            'INSERT INTO decisions (seq, finding_id, reviewer, action, note, "before", "after", '
            "at, prev_hash, hash) VALUES (6, 'f2', 'mallory', 'approve', '', '{}', "
            """'{"status":"approved"}', ?, ?, ?)""",
            (forged["at"], head, decision_hash(forged)),
        )
    bad, reason = _check(logged)
    assert bad == 6 and "inserted" in reason


def test_tamper_inserted_row_with_a_junk_hash(logged: Path) -> None:
    with raw(logged) as conn:
        conn.execute(
            "INSERT INTO decisions (seq, finding_id, reviewer, action, at, prev_hash, hash) "
            "VALUES (9, 'f2', 'mallory', 'approve', 'now', 'x', 'y')"
        )
    assert _check(logged)[0] == 6  # the gap where seq 6..8 should be comes first


def test_tamper_swapped_rows(logged: Path) -> None:
    columns = (
        'finding_id, reviewer, action, reason_code, note, "before", "after", at, prev_hash, hash'
    )
    with raw(logged) as conn:
        row2 = conn.execute(f"SELECT {columns} FROM decisions WHERE seq = 2").fetchone()
        row3 = conn.execute(f"SELECT {columns} FROM decisions WHERE seq = 3").fetchone()
        assignments = ", ".join(f"{c} = ?" for c in columns.split(", "))
        conn.execute(f"UPDATE decisions SET {assignments} WHERE seq = 2", row3)
        conn.execute(f"UPDATE decisions SET {assignments} WHERE seq = 3", row2)
    bad, reason = _check(logged)
    assert bad == 2 and "reordered" in reason


def test_tamper_rewritten_meta_head(logged: Path) -> None:
    with raw(logged) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'chain_head'", ("0" * 64,))
    assert _check(logged)[0] == 5


def test_untouched_log_stays_valid_across_reopen(logged: Path) -> None:
    conn = connect(logged)
    result = FindingsStore(conn).verify_chain()
    conn.close()
    assert result.ok and result.count == 5 and result.first_bad_seq is None


def test_threads_sharing_one_connection_keep_the_chain(
    store: FindingsStore, make_finding: MakeFinding
) -> None:
    findings = [make_finding() for _ in range(4)]
    for f in findings:
        store.save_finding(f)
    errors: list[BaseException] = []

    def review(finding_id: str) -> None:
        try:
            for _ in range(15):
                store.decide(finding_id, "ann", DecisionAction.approve)
                store.decide(finding_id, "ann", DecisionAction.undo)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=review, args=(f.id,)) for f in findings]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    check = store.verify_chain()
    assert check.ok and check.count == 4 * 30
    assert all(_state(store, f.id)[0] == "draft" for f in findings)


def test_decisions_that_change_nothing_or_rest_on_a_stale_view_are_refused(
    store: FindingsStore, finding: Finding, make_finding: MakeFinding
) -> None:
    fid = finding.id
    store.decide(fid, "ann", DecisionAction.approve)
    with pytest.raises(ValueError, match="already approved; nothing recorded"):
        store.decide(fid, "ann", DecisionAction.approve)
    # Bob's screen still shows the draft: his reject does not overrule Ann's approval
    with pytest.raises(ValueError, match="is now approved, not draft as shown"):
        store.decide(fid, "bob", DecisionAction.reject, RejectReason.other, expected_status="draft")
    store.decide(fid, "bob", DecisionAction.reject, RejectReason.other, expected_status="approved")
    with pytest.raises(ValueError, match="already rejected.*undo first"):
        store.decide(fid, "bob", DecisionAction.reject, RejectReason.wrong_verdict)
    store.decide(fid, "bob", DecisionAction.undo)
    assert _state(store, fid)[0] == "approved"  # one undo, one step back: the log agrees

    failed = make_finding(status=FindingStatus.failed, rationale="Drafting failed: refused")
    store.save_finding(failed)
    with pytest.raises(ValueError, match="failed to draft, so there is no answer to approve"):
        store.decide(failed.id, "ann", DecisionAction.approve)
    store.decide(failed.id, "ann", DecisionAction.edit, verdict=Verdict.nonconformity)
    assert len(store.decisions()) == 4 and store.verify_chain().ok
