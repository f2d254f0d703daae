"""Settings precedence: defaults < reviewer.toml (cwd, then workspace) < REVIEWER_* env < overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.config import ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read REVIEWER_* variables: start each test without any."""
    import os

    for key in list(os.environ):
        if key.startswith("REVIEWER_"):
            monkeypatch.delenv(key)


def test_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    ws = tmp_path / "ws"
    ws.mkdir()
    (tmp_path / "reviewer.toml").write_text('name = "cwd"\n[retrieval]\nk = 7\nrrf_k = 30\n')
    (ws / "reviewer.toml").write_text('[retrieval]\nk = 8\n[llm]\nbackend = "ollama"\n')
    s = load_settings(ws)
    assert (s.name, s.retrieval.k, s.retrieval.rrf_k, s.llm.backend) == ("cwd", 8, 30, "ollama")
    monkeypatch.setenv("REVIEWER_LLM__BACKEND", "openai")
    monkeypatch.setenv("REVIEWER_NAME", "env.auditor")
    s = load_settings(ws)
    assert (s.llm.backend, s.reviewer_name()) == ("openai", "env.auditor")
    s = load_settings(ws, retrieval={"k": 3})
    assert s.retrieval.k == 3 and s.retrieval.rrf_k == 30
    assert s.workspace == ws


def test_workspace_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REVIEWER_WORKSPACE", str(tmp_path / "elsewhere"))
    assert load_settings().workspace == tmp_path / "elsewhere"


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[retrieval\nk = 1\n", "invalid TOML"),
        ("[retrieval]\nk = 'many'\n", "invalid configuration"),
    ],
)
def test_bad_config_names_the_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, fragment: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reviewer.toml").write_text(text)
    with pytest.raises(ConfigError, match=fragment):
        load_settings(tmp_path / "ws")


def test_unknown_key_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reviewer.toml").write_text("[llm]\nbakend = 'openai'\n")
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path / "ws")
    assert "llm.bakend" in str(err.value) and "\n" not in str(err.value)
    assert str(err.value).startswith(f"{tmp_path / 'reviewer.toml'}: ")  # names the file


def test_a_bad_environment_variable_is_one_line_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REVIEWER_RETRIEVAL__K", "ten")
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path / "ws")
    assert "REVIEWER_RETRIEVAL__K" in str(err.value) and "\n" not in str(err.value)


def test_each_setting_names_where_it_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewer.config import setting_origins

    monkeypatch.chdir(tmp_path)
    ws = tmp_path / "ws"
    ws.mkdir()
    (tmp_path / "reviewer.toml").write_text(
        'name = "cwd"\n[retrieval]\nk = 7\nrrf_k = 30\n[batch]\nvalue_map = {partial = ["Partly"]}\n'
    )
    (ws / "reviewer.toml").write_text('[retrieval]\nk = 8\n[llm]\nbackend = "ollama"\n')
    monkeypatch.setenv("REVIEWER_LLM__BACKEND", "openai")
    rows = {key: (value, origin) for key, value, origin in setting_origins(ws, workspace_flag=True)}
    assert rows["name"] == ("cwd", str(tmp_path / "reviewer.toml"))
    assert rows["retrieval.k"] == (8, str(ws / "reviewer.toml"))  # the workspace file is laid last
    assert rows["retrieval.rrf_k"] == (30, str(tmp_path / "reviewer.toml"))
    assert rows["llm.backend"] == ("openai", "env REVIEWER_LLM__BACKEND")  # env beats both files
    assert rows["batch.value_map"] == ({"partial": ["Partly"]}, str(tmp_path / "reviewer.toml"))
    assert rows["retrieval.token_budget"] == (3000, "default")
    assert rows["workspace"][1] == "--workspace"
    # Every field of every section is listed once.
    assert sum(key.startswith("llm.") for key in rows) == len(load_settings(ws).llm.model_dump())


def test_a_mistyped_variable_is_named_with_the_closest_setting() -> None:
    from reviewer.config import unknown_variables

    env = {
        "REVIEWER_RETREIVAL__K": "5",
        "REVIEWER_LLM__BACKEND": "ollama",
        "REVIEWER_WORKSPACE": "/tmp/ws",
        "REVIEWER_BATCH__VALUE_MAP__CONFORMANT": "[]",
        "REVIEWER_SHINY": "1",
        "HOME": "/root",
    }
    assert unknown_variables(env) == [
        ("REVIEWER_RETREIVAL__K", "REVIEWER_RETRIEVAL__K"),
        ("REVIEWER_SHINY", None),
    ]
