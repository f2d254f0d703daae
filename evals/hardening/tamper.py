"""Tamper evidence: edit, delete, insert or reorder decision rows behind the tool's back and
check that `reviewer log verify` exits 1 naming the first bad row.

The attacker here has write access to the SQLite file: they drop the append-only triggers and
change rows directly. A forger who also recomputes every hash and the recorded head cannot be
caught from the database alone; the exported chain head (in every export) catches that one.

python -m evals.hardening.tamper
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from evals.hardening.common import run_cli
from evals.hardening.concurrency import seed_workspace

N_DECISIONS = 8
MIDDLE = 4


@dataclass
class TamperCase:
    name: str
    expected_seq: tuple[int, ...]  # acceptable first-bad seqs ("names the first bad row")
    detected: bool = False
    named_seq: int | None = None
    exit_code: int = 0
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.detected and self.named_seq in self.expected_seq


@dataclass
class TamperSummary:
    cases: list[TamperCase] = field(default_factory=list)
    trigger_blocks_update: bool = False
    trigger_blocks_delete: bool = False
    export_has_head: bool = False
    forged_rewrite_caught_by_export_head: bool = False
    clean_verify_ok: bool = False

    @property
    def detected(self) -> int:
        return sum(c.ok for c in self.cases)


def _rows(conn: sqlite3.Connection) -> list[dict[str, object]]:
    conn.row_factory = sqlite3.Row
    return [dict(r) for r in conn.execute("SELECT * FROM decisions ORDER BY seq")]


def _insert(conn: sqlite3.Connection, row: dict[str, object]) -> None:
    cols = ", ".join(f'"{k}"' for k in row)
    conn.execute(
        f"INSERT INTO decisions ({cols}) VALUES ({', '.join('?' for _ in row)})", list(row.values())
    )


def _forge(prev: dict[str, object] | None, seq: int, note: str) -> dict[str, object]:
    """A decision row whose own hash is correct and which links to `prev`."""
    from reviewer.store.findings import decision_hash

    fields: dict[str, object] = {
        "seq": seq,
        "finding_id": "w0-f0",
        "reviewer": "mallory",
        "action": "approve",
        "reason_code": None,
        "note": note,
        "before": {"status": "draft", "verdict": "partial", "rationale": "x"},
        "after": {"status": "approved", "verdict": "partial", "rationale": "x"},
        "at": "2025-01-01T00:00:00+00:00",
        "prev_hash": prev["hash"] if prev else "",
    }
    fields["hash"] = decision_hash(fields)
    fields["before"] = json.dumps(fields["before"], sort_keys=True, separators=(",", ":"))
    fields["after"] = json.dumps(fields["after"], sort_keys=True, separators=(",", ":"))
    return fields


def _rehash_all(conn: sqlite3.Connection) -> None:
    """Recompute every hash and the recorded head: a forger who knows the scheme."""
    from reviewer.store.findings import decision_hash

    prev = ""
    rows = _rows(conn)
    for row in rows:
        fields = dict(row)
        fields["before"] = json.loads(str(row["before"]))
        fields["after"] = json.loads(str(row["after"]))
        fields["prev_hash"] = prev
        new = decision_hash(fields)
        conn.execute(
            "UPDATE decisions SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, new, row["seq"])
        )
        prev = new
    conn.execute("UPDATE meta SET value = ? WHERE key = 'chain_head'", (prev,))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'chain_count'", (str(len(rows)),))


def _swap(conn: sqlite3.Connection, a: int, b: int) -> None:
    conn.execute("UPDATE decisions SET seq = -1 WHERE seq = ?", (a,))
    conn.execute("UPDATE decisions SET seq = ? WHERE seq = ?", (a, b))
    conn.execute("UPDATE decisions SET seq = ? WHERE seq = -1", (b,))


def _insert_middle(conn: sqlite3.Connection) -> None:
    rows = _rows(conn)
    for seq in range(N_DECISIONS, MIDDLE - 1, -1):
        conn.execute("UPDATE decisions SET seq = seq + 1 WHERE seq = ?", (seq,))
    _insert(conn, _forge(rows[MIDDLE - 2], MIDDLE, "inserted"))
    conn.execute("UPDATE meta SET value = ? WHERE key = 'chain_count'", (str(N_DECISIONS + 1),))


def _append_valid(conn: sqlite3.Connection) -> None:
    rows = _rows(conn)
    _insert(conn, _forge(rows[-1], N_DECISIONS + 1, "appended"))


Tamper = Callable[[sqlite3.Connection], object]

CASES: list[tuple[str, tuple[int, ...], Tamper]] = [
    ("edit note", (MIDDLE,), lambda c: c.execute("UPDATE decisions SET note='x' WHERE seq=4")),
    (
        "edit action",
        (MIDDLE,),
        lambda c: c.execute(
            "UPDATE decisions SET action = CASE action WHEN 'approve' THEN 'reject' ELSE 'approve' END "
            "WHERE seq=4"
        ),
    ),
    (
        "edit reviewer",
        (MIDDLE,),
        lambda c: c.execute("UPDATE decisions SET reviewer='eve' WHERE seq=4"),
    ),
    (
        "edit after",
        (MIDDLE,),
        lambda c: c.execute(
            'UPDATE decisions SET "after"=replace("after", \'"status":"\', \'"status":"un\') WHERE seq=4'
        ),
    ),
    (
        "edit time",
        (MIDDLE,),
        lambda c: c.execute("UPDATE decisions SET at='2020-01-01T00:00:00+00:00' WHERE seq=4"),
    ),
    ("edit first row", (1,), lambda c: c.execute("UPDATE decisions SET note='x' WHERE seq=1")),
    (
        "edit last row",
        (N_DECISIONS,),
        lambda c: c.execute("UPDATE decisions SET note='x' WHERE seq=8"),
    ),
    (
        "edit hash",
        (MIDDLE,),
        lambda c: c.execute("UPDATE decisions SET hash=substr(hash,2)||'0' WHERE seq=4"),
    ),
    ("delete middle row", (MIDDLE,), lambda c: c.execute("DELETE FROM decisions WHERE seq=4")),
    ("delete first row", (1,), lambda c: c.execute("DELETE FROM decisions WHERE seq=1")),
    ("delete last row", (N_DECISIONS,), lambda c: c.execute("DELETE FROM decisions WHERE seq=8")),
    (
        "delete middle row and renumber",
        (MIDDLE,),
        lambda c: (
            c.execute("DELETE FROM decisions WHERE seq=4"),
            c.execute("UPDATE decisions SET seq = seq - 1 WHERE seq > 4"),
        ),
    ),
    ("insert row in the middle", (MIDDLE, MIDDLE + 1), _insert_middle),
    ("append a well-formed row", (N_DECISIONS + 1,), _append_valid),
    ("reorder two rows", (MIDDLE - 1, MIDDLE), lambda c: _swap(c, MIDDLE - 1, MIDDLE)),
    (
        "edit recorded head",
        (N_DECISIONS,),
        lambda c: c.execute("UPDATE meta SET value='00' WHERE key='chain_head'"),
    ),
    (
        "edit row and rehash the rest",
        (MIDDLE, N_DECISIONS),
        lambda c: _edit_and_rehash(c),
    ),
]


def _edit_and_rehash(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE decisions SET note='x' WHERE seq=4")
    _rehash_from_row_only(conn)


def _rehash_from_row_only(conn: sqlite3.Connection) -> None:
    """Recompute hashes but leave the recorded head alone."""
    head = conn.execute("SELECT value FROM meta WHERE key='chain_head'").fetchone()[0]
    _rehash_all(conn)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'chain_head'", (head,))


def _snapshot(conn: sqlite3.Connection) -> list[object]:
    return [
        *conn.execute("SELECT * FROM decisions ORDER BY seq").fetchall(),
        *conn.execute("SELECT * FROM meta ORDER BY key").fetchall(),
    ]


def _open_raw(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("DROP TRIGGER IF EXISTS decisions_no_update")
    conn.execute("DROP TRIGGER IF EXISTS decisions_no_delete")
    return conn


def build_base(root: Path) -> Path:
    from reviewer.workspace import Workspace

    ws_dir = root / "base"
    seed_workspace(ws_dir, 2)
    ws = Workspace.open(ws_dir)
    actions = ["approve", "edit", "undo", "reject"]
    for i in range(N_DECISIONS):
        fid = f"w{i % 2}-f{i % 3}"
        a = actions[i % 4]
        if a == "reject":
            ws.decide(fid, a, reason="wrong_verdict", reviewer="alice")
        elif a == "edit":
            ws.decide(fid, a, verdict="nonconformity", rationale="edited", reviewer="alice")
        elif a == "undo":
            ws.decide(f"w{(i - 1) % 2}-f{(i - 1) % 3}", a, reviewer="alice")
        else:
            ws.decide(fid, a, reviewer="alice")
    ws.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ws.close()
    return ws_dir


def run_tamper(workdir: Path | None = None) -> TamperSummary:
    tmp = tempfile.TemporaryDirectory(prefix="tamper-")
    root = Path(workdir or tmp.name)
    base = build_base(root)
    s = TamperSummary()
    s.clean_verify_ok = run_cli(["log", "verify"], base).code == 0

    # guard rails: the triggers refuse plain UPDATE/DELETE
    conn = sqlite3.connect(base / "reviewer.db")
    for sql, attr in (
        ("UPDATE decisions SET note='x' WHERE seq=1", "trigger_blocks_update"),
        ("DELETE FROM decisions WHERE seq=1", "trigger_blocks_delete"),
    ):
        try:
            conn.execute(sql)
            conn.rollback()
        except sqlite3.DatabaseError as exc:
            setattr(s, attr, "append-only" in str(exc))
    conn.close()

    # exports carry the head
    out = root / "export.json"
    res = run_cli(["export", "--format", "json", "--out", str(out)], base)
    exported_head = ""
    if res.code == 0 and out.exists():
        data = json.loads(out.read_text(encoding="utf-8"))
        exported_head = str(data.get("decision_log", {}).get("head", ""))
        verify = run_cli(["log", "verify", "--json"], base)
        s.export_has_head = (
            bool(exported_head) and exported_head == json.loads(verify.stdout)["head"]
        )

    for name, expected, tamper in CASES:
        case = TamperCase(name, expected)
        ws_dir = root / re.sub(r"\W+", "-", name)
        shutil.copytree(base, ws_dir)
        conn = _open_raw(ws_dir / "reviewer.db")
        before = _snapshot(conn)
        tamper(conn)
        changed = _snapshot(conn) != before
        conn.execute("COMMIT")
        conn.close()
        if not changed:  # a no-op tamper would prove nothing
            case.message = "tamper changed nothing (harness bug)"
            s.cases.append(case)
            continue
        res = run_cli(["log", "verify"], ws_dir)
        case.exit_code = res.code
        case.message = " ".join(res.stderr.split())[:200]
        case.detected = res.code == 1
        m = re.search(r"first bad row #(\d+)", res.stderr)
        case.named_seq = int(m.group(1)) if m else None
        s.cases.append(case)

    # a forger who rewrites every hash and the head passes verify; the exported head does not match
    ws_dir = root / "forged"
    shutil.copytree(base, ws_dir)
    conn = _open_raw(ws_dir / "reviewer.db")
    conn.execute("UPDATE decisions SET note='rewritten' WHERE seq=2")
    _rehash_all(conn)
    conn.execute("COMMIT")
    conn.close()
    verify = run_cli(["log", "verify", "--json"], ws_dir)
    head_now = json.loads(verify.stdout)["head"] if verify.stdout.strip() else ""
    s.forged_rewrite_caught_by_export_head = bool(exported_head) and head_now != exported_head
    tmp.cleanup()
    return s


def main() -> None:
    s = run_tamper()
    print(json.dumps({**asdict(s), "detected": s.detected}, indent=2))


if __name__ == "__main__":
    main()
