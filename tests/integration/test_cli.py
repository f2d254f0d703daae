"""The CLI as a user runs it: JSON outputs, exit codes and one-line errors."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewer.cli import app
from reviewer.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    names = [c.name or c.callback.__name__ for c in app.registered_commands]  # type: ignore[union-attr]
    names += [g.name for g in app.registered_groups if g.name]
    assert {"ingest", "review", "tui", "batch", "export", "eval", "decide"} <= set(names)
    for name in names:
        code, out, _ = run(name, "--help")
        assert code == 0 and "Usage" in out, name
        assert re.search(rf"reviewer (?:-w \S+ |--workspace \S+ )?{name}\b", readme), (
            f"{name} missing from README"
        )


def test_version_and_short_help() -> None:
    code, out, _ = run("--version")
    assert code == 0 and re.fullmatch(r"reviewer \d+\.\d+\.\d+\S*\n", out)
    code, out, _ = run("-h")
    assert code == 0 and "Usage" in out


def test_banks_lists_both_banks_with_counts() -> None:
    code, out, _ = run("banks", "--json")
    banks = {b["name"]: b["questions"] for b in json.loads(out)}
    assert code == 0 and banks["iso42001"] == 38 and banks["iso27001-ai"] >= 32


def test_errors_are_one_line(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    # only ingest (and demo) create a workspace: a mistyped path is an error, not an empty one
    code, _, err = run("-w", ws, "log", "verify")
    assert code == 1 and "no workspace here" in err and not Path(ws).exists()
    (tmp_path / "afile").write_text("x")
    code, _, err = run("-w", str(tmp_path / "afile"), "docs")
    assert code == 1 and "is a file, not a folder" in err
    created = Workspace.open(ws)
    assert created.documents() == []  # opens (creates) the database
    created.close()
    code, _, err = run("-w", ws, "review", "--bank", "iso27001-ai")
    assert code == 1 and "no documents" in err and len(err.strip().splitlines()) == 1
    code, _, err = run("banks", "show", "nope")
    assert code == 1 and "iso42001" in err and "Traceback" not in err
    code, _, err = run("-w", ws, "decide", "missing", "approve")
    assert code == 1 and "missing" in err and "Traceback" not in err
    code, _, err = run("-w", ws, "ingest", str(tmp_path / "nowhere.pdf"))
    assert code == 1 and "nowhere.pdf" in err
    code, _, err = run("-w", ws, "decide", "missing", "frobnicate")
    assert code == 1 and "choose one of approve, reject, edit, undo" in err
    code, _, err = run("-w", ws, "review", "--bank", "iso42001", "--question", "Why?")
    assert code == 2 and "not both" in err
    code, _, err = run("-w", ws, "search", "  ")
    assert code == 1 and "search text is empty" in err
    code, _, err = run("-w", ws, "search", "training data", "-k", "0")
    assert code == 1 and "-k must be at least 1" in err


def test_config_shows_effective_settings_and_the_auto_drafter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.startswith("REVIEWER_")]:
        monkeypatch.delenv(key)
    code, out, _ = run("config", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["files"] == [] and shown["auto_drafter"] == "extractive"
    (tmp_path / "reviewer.toml").write_text('[llm]\nbackend = "ollama"\nmodel = "llama3.2"\n')
    code, out, _ = run("config")
    assert code == 0 and "reviewer.toml" in out and "llama3.2" in out
    assert "drafts with: ollama" in out
    (tmp_path / "reviewer.toml").write_text("[llm\n")
    code, _, err = run("config")
    assert code == 1 and "reviewer.toml" in err and "invalid TOML" in err


@pytest.mark.slow
def test_review_decide_verify_and_tamper(demo_ws: Workspace, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    src, dst = sqlite3.connect(demo_ws.db_path), sqlite3.connect(ws / "reviewer.db")
    src.backup(dst)
    src.close()
    dst.close()
    code, out, _ = run("-w", str(ws), "findings", "--json")
    findings = json.loads(out)
    assert code == 0 and findings
    code, out, _ = run("-w", str(ws), "findings", "--verdict", "contradicted", "--json")
    expected = [f["id"] for f in findings if f["verdict"] == "nonconformity"]
    assert code == 0 and [f["id"] for f in json.loads(out)] == expected and expected
    code, _, err = run("-w", str(ws), "tui", "--family", "A.99")
    assert code == 1 and "no findings match family=A.99" in err  # refused before the screen
    code, out, _ = run("-w", str(ws), "findings", "--control", "A.15.1", "--json")
    expected = [
        f["id"]
        for f in findings
        if any(r["control"].startswith("A.15.1.") for r in f["question"]["refs"])
    ]
    assert code == 0 and [f["id"] for f in json.loads(out)] == expected and expected
    # The shared demo workspace may already hold decisions from other tests: count from here.
    approved_before = [f["id"] for f in findings if f["status"] == "approved"]
    decisions_before = demo_ws.findings.chain_head()[0]
    fid = next(f["id"] for f in findings if f["status"] == "draft" and not f["flags"])
    # The table prints ids shortened; the printed prefix is accepted back by show and decide.
    code, out, _ = run("-w", str(ws), "findings")
    printed = next(line.split()[0] for line in out.splitlines() if fid.startswith(line[:8]))
    assert code == 0 and len(printed) < len(fid)
    code, out, _ = run("-w", str(ws), "show", printed, "--json")
    assert code == 0 and json.loads(out)["finding"]["id"] == fid
    statuses = [a["status"] for a in json.loads(out)["finding"]["assessments"]]
    code, out, _ = run("-w", str(ws), "show", printed)
    # Each criterion's status is printed in brackets ("[met]" is also Rich markup: it must show).
    assert code == 0 and statuses and all(f"[{s}]" in out for s in statuses)
    # An abstention from the real drafter carries located closest passages, shown apart.
    abst = next(f for f in findings if f["verdict"] == "insufficient_evidence")
    assert abst["citations"] == [] and abst["provenance"]["closest"]
    assert all(c["char_start"] is not None for c in abst["provenance"]["closest"])
    code, out, _ = run("-w", str(ws), "show", abst["id"])
    assert code == 0 and "closest passages (not evidence):" in out and "\n  near " in out
    code, out, _ = run("-w", str(ws), "decide", printed, "approve", "--json")
    assert (
        code == 0
        and json.loads(out)["action"] == "approve"
        and json.loads(out)["finding_id"] == fid
    )
    code, _, err = run("-w", str(ws), "decide", printed, "approve")
    assert code == 1 and "already approved; nothing recorded" in err
    code, _, err = run("-w", str(ws), "decide", printed, "undo", "--verdict", "partial")
    assert code == 1 and "--verdict does not go with undo" in err
    flagged = next(f for f in findings if f["status"] == "draft" and f["flags"])
    code, _, err = run("-w", str(ws), "decide", flagged["id"], "approve")
    assert code == 1 and "--force" in err and flagged["flags"][0] in err
    code, out, _ = run("-w", str(ws), "findings", "--status", "approved", "--json")
    assert sorted(f["id"] for f in json.loads(out)) == sorted([*approved_before, fid])
    code, out, _ = run("-w", str(ws), "log", "verify")
    assert code == 0 and out.startswith(f"ok: {decisions_before + 1} decisions")
    code, out, _ = run("-w", str(ws), "log", "list", printed, "--json")
    listed = json.loads(out)
    assert code == 0 and [(d["finding_id"], d["action"]) for d in listed] == [(fid, "approve")]
    code, out, _ = run("-w", str(ws), "log", "list")
    assert code == 0 and fid[:8] in out and "approve" in out
    # a finding changed behind the log's back: the chain is intact, the finding is not
    con = sqlite3.connect(ws / "reviewer.db")
    con.execute(
        "UPDATE findings SET verdict = CASE verdict WHEN 'conformant' THEN 'partial' "
        "ELSE 'conformant' END WHERE id = ?",
        (fid,),
    )
    con.commit()
    code, out, err = run("-w", str(ws), "log", "verify")
    assert code == 1 and out.startswith("decision chain ok, findings NOT")
    assert f"finding {fid}" in err and "verdict" in err
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
        con.execute(f"DROP TRIGGER {name}")
    con.execute("UPDATE decisions SET reviewer = 'mallory' WHERE seq = 1")
    con.commit()
    con.close()
    code, _, err = run("-w", str(ws), "log", "verify")
    assert code == 1 and "#1" in err  # the first row is the first bad one


@pytest.mark.slow
def test_eval_against_a_baseline_gates_regressions(tmp_path: Path) -> None:
    args = [
        "eval",
        "--gold",
        str(ROOT / "evals" / "gold" / "demo.jsonl"),
        "--docs",
        str(ROOT / "corpora" / "demo"),
        "--split",
        "test",
        "--workspace",
        str(tmp_path / "ws"),
    ]
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    code, _, _ = run(*args, "--out", str(first))
    assert code == 0
    code, out, _ = run(*args, "--out", str(second), "--baseline", str(first))
    assert code == 0 and "macro-F1" in out and "REGRESSED" not in out
    assert json.loads(second.read_text())["baseline"]["regressions"] == 0
    # A baseline that claims a far better macro-F1: the run fails, and its results are kept.
    better = json.loads(first.read_text())
    better["drafters"]["extractive"]["verdict"]["macro_f1"] += 0.2
    # ... and had one item right that this run gets wrong: the item is named
    wrong = next(r for r in better["items"]["extractive"] if not r["correct"])
    wrong.update(predicted=wrong["gold"], correct=True)
    (tmp_path / "better.json").write_text(json.dumps(better))
    second.unlink()
    code, out, err = run(*args, "--out", str(second), "--baseline", str(tmp_path / "better.json"))
    assert code == 1 and "REGRESSED" in out and "better.json" in err
    assert f"extractive: 1 item(s) now wrong: {wrong['id']}" in " ".join(out.split())
    assert json.loads(second.read_text())["baseline"]["regressions"] == 1
    (tmp_path / "bad.json").write_text("{}")
    code, _, err = run(*args, "--baseline", str(tmp_path / "bad.json"))
    assert code == 2 and "bad.json" in err and "not an eval --out JSON" in err
    # a gate that compares nothing must not pass
    other = json.loads(first.read_text())
    other["drafters"] = {"local": other["drafters"]["extractive"]}
    (tmp_path / "other.json").write_text(json.dumps(other))
    code, _, err = run(*args, "--baseline", str(tmp_path / "other.json"))
    assert code == 2 and "no drafter in common" in err
    # another evaluation is refused unless asked for
    moved = json.loads(first.read_text())
    moved["meta"]["retrieval"]["k"] = 3
    (tmp_path / "moved.json").write_text(json.dumps(moved))
    code, _, err = run(*args, "--baseline", str(tmp_path / "moved.json"))
    assert code == 2 and "not the same evaluation (retrieval settings: k 3 -> 10)" in err
    code, _, err = run(*args, "--baseline", str(tmp_path / "moved.json"), "--allow-different")
    assert code == 0, err
    # a gated metric this run no longer has (recall@10 not asked for)
    code, _, err = run(*args, "--k", "5", "--baseline", str(first))
    assert code == 1 and "regressed" in err
    for bad in (["--k", "0"], ["--tolerance", "-1"]):
        code, _, err = run(*args, *bad)
        assert code == 2 and bad[0] in err


def test_eval_warns_about_gold_it_cannot_check_and_names_items_in_errors(
    tmp_path: Path,
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "policy.md").write_text(
        "# Model policy\n\nEvery model version is recorded in the model registry.\n\n"
        "Training data is classified before use.\n"
    )
    item = {
        "id": "g1",
        "question": "Are model versions recorded?",
        "verdict": "conformant",
        "evidence": [{"file": "policy.md", "quote": "Every model version is recorded"}],
    }
    lines = [
        item,
        {**item, "id": "g2", "evidence": [{"file": "policy.md", "quote": "not in the file"}]},
        {**item, "id": "g3", "evidence": [{"file": "polcy.md", "quote": "Every model"}]},
        {**item, "id": "g4", "evidnce": []},
    ]
    gold = tmp_path / "gold.jsonl"
    # with a byte-order mark, as a Windows editor writes it
    gold.write_text("\ufeff" + "\n".join(json.dumps(x) for x in lines) + "\n")
    args = ["eval", "--gold", str(gold), "--docs", str(docs), "--workspace", str(tmp_path / "w")]
    code, _, err = run(*args)
    assert code == 0, err
    warned = " ".join(err.split())
    assert "item 'g2': quote not found in policy.md" in warned
    assert "item 'g3': evidence file 'polcy.md' is not in the corpus" in warned
    assert "gold.jsonl:4: unknown key(s) ignored: evidnce" in warned
    # only some items, each gold quote with the rank retrieval gave it
    out = tmp_path / "some.json"
    code, _, err = run(*args, "--ids", "g1,g2", "--out", str(out))
    assert code == 0, err
    some = json.loads(out.read_text())
    assert some["meta"]["ids"] == ["g1", "g2"] and some["drafters"]["extractive"]["n"] == 2
    if (ROOT / ".git").exists():  # the checkout's commit, so same-version runs stay apart
        assert re.fullmatch(r"[0-9a-f]{12}(\+dirty)?", some["meta"]["commit"])
    g1 = some["items"]["extractive"][0]
    assert g1["id"] == "g1" and g1["gold_quotes"][0]["retrieved_rank"] == 1
    code, _, err = run(*args, "--ids", "g1,g9")
    assert code != 0 and "no item with id 'g9'" in err
    scoped = tmp_path / "scoped.jsonl"
    scoped.write_text(json.dumps({**item, "scope": ["missing.md"]}) + "\n")
    code, _, err = run("eval", "--gold", str(scoped), *args[3:])
    assert code != 0 and "scoped.jsonl: item 'g1'" in err and "missing.md" in err


@pytest.mark.slow
def test_findings_lists_current_drafts_unless_asked_for_history(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "policy.md").write_text(
        "# Data policy\n\nTraining data is classified as Confidential before use.\n"
    )
    ws = str(tmp_path / "ws")
    assert run("-w", ws, "ingest", str(docs))[0] == 0
    question = "Is training data classified before use?"
    for extra in ([], ["--fresh"]):  # the rerun replaces the first draft; both are kept
        code, _, _ = run("-w", ws, "review", "--question", question, *extra)
        assert code == 0
    code, out, _ = run("-w", ws, "findings", "--json")
    current = json.loads(out)
    code, out, _ = run("-w", ws, "findings", "--all", "--json")
    everything = json.loads(out)
    assert len(current) == 1 and len(everything) == 2
    assert current[0]["id"] == everything[-1]["id"]  # listed in the order they were saved


def test_a_name_two_documents_share_is_refused_until_the_path_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for vendor in ("vendor-a", "vendor-b"):
        folder = tmp_path / vendor
        folder.mkdir()
        (folder / "terms.md").write_text(f"# {vendor} terms\n\nWe do not train on your data.\n")
    ws = str(tmp_path / "ws")
    for vendor in ("vendor-a", "vendor-b"):
        assert run("-w", ws, "ingest", vendor)[0] == 0
    code, _, err = run("-w", ws, "forget", "terms.md")
    assert code == 1 and "terms.md names 2 documents" in err
    assert "vendor-a/terms.md" in err and "vendor-b/terms.md" in err
    code, _, err = run("-w", ws, "review", "--question", "Is our data used?", "--scope", "terms.md")
    assert code == 1 and "names 2 documents" in err
    code, out, _ = run("-w", ws, "forget", "vendor-a/terms.md")
    assert code == 0 and out.count("forgot") == 1
    code, out, _ = run("-w", ws, "docs", "--json")
    assert [d["source_path"] for d in json.loads(out)] == [str(tmp_path / "vendor-b" / "terms.md")]


def test_reingest_names_files_gone_from_the_folder(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("keep.md", "old.md"):
        (docs / name).write_text(f"# {name}\n\nModels are versioned in the registry.\n")
    ws = str(tmp_path / "ws")
    assert run("-w", ws, "ingest", str(docs))[0] == 0
    (docs / "old.md").unlink()
    code, out, err = run("-w", ws, "ingest", str(docs))
    assert code == 0 and "gone" in err and "old.md: no longer in the folder" in err
    assert f"reviewer forget {docs / 'old.md'}" in err
    assert run("-w", ws, "forget", str(docs / "old.md"))[0] == 0
    assert "gone" not in run("-w", ws, "ingest", str(docs))[2]


def test_an_unknown_scope_records_no_run(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "policy.md").write_text("# Policy\n\nTraining data is classified before use.\n")
    ws = str(tmp_path / "ws")
    assert run("-w", ws, "ingest", str(docs))[0] == 0
    code, _, err = run("-w", ws, "review", "--question", "Is data classified?", "--scope", "x.pdf")
    assert code == 1 and "x.pdf" in err
    assert Workspace.open(ws).findings.list_runs() == []


def test_export_takes_its_format_from_the_file_name(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    created = Workspace.open(ws)
    assert created.documents() == []
    created.close()
    code, out, _ = run("-w", str(ws), "export", "--out", str(tmp_path / "r.html"))
    assert code == 0 and (tmp_path / "r.html").read_text().lstrip().lower().startswith("<!doctype")
    code, _, err = run(
        "-w", str(ws), "export", "--format", "xlsx", "--out", str(tmp_path / "r.csv")
    )
    assert code == 1 and "--format xlsx but the file name says csv" in err
    assert not (tmp_path / "r.csv").exists()
    code, _, err = run("-w", str(ws), "export", "--out", str(tmp_path / "report"))
    assert code == 1 and "say which format with --format" in err


@contextlib.contextmanager
def _read_only_copy(ws: Workspace, tmp_path: Path) -> Iterator[Path]:
    """A copy of the workspace on storage it cannot write: a tmpfs remounted read-only as root,
    else a folder without write permission."""
    plain = sqlite3.connect(ws.db_path)
    plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # what a clean close leaves
    plain.close()
    mnt = tmp_path / "ro"
    mnt.mkdir()
    mounted = os.geteuid() == 0
    if mounted:
        cmd = ["mount", "-t", "tmpfs", "-o", "size=128m,mode=0700", "tmpfs", str(mnt)]
        if subprocess.run(cmd, capture_output=True).returncode != 0:
            pytest.skip("root, but cannot mount a tmpfs to make read-only storage")
    copy = mnt / "ws"
    # without the (optional) embedding cache, which is then never created
    shutil.copytree(ws.root, copy, ignore=shutil.ignore_patterns("*-wal", "*-shm", "cache"))
    try:
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        else:
            for p in [copy, *copy.rglob("*")]:
                p.chmod(p.stat().st_mode & ~0o222)
        yield copy
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
        else:
            for p in [copy, *copy.rglob("*")]:
                p.chmod(p.stat().st_mode | 0o200)


def test_a_workspace_on_read_only_storage_can_still_be_read(
    demo_ws: Workspace, tmp_path: Path
) -> None:
    with _read_only_copy(demo_ws, tmp_path) as ro:
        code, out, err = run("-w", str(ro), "findings")
        assert code == 0, err
        fid = re.findall(r"^([0-9a-f]{8})\s", out, flags=re.M)[0]
        code, _, err = run("-w", str(ro), "show", fid)
        assert code == 0, (fid, out[:300], err)
        report = tmp_path / "report.md"
        code, _, err = run("-w", str(ro), "export", "--out", str(report))
        assert code == 0, err
        assert report.read_text().count("\n") > 20
        code, out, err = run("-w", str(ro), "log", "verify")
        assert code == 0 and out.startswith("ok"), err
        code, _, err = run("-w", str(ro), "decide", fid, "approve")
        assert code == 1 and "read-only storage; this command writes to it" in err
        code, _, err = run("-w", str(ro), "search", "training data")
        assert code == 1 and "Chroma cannot open it there" in err
        assert len(err.strip().splitlines()) == 1
        code, _, err = run("-w", str(ro), "review", "--bank", "iso27001-ai")
        assert code == 1 and "read-only storage; this command writes to it" in err
        assert not (ro / "cache").exists()
