"""Audits to plain data and back, so stored audits can be rendered again without re-auditing.

`audit_to_record` is the JSON contract (`audit_to_dict`) plus what that contract leaves out but an
Audit needs: each finding's weight and full remediation, and the headings. `audit_from_dict`
rebuilds an Audit from either form; the policy text is passed separately (it is stored beside it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gapcheck.checklist import SEVERITY_WEIGHTS
from gapcheck.models import Audit, ChecklistResult, Evidence, Finding, Flag, Heading, Review
from gapcheck.render.json_report import audit_to_dict, flag_to_dict


def audit_to_record(audit: Audit) -> dict[str, Any]:
    """The audit as JSON-ready data that `audit_from_dict` turns back into an equal Audit."""
    data = audit_to_dict(audit)
    for result, checklist in zip(audit.checklists, data["checklists"]):
        for finding, item in zip(result.findings, checklist["findings"]):
            item["weight"] = finding.weight
            item["remediation"] = finding.remediation
    data["flags"] = [flag_to_dict(f) for f in audit.flags]  # the audit's own order, not the report's
    data["headings"] = [{"text": h.text, "start": h.start, "end": h.end, "level": h.level}
                        for h in audit.headings]
    return data


def _evidence(items: list[dict[str, Any]]) -> tuple[Evidence, ...]:
    return tuple(Evidence(e["text"], e["start"], e["end"], e.get("section"), e.get("cue", ""), e.get("rule", ""))
                 for e in items)


def review_from_dict(data: dict[str, Any] | None) -> Review | None:
    """A Review from its `to_dict` form, or None."""
    if not data:
        return None
    return Review(data["decision"], data.get("note", ""), data.get("reviewer", ""), data.get("at", ""),
                  bool(data.get("current", True)))


def finding_from_dict(data: dict[str, Any]) -> Finding:
    """A Finding from the JSON contract (weight defaults to its severity's weight when absent)."""
    return Finding(
        requirement=data["requirement"], title=data["title"], citation=data["citation"],
        article=data["article"], severity=data["severity"], status=data["status"],
        rationale=data["rationale"], evidence=_evidence(data.get("evidence", [])),
        looked_for=data.get("looked_for", ""), remediation=data.get("remediation", ""),
        weight=float(data.get("weight", SEVERITY_WEIGHTS[data["severity"]])),
        review=review_from_dict(data.get("review")))


def flag_from_dict(data: dict[str, Any]) -> Flag:
    """A Flag from the JSON contract."""
    return Flag(id=data["id"], title=data["title"], severity=data["severity"], citation=data["citation"],
                rationale=data["rationale"], evidence=_evidence(data.get("evidence", [])),
                checklist=data.get("checklist", ""), remediation=data.get("remediation", ""))


def audit_from_dict(data: dict[str, Any], text: str | None = None) -> Audit:
    """Rebuild an Audit from `audit_to_record` or `audit_to_dict` data; `text` is the audited policy text."""
    checklists = tuple(
        ChecklistResult(c["id"], c["title"], c["version"], float(c["score"]),
                        tuple(finding_from_dict(f) for f in c["findings"]))
        for c in data["checklists"])
    return Audit(
        provider=data["provider"], source=data["source"], sha256=data["sha256"], media_type=data["media_type"],
        audited_at=datetime.fromisoformat(data["audited_at"]), gapcheck_version=data["gapcheck_version"],
        text=text if text is not None else data.get("text", ""), checklists=checklists,
        flags=tuple(flag_from_dict(f) for f in data.get("flags", [])),
        headings=tuple(Heading(h["text"], h["start"], h["end"], h["level"]) for h in data.get("headings", [])))
