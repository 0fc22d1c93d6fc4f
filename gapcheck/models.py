"""The immutable types that flow through an audit: no I/O in here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Status = Literal["met", "partial", "missing", "conflict", "not_applicable"]
STATUSES: tuple[Status, ...] = ("met", "partial", "missing", "conflict", "not_applicable")
GAP_STATUSES: frozenset[str] = frozenset({"missing", "partial", "conflict"})
Severity = Literal["high", "medium", "low"]
StatementKind = Literal["heading", "list_item", "sentence"]


@dataclass(frozen=True)
class Heading:
    """A heading line of the document, with its nesting level (1 = top)."""

    text: str
    start: int
    end: int
    level: int


@dataclass(frozen=True)
class Document:
    """A policy read from one source; every offset in an audit refers to `text`."""

    provider: str
    source: str
    sha256: str
    media_type: str
    text: str
    headings: tuple[Heading, ...] = ()
    # Offsets where the ingester knows a block (paragraph, list item, heading) starts.
    heading_hints: tuple[tuple[int, int], ...] = ()  # (start offset, level) from HTML/Markdown
    list_hints: tuple[int, ...] = ()  # start offsets of list items known from markup
    raw: bytes = field(default=b"", repr=False, compare=False)


@dataclass(frozen=True)
class Statement:
    """One sentence, list item or heading with exact offsets and its heading path."""

    text: str
    start: int
    end: int
    kind: StatementKind
    section: tuple[str, ...] = ()
    lead_start: int = -1  # start of the sentence introducing this list item ("We collect:"), or -1

    @property
    def section_label(self) -> str | None:
        """The heading path as one line, or None outside any section."""
        return " › ".join(self.section) if self.section else None


@dataclass(frozen=True)
class Evidence:
    """A statement that supports a finding, with the cue that matched and why."""

    text: str
    start: int
    end: int
    section: str | None
    cue: str = ""
    rule: str = ""

    def to_dict(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end, "section": self.section,
                "cue": self.cue, "rule": self.rule}


@dataclass(frozen=True)
class Review:
    """A reviewer's decision on a finding."""

    decision: str
    note: str = ""
    reviewer: str = ""
    at: str = ""
    current: bool = True  # False when made on an earlier version of the policy

    def to_dict(self) -> dict:
        return {"decision": self.decision, "note": self.note, "reviewer": self.reviewer,
                "at": self.at, "current": self.current}


@dataclass(frozen=True)
class Finding:
    """The status of one requirement for one policy."""

    requirement: str
    title: str
    citation: str
    article: str
    severity: Severity
    status: Status
    rationale: str
    evidence: tuple[Evidence, ...] = ()
    looked_for: str = ""
    remediation: str = ""
    weight: float = 1.0
    review: Review | None = None

    @property
    def is_gap(self) -> bool:
        return self.status in GAP_STATUSES


@dataclass(frozen=True)
class Flag:
    """A raised red flag: a clause that works against the law."""

    id: str
    title: str
    severity: Severity
    citation: str
    rationale: str
    evidence: tuple[Evidence, ...] = ()
    checklist: str = ""
    remediation: str = ""


@dataclass(frozen=True)
class ChecklistResult:
    """The findings and score of one checklist for one policy."""

    id: str
    title: str
    version: str
    score: float
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Audit:
    """Everything known about one provider's policy after an audit."""

    provider: str
    source: str
    sha256: str
    media_type: str
    audited_at: datetime
    gapcheck_version: str
    text: str
    checklists: tuple[ChecklistResult, ...]
    flags: tuple[Flag, ...]
    headings: tuple[Heading, ...] = ()
