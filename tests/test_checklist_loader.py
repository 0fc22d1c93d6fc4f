"""Checklist files: bad ones refused with file and line, good ones (YAML, TOML, bundled) loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MINI_CHECKLIST, REQUIRED_FLAGS, REQUIRED_IDS, write_checklist

from gapcheck.checklist import bundled_names, load_checklist, resolve_checklist
from gapcheck.errors import ChecklistError

SECOND_REQUIREMENT = """  - id: mini.sale
    title: Sale again
    article: Art. 1
    citation: Test Art. 1
    description: The same id twice.
    severity: low
    met:
      looking_for: anything
      rules:
        - terms: [anything]
    remediation: Use another id.
flags:"""


def edited(old: str, new: str) -> str:
    assert old in MINI_CHECKLIST, old
    return MINI_CHECKLIST.replace(old, new, 1)


def test_valid_yaml_loads(tmp_path: Path) -> None:
    checklist = load_checklist(write_checklist(tmp_path))
    assert (checklist.id, checklist.version, checklist.law) == ("mini", "1", "Test law")
    assert [r.id for r in checklist.requirements] == ["mini.sale"]
    assert checklist.requirements[0].weight == 3.0  # high severity
    assert [f.id for f in checklist.flags] == ["flag.sells"]


@pytest.mark.parametrize("text, line, message", [
    pytest.param(edited("    title: Sale\n", "\ttitle: Sale\n"), 13, "YAML syntax error", id="yaml-syntax"),
    # an unclosed bracket on line 13: PyYAML notices it on line 14, either line is fine
    pytest.param(edited("    title: Sale\n", "    title: [Sale\n"), (13, 14), "YAML syntax error",
                 id="yaml-unclosed"),
    pytest.param(edited("    severity: high\n    met:", "    severity: high\n    colour: red\n    met:"), 18,
                 "requirements[0].colour: Extra inputs are not permitted", id="unknown-key"),
    pytest.param(edited("  - id: mini.sale\n    title: Sale", "  - title: Sale"), 12,
                 "requirements[0].id: Field required", id="missing-id"),
    pytest.param(edited("flags:", SECOND_REQUIREMENT), 24, "duplicate requirement id 'mini.sale'", id="duplicate-id"),
    pytest.param(edited("        - cue: sell_words\n", "        - fuzzy: sell_words\n"), 21,
                 "unknown matcher 'fuzzy'", id="unknown-matcher"),
    pytest.param(edited("terms: ['sell', 'sale']", "terms: ['sell', 'sa(le']"), 8, "bad pattern 'sa(le'",
                 id="bad-regex"),
    pytest.param(edited("terms: ['sell', 'sale']", "terms: ['sell', '(a+)+b']"), 8, "nested unbounded repetition",
                 id="nested-repetition"),
    pytest.param(edited("terms: ['sell', 'sale']", "terms: ['sell', '(?:\\w+\\s?)*done']"), 8,
                 "nested unbounded repetition", id="nested-repetition-in-group"),
    pytest.param(edited("      - cue: sells\n", "      - cue: sell\n"), 31,
                 "unknown cue 'sell' (defined: sell_words, sells)", id="unknown-cue"),
    pytest.param(edited("    terms: ['sell', 'sale']", "    any: [{terms: ['sell']}, {cue: sells}]"), 8,
                 "cue 'sell_words' refers to itself through sell_words -> sells -> sell_words", id="cue-cycle"),
    pytest.param(edited("    severity: high\n    met:", "    severity: urgent\n    met:"), 17,
                 "requirements[0].severity", id="bad-severity"),
    pytest.param(edited("      looking_for: a statement on selling data\n", ""), 19, "met needs looking_for",
                 id="no-looking-for"),
])
def test_bad_yaml_is_refused_with_file_and_line(tmp_path: Path, text: str, line: int | tuple[int, ...],
                                               message: str) -> None:
    path = write_checklist(tmp_path, text)
    with pytest.raises(ChecklistError) as caught:
        load_checklist(path)
    error = caught.value
    assert error.line in (line if isinstance(line, tuple) else (line,)), str(error)
    assert str(error).startswith(f"{path}:{error.line}: ")
    assert message in error.reason


def test_unbounded_repetition_that_is_not_nested_is_allowed(tmp_path: Path) -> None:
    text = edited("terms: ['sell', 'sale']", "terms: ['sell', 'sa\\w+ of (data|information)']")
    path = write_checklist(tmp_path, text)
    assert load_checklist(path).requirements[0].id == "mini.sale"


VALID_TOML = """[checklist]
id = "minitoml"
title = "Mini TOML"
version = "1"
law = "Test law"

[cues.sell_words]
terms = ["sell", "sale"]

[[requirements]]
id = "mini.sale"
title = "Sale"
article = "Art. 1"
citation = "Test Art. 1"
description = "Says whether data is sold."
severity = "high"
remediation = "Say whether you sell data."

[requirements.met]
looking_for = "a statement on selling data"
rules = [{ cue = "sell_words", says = "mentions sale" }]
"""


def test_valid_toml_loads(tmp_path: Path) -> None:
    checklist = load_checklist(write_checklist(tmp_path, VALID_TOML, "mini.toml"))
    assert checklist.id == "minitoml"
    assert checklist.requirements[0].met.rules[0].says == "mentions sale"


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    text = VALID_TOML.replace('title = "Sale"\n', 'title = "Sale\n')
    path = write_checklist(tmp_path, text, "mini.toml")
    with pytest.raises(ChecklistError) as caught:
        load_checklist(path)
    assert caught.value.line == 12
    assert str(caught.value).startswith(f"{path}:12: TOML syntax error")


def test_other_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ChecklistError, match="must be a .yaml, .yml or .toml file"):
        load_checklist(write_checklist(tmp_path, MINI_CHECKLIST, "mini.json"))
    with pytest.raises(ChecklistError, match="no such checklist file"):
        load_checklist(tmp_path / "absent.yaml")
    with pytest.raises(ChecklistError, match="the file is empty"):
        load_checklist(write_checklist(tmp_path, "# nothing here\n", "empty.yaml"))


# ---------------------------------------------------------------- the bundled checklists

def test_bundled_checklists_hold_every_required_id() -> None:
    assert {"gdpr", "ccpa"} <= set(bundled_names())
    flags: set[str] = set()
    for name, required in REQUIRED_IDS.items():
        checklist = resolve_checklist(name)
        assert checklist.id == name
        ids = [r.id for r in checklist.requirements]
        assert set(required) <= set(ids), sorted(set(required) - set(ids))
        assert len(ids) == len(set(ids))
        flags |= {f.id for f in checklist.flags}
    assert set(REQUIRED_FLAGS) <= flags, sorted(set(REQUIRED_FLAGS) - flags)


@pytest.mark.parametrize("name", sorted(REQUIRED_IDS))
def test_bundled_requirements_are_complete(name: str) -> None:
    checklist = resolve_checklist(name)
    assert checklist.version and checklist.title
    for requirement in checklist.requirements:
        for field in ("title", "citation", "description", "remediation"):
            assert getattr(requirement, field).strip(), f"{requirement.id} has no {field}"
        assert requirement.severity in ("high", "medium", "low")
        assert requirement.met.text.strip(), f"{requirement.id} does not say what it looks for"
        assert requirement.met.rules
    for flag in checklist.flags:
        assert flag.title.strip() and flag.citation.strip() and flag.why.strip() and flag.remediation.strip()
        assert flag.severity in ("high", "medium", "low")
