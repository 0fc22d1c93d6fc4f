"""Scores: severity-weighted share of applicable requirements met, with reviewer decisions applied."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from gapcheck.models import GAP_STATUSES, STATUSES, Finding

STATUS_CREDIT = {"met": 1.0, "partial": 0.5, "missing": 0.0, "conflict": 0.0}
FALSE_POSITIVE = "False positive"


def effective_status(finding: Finding) -> str:
    """The status after a current reviewer decision: a false-positive gap counts as met, and vice versa."""
    review = finding.review
    if review is None or not review.current or review.decision != FALSE_POSITIVE:
        return finding.status
    if finding.status in GAP_STATUSES:
        return "met"
    if finding.status == "met":
        return "missing"
    return finding.status


def score(findings: Iterable[Finding]) -> float:
    """0-100: the weighted credit of applicable findings; 100 when nothing applies."""
    total = earned = 0.0
    for finding in findings:
        status = effective_status(finding)
        if status == "not_applicable":
            continue
        total += finding.weight
        earned += finding.weight * STATUS_CREDIT[status]
    return round(100.0 * earned / total, 1) if total else 100.0


def status_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings have each status (all five keys present)."""
    counts = Counter(f.status for f in findings)
    return {status: counts.get(status, 0) for status in STATUSES}
