"""Do the findings agree with the decision log, and do their quotes agree with the evidence?

`FindingsStore.verify_chain` proves the decision log was not rewritten; it cannot see the
findings table. Someone with write access to the SQLite file could mark a finding approved with
no decision, change an approved verdict or rationale, or put invented words in a citation. Each
finding's status, verdict and rationale must equal the `after` snapshot of its latest decision
(the one state change outside the log, `FindingsStore.mark_stale` after a cited document
changed, is allowed for); a finding with no decision must be in a state drafting leaves
(draft, stale, failed); and every verified quote must still occur in its chunk under the same
normalisation the drafting-time check used (`reviewer.text.find_quote`).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from reviewer.models import FindingStatus, Flag
from reviewer.store.db import read_tx
from reviewer.store.findings import DECISION_STATE, FindingsStore
from reviewer.text import find_quote

# States a finding can be in without any decision: as drafted, failed to draft, or made stale.
UNDECIDED = frozenset(
    {FindingStatus.draft.value, FindingStatus.stale.value, FindingStatus.failed.value}
)
# States mark_stale moves to stale (it leaves rejected, failed and stale findings alone).
STALE_FROM = frozenset(
    {FindingStatus.draft.value, FindingStatus.approved.value, FindingStatus.edited.value}
)


def check_findings(source: sqlite3.Connection | FindingsStore) -> list[str]:
    """One line per finding whose stored state or quotes disagree with the log or the evidence,
    naming the finding id and what disagrees; empty when everything agrees.

    Quotes from a document that has since been re-ingested with other content, or forgotten,
    cannot be checked (the text they came from is gone) and are not reported.
    """
    conn = source.conn if isinstance(source, FindingsStore) else source
    problems: dict[str, list[str]] = {}
    with read_tx(conn):
        latest = _latest_decisions(conn)
        findings = conn.execute(
            "SELECT id, status, verdict, rationale, flags FROM findings ORDER BY created_at, rowid"
        ).fetchall()
        for row in findings:
            found = _state_problems(row, latest.get(row["id"]))
            if found:
                problems.setdefault(row["id"], []).extend(found)
        doc_texts: dict[str, str | None] = {}
        for cit in conn.execute(
            "SELECT c.finding_id, c.label, c.chunk_id, c.quote, c.doc_sha256, "
            "k.text AS chunk_text, k.doc_sha256 AS chunk_sha256 "
            "FROM citations c LEFT JOIN chunks k ON k.id = c.chunk_id "
            "WHERE c.verified != 0 ORDER BY c.finding_id, c.position"
        ):
            problem = _citation_problem(conn, cit, doc_texts)
            if problem:
                problems.setdefault(cit["finding_id"], []).append(problem)
        orphans = conn.execute(
            "SELECT finding_id, MAX(seq) AS seq FROM decisions "
            "WHERE finding_id NOT IN (SELECT id FROM findings) GROUP BY finding_id ORDER BY seq"
        ).fetchall()
    order = [row["id"] for row in findings]
    lines = [f"finding {fid}: {'; '.join(problems[fid])}" for fid in order if fid in problems]
    lines += [
        f"finding {row['finding_id']}: decided in the log (latest decision #{row['seq']}) but "
        "missing from the findings table; it was deleted"
        for row in orphans
    ]
    return lines


def _latest_decisions(conn: sqlite3.Connection) -> dict[str, tuple[int, str, Any]]:
    """finding id -> (seq, action, parsed `after`) of its latest decision."""
    rows = conn.execute(
        'SELECT d.finding_id, d.seq, d.action, d."after" FROM decisions d '
        "JOIN (SELECT finding_id, MAX(seq) AS seq FROM decisions GROUP BY finding_id) m "
        "ON m.finding_id = d.finding_id AND m.seq = d.seq"
    ).fetchall()
    out: dict[str, tuple[int, str, Any]] = {}
    for r in rows:
        try:
            after = json.loads(r["after"])
        except (TypeError, ValueError):
            after = None
        out[r["finding_id"]] = (r["seq"], r["action"], after)
    return out


def _short(value: Any, limit: int = 60) -> str:
    text = " ".join(str(value).split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _flags(raw: str) -> list[Any]:
    try:
        flags = json.loads(raw)
    except (TypeError, ValueError):
        return []
    return flags if isinstance(flags, list) else []


def _state_problems(row: sqlite3.Row, latest: tuple[int, str, Any] | None) -> list[str]:
    status = row["status"]
    if latest is None:
        if status in UNDECIDED:
            return []
        return [f"status is {status!r} but no decision in the log made it so"]
    seq, action, after = latest
    where = f"decision #{seq} ({action})"
    if not isinstance(after, dict):
        return [f"the state {where} left cannot be read"]
    expected = {key: after.get(key) for key in DECISION_STATE}
    if (
        status == FindingStatus.stale.value
        and expected["status"] in STALE_FROM
        and Flag.stale_source.value in _flags(row["flags"])
    ):
        expected["status"] = status  # a cited document changed after the decision
    out = []
    for key in DECISION_STATE:
        if row[key] != expected[key]:
            if key == "rationale":
                out.append(f"rationale differs from the one {where} left")
            else:
                out.append(f"{key} is {row[key]!r} but {where} left {expected[key]!r}")
    return out


def _citation_problem(
    conn: sqlite3.Connection, cit: sqlite3.Row, doc_texts: dict[str, str | None]
) -> str | None:
    label, chunk_id, quote, sha = cit["label"], cit["chunk_id"], cit["quote"], cit["doc_sha256"]
    if not chunk_id or not sha:
        # Verification always fills both; a citation without them was never verified.
        return f"citation [{label}] is marked verified but names no chunk or document"
    chunk_text = cit["chunk_text"]
    if chunk_text is not None:
        if cit["chunk_sha256"] != sha:
            return (
                f"citation [{label}] says document {sha[:12]} but chunk {chunk_id} belongs to "
                f"{str(cit['chunk_sha256'])[:12]}"
            )
        if find_quote(chunk_text, quote) is not None:
            return None
    if sha not in doc_texts:
        row = conn.execute("SELECT text FROM documents WHERE sha256 = ? LIMIT 1", (sha,)).fetchone()
        doc_texts[sha] = row["text"] if row else None
    doc_text = doc_texts[sha]
    if doc_text is None:
        if chunk_text is None:
            return None  # the document changed or was forgotten since: nothing left to check
        return f"quote [{label}] {_short(quote)} is not in chunk {chunk_id}"
    # Re-chunked under new ingest settings, the quote can straddle chunks: the document decides.
    if find_quote(doc_text, quote) is not None:
        return None
    return f"quote [{label}] {_short(quote)} is not in chunk {chunk_id} nor in its document"
