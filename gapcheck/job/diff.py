"""What changed for a provider since its last successful run: scores, gaps, flags and sentences."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from gapcheck.extract import extract
from gapcheck.models import GAP_STATUSES, Audit, Document
from gapcheck.scoring import effective_status

SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Snapshot:
    """The comparable state of one provider's audit (with reviewer decisions applied)."""

    sha256: str
    scores: dict[str, float]
    gaps: frozenset[str]  # requirement ids whose effective status is missing, partial or conflict
    flags: frozenset[str]
    text: str


@dataclass(frozen=True)
class Changes:
    """A provider's changes since its last run; `change` is new, changed or unchanged."""

    change: str
    scores: dict[str, dict[str, float | None]]
    new_gaps: list[str] = field(default_factory=list)
    resolved_gaps: list[str] = field(default_factory=list)
    new_flags: list[str] = field(default_factory=list)
    cleared_flags: list[str] = field(default_factory=list)
    sentences_added: list[str] = field(default_factory=list)
    sentences_removed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"change": self.change, "scores": self.scores, "new_gaps": self.new_gaps,
                "resolved_gaps": self.resolved_gaps, "new_flags": self.new_flags,
                "cleared_flags": self.cleared_flags, "sentences_added": self.sentences_added,
                "sentences_removed": self.sentences_removed}


def snapshot(audit: Audit) -> Snapshot:
    """The comparable state of an audit."""
    return Snapshot(
        sha256=audit.sha256,
        scores={c.id: c.score for c in audit.checklists},
        gaps=frozenset(f.requirement for c in audit.checklists for f in c.findings
                       if effective_status(f) in GAP_STATUSES),
        flags=frozenset(f.id for f in audit.flags),
        text=audit.text)


def statements_of(text: str) -> list[str]:
    """The policy's sentences, list items and headings, white space folded."""
    document = Document(provider="", source="", sha256="", media_type="text/plain", text=text)
    return [SPACES.sub(" ", s.text).strip() for s in extract(document)[0]]


def changed_statements(old: str, new: str) -> tuple[list[str], list[str]]:
    """Statements added to and removed from a policy (in document order, repeats counted)."""
    before, after = statements_of(old), statements_of(new)
    added = _minus(after, Counter(before))
    removed = _minus(before, Counter(after))
    return added, removed


def _minus(items: list[str], other: Counter[str]) -> list[str]:
    left = Counter(other)
    out = []
    for item in items:
        if left[item] > 0:
            left[item] -= 1
        else:
            out.append(item)
    return out


def compare(previous: Snapshot | None, current: Snapshot) -> Changes:
    """The changes from the previous snapshot (None: the provider is new)."""
    if previous is None:
        return Changes("new", {cid: {"score": s, "previous": None, "change": None}
                               for cid, s in current.scores.items()})
    scores = {}
    for cid, value in current.scores.items():
        before = previous.scores.get(cid)
        scores[cid] = {"score": value, "previous": before,
                       "change": None if before is None else round(value - before, 1)}
    changed = previous.sha256 != current.sha256
    added, removed = changed_statements(previous.text, current.text) if changed else ([], [])
    return Changes(
        change="changed" if changed else "unchanged", scores=scores,
        new_gaps=sorted(current.gaps - previous.gaps), resolved_gaps=sorted(previous.gaps - current.gaps),
        new_flags=sorted(current.flags - previous.flags), cleared_flags=sorted(previous.flags - current.flags),
        sentences_added=added, sentences_removed=removed)
