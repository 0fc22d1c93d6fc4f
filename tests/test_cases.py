"""Every requirement and flag of the bundled checklists on small policies written for it (tests/cases/*.yaml):
phrasings that must satisfy a requirement or raise a flag, and near-misses, negations and out-of-scope sections
that must not. A case gapcheck is known to get wrong carries `xfail: <which cue or rule is at fault>`; a case
may name with `quoted_first` words its first evidence quote must contain (the sentence a lawyer should see)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import audit_text

from gapcheck.checklist import resolve_checklists

CASES = Path(__file__).resolve().parent / "cases"
STATUSES = {"met", "partial", "conflict", "missing", "not_applicable"}
KEYS = {"requirement": {"requirement", "text", "status", "why"}, "flag": {"flag", "text", "raised", "why"}}


def load(kind: str) -> list:
    """The cases of one kind ("requirement" or "flag") from every case file, as pytest params."""
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        for number, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")), 1):
            where = f"{path.name} case {number}"
            assert ("requirement" in case) != ("flag" in case), f"{where}: names neither or both"
            if kind not in case:
                continue
            assert KEYS[kind] <= set(case) <= KEYS[kind] | {"xfail", "quoted_first"}, f"{where}: keys {sorted(case)}"
            assert case.get("status", "met") in STATUSES and case.get("raised", True) in (True, False), where
            marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
            lines = case["text"].splitlines()
            words = " ".join(" ".join(lines[1:] if lines[0].startswith("#") else lines).replace("#", "").split())
            expected = case["status"] if kind == "requirement" else ("raised" if case["raised"] else "not-raised")
            params.append(pytest.param(case, id=f"{case[kind]}-{expected}-{words[:50]}", marks=marks))
    return params


REQUIREMENT_CASES = load("requirement")
FLAG_CASES = load("flag")


@pytest.mark.parametrize("case", REQUIREMENT_CASES)
def test_requirement_case(case: dict) -> None:
    audit = audit_text(case["text"])
    finding = next(f for c in audit.checklists for f in c.findings if f.requirement == case["requirement"])
    assert finding.status == case["status"], f"{case['why']}\ngapcheck: {finding.rationale}"
    if case["status"] in ("met", "partial", "conflict"):
        assert finding.evidence, finding.rationale
        assert all(audit.text[e.start:e.end] == e.text for e in finding.evidence)
        assert case.get("quoted_first", "") in finding.evidence[0].text, f"first quoted: {finding.evidence[0].text}"


@pytest.mark.parametrize("case", FLAG_CASES)
def test_flag_case(case: dict) -> None:
    audit = audit_text(case["text"])
    flag = next((f for f in audit.flags if f.id == case["flag"]), None)
    assert (flag is not None) == case["raised"], f"{case['why']}\ngapcheck: {flag.rationale if flag else 'not raised'}"
    if flag is not None:
        assert flag.evidence and all(audit.text[e.start:e.end] == e.text for e in flag.evidence)


def test_every_requirement_and_flag_has_cases() -> None:
    """Each id has a case it must satisfy and one it must not (missing, or not_applicable where it has a condition),
    each partial, conflict and exemption rule a case of its own, and no case names an id the checklists lack."""
    wanted: set[tuple[str, object]] = set()
    for checklist in resolve_checklists(None):
        for req in checklist.requirements:
            wanted |= {(req.id, "met"), (req.id, "missing" if req.applies_when is None else "not_applicable")}
            optional = {"partial": req.partial or req.requires, "conflict": req.conflict,
                        "not_applicable": req.applies_unless}
            wanted |= {(req.id, status) for status, rule in optional.items() if rule is not None}
        wanted |= {(flag.id, raised) for flag in checklist.flags for raised in (True, False)}
    cases = [p.values[0] for p in REQUIREMENT_CASES + FLAG_CASES]
    seen = {(c["requirement"], c["status"]) if "requirement" in c else (c["flag"], c["raised"]) for c in cases}
    assert sorted(map(str, wanted - seen)) == []
    assert sorted({key for key, _ in seen} - {key for key, _ in wanted}) == []
