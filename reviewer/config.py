"""One Settings object: defaults < reviewer.toml (cwd, then workspace) < REVIEWER_* env < flags.

Nested sections map to TOML tables ([llm], [store], ...) and to env vars with a double
underscore, e.g. REVIEWER_LLM__BACKEND=openai.
"""

from __future__ import annotations

import difflib
import getpass
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

CONFIG_NAME = "reviewer.toml"
DEFAULT_WORKSPACE = ".reviewer"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreSettings(Section):
    url: str | None = Field(default=None, description="Chroma server URL; embedded when unset")
    collection: str = "reviewer-chunks"


class IngestSettings(Section):
    chunk_tokens: int = Field(default=220, description="Target chunk size in cl100k tokens")
    overlap_tokens: int = Field(default=40, description="Overlap carried into the next chunk")
    max_file_mb: float = Field(default=100.0, description="Files larger than this are refused")
    max_pages: int = Field(default=2000, description="PDFs with more pages are refused")
    max_decompressed_mb: float = Field(default=200.0, description="DOCX/XLSX unzip limit")
    parse_timeout_s: float = Field(default=120.0, description="Per-file parse time limit")
    embed_batch: int = 64


class RetrievalSettings(Section):
    rrf_k: int = Field(default=60, description="Reciprocal rank fusion constant")
    k: int = Field(default=10, description="Evidence blocks given to a drafter")
    candidates: int = Field(default=30, description="Hits per sub-query and retriever")
    token_budget: int = Field(default=3000, description="Evidence token budget (cl100k)")
    doc_type_boost: float = Field(default=0.15, description="Soft preference for hinted types")


class LLMSettings(Section):
    backend: Literal["auto", "extractive", "local", "ollama", "openai", "fake"] = "auto"
    model: str | None = Field(default=None, description="Model name for ollama/openai")
    model_path: str | None = Field(default=None, description="GGUF for the local backend")
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    timeout_s: float = 120.0
    retries: int = 2
    temperature: float = 0.0
    seed: int = 7
    n_ctx: int = 4096
    max_tokens: int = 700
    cross_check: bool = Field(
        default=True,
        description="LLM drafts are checked against the extractive evidence logic; "
        "disagreements are flagged for the auditor",
    )
    focus_blocks: int = Field(
        default=8, description="Evidence blocks an LLM sees, those the evidence logic chose first"
    )


class BatchSettings(Section):
    insufficient_value: str | None = Field(
        default=None, description="Dropdown value for insufficient evidence; blank when unset"
    )
    match_threshold: float = Field(
        default=0.72, description="Min similarity to reuse a bank question"
    )
    value_map: dict[str, list[str]] = Field(
        default_factory=dict, description="verdict -> allowed labels"
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="REVIEWER_", env_nested_delimiter="__", extra="forbid"
    )

    workspace: Path = Path(DEFAULT_WORKSPACE)
    name: str | None = Field(default=None, description="Reviewer identity (else OS user)")
    debug: bool = False
    store: StoreSettings = StoreSettings()
    ingest: IngestSettings = IngestSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    llm: LLMSettings = LLMSettings()
    batch: BatchSettings = BatchSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings)

    def reviewer_name(self) -> str:
        if self.name:
            return self.name
        try:
            return getpass.getuser()
        except Exception:  # no passwd entry in some containers
            return os.environ.get("USER", "reviewer")


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


class ConfigError(ValueError):
    """A config file could not be read; the message names the file."""


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from exc


def load_settings(workspace: str | Path | None = None, **overrides: Any) -> Settings:
    """Build Settings from reviewer.toml files, REVIEWER_* env vars and explicit overrides.

    The workspace is chosen first (flag > REVIEWER_WORKSPACE > default) so that a
    reviewer.toml inside it can be read.
    """
    ws = workspace_path(workspace)
    data: dict[str, Any] = {}
    for candidate in config_files(ws):
        data = _deep_merge(data, _read_toml(candidate))
    # Env vars beat files: let pydantic-settings read env, then lay files underneath.
    try:
        env_only = Settings()  # defaults + env
    except ValidationError as exc:
        names = "; ".join(
            "REVIEWER_" + "__".join(str(p) for p in e["loc"]).upper() + f": {e['msg']}"
            for e in exc.errors()
        )
        raise ConfigError(f"invalid environment variable {names}") from exc
    env_set = env_only.model_dump(exclude_defaults=True)
    merged = _deep_merge(_deep_merge(data, env_set), overrides)
    merged["workspace"] = ws
    try:
        return Settings(**merged)
    except ValidationError as exc:
        raise ConfigError(f"{_culprit(ws)}: {_problems(exc)}") from exc


# REVIEWER_* variables read directly, not settings (workspace location, resources, test tools)
OTHER_VARIABLES = {
    "WORKSPACE",
    "BANKS_DIR",
    "PROMPTS_DIR",
    "CACHE_DIR",
    "EMBED_RUNTIME",
    "CONCURRENT_DECISIONS",
    "BENCH_WORK",
}


def setting_variables() -> list[str]:
    """Every REVIEWER_* variable a setting can be given by."""
    names = [f"REVIEWER_{v}" for v in sorted(OTHER_VARIABLES)]
    for name, field in Settings.model_fields.items():
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names += [f"REVIEWER_{name}__{sub}".upper() for sub in kind.model_fields]
        else:
            names.append(f"REVIEWER_{name}".upper())
    return names


def unknown_variables(environ: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """REVIEWER_* variables that set nothing (a typo is otherwise silently ignored), each with
    the closest real name when there is one."""
    known = setting_variables()
    return [
        (name, next(iter(difflib.get_close_matches(name, known, n=1, cutoff=0.8)), None))
        for name in sorted(environ)
        if name.startswith("REVIEWER_")
        and name not in known
        and not any(name.startswith(k + "__") for k in known)  # a key inside a dict setting
    ]


def _culprit(ws: Path) -> str:
    """Which reviewer.toml holds an invalid value (the environment was checked already)."""
    bad = []
    for path in config_files(ws):
        try:
            Settings(**_read_toml(path))
        except ValidationError:
            bad.append(str(path))
    if not bad:
        return "invalid configuration (reviewer.toml files together with REVIEWER_* variables)"
    return f"{', '.join(bad)}: invalid configuration"


def _problems(exc: ValidationError) -> str:
    """Each validation error on one line part: `section.key: message`."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())


def workspace_path(workspace: str | Path | None = None) -> Path:
    """The workspace folder: the flag, else REVIEWER_WORKSPACE, else the default."""
    return Path(workspace or os.environ.get("REVIEWER_WORKSPACE") or DEFAULT_WORKSPACE)


def config_files(workspace: str | Path | None = None) -> list[Path]:
    """The reviewer.toml files `load_settings` reads, in the order they are laid on."""
    ws = workspace_path(workspace)
    return [p for p in (Path.cwd() / CONFIG_NAME, ws / CONFIG_NAME) if p.is_file()]


def _leaves(data: dict[str, Any]) -> dict[str, Any]:
    """`section.key` -> value for settings data (a section's own dict values stay whole)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        field = Settings.model_fields.get(key)
        is_section = field is not None and isinstance(field.default, Section)
        if is_section and isinstance(value, dict):
            out.update({f"{key}.{sub}": v for sub, v in value.items()})
        else:
            out[key] = value
    return out


def setting_origins(
    workspace: str | Path | None = None,
    workspace_flag: bool = False,
    settings: Settings | None = None,
) -> list[tuple[str, Any, str]]:
    """Every effective setting as (key, value, where it came from): "default", the reviewer.toml
    that set it last, or the REVIEWER_* variable that overrides the files. `settings` is what
    `load_settings(workspace)` returned, when the caller has it already."""
    settings = settings or load_settings(workspace)
    origins: dict[str, str] = {}
    for path in config_files(workspace):
        origins.update(dict.fromkeys(_leaves(_read_toml(path)), str(path)))
    for key in _leaves(Settings().model_dump(exclude_defaults=True)):
        origins[key] = "env REVIEWER_" + key.replace(".", "__").upper()
    if workspace_flag:
        origins["workspace"] = "--workspace"
    elif os.environ.get("REVIEWER_WORKSPACE"):
        origins["workspace"] = "env REVIEWER_WORKSPACE"
    else:
        origins.pop("workspace", None)
    values = _leaves(settings.model_dump(mode="json"))
    return [(key, value, origins.get(key, "default")) for key, value in values.items()]
