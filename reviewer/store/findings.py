"""Findings, runs and the hash-chained, append-only decision log (SQLite).

Every reviewer decision is one row whose hash covers all of its fields plus the previous row's
hash; the chain head and length are also kept in `meta`, so an edited, deleted, inserted or
reordered row is found by `verify_chain`.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from reviewer.models import (
    Citation,
    CriterionAssessment,
    Decision,
    DecisionAction,
    Finding,
    FindingStatus,
    Flag,
    Question,
    RejectReason,
    Run,
    Verdict,
    utcnow,
)
from reviewer.store.db import StoreError, db_file, read_tx, write_tx

# The finding fields a decision may change; before/after snapshots carry exactly these.
DECISION_STATE = ("status", "verdict", "rationale")
HASHED_FIELDS = (
    "seq",
    "finding_id",
    "reviewer",
    "action",
    "reason_code",
    "note",
    "before",
    "after",
    "at",
    "prev_hash",
)


@dataclass
class ChainCheck:
    """Result of walking the decision log; `reason` is one line naming the first bad seq."""

    ok: bool
    count: int
    head: str
    first_bad_seq: int | None
    reason: str


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def decision_hash(fields: dict[str, Any]) -> str:
    """sha256 over the canonical JSON (sorted keys) of a decision row's fields, seq and prev_hash included."""
    payload = {name: fields[name] for name in HASHED_FIELDS}
    return hashlib.sha256(_dumps(payload).encode("utf-8")).hexdigest()


def source_key_of(source: dict[str, Any], question: Question) -> str:
    """Stable key of where a finding's question came from, used to resume work.

    `source["key"]` wins; then a questionnaire row ("<sha256>:<sheet>:<row>"); then a bank
    ("bank:<name>", "bank:ad-hoc" when there is none), with the documents a scoped review was
    limited to ("bank:<name>|scope:a.pdf,b.md"): a scoped answer never replaces the
    whole-corpus one, as `reviewer.findings_view` does.
    """
    if source.get("key"):
        return str(source["key"])
    if source.get("sha256") and source.get("row") is not None:
        return f"{source['sha256']}:{source.get('sheet', '')}:{source['row']}"
    key = f"bank:{source.get('bank') or question.bank or 'ad-hoc'}"
    scope = source.get("scope")
    return f"{key}|scope:{','.join(sorted(scope))}" if scope else key


def decision_in_effect(history: Sequence[Decision]) -> Decision | None:
    """The decision a finding's state comes from: its latest approve, reject or edit that no
    undo cancelled (an undo names the seq it cancels in `after["undoes"]`); None when there was
    none or every one was undone. `history` is one finding's decisions in log order."""
    undone = {d.after.get("undoes") for d in history if d.action is DecisionAction.undo}
    for decision in reversed(history):
        if decision.action is not DecisionAction.undo and decision.seq not in undone:
            return decision
    return None


class FindingsStore:
    """Runs, findings with citations, and reviewer decisions on one SQLite connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # runs -----------------------------------------------------------------------------------

    def start_run(self, run: Run) -> None:
        """Record a run (re-starting a known run id marks it running again)."""
        with write_tx(self.conn):
            self.conn.execute(
                "INSERT INTO runs (id, kind, drafter, params, started_at, finished_at, status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, "
                "drafter = excluded.drafter, params = excluded.params, "
                "finished_at = excluded.finished_at, status = excluded.status",
                (
                    run.id,
                    run.kind,
                    run.drafter,
                    _dumps(run.params),
                    run.started_at,
                    run.finished_at,
                    run.status,
                ),
            )

    def finish_run(self, run_id: str, status: str = "done") -> None:
        """Mark a run finished now with `status` (done, failed, interrupted...)."""
        with write_tx(self.conn):
            cur = self.conn.execute(
                "UPDATE runs SET finished_at = ?, status = ? WHERE id = ?",
                (utcnow(), status, run_id),
            )
            if cur.rowcount == 0:
                raise ValueError(f"{db_file(self.conn)}: no run with id {run_id!r}")

    def get_run(self, run_id: str) -> Run | None:
        row = self.conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return _row_to_run(row) if row else None

    def list_runs(self) -> list[Run]:
        rows = self.conn.execute("SELECT * FROM runs ORDER BY started_at, rowid").fetchall()
        return [_row_to_run(r) for r in rows]

    # findings -------------------------------------------------------------------------------

    def save_finding(self, finding: Finding) -> None:
        """Insert or replace a finding and its citations in one transaction."""
        now = utcnow()
        with write_tx(self.conn):
            self.conn.execute(
                "INSERT INTO findings (id, run_id, question_id, question, verdict, rationale, "
                "assessments, confidence, flags, provenance, status, source, source_key, cache_key, "
                "created_at, updated_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                # An upsert, not INSERT OR REPLACE: the row keeps its rowid and listing order.
                "ON CONFLICT(id) DO UPDATE SET run_id = excluded.run_id, "
                "question_id = excluded.question_id, question = excluded.question, "
                "verdict = excluded.verdict, rationale = excluded.rationale, "
                "assessments = excluded.assessments, confidence = excluded.confidence, "
                "flags = excluded.flags, provenance = excluded.provenance, "
                "status = excluded.status, source = excluded.source, "
                "source_key = excluded.source_key, cache_key = excluded.cache_key, "
                "created_at = excluded.created_at, updated_at = excluded.updated_at, "
                "used_at = excluded.used_at",
                (
                    finding.id,
                    finding.run_id,
                    finding.question.id,
                    finding.question.model_dump_json(),
                    finding.verdict.value,
                    finding.rationale,
                    _dumps([a.model_dump(mode="json") for a in finding.assessments]),
                    finding.confidence,
                    _dumps(finding.flags),
                    _dumps(finding.provenance),
                    finding.status.value,
                    _dumps(finding.source),
                    source_key_of(finding.source, finding.question),
                    finding.cache_key,
                    finding.created_at,
                    now,
                    finding.used_at,
                ),
            )
            self.conn.execute("DELETE FROM citations WHERE finding_id = ?", (finding.id,))
            self.conn.executemany(
                "INSERT INTO citations (finding_id, position, label, chunk_id, quote, path, page, "
                "doc_sha256, verified, char_start, char_end, section) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        finding.id,
                        position,
                        c.label,
                        c.chunk_id,
                        c.quote,
                        c.path,
                        c.page,
                        c.doc_sha256,
                        int(c.verified),
                        c.char_start,
                        c.char_end,
                        c.section,
                    )
                    for position, c in enumerate(finding.citations)
                ],
            )

    def resolve_id(self, text: str) -> str:
        """The full finding id that `text` names: itself, or the one id it is a prefix of (at
        least 4 characters, as tables print ids shortened; shorter is an error). Unknown text comes back unchanged
        for the caller's "no finding" error; a prefix of several ids is an error naming them."""
        text = text.strip()
        with read_tx(self.conn):
            if self.conn.execute("SELECT 1 FROM findings WHERE id = ?", (text,)).fetchone():
                return text
            if len(text) < 4:
                raise ValueError(
                    f"no finding with id {text!r} (a shortened id needs at least 4 characters)"
                )
            rows = self.conn.execute(
                "SELECT id FROM findings WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT 6",
                (len(text), text),
            ).fetchall()
        if len(rows) > 1:
            shown = ", ".join(r["id"] for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
            raise ValueError(f"finding id {text!r} is ambiguous: it starts {shown}")
        return rows[0]["id"] if rows else text

    def get_finding(self, finding_id: str) -> Finding | None:
        found = self._select("WHERE id = ?", [finding_id])
        return found[0] if found else None

    def list_findings(
        self,
        status: str | list[str] | None = None,
        source_key: str | None = None,
        question_id: str | None = None,
        run_id: str | None = None,
    ) -> list[Finding]:
        """Findings matching every given filter, in the order they were first saved."""
        clauses: list[str] = []
        params: list[Any] = []
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            clauses.append("status IN (SELECT value FROM json_each(?))")
            params.append(_dumps([FindingStatus(s).value for s in statuses]))
        for column, value in (
            ("source_key", source_key),
            ("question_id", question_id),
            ("run_id", run_id),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._select(where, params)

    def find_cached(self, cache_key: str) -> Finding | None:
        """Most recent non-failed finding drafted under this cache key."""
        if not cache_key:
            return None
        found = self._select(
            "WHERE cache_key = ? AND status != ?",
            [cache_key, FindingStatus.failed.value],
            order="ORDER BY created_at DESC, rowid DESC LIMIT 1",
        )
        return found[0] if found else None

    def mark_used(self, finding_ids: Iterable[str]) -> None:
        """Record that a run reused these drafts, which makes them current again."""
        ids = list(finding_ids)
        if not ids:
            return
        with write_tx(self.conn):
            self.conn.execute(
                "UPDATE findings SET used_at = ? WHERE id IN (SELECT value FROM json_each(?))",
                (utcnow(), _dumps(ids)),
            )

    def latest_by_source(self, source_key: str, question_id: str) -> Finding | None:
        """Most recent finding (any status) for one question from one source, for resuming."""
        found = self._select(
            "WHERE source_key = ? AND question_id = ?",
            [source_key, question_id],
            order="ORDER BY created_at DESC, rowid DESC LIMIT 1",
        )
        return found[0] if found else None

    def mark_stale(self, doc_sha256s: Iterable[str], names: dict[str, str] | None = None) -> int:
        """Mark findings whose evidence came from these documents stale; returns how many.

        `names` (sha256 -> file) are recorded in the finding's provenance (`stale_because`) so
        the flag can say which document changed.
        """
        hashes = sorted({h for h in doc_sha256s if h})
        because = sorted({(names or {}).get(h, h[:12]) for h in hashes})
        if not hashes:
            return 0
        wanted = _dumps(hashes)
        with write_tx(self.conn):
            rows = self.conn.execute(
                "SELECT id, flags, provenance FROM findings f WHERE status NOT IN (?, ?, ?) AND ("
                " EXISTS (SELECT 1 FROM citations c WHERE c.finding_id = f.id"
                "   AND c.doc_sha256 IN (SELECT value FROM json_each(?)))"
                " OR EXISTS (SELECT 1 FROM json_each(f.provenance, '$.doc_sha256s') p"
                "   WHERE p.value IN (SELECT value FROM json_each(?))))",
                (
                    FindingStatus.rejected.value,
                    FindingStatus.stale.value,
                    FindingStatus.failed.value,
                    wanted,
                    wanted,
                ),
            ).fetchall()
            now = utcnow()
            for row in rows:
                flags = list(json.loads(row["flags"]))
                if Flag.stale_source.value not in flags:
                    flags.append(Flag.stale_source.value)
                provenance = json.loads(row["provenance"])
                provenance["stale_because"] = sorted(
                    {*provenance.get("stale_because", []), *because}
                )
                self.conn.execute(
                    "UPDATE findings SET status = ?, flags = ?, provenance = ?, updated_at = ? "
                    "WHERE id = ?",
                    (FindingStatus.stale.value, _dumps(flags), _dumps(provenance), now, row["id"]),
                )
        return len(rows)

    def _select(self, where: str, params: list[Any], order: str = "") -> list[Finding]:
        order = order or "ORDER BY created_at, rowid"
        with read_tx(self.conn):
            rows = self.conn.execute(f"SELECT * FROM findings {where} {order}", params).fetchall()
            if not rows:
                return []
            ids = [r["id"] for r in rows]
            cites: dict[str, list[Citation]] = {i: [] for i in ids}
            for c in self.conn.execute(
                "SELECT * FROM citations WHERE finding_id IN (SELECT value FROM json_each(?)) "
                "ORDER BY finding_id, position",
                (_dumps(ids),),
            ):
                cites[c["finding_id"]].append(_row_to_citation(c))
        return [_row_to_finding(r, cites[r["id"]]) for r in rows]

    # decisions ------------------------------------------------------------------------------

    def decide(
        self,
        finding_id: str,
        reviewer: str,
        action: DecisionAction,
        reason_code: RejectReason | None = None,
        note: str = "",
        verdict: Verdict | None = None,
        rationale: str | None = None,
        expected_status: FindingStatus | str | None = None,
    ) -> Decision:
        """Record one reviewer decision and apply it to the finding, durably, in one transaction.

        Refused, with nothing recorded: approving what is already approved, rejecting what is
        already rejected, approving a draft that failed (it holds an error, not an answer), and
        (with `expected_status`, the status the reviewer was shown) deciding on a finding
        someone else decided on in the meantime.
        """
        action = DecisionAction(action)
        reason = RejectReason(reason_code) if reason_code is not None else None
        new_verdict = Verdict(verdict) if verdict is not None else None
        if not reviewer.strip():
            raise ValueError("a decision needs a reviewer name")
        if action is DecisionAction.reject and reason is None:
            valid = ", ".join(r.value for r in RejectReason)
            raise ValueError(f"reject needs a reason code (one of: {valid})")
        if action is DecisionAction.edit and new_verdict is None and rationale is None:
            raise ValueError("edit needs a new verdict and/or rationale")

        with write_tx(self.conn):
            row = self.conn.execute(
                "SELECT status, verdict, rationale FROM findings WHERE id = ?", (finding_id,)
            ).fetchone()
            if row is None:
                raise ValueError(f"{db_file(self.conn)}: no finding with id {finding_id!r}")
            last = self.conn.execute(
                "SELECT seq, hash FROM decisions ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            last_seq, last_hash = (last["seq"], last["hash"]) if last else (0, "")
            count, head = self._meta_head()
            if (count, head) != (last_seq, last_hash):
                # Appending would paper over a damaged log; make the damage visible instead.
                raise StoreError(
                    f"{db_file(self.conn)}: decision log does not match its recorded head "
                    f"(last row seq {last_seq}, recorded count {count}); verify the log"
                )
            before = {key: row[key] for key in DECISION_STATE}
            status = FindingStatus(row["status"])
            if expected_status is not None and status is not FindingStatus(expected_status):
                raise ValueError(
                    f"finding {finding_id} is now {status.value}, not "
                    f"{FindingStatus(expected_status).value} as shown: someone else decided on "
                    "it; look at it again"
                )
            if action is DecisionAction.approve and status is FindingStatus.failed:
                raise ValueError(
                    f"finding {finding_id} failed to draft, so there is no answer to approve; "
                    "re-draft it, or edit it to give your own verdict"
                )
            if (action, status) in (
                (DecisionAction.approve, FindingStatus.approved),
                (DecisionAction.reject, FindingStatus.rejected),
            ):
                raise ValueError(
                    f"finding {finding_id} is already {status.value}; nothing recorded"
                    + (
                        " (undo first to give another reason)"
                        if status is FindingStatus.rejected
                        else ""
                    )
                )
            after: dict[str, Any]
            if action is DecisionAction.approve:
                after = {**before, "status": FindingStatus.approved.value}
            elif action is DecisionAction.reject:
                after = {**before, "status": FindingStatus.rejected.value}
            elif action is DecisionAction.edit:
                after = {
                    "status": FindingStatus.edited.value,
                    "verdict": new_verdict.value if new_verdict else before["verdict"],
                    "rationale": rationale if rationale is not None else before["rationale"],
                }
            else:
                target = self._undo_target(finding_id)
                if target is None:
                    raise ValueError(f"nothing to undo for finding {finding_id!r}")
                after = {key: target.before[key] for key in DECISION_STATE}
                after["undoes"] = target.seq

            fields: dict[str, Any] = {
                "seq": last_seq + 1,
                "finding_id": finding_id,
                "reviewer": reviewer,
                "action": action.value,
                "reason_code": reason.value if reason else None,
                "note": note,
                "before": before,
                "after": after,
                "at": utcnow(),
                "prev_hash": last_hash,
            }
            fields["hash"] = decision_hash(fields)
            self.conn.execute(
                'INSERT INTO decisions (seq, finding_id, reviewer, action, reason_code, note, "before", '
                '"after", at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
                (
                    fields["seq"],
                    finding_id,
                    reviewer,
                    fields["action"],
                    fields["reason_code"],
                    note,
                    _dumps(before),
                    _dumps(after),
                    fields["at"],
                    fields["prev_hash"],
                    fields["hash"],
                ),
            )
            self.conn.execute(
                "UPDATE findings SET status = ?, verdict = ?, rationale = ?, updated_at = ? "
                "WHERE id = ?",
                (after["status"], after["verdict"], after["rationale"], fields["at"], finding_id),
            )
            self.conn.executemany(
                "UPDATE meta SET value = ? WHERE key = ?",
                [(fields["hash"], "chain_head"), (str(fields["seq"]), "chain_count")],
            )
        return Decision(**fields)

    def _undo_target(self, finding_id: str) -> Decision | None:
        """The finding's most recent decision that is not an undo and has not been undone."""
        return decision_in_effect(self.decisions(finding_id))

    def decisions(self, finding_id: str | None = None) -> list[Decision]:
        """Decision rows in log order, for one finding or all."""
        if finding_id is None:
            rows = self.conn.execute("SELECT * FROM decisions ORDER BY seq").fetchall()
        else:
            rows = self.conn.execute(
                "SELECT * FROM decisions WHERE finding_id = ? ORDER BY seq", (finding_id,)
            ).fetchall()
        return [_row_to_decision(r) for r in rows]

    def _meta_head(self) -> tuple[int, str]:
        values = {
            r["key"]: r["value"]
            for r in self.conn.execute(
                "SELECT key, value FROM meta WHERE key IN ('chain_count', 'chain_head')"
            )
        }
        try:
            count = int(values.get("chain_count", "0"))
        except ValueError:
            count = -1  # unreadable: never equal to a real count, so verify reports it
        return count, str(values.get("chain_head", ""))

    def chain_head(self) -> tuple[int, str]:
        """(number of decisions, hash of the last one) as recorded in meta."""
        with read_tx(self.conn):
            return self._meta_head()

    def verify_chain(self) -> ChainCheck:
        """Walk the log by seq and check every link, every hash, and the recorded head."""
        with read_tx(self.conn):
            count, head = self._meta_head()
            rows = self.conn.execute("SELECT * FROM decisions ORDER BY seq").fetchall()

        def bad(seq: int, why: str, walked: int, last: str) -> ChainCheck:
            return ChainCheck(False, walked, last, seq, f"seq {seq}: {why}")

        expected, prev = 1, ""
        for row in rows:
            seq = row["seq"]
            if seq != expected:
                return bad(
                    expected,
                    f"row missing (next row is seq {seq}); a decision was deleted",
                    expected - 1,
                    prev,
                )
            if row["prev_hash"] != prev:
                return bad(
                    seq,
                    "prev_hash does not match the previous row's hash; rows deleted or reordered",
                    seq - 1,
                    prev,
                )
            try:
                fields = {name: row[name] for name in HASHED_FIELDS}
                fields["before"] = json.loads(row["before"])
                fields["after"] = json.loads(row["after"])
                recomputed = decision_hash(fields)
            except (ValueError, TypeError):
                recomputed = ""
            if recomputed != row["hash"]:
                return bad(
                    seq, "hash does not match the row's contents; the row was edited", seq - 1, prev
                )
            prev = row["hash"]
            expected += 1

        walked = expected - 1
        if walked > count:
            return bad(
                count + 1,
                f"log has {walked} rows but only {count} were recorded; row inserted",
                walked,
                prev,
            )
        if walked < count:
            return bad(
                walked + 1,
                f"log ends at seq {walked} but {count} decisions were recorded; last rows deleted",
                walked,
                prev,
            )
        if prev != head:
            return bad(
                max(walked, 1),
                "last row's hash differs from the recorded head; the log was rewritten",
                walked,
                prev,
            )
        return ChainCheck(True, walked, prev, None, f"{walked} decisions, chain intact")


def _row_to_run(row: sqlite3.Row) -> Run:
    return Run(
        id=row["id"],
        kind=row["kind"],
        drafter=row["drafter"],
        params=json.loads(row["params"]),
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        status=row["status"],
    )


def _row_to_citation(row: sqlite3.Row) -> Citation:
    return Citation(
        label=row["label"],
        chunk_id=row["chunk_id"],
        quote=row["quote"],
        path=row["path"],
        page=row["page"],
        doc_sha256=row["doc_sha256"],
        verified=bool(row["verified"]),
        char_start=row["char_start"],
        char_end=row["char_end"],
        section=row["section"],
    )


def _row_to_finding(row: sqlite3.Row, citations: list[Citation]) -> Finding:
    return Finding(
        id=row["id"],
        run_id=row["run_id"],
        question=Question.model_validate_json(row["question"]),
        verdict=Verdict(row["verdict"]),
        rationale=row["rationale"],
        assessments=[CriterionAssessment.model_validate(a) for a in json.loads(row["assessments"])],
        citations=citations,
        confidence=row["confidence"],
        flags=json.loads(row["flags"]),
        provenance=json.loads(row["provenance"]),
        status=FindingStatus(row["status"]),
        source=json.loads(row["source"]),
        cache_key=row["cache_key"],
        created_at=row["created_at"],
        used_at=row["used_at"],
    )


def _row_to_decision(row: sqlite3.Row) -> Decision:
    return Decision(
        seq=row["seq"],
        finding_id=row["finding_id"],
        reviewer=row["reviewer"],
        action=DecisionAction(row["action"]),
        reason_code=RejectReason(row["reason_code"]) if row["reason_code"] else None,
        note=row["note"],
        before=json.loads(row["before"]),
        after=json.loads(row["after"]),
        at=row["at"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )
