"""SQLite connection, explicit transactions and numbered schema migrations.

One database file per workspace holds documents, chunks, runs, findings and the hash-chained
decision log. WAL lets the TUI read while a batch writes; `write_tx` serialises writers with
BEGIN IMMEDIATE plus a bounded retry so that "database is locked" never reaches a user.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reviewer.fileio import writable
from reviewer.models import utcnow


class StoreError(RuntimeError):
    """The database could not be opened, migrated or written; the message names the file."""


# Retry budget for BEGIN IMMEDIATE beyond SQLite's own busy_timeout wait (which comes first).
BUSY_TIMEOUT_MS = 30_000
BEGIN_ATTEMPTS = 8
BACKOFF_FIRST_S = 0.05
BACKOFF_MAX_S = 2.0

_SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta (key, value) VALUES ('chain_head', ''), ('chain_count', '0');

CREATE TABLE documents (id TEXT PRIMARY KEY, path TEXT NOT NULL, source_path TEXT NOT NULL, sha256 TEXT NOT NULL,
  doc_type TEXT NOT NULL, title TEXT NOT NULL, pages INTEGER, n_chunks INTEGER NOT NULL DEFAULT 0, size_bytes INTEGER NOT NULL DEFAULT 0,
  metadata TEXT NOT NULL DEFAULT '{}', ingested_at TEXT NOT NULL, text TEXT NOT NULL DEFAULT '', page_spans TEXT NOT NULL DEFAULT '[]',
  flags TEXT NOT NULL DEFAULT '[]');
CREATE TABLE chunks (id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE, doc_sha256 TEXT NOT NULL,
  path TEXT NOT NULL, ordinal INTEGER NOT NULL, page INTEGER, char_start INTEGER NOT NULL, char_end INTEGER NOT NULL,
  heading_path TEXT NOT NULL DEFAULT '[]', doc_type TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX chunks_doc ON chunks(doc_id);

CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  drafter TEXT NOT NULL,
  params TEXT NOT NULL DEFAULT '{}',
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL DEFAULT 'running'
);

CREATE TABLE findings (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL DEFAULT '',
  question_id TEXT NOT NULL,
  question TEXT NOT NULL,
  verdict TEXT NOT NULL,
  rationale TEXT NOT NULL DEFAULT '',
  assessments TEXT NOT NULL DEFAULT '[]',
  confidence REAL NOT NULL DEFAULT 0,
  flags TEXT NOT NULL DEFAULT '[]',
  provenance TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'draft',
  source TEXT NOT NULL DEFAULT '{}',
  source_key TEXT NOT NULL DEFAULT '',
  cache_key TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX findings_status ON findings(status);
CREATE INDEX findings_question ON findings(question_id);
CREATE INDEX findings_source ON findings(source_key, question_id);
CREATE INDEX findings_cache ON findings(cache_key);
CREATE INDEX findings_run ON findings(run_id);

CREATE TABLE citations (
  finding_id TEXT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  label TEXT NOT NULL,
  chunk_id TEXT NOT NULL,
  quote TEXT NOT NULL,
  path TEXT NOT NULL DEFAULT '',
  page INTEGER,
  doc_sha256 TEXT NOT NULL DEFAULT '',
  verified INTEGER NOT NULL DEFAULT 0,
  char_start INTEGER,
  char_end INTEGER,
  PRIMARY KEY (finding_id, position)
);
CREATE INDEX citations_doc ON citations(doc_sha256);

-- No foreign key to findings: the log must outlive anything that happens to a finding row.
CREATE TABLE decisions (
  seq INTEGER PRIMARY KEY,
  finding_id TEXT NOT NULL,
  reviewer TEXT NOT NULL,
  action TEXT NOT NULL,
  reason_code TEXT,
  note TEXT NOT NULL DEFAULT '',
  "before" TEXT NOT NULL DEFAULT '{}',
  "after" TEXT NOT NULL DEFAULT '{}',
  at TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX decisions_finding ON decisions(finding_id);
-- Guard rails against accidental edits; deliberate tampering is caught by the hash chain.
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
"""

# How each document was turned into chunks (loader/chunker version and chunk settings); a
# document stored under another recipe is re-processed on re-ingest, not skipped as unchanged.
_SCHEMA_V2 = """
ALTER TABLE documents ADD COLUMN recipe TEXT NOT NULL DEFAULT '';
"""

# When a run last reused a stored draft instead of drafting again: the current finding of a
# question is the one the latest run drafted or reused, not merely the newest row.
_SCHEMA_V3 = """
ALTER TABLE findings ADD COLUMN used_at TEXT NOT NULL DEFAULT '';
"""

# The headings above a cited quote, so a DOCX, Markdown or HTML citation says where it is.
_SCHEMA_V4 = """
ALTER TABLE citations ADD COLUMN section TEXT NOT NULL DEFAULT '';
"""

MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "initial schema", _SCHEMA_V1),
    (2, "documents.recipe", _SCHEMA_V2),
    (3, "findings.used_at", _SCHEMA_V3),
    (4, "citations.section", _SCHEMA_V4),
]


class _Connection(sqlite3.Connection):
    """A connection that remembers its file and serialises transactions across threads."""

    db_path: str
    tx_lock: threading.RLock
    read_only: bool = False


def db_file(conn: sqlite3.Connection) -> str:
    """The database file behind `conn`, for error messages."""
    path = getattr(conn, "db_path", None)
    if path:
        return str(path)
    try:
        for row in conn.execute("PRAGMA database_list"):
            if row[1] == "main":
                return str(row[2]) or ":memory:"
    except sqlite3.Error:
        pass
    return "<database>"


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _backoff(attempt: int) -> float:
    """Exponential backoff with jitter, so contending processes do not retry in lockstep."""
    delay = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * (2**attempt))
    return delay * (0.5 + random.random())


def _lock(conn: sqlite3.Connection) -> contextlib.AbstractContextManager[object]:
    lock = getattr(conn, "tx_lock", None)
    return lock if lock is not None else contextlib.nullcontext()


def _begin_immediate(conn: sqlite3.Connection) -> None:
    if getattr(conn, "read_only", False):
        raise StoreError(
            f"{db_file(conn)}: the workspace is on read-only storage; this command writes to it "
            "(read commands such as findings, show, export and log verify work)"
        )
    for attempt in range(BEGIN_ATTEMPTS):
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise StoreError(f"{db_file(conn)}: cannot start a write ({exc})") from exc
            if attempt == BEGIN_ATTEMPTS - 1:
                raise StoreError(
                    f"{db_file(conn)}: database stayed locked by another writer; "
                    "close other reviewer processes and retry"
                ) from exc
            time.sleep(_backoff(attempt))


def _commit(conn: sqlite3.Connection) -> None:
    # In WAL mode COMMIT is rarely busy, but when it is the transaction is still open: retry.
    for attempt in range(BEGIN_ATTEMPTS):
        try:
            conn.execute("COMMIT")
            return
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or attempt == BEGIN_ATTEMPTS - 1:
                raise StoreError(f"{db_file(conn)}: commit failed ({exc})") from exc
            time.sleep(_backoff(attempt))


def _rollback(conn: sqlite3.Connection) -> None:
    # SQLite may already have rolled back (e.g. after SQLITE_FULL); nothing more to undo then.
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


@contextlib.contextmanager
def write_tx(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: BEGIN IMMEDIATE (retried while busy), COMMIT, or ROLLBACK on error.

    Nested use inside an open transaction becomes a SAVEPOINT.
    """
    with _lock(conn):
        if conn.in_transaction:
            name = f"sp_{threading.get_ident()}_{time.monotonic_ns()}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield conn
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
                raise
            conn.execute(f"RELEASE {name}")
            return
        _begin_immediate(conn)
        try:
            yield conn
        except BaseException:
            _rollback(conn)
            raise
        try:
            _commit(conn)
        except BaseException:
            _rollback(conn)
            raise


@contextlib.contextmanager
def read_tx(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A read snapshot: several SELECTs see one consistent state while others write."""
    with _lock(conn):
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            _rollback(conn)


def _statements(sql: str) -> Iterator[str]:
    """Split a script into complete statements (triggers included) for use inside a transaction.

    `executescript` would commit the open transaction first, so migrations run statement by
    statement instead.
    """
    buffer = ""
    for piece in sql.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            buffer = ""
            if statement.strip(";").strip():
                yield statement
    if buffer.strip(";").strip():
        yield buffer


def _create_private(path: Path) -> None:
    """Create missing parent directories (0700) and the database file (0600)."""
    missing = [p for p in (path.parent, *path.parent.parents) if not p.exists()]
    for directory in reversed(missing):
        directory.mkdir(mode=0o700, exist_ok=True)
        os.chmod(directory, 0o700)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            os.fchmod(fd, 0o600)
        finally:
            os.close(fd)


def _with_busy_retry(conn: sqlite3.Connection, sql: str) -> sqlite3.Cursor:
    """Run a statement that may briefly contend with another opener (e.g. switching to WAL)."""
    for attempt in range(BEGIN_ATTEMPTS):
        try:
            return conn.execute(sql)
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or attempt == BEGIN_ATTEMPTS - 1:
                raise
            time.sleep(_backoff(attempt))
    raise AssertionError("unreachable")


def applied_versions(conn: sqlite3.Connection) -> list[int]:
    """Schema versions recorded in schema_version, ascending."""
    rows = conn.execute("SELECT version FROM schema_version ORDER BY version").fetchall()
    return [int(r[0]) for r in rows]


def migrate(conn: sqlite3.Connection) -> list[int]:
    """Apply pending migrations, each in its own transaction; returns the versions applied now."""
    name_of_db = db_file(conn)
    _with_busy_retry(
        conn,
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    known = max((v for v, _, _ in MIGRATIONS), default=0)
    newest = max(applied_versions(conn), default=0)
    if newest > known:
        raise StoreError(
            f"{name_of_db}: schema version {newest} is newer than this reviewer knows "
            f"({known}); upgrade reviewer"
        )
    applied: list[int] = []
    for version, name, sql in sorted(MIGRATIONS):
        with write_tx(conn):
            # Re-checked under the write lock: another process may have just applied it.
            done = conn.execute(
                "SELECT 1 FROM schema_version WHERE version = ?", (version,)
            ).fetchone()
            if done:
                continue
            try:
                for statement in _statements(sql):
                    conn.execute(statement)
            except sqlite3.Error as exc:
                raise StoreError(
                    f"{name_of_db}: migration {version} ({name}) failed: {exc}"
                ) from exc
            conn.execute(
                "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, utcnow()),
            )
            applied.append(version)
    return applied


def on_read_only_storage(path: Path) -> bool:
    """The database exists but neither it nor its folder can be written (a read-only mount, a
    copy handed over without write permission): SQLite's WAL mode cannot open it as usual."""
    return path.exists() and not writable(path)


def _open(path: Path, target: str, failure: str, **options: Any) -> _Connection:
    """A connection to `target` (the file, or a URI for it) that remembers `path`, returns rows
    by name and serialises transactions across threads."""
    try:
        conn = sqlite3.connect(
            target, isolation_level=None, check_same_thread=False, factory=_Connection, **options
        )
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: {failure} ({exc})") from exc
    assert isinstance(conn, _Connection)
    conn.db_path = str(path)
    conn.tx_lock = threading.RLock()
    conn.row_factory = sqlite3.Row
    return conn


def connect_read_only(path: Path) -> sqlite3.Connection:
    """Open a workspace database on read-only storage for reading.

    WAL mode needs to create its shared-memory file beside the database, which read-only
    storage refuses, so the file is opened as immutable. That is only sound when no write is
    left in the write-ahead log (a clean close leaves none), and when the schema is current
    (no migration can run)."""
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise StoreError(
            f"{path}: the workspace is on read-only storage and its write-ahead log ({wal.name}) "
            "holds changes not yet in the database; open it once where it can be written"
        )
    conn = _open(
        path,
        f"{path.resolve().as_uri()}?mode=ro&immutable=1",
        "cannot open database read-only",
        uri=True,
    )
    conn.read_only = True
    try:
        newest = max(applied_versions(conn), default=0)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{path}: not a usable SQLite database ({exc})") from exc
    known = max((v for v, _, _ in MIGRATIONS), default=0)
    if newest != known:
        conn.close()
        older = "older" if newest < known else "newer"
        raise StoreError(
            f"{path}: the workspace is on read-only storage and was made by an {older} "
            f"reviewer (schema {newest}, this one uses {known}); open it once where it can be "
            "written"
        )
    return conn


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the workspace database, configured and fully migrated; on
    read-only storage, open it for reading only (`connect_read_only`)."""
    path = Path(path).expanduser()
    if on_read_only_storage(path):
        return connect_read_only(path)
    try:
        _create_private(path)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create database ({exc.strerror or exc})") from exc
    conn = _open(path, str(path), "cannot open database", timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = _with_busy_retry(conn, "PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{path}: cannot switch the database to WAL mode (got {mode})")
        # FULL: a decision is on disk before the screen says so, even across a power cut.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except StoreError:
        conn.close()
        raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{path}: not a usable SQLite database ({exc})") from exc
    return conn
