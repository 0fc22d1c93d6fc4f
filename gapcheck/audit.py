"""One policy in, one Audit out: ingest, extract, evaluate every checklist, score."""

from __future__ import annotations

from datetime import datetime, timezone

from gapcheck import __version__
from gapcheck.checklist import Checklist
from gapcheck.engine import evaluate_checklist
from gapcheck.extract import extract
from gapcheck.ingest import read_source
from gapcheck.matchers import Corpus
from gapcheck.models import Audit, ChecklistResult, Document, Flag
from gapcheck.scoring import score


def audit_document(document: Document, checklists: list[Checklist], audited_at: datetime | None = None) -> Audit:
    """Audit a Document against checklists; `audited_at` fixes the clock (stale-date checks use it)."""
    audited_at = audited_at or datetime.now(timezone.utc).replace(microsecond=0)
    statements, headings = extract(document)
    corpus = Corpus(document.text, statements, audited_at.date())
    results: list[ChecklistResult] = []
    flags: dict[str, Flag] = {}
    for checklist in checklists:
        findings, raised = evaluate_checklist(checklist, corpus)
        results.append(ChecklistResult(checklist.id, checklist.title, checklist.version, score(findings),
                                       tuple(findings)))
        for flag in raised:
            flags.setdefault(flag.id, flag)
    return Audit(provider=document.provider, source=document.source, sha256=document.sha256,
                 media_type=document.media_type, audited_at=audited_at, gapcheck_version=__version__,
                 text=document.text, checklists=tuple(results), flags=tuple(flags.values()),
                 headings=tuple(headings))


def audit_source(source: str, checklists: list[Checklist], provider: str | None = None,
                 audited_at: datetime | None = None) -> Audit:
    """Read a file or URL and audit it."""
    return audit_document(read_source(source, provider), checklists, audited_at)
