"""Question banks: load corpora/banks/*.yaml, validate every question, resolve control titles.

A bank is content that auditors rely on, so validation is strict: every reference names a known
framework edition and control, and a problem is reported as one line naming the file, the
question and the field (``iso42001.yaml: question ai42-a7-5: field refs: ...``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)
from pydantic_core import ErrorDetails

from reviewer import controls
from reviewer.models import ControlRef, Criterion, DocType, Question
from reviewer.resources import ResourceNotFound, data_dir

ID_PATTERN = r"^[a-z0-9-]+$"
THREAT_PATTERN = re.compile(r"^(AML\.[TM]\d{4}(\.\d{3})?|ML\d{2}:2023|LLM\d{2}:20(23|25))$")
MIN_CRITERIA, MAX_CRITERIA = 2, 5
BANKS_DIR_ENV = "REVIEWER_BANKS_DIR"


class BankError(ValueError):
    """A bank that cannot be used; the message is one line naming file, question and field."""


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Ident = Annotated[str, StringConstraints(pattern=ID_PATTERN)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _CriterionSpec(_Spec):
    id: Ident
    text: Text


class _QuestionSpec(_Spec):
    """One question as written in a bank file (the on-disk schema, stricter than Question)."""

    id: Ident
    family: Text | None = None
    text: Text
    refs: list[ControlRef] = Field(min_length=1)
    criteria: list[_CriterionSpec]
    doc_types: list[DocType] = Field(min_length=1)
    threats: list[str] = Field(default_factory=list)
    keywords: list[Text] = Field(default_factory=list)

    @field_validator("refs", mode="before")
    @classmethod
    def _parse_refs(cls, value: Any) -> Any:
        if not isinstance(value, list):
            raise ValueError("must be a list of 'FRAMEWORK:EDITION CONTROL' strings")
        refs: list[ControlRef] = []
        for item in value:
            if not isinstance(item, str):
                raise ValueError(f"{item!r} is not a string like 'ISO27001:2013 A.8.2.1'")
            ref = controls.parse_ref(item)
            if any(str(ref) == str(seen) for seen in refs):
                raise ValueError(f"{ref} is listed twice")
            refs.append(ref)
        problem = controls.edition_pair_problem(refs)
        if problem:
            raise ValueError(problem)
        return refs

    @field_validator("criteria")
    @classmethod
    def _check_criteria(cls, value: list[_CriterionSpec]) -> list[_CriterionSpec]:
        if not MIN_CRITERIA <= len(value) <= MAX_CRITERIA:
            raise ValueError(
                f"a bank question needs {MIN_CRITERIA} to {MAX_CRITERIA} criteria, found {len(value)}"
            )
        ids = [c.id for c in value]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"criterion id {', '.join(repeated)} is used more than once")
        return value

    @field_validator("threats")
    @classmethod
    def _check_threats(cls, value: list[str]) -> list[str]:
        for threat in value:
            if not THREAT_PATTERN.match(threat):
                raise ValueError(
                    f"{threat!r} is not a MITRE ATLAS id (AML.T0020, AML.M0007) "
                    "or an OWASP id (ML02:2023, LLM04:2025)"
                )
        return value

    def to_question(self, bank: str) -> Question:
        return Question(
            id=self.id,
            text=self.text,
            refs=self.refs,
            criteria=[Criterion(id=c.id, text=c.text) for c in self.criteria],
            doc_types=self.doc_types,
            threats=self.threats,
            family=self.family or controls.family_of(self.refs[0]),
            keywords=self.keywords,
            bank=bank,
        )


class _BankSpec(_Spec):
    bank: Ident
    title: Text
    version: int = Field(ge=1)
    description: str = ""
    questions: list[_QuestionSpec] = Field(min_length=1)


@dataclass
class Bank:
    """A validated question bank loaded from one YAML file."""

    name: str
    title: str
    version: int
    description: str
    path: Path
    questions: list[Question]


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects repeated mapping keys instead of keeping the last one silently."""


def _construct_unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        try:
            repeated = key in seen
            seen.add(key)
        except TypeError:  # unhashable key: let the normal constructor report it
            continue
        if repeated:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_unique_mapping,  # type: ignore[arg-type]
)

# Pydantic error types where showing the offending value helps the author find it.
_SHOW_INPUT = {"enum", "string_pattern_mismatch", "string_type", "int_parsing", "int_type"}


def _field_path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling against the bank format)"
    message = error["msg"].removeprefix("Value error, ")
    if kind in _SHOW_INPUT:
        message += f" (got {error['input']!r})"
    return message


def _format_validation(file: str, exc: ValidationError, raw_questions: Any) -> str:
    """Turn pydantic's multi-line report into one line: file, question id, field, problem."""
    errors = exc.errors()
    first = errors[0]
    loc = tuple(first["loc"])
    parts = [file]
    if len(loc) >= 2 and loc[0] == "questions" and isinstance(loc[1], int):
        index = loc[1]
        raw = raw_questions[index] if isinstance(raw_questions, list) else None
        qid = raw.get("id") if isinstance(raw, dict) else None
        parts.append(
            f"question {qid}" if isinstance(qid, str) and qid else f"question #{index + 1}"
        )
        loc = loc[2:]
    if loc:
        parts.append(f"field {_field_path(loc)}")
    parts.append(_describe(first))
    line = ": ".join(parts)
    if len(errors) > 1:
        line += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return " ".join(line.split())


def _read_yaml(path: Path) -> Any:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BankError(f"{name}: bank file not found") from None
    except UnicodeDecodeError:
        raise BankError(f"{name}: not UTF-8 text") from None
    except OSError as exc:
        raise BankError(f"{name}: cannot be read ({exc.strerror})") from None
    try:
        # A SafeLoader subclass: plain data only, never arbitrary Python objects.
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise BankError(" ".join(f"{name}: not valid YAML{where}: {problem}".split())) from None


def load_bank(path: Path) -> Bank:
    """Load and validate one bank file; raise BankError naming file, question and field."""
    path = Path(path)
    name = path.name
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise BankError(
            f"{name}: expected a mapping with bank, title, version and questions at the top level"
        )
    try:
        spec = _BankSpec.model_validate(data)
    except ValidationError as exc:
        raise BankError(_format_validation(name, exc, data.get("questions"))) from None
    if spec.bank != path.stem:
        raise BankError(f"{name}: field bank: {spec.bank!r} must equal the file name {path.stem!r}")
    first_seen: dict[str, int] = {}
    for number, question in enumerate(spec.questions, start=1):
        if question.id in first_seen:
            raise BankError(
                f"{name}: question {question.id}: field id: duplicate id "
                f"(questions #{first_seen[question.id]} and #{number})"
            )
        first_seen[question.id] = number
    return Bank(
        name=spec.bank,
        title=spec.title,
        version=spec.version,
        description=spec.description.strip(),
        path=path,
        questions=[q.to_question(bank=spec.bank) for q in spec.questions],
    )


def default_banks_dir() -> Path:
    """$REVIEWER_BANKS_DIR, else the repository's corpora/banks, else the packaged copy."""
    override = os.environ.get(BANKS_DIR_ENV)
    if override:
        return Path(override).expanduser()
    try:
        return data_dir("banks")
    except ResourceNotFound as exc:
        raise BankError(str(exc)) from None


def _bank_dir(directory: Path | None) -> Path:
    root = Path(directory) if directory is not None else default_banks_dir()
    if not root.is_dir():
        raise BankError(f"{root}: bank directory not found")
    return root


def list_banks(directory: Path | None = None) -> list[Bank]:
    """Every *.yaml bank in the directory, sorted by name; question ids must be unique across them."""
    banks = [load_bank(path) for path in sorted(_bank_dir(directory).glob("*.yaml"))]
    owner: dict[str, Bank] = {}
    for bank in banks:
        for question in bank.questions:
            other = owner.setdefault(question.id, bank)
            if other is not bank:
                raise BankError(
                    f"{bank.path.name}: question {question.id}: field id: "
                    f"already used in {other.path.name}"
                )
    return banks


def get_bank(name: str, directory: Path | None = None) -> Bank:
    """The bank called name; an unknown name raises BankError listing the valid ones."""
    root = _bank_dir(directory)
    path = root / f"{name}.yaml"
    if re.fullmatch(ID_PATTERN, name) and path.is_file():
        return load_bank(path)
    valid = ", ".join(sorted(p.stem for p in root.glob("*.yaml"))) or f"none found in {root}"
    raise BankError(f"unknown bank {name!r}; valid banks: {valid}")


def all_questions(directory: Path | None = None) -> list[Question]:
    """Questions of every bank, bank by bank in file order."""
    return [question for bank in list_banks(directory) for question in bank.questions]


def get_question(question_id: str, directory: Path | None = None) -> Question:
    """One question by id from any bank; BankError when no bank holds it."""
    banks = list_banks(directory)
    for bank in banks:
        for question in bank.questions:
            if question.id == question_id:
                return question
    names = ", ".join(b.name for b in banks) or "none"
    raise BankError(f"unknown question id {question_id!r} (searched banks: {names})")
