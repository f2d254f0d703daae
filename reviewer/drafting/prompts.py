"""Prompt templates as versioned files in prompts/, plus the evidence block format.

A template file is ``prompts/<name>.v<N>.md``: a ``---`` header with ``name`` and ``version``,
then the body. The body may be split into chat roles by lines ``=== system ===`` and
``=== user ===``. Variables are ``{identifier}``; any other brace (such as a JSON example) is
literal text. Substitution is a single pass, so a value that itself contains ``{question}``
(evidence text can contain anything) is never expanded again.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.models import Evidence
from reviewer.resources import ResourceNotFound, data_dir

PROMPTS_ENV = "REVIEWER_PROMPTS_DIR"
_VAR = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_FILE = re.compile(r"^(?P<name>[a-z0-9_]+)\.v(?P<version>\d+)\.md$")
_ROLE_LINE = re.compile(r"^=== (system|user|assistant) ===[ \t]*$", re.M)


class PromptError(ValueError):
    """A prompt file is missing or malformed; the message names the file."""


@dataclass
class PromptTemplate:
    name: str
    version: int
    text: str
    sha256: str
    variables: set[str] = field(default_factory=set)
    path: Path | None = None

    def describe(self) -> dict[str, str | int]:
        """Provenance fields for findings and cache keys."""
        return {"prompt": self.name, "prompt_version": self.version, "prompt_sha256": self.sha256}


def prompts_dir() -> Path:
    """Templates folder: $REVIEWER_PROMPTS_DIR, else the repository's prompts/, else the packaged copy."""
    env = os.environ.get(PROMPTS_ENV)
    if env:
        return Path(env)
    try:
        return data_dir("prompts")
    except ResourceNotFound as exc:
        raise PromptError(str(exc)) from None


def _parse_header(path: Path, raw: str) -> tuple[dict[str, str], str]:
    lines = raw.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise PromptError(f"{path}: prompt file must start with a '---' header")
    header: dict[str, str] = {}
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return header, "".join(lines[i + 1 :])
        key, sep, value = line.partition(":")
        if not sep:
            raise PromptError(f"{path}: header line {i + 1} is not 'key: value'")
        header[key.strip()] = value.strip()
    raise PromptError(f"{path}: header is not closed with '---'")


def load_prompt(name: str, directory: Path | None = None) -> PromptTemplate:
    """Load the highest version of prompts/<name>.v<N>.md."""
    folder = directory or prompts_dir()
    versions: list[tuple[int, Path]] = []
    if folder.is_dir():
        for path in folder.iterdir():
            m = _FILE.match(path.name)
            if m and m.group("name") == name:
                versions.append((int(m.group("version")), path))
    if not versions:
        raise PromptError(f"{folder}: no prompt file named {name}.v<N>.md")
    version, path = max(versions)
    data = path.read_bytes()
    header, body = _parse_header(path, data.decode("utf-8"))
    if header.get("name") != name or header.get("version") != str(version):
        raise PromptError(
            f"{path}: header says name={header.get('name')!r} version={header.get('version')!r}, "
            f"but the file name says {name!r} version {version}"
        )
    return PromptTemplate(
        name=name,
        version=version,
        text=body,
        sha256=hashlib.sha256(data).hexdigest(),
        variables=set(_VAR.findall(body)),
        path=path,
    )


def _substitute(tpl: PromptTemplate, text: str, values: dict[str, str]) -> str:
    missing = sorted(tpl.variables - values.keys())
    if missing:
        raise ValueError(
            f"prompt {tpl.name}.v{tpl.version}: missing variable(s) {', '.join(missing)}"
        )
    extra = sorted(values.keys() - tpl.variables)
    if extra:
        raise ValueError(f"prompt {tpl.name}.v{tpl.version}: unused variable(s) {', '.join(extra)}")
    return _VAR.sub(lambda m: str(values[m.group(1)]), text)


def render(tpl: PromptTemplate, **values: str) -> str:
    """Fill every variable of the template; a missing or extra variable is a ValueError naming it."""
    return _substitute(tpl, tpl.text, values)


def render_messages(tpl: PromptTemplate, **values: str) -> list[tuple[str, str]]:
    """Render and split into (role, content) chat messages along the ``=== role ===`` lines.

    The split happens on the template before substitution, so evidence text that happens to
    contain a role line cannot create a message of its own.
    """
    _substitute(tpl, "", values)  # validates names once for the whole template
    parts = _ROLE_LINE.split(tpl.text)
    if len(parts) == 1:
        return [("user", _substitute(tpl, tpl.text, values).strip())]
    messages: list[tuple[str, str]] = []
    for role, body in zip(parts[1::2], parts[2::2], strict=True):
        content = _VAR.sub(lambda m: str(values[m.group(1)]), body).strip()
        if content:
            messages.append((role, content))
    return messages


# Characters that render like angle brackets; a run of two or more in untrusted text could
# imitate our <<< >>> delimiters, so runs are collapsed to a single plain bracket.
_OPEN_LIKE = "<\uff1c\ufe64\u2039\u00ab\u3008\u27e8\u2329\u276e\u02c2"
_CLOSE_LIKE = ">\uff1e\ufe65\u203a\u00bb\u3009\u27e9\u232a\u276f\u02c3"
_INVISIBLE = "\\s\u200b\u200c\u200d\u2060\ufeff\u00ad"
_OPEN_RUN = re.compile(f"[{_OPEN_LIKE}](?:[{_INVISIBLE}]*[{_OPEN_LIKE}])+")
_CLOSE_RUN = re.compile(f"[{_CLOSE_LIKE}](?:[{_INVISIBLE}]*[{_CLOSE_LIKE}])+")


def neutralize(text: str) -> str:
    """Defuse delimiter look-alikes (<<<, >>>, «««, fullwidth, with hidden characters between)."""
    return _CLOSE_RUN.sub(">", _OPEN_RUN.sub("<", text))


def _attr(value: str) -> str:
    """A header attribute value on one line, quoted, with nothing that could close the header."""
    flat = " ".join(neutralize(value).split())
    return '"' + flat.replace('"', "'").replace("<", "(").replace(">", ")") + '"'


def evidence_blocks(evidence: list[Evidence]) -> str:
    """Numbered evidence, each block fenced and marked untrusted; look-alike fences are defused."""
    blocks: list[str] = []
    for ev in evidence:
        chunk = ev.chunk
        head = f"<<<EVIDENCE {ev.label} file={_attr(chunk.path)}"
        if chunk.page:
            head += f" page={chunk.page}"
        if chunk.heading_path:
            head += f" section={_attr(chunk.heading)}"
        head += " untrusted>>>"
        blocks.append(f"{head}\n{neutralize(chunk.text).strip()}\n<<<END {ev.label}>>>")
    return "\n\n".join(blocks) if blocks else "(no evidence was found for this question)"
