"""Connection setup, migrations and write transactions on real SQLite files."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest

from reviewer.store import db
from reviewer.store.db import MIGRATIONS, StoreError, connect, write_tx

NEXT = max(v for v, _, _ in MIGRATIONS) + 1  # the version a migration added by a test gets


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_connect_creates_private_dirs_and_file(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "reviewer.db"
    conn = connect(path)
    conn.execute("CREATE TABLE t (x)")  # force the WAL file into existence
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert _mode(path.parent.parent) == 0o700
    assert _mode(Path(f"{path}-wal")) == 0o600
    conn.close()


def test_connection_settings(conn: sqlite3.Connection) -> None:
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
    assert conn.execute("PRAGMA synchronous").fetchone()[0] in (1, 2)  # NORMAL or FULL
    assert conn.isolation_level is None
    assert isinstance(conn.execute("SELECT 1 AS one").fetchone(), sqlite3.Row)


def test_connection_usable_from_another_thread(conn: sqlite3.Connection) -> None:
    seen: list[int] = []
    worker = threading.Thread(target=lambda: seen.append(conn.execute("SELECT 7").fetchone()[0]))
    worker.start()
    worker.join()
    assert seen == [7]


def test_ingest_tables_have_the_agreed_columns(conn: sqlite3.Connection) -> None:
    def columns(table: str) -> list[str]:
        return [r["name"] for r in conn.execute(f"PRAGMA table_info({table})")]

    assert columns("documents") == [
        "id", "path", "source_path", "sha256", "doc_type", "title", "pages", "n_chunks",
        "size_bytes", "metadata", "ingested_at", "text", "page_spans", "flags", "recipe",
    ]  # fmt: skip
    assert columns("chunks") == [
        "id", "doc_id", "doc_sha256", "path", "ordinal", "page", "char_start", "char_end",
        "heading_path", "doc_type", "text",
    ]  # fmt: skip
    conn.execute(
        "INSERT INTO documents (id, path, source_path, sha256, doc_type, title, ingested_at) "
        "VALUES ('d1', 'p.md', '/x/p.md', 'h', 'policy', 'P', 'now')"
    )
    conn.execute(
        "INSERT INTO chunks (id, doc_id, doc_sha256, path, ordinal, char_start, char_end, "
        "doc_type, text) VALUES ('c1', 'd1', 'h', 'p.md', 0, 0, 4, 'policy', 'text')"
    )
    conn.execute("DELETE FROM documents WHERE id = 'd1'")
    # ON DELETE CASCADE only works with foreign_keys=ON.
    assert conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == 0


def test_migrations_are_idempotent_on_reopen(db_path: Path) -> None:
    first = connect(db_path)
    recorded = [tuple(r) for r in first.execute("SELECT * FROM schema_version")]
    schema = first.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    first.close()
    assert [r[0] for r in recorded] == [v for v, _, _ in MIGRATIONS]

    again = connect(db_path)
    assert [tuple(r) for r in again.execute("SELECT * FROM schema_version")] == recorded
    assert again.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
    assert db.migrate(again) == []
    again.close()


def test_new_migration_is_applied_on_reopen(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    connect(db_path).close()
    current = [v for v, _, _ in MIGRATIONS]
    extra = (NEXT, "add notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);")
    monkeypatch.setattr(db, "MIGRATIONS", [*MIGRATIONS, extra])
    conn = connect(db_path)
    assert db.applied_versions(conn) == [*current, NEXT]
    conn.execute("INSERT INTO notes (body) VALUES ('x')")
    conn.close()


def test_failed_migration_rolls_back_and_names_the_file(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    connect(db_path).close()
    broken = (NEXT, "broken", "CREATE TABLE half (id INTEGER); INSERT INTO nowhere VALUES (1);")
    monkeypatch.setattr(db, "MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(StoreError) as err:
        connect(db_path)
    message = str(err.value)
    assert str(db_path) in message and f"migration {NEXT}" in message and "\n" not in message

    monkeypatch.setattr(db, "MIGRATIONS", MIGRATIONS)
    conn = connect(db_path)
    assert db.applied_versions(conn) == [v for v, _, _ in MIGRATIONS]
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "half" not in names  # the migration's first statement was rolled back too
    conn.close()


def test_database_from_a_newer_version_is_refused(db_path: Path) -> None:
    conn = connect(db_path)
    conn.execute("INSERT INTO schema_version VALUES (99, 'future', 'now')")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        connect(db_path)


def test_not_a_database_gives_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is plainly not SQLite\n" * 200)
    with pytest.raises(StoreError) as err:
        connect(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_concurrent_first_open_migrates_once(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def opener() -> None:
        try:
            start.wait()
            connect(path).close()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    conn = connect(path)
    assert db.applied_versions(conn) == [v for v, _, _ in MIGRATIONS]
    conn.close()


def test_write_tx_commits_and_rolls_back(conn: sqlite3.Connection, db_path: Path) -> None:
    conn.execute("CREATE TABLE t (x INTEGER)")
    with write_tx(conn):
        conn.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(RuntimeError, match="boom"), write_tx(conn):
        conn.execute("INSERT INTO t VALUES (2)")
        raise RuntimeError("boom")
    assert not conn.in_transaction
    other = sqlite3.connect(db_path)
    assert other.execute("SELECT x FROM t").fetchall() == [(1,)]
    other.close()


def test_nested_write_tx_is_a_savepoint(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE t (x INTEGER)")
    with write_tx(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(ValueError), write_tx(conn):
            conn.execute("INSERT INTO t VALUES (2)")
            raise ValueError("inner fails")
        conn.execute("INSERT INTO t VALUES (3)")
    assert [r[0] for r in conn.execute("SELECT x FROM t ORDER BY x")] == [1, 3]


def _hold_write_lock(path: Path, seconds: float, held: threading.Event) -> threading.Thread:
    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        held.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    return thread


def test_write_tx_retries_while_another_writer_holds_the_lock(
    conn: sqlite3.Connection, db_path: Path
) -> None:
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.execute("PRAGMA busy_timeout = 0")  # make SQLite fail fast so our retry loop does the work
    held = threading.Event()
    holder = _hold_write_lock(db_path, 0.4, held)
    held.wait()
    started = time.monotonic()
    with write_tx(conn):
        conn.execute("INSERT INTO t VALUES (1)")
    holder.join()
    assert time.monotonic() - started >= 0.3
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 1


def test_write_tx_gives_up_with_a_store_error(
    conn: sqlite3.Connection, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "BEGIN_ATTEMPTS", 2)
    monkeypatch.setattr(db, "BACKOFF_FIRST_S", 0.01)
    conn.execute("PRAGMA busy_timeout = 0")
    held = threading.Event()
    holder = _hold_write_lock(db_path, 0.5, held)
    held.wait()
    with pytest.raises(StoreError) as err, write_tx(conn):
        pass
    holder.join()
    assert str(db_path) in str(err.value) and "locked" in str(err.value)
    assert not conn.in_transaction


def test_decision_rows_refuse_update_and_delete(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO decisions (seq, finding_id, reviewer, action, at, prev_hash, hash) "
        "VALUES (1, 'f1', 'ann', 'approve', 'now', '', 'h')"
    )
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE decisions SET note = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM decisions")


def _closed_db(path: Path) -> None:
    """A workspace database with one row, closed cleanly (the WAL checkpointed away)."""
    conn = connect(path)
    with write_tx(conn):
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
    conn.close()


def test_read_only_open_reads_and_refuses_writes_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "reviewer.db"
    _closed_db(path)
    conn = db.connect_read_only(path)
    assert conn.execute("SELECT x FROM t").fetchone()[0] == 1
    refused = pytest.raises(StoreError, match="read-only storage; this command writes to it")
    with refused, write_tx(conn):
        conn.execute("INSERT INTO t VALUES (2)")
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
    conn.close()


def test_read_only_open_refuses_unsaved_wal_and_an_old_schema(tmp_path: Path) -> None:
    path = tmp_path / "reviewer.db"
    _closed_db(path)
    Path(f"{path}-wal").write_bytes(b"\0" * 64)  # a writer died before the checkpoint
    with pytest.raises(StoreError, match="write-ahead log .* holds changes"):
        db.connect_read_only(path)
    Path(f"{path}-wal").unlink()
    plain = sqlite3.connect(path)
    plain.execute("DELETE FROM schema_version WHERE version = ?", (NEXT - 1,))
    plain.commit()
    plain.close()
    with pytest.raises(StoreError, match="made by an older reviewer"):
        db.connect_read_only(path)


def test_connect_opens_read_only_when_the_folder_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "reviewer.db"
    _closed_db(path)
    real_access = os.access
    monkeypatch.setattr(
        db.os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode)
    )
    conn = connect(path)
    assert getattr(conn, "read_only", False)
    conn.close()
