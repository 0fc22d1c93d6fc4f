"""Loading checklist files (YAML or TOML) into validated, compiled checklists.

A bad file is refused with a ChecklistError naming the file, the line (where the format gives
one) and the problem. Rules are compiled once, at load time, into matchers.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gapcheck.errors import ChecklistError
from gapcheck.matchers import Matcher, Reference, RuleError, compile_rule, references

SEVERITY_WEIGHTS = {"high": 3.0, "medium": 2.0, "low": 1.0}
CHECKLIST_SUFFIXES = (".yaml", ".yml", ".toml")
ID_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OutcomeSpec(_Strict):
    """Rules that lead to one status, with the sentence that explains it."""

    looking_for: str | None = None
    because: str | None = None
    rules: list[dict[str, Any]] = Field(min_length=1)


class ApplicabilitySpec(_Strict):
    """When a requirement applies: `when` some statement matches, `unless` one does."""

    because: str
    when: list[dict[str, Any]] | None = None
    unless: list[dict[str, Any]] | None = None


class RequirementSpec(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    article: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    description: str = Field(min_length=1)
    severity: Literal["high", "medium", "low"]
    weight: float | None = Field(default=None, ge=0)
    applies: Literal["always"] | ApplicabilitySpec = "always"
    met: OutcomeSpec
    partial: OutcomeSpec | None = None
    requires: OutcomeSpec | None = None
    conflict: OutcomeSpec | None = None
    quote_last: OutcomeSpec | None = None
    near_miss: OutcomeSpec | None = None
    remediation: str = Field(min_length=1)

    @field_validator("met")
    @classmethod
    def _met_says_what_it_looks_for(cls, value: OutcomeSpec) -> OutcomeSpec:
        if not value.looking_for:
            raise ValueError("met needs looking_for: what a reader would search the policy for")
        return value


class FlagSpec(_Strict):
    id: str = Field(pattern=r"^flag\.[a-z0-9_]+$")
    title: str = Field(min_length=1)
    severity: Literal["high", "medium", "low"]
    citation: str = Field(min_length=1)
    why: str = Field(min_length=1)
    when: list[dict[str, Any]] = Field(min_length=1)
    unless: list[dict[str, Any]] | None = None
    remediation: str = Field(min_length=1)


class ChecklistMeta(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str = Field(min_length=1)
    version: str = Field(min_length=1)
    law: str = Field(min_length=1)
    description: str = ""


class ChecklistSpec(_Strict):
    checklist: ChecklistMeta
    out_of_scope: OutcomeSpec | None = None
    quote_last: OutcomeSpec | None = None
    cues: dict[str, dict[str, Any]] = Field(default_factory=dict)
    requirements: list[RequirementSpec] = Field(min_length=1)
    flags: list[FlagSpec] = Field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    """A compiled rule and what it establishes when it matches."""

    matcher: Matcher
    says: str


@dataclass(frozen=True)
class Outcome:
    text: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    article: str
    citation: str
    description: str
    severity: str
    weight: float
    met: Outcome
    partial: Outcome | None
    requires: Outcome | None
    conflict: Outcome | None
    applies_when: Outcome | None
    applies_unless: Outcome | None
    not_applicable_because: str
    remediation: str
    quote_last: Outcome | None = None  # statements that count but make weaker evidence (e.g. how to exercise a right)
    near_miss: Outcome | None = None  # statements that come close without disclosing it, quoted in a missing finding


@dataclass(frozen=True)
class FlagRule:
    id: str
    title: str
    severity: str
    citation: str
    why: str
    when: Outcome
    unless: Outcome | None
    remediation: str


@dataclass(frozen=True)
class Checklist:
    id: str
    title: str
    version: str
    law: str
    path: str
    requirements: tuple[Requirement, ...]
    flags: tuple[FlagRule, ...]
    out_of_scope: Outcome | None = None  # statements that cannot count as evidence for this law
    quote_last: Outcome | None = None  # narrower statements (e.g. about children) quoted after the others


# ---------------------------------------------------------------- reading files with line numbers

def _yaml_with_lines(text: str, path: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse YAML safely, remembering the line of every value by its path."""
    lines: dict[tuple[Any, ...], int] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ChecklistError(path, f"YAML syntax error: {problem}", mark.line + 1 if mark else None) from exc
    if node is None:
        raise ChecklistError(path, "the file is empty")

    def build(current: yaml.Node, where: tuple[Any, ...]) -> Any:
        lines[where] = current.start_mark.line + 1
        if isinstance(current, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in current.value:
                key = build(key_node, where + ("<key>",))
                if key in result:
                    raise ChecklistError(path, f"duplicate key {key!r}", key_node.start_mark.line + 1)
                result[key] = build(value_node, where + (key,))
            return result
        if isinstance(current, yaml.SequenceNode):
            return [build(item, where + (i,)) for i, item in enumerate(current.value)]
        return yaml.constructor.SafeConstructor().construct_object(current, deep=True)

    return build(node, ()), lines


def _toml_with_lines(text: str, path: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise ChecklistError(path, f"TOML syntax error: {str(exc).split(' (at')[0]}",
                             int(found.group(1)) if found else None) from exc
    return data, {}


def _line_for(lines: dict[tuple[Any, ...], int], where: tuple[Any, ...]) -> int | None:
    for size in range(len(where), -1, -1):
        if where[:size] in lines:
            return lines[where[:size]]
    return None


def describe_path(where: tuple[Any, ...]) -> str:
    """A validation error's location as a dotted key: ('providers', 0, 'name') -> providers[0].name."""
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# ---------------------------------------------------------------- compiling

def load_checklist(path: str | Path) -> Checklist:
    """Read, validate and compile one checklist file."""
    path = Path(path)
    name = str(path)
    if path.suffix.lower() not in CHECKLIST_SUFFIXES:
        raise ChecklistError(name, "a checklist must be a .yaml, .yml or .toml file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ChecklistError(name, "no such checklist file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ChecklistError(name, f"cannot be read ({exc})") from exc
    reader = _toml_with_lines if path.suffix.lower() == ".toml" else _yaml_with_lines
    data, lines = reader(text, name)
    if not isinstance(data, dict):
        raise ChecklistError(name, "a checklist must be a mapping with checklist, requirements and flags", 1)
    try:
        spec = ChecklistSpec.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = tuple(error["loc"])
        raise ChecklistError(name, f"{describe_path(where)}: {error['msg']}", _line_for(lines, where)) from exc
    return _compile(spec, name, lines)


def _compile(spec: ChecklistSpec, name: str, lines: dict[tuple[Any, ...], int]) -> Checklist:
    def fail(message: str, where: tuple[Any, ...]) -> ChecklistError:
        return ChecklistError(name, f"{describe_path(where)}: {message}", _line_for(lines, where))

    def rule(raw: dict[str, Any], where: tuple[Any, ...]) -> Rule:
        try:
            matcher = compile_rule(raw, where)
        except RuleError as exc:
            raise fail(str(exc), exc.path) from exc
        says = raw.get("says", "")
        if not isinstance(says, str):
            raise fail("says must be text", where + ("says",))
        all_refs.extend((ref, where) for ref in references(matcher))
        return Rule(matcher, says)

    def outcome(value: OutcomeSpec | list | None, where: tuple[Any, ...], text: str | None = None) -> Outcome | None:
        """Compile an outcome; its text is `text`, else the spec's looking_for or because."""
        if value is None:
            return None
        if text is None:
            text = "" if isinstance(value, list) else value.looking_for or value.because or ""
        raw_rules = value if isinstance(value, list) else value.rules
        key = () if isinstance(value, list) else ("rules",)
        return Outcome(text, tuple(rule(r, where + key + (i,)) for i, r in enumerate(raw_rules)))

    all_refs: list[tuple[Reference, tuple[Any, ...]]] = []
    cues = {cue_name: rule(raw, ("cues", cue_name)).matcher for cue_name, raw in spec.cues.items()}
    seen: dict[str, int] = {}
    requirements = []
    for i, req in enumerate(spec.requirements):
        where = ("requirements", i)
        if req.id in seen:
            raise fail(f"duplicate requirement id {req.id!r}", where + ("id",))
        seen[req.id] = i
        applies = req.applies if isinstance(req.applies, ApplicabilitySpec) else None
        requirements.append(Requirement(
            id=req.id, title=req.title, article=req.article, citation=req.citation, description=req.description,
            severity=req.severity, weight=req.weight if req.weight is not None else SEVERITY_WEIGHTS[req.severity],
            met=outcome(req.met, where + ("met",)),
            partial=outcome(req.partial, where + ("partial",)),
            requires=outcome(req.requires, where + ("requires",)),
            conflict=outcome(req.conflict, where + ("conflict",)),
            applies_when=outcome(applies.when if applies else None, where + ("applies", "when")),
            applies_unless=outcome(applies.unless if applies else None, where + ("applies", "unless")),
            not_applicable_because=applies.because if applies else "",
            remediation=req.remediation.strip(),
            quote_last=outcome(req.quote_last, where + ("quote_last",)),
            near_miss=outcome(req.near_miss, where + ("near_miss",)),
        ))
    flags = []
    for i, flag in enumerate(spec.flags):
        where = ("flags", i)
        if flag.id in seen:
            raise fail(f"duplicate id {flag.id!r}", where + ("id",))
        seen[flag.id] = i
        flags.append(FlagRule(flag.id, flag.title, flag.severity, flag.citation, flag.why.strip(),
                              outcome(flag.when, where + ("when",), flag.why),
                              outcome(flag.unless, where + ("unless",)), flag.remediation.strip()))
    out_of_scope = outcome(spec.out_of_scope, ("out_of_scope",))
    quote_last = outcome(spec.quote_last, ("quote_last",))
    for ref, where in all_refs:
        if ref.name not in cues:
            raise fail(f"unknown cue {ref.name!r} (defined: {', '.join(sorted(cues)) or 'none'})", where)
        ref.target = cues[ref.name]
    _refuse_cycles(cues, name, lines)
    meta = spec.checklist
    return Checklist(meta.id, meta.title, meta.version, meta.law, name, tuple(requirements), tuple(flags), out_of_scope,
                     quote_last)


def _refuse_cycles(cues: dict[str, Matcher], name: str, lines: dict[tuple[Any, ...], int]) -> None:
    def visit(cue: str, trail: tuple[str, ...]) -> None:
        if cue in trail:
            raise ChecklistError(name, f"cue {cue!r} refers to itself through {' -> '.join(trail + (cue,))}",
                                 _line_for(lines, ("cues", cue)))
        for ref in references(cues[cue]):
            visit(ref.name, trail + (cue,))

    for cue in cues:
        visit(cue, ())


# ---------------------------------------------------------------- bundled checklists

def bundled_dir() -> Path:
    """The folder of checklists shipped with gapcheck."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "checklists", here.parent / "checklists"):
        if candidate.is_dir():
            return candidate
    raise ChecklistError(str(here.parent / "checklists"), "the bundled checklists are not installed")


def bundled_names() -> list[str]:
    """Names of the bundled checklists (file stems), sorted."""
    return sorted(p.stem for p in bundled_dir().iterdir() if p.suffix in CHECKLIST_SUFFIXES)


@lru_cache(maxsize=64)
def _load_cached(path: str, mtime: float) -> Checklist:
    return load_checklist(path)


def resolve_checklist(name_or_path: str) -> Checklist:
    """A bundled checklist by name (`gdpr`) or a checklist file by path."""
    path = Path(name_or_path)
    if path.suffix.lower() not in CHECKLIST_SUFFIXES:
        matches = [p for p in bundled_dir().iterdir() if p.stem == name_or_path and p.suffix in CHECKLIST_SUFFIXES]
        if not matches:
            raise ChecklistError(name_or_path, f"no bundled checklist of that name (bundled: {', '.join(bundled_names())})")
        path = matches[0]
    if not path.exists():
        raise ChecklistError(str(path), "no such checklist file")
    return _load_cached(str(path), path.stat().st_mtime)


def resolve_checklists(names: list[str] | tuple[str, ...] | None) -> list[Checklist]:
    """The checklists asked for, or every bundled one; duplicates refused."""
    loaded = [resolve_checklist(n) for n in (names or bundled_names())]
    ids = [c.id for c in loaded]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ChecklistError(", ".join(n for n in (names or [])), f"checklist id given twice: {', '.join(duplicated)}")
    return loaded
