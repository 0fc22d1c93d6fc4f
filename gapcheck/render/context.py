"""The data behind the HTML and PDF reports: the JSON contract plus what a reader needs to see it.

Everything here is plain data for the templates; escaping is left to jinja2's autoescape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from gapcheck.models import STATUSES, Audit
from gapcheck.render.json_report import audit_to_dict
from gapcheck.render.labels import RISK_ACCEPTED, STATUS_LABELS

UNSAFE_ID = re.compile(r"[^A-Za-z0-9_-]+")


def finding_anchor(checklist_id: str, requirement: str) -> str:
    """The HTML id of a finding in a provider's report (the portfolio links to it)."""
    return f"{UNSAFE_ID.sub('-', checklist_id)}--{UNSAFE_ID.sub('-', requirement)}"


def span_anchor(start: int, end: int) -> str:
    """The HTML id of a quoted span in the policy text appendix."""
    return f"p-{start}-{end}"


def status_segments(counts: dict[str, int]) -> list[dict[str, Any]]:
    """A stacked bar of status counts: each non-empty status with its share (x, width in percent)."""
    total = sum(counts.values()) or 1
    segments, x = [], 0.0
    for status in STATUSES:
        if counts.get(status):
            width = 100.0 * counts[status] / total
            segments.append({"status": status, "label": STATUS_LABELS[status], "count": counts[status],
                             "x": round(x, 3), "width": round(width, 3)})
            x += width
    return segments


def group_by_article(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings grouped by article, in the checklist's order of first appearance."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        groups.setdefault(finding["article"], []).append(finding)
    return [{"article": article, "findings": items} for article, items in groups.items()]


def policy_segments(text: str, spans: dict[tuple[int, int], list[str]],
                    headings: Iterable[tuple[int, int]] = ()) -> list[dict[str, Any]]:
    """The policy text cut at the edges of every quoted span and heading, each piece marked or not.

    `spans` maps (start, end) to what the span is evidence for; overlapping spans are cut into pieces, and each
    span's anchor sits on the piece where it starts. Pieces inside a heading are flagged so it can be set bold.
    """
    length = len(text)
    valid = sorted(span for span in spans if 0 <= span[0] < span[1] <= length)
    titles = [h for h in headings if 0 <= h[0] < h[1] <= length]
    cuts = sorted({0, length, *(edge for span in valid + titles for edge in span)})
    starts: dict[int, list[str]] = {}
    for start, end in valid:
        starts.setdefault(start, []).append(span_anchor(start, end))
    segments = []
    for left, right in zip(cuts, cuts[1:]):
        covering = [span for span in valid if span[0] <= left and right <= span[1]]
        about = list(dict.fromkeys(label for span in covering for label in spans[span]))
        segments.append({"text": text[left:right], "mark": bool(covering), "anchors": starts.get(left, []),
                         "title": "; ".join(about),
                         "heading": any(start <= left and right <= end for start, end in titles)})
    return segments


BRIEF_STATUSES = ("met", "not_applicable")


def brief_rationale(finding: dict[str, Any]) -> str:
    """A met or not-applicable finding's rationale in one line: without the quote it repeats from the first
    piece of evidence (the PDF shows that quote just above), saying how many more passages support it."""
    rationale, evidence = finding["rationale"], finding["evidence"]
    if not evidence:
        return rationale
    cut = rationale.find(" “" + " ".join(evidence[0]["text"].split())[:24])
    if cut < 0:
        return rationale
    brief = rationale[:cut].rstrip(" :")
    brief += "" if brief.endswith(".") else "."
    more = len(evidence) - 1
    if more:
        brief += f" {more} more passage{'s' if more > 1 else ''} quoted in the HTML and JSON reports."
    return brief


def _link_evidence(evidence: Iterable[dict[str, Any]], label: str,
                   spans: dict[tuple[int, int], list[str]], text_length: int) -> None:
    """Give each quote the link to its place in the policy text, and remember the span for highlighting."""
    for quote in evidence:
        span = (quote["start"], quote["end"])
        quote["href"] = f"#{span_anchor(*span)}" if 0 <= span[0] < span[1] <= text_length else None
        spans.setdefault(span, []).append(label)


def report_context(audit: Audit) -> dict[str, Any]:
    """Everything report.html needs for one audit (the same for screen and print)."""
    report = audit_to_dict(audit)
    spans: dict[tuple[int, int], list[str]] = {}
    for checklist in report["checklists"]:
        checklist["anchor"] = UNSAFE_ID.sub("-", f"checklist-{checklist['id']}")
        checklist["segments"] = status_segments(checklist["counts"])
        for finding in checklist["findings"]:
            finding["anchor"] = finding_anchor(checklist["id"], finding["requirement"])
            finding.setdefault("effective_status", finding["status"])
            review = finding.setdefault("review", None)
            if review is not None:
                review["accepted"] = review["decision"] == RISK_ACCEPTED
            finding["brief"] = finding["status"] in BRIEF_STATUSES and review is None
            finding["brief_rationale"] = brief_rationale(finding) if finding["brief"] else finding["rationale"]
            _link_evidence(finding["evidence"], finding["title"], spans, len(audit.text))
        checklist["articles"] = group_by_article(checklist["findings"])
        for number, group in enumerate(checklist["articles"], 1):
            group["anchor"] = f"{checklist['anchor']}--{number}"
    for flag in report["flags"]:
        flag["anchor"] = UNSAFE_ID.sub("-", flag["id"])
        _link_evidence(flag["evidence"], f"Red flag: {flag['title']}", spans, len(audit.text))
    return {
        "report": report,
        "audited_at": audit.audited_at,
        "policy": policy_segments(audit.text, spans, [(h.start, h.end) for h in audit.headings]),
        "statuses": [(status, STATUS_LABELS[status]) for status in STATUSES],
    }
