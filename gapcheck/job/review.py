"""Legal review that sticks: decisions imported from workbooks, bound to a policy version, applied to audits.

A decision is bound to the policy version (sha256) its finding was audited on. It is shown on
later audits of that provider; it counts (scoring.effective_status) only while the policy is
still that version, and is shown with current=False once the policy has changed, until a
workbook that confirms it for the new version is imported.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from gapcheck.job.config import JobConfig
from gapcheck.job.history import History, StoredAudit, StoredReview
from gapcheck.job.lock import database_lock
from gapcheck.job.workbook import SHEET, ReviewRow, WorkbookError, read_review_sheet
from gapcheck.models import Audit, Review
from gapcheck.scoring import score

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportReport:
    """What an import stored."""

    workbook: Path
    reviewer: str
    stored: int  # new decisions, or decisions changed or confirmed for another policy version
    unchanged: int  # rows that repeat the decision already stored for that policy version
    reconfirmed: int  # of the stored: an earlier decision confirmed for a new policy version
    providers: tuple[str, ...]


def apply_reviews(audit: Audit, reviews: dict[tuple[str, str], StoredReview]) -> Audit:
    """The audit with each finding's latest decision attached and every checklist re-scored."""
    results = []
    for result in audit.checklists:
        findings = []
        for finding in result.findings:
            stored = reviews.get((audit.provider, finding.requirement))
            review = None if stored is None else Review(stored.decision, stored.note, stored.reviewer, stored.at,
                                                        current=stored.sha256 == audit.sha256)
            findings.append(replace(finding, review=review))
        results.append(replace(result, findings=tuple(findings), score=score(findings)))
    return replace(audit, checklists=tuple(results))


def review_key(audit: Audit) -> str:
    """A fingerprint of the decisions attached to an audit (reports need re-rendering when it changes)."""
    attached = [(f.requirement, f.review.to_dict()) for c in audit.checklists for f in c.findings if f.review]
    return hashlib.sha256(json.dumps(attached, sort_keys=True).encode()).hexdigest()


def _normal_status(value: str) -> str:
    return "_".join(value.casefold().split())


def choose_audit(rows: list[ReviewRow], candidates: list[tuple[StoredAudit, str]],
                 created: datetime | None) -> StoredAudit:
    """The audit a workbook's rows were made from: the one whose statuses they match best.

    Ties go to the newest audit already in use when the workbook was created, else the newest.
    `candidates` come newest first, each with the start of the first run that used it.
    """
    created_at = created.replace(microsecond=0).isoformat() if created else None

    def fit(item: tuple[StoredAudit, str]) -> tuple[int, int]:
        stored, first_used = item
        statuses = {f.requirement: f.status for c in stored.audit.checklists for f in c.findings}
        matched = sum(1 for r in rows if r.requirement in statuses
                      and (not r.status or _normal_status(r.status) == statuses[r.requirement]))
        in_use = created_at is None or first_used <= created_at
        return matched, int(in_use)

    best = max(candidates, key=fit)  # max keeps the first (newest) of equals
    return best[0]


def bind_rows(path: Path, rows: list[ReviewRow], history: History, created: datetime | None
              ) -> list[tuple[ReviewRow, str, str]]:
    """Each row with the checklist id and the policy sha256 its finding was audited on."""
    by_provider: dict[str, list[ReviewRow]] = defaultdict(list)
    for row in rows:
        by_provider[row.provider].append(row)
    bound = []
    for provider, provider_rows in by_provider.items():
        candidates = history.audits_of(provider)
        if not candidates:
            raise WorkbookError(path, f"{SHEET} row {provider_rows[0].row}: provider {provider!r} "
                                      f"has no audit in {history.path}")
        stored = choose_audit(provider_rows, candidates, created)
        checklist_of = {f.requirement: c.id for c in stored.audit.checklists for f in c.findings}
        for row in provider_rows:
            if row.requirement not in checklist_of:
                raise WorkbookError(path, f"{SHEET} row {row.row}: requirement {row.requirement!r} "
                                          f"is not in {provider}'s audit")
            bound.append((row, checklist_of[row.requirement], stored.sha256))
    return bound


def import_reviews(path: Path, config: JobConfig, reviewer: str | None = None,
                   now: datetime | None = None) -> ImportReport:
    """Store a workbook's decisions in the job's history; nothing is stored when any row is wrong."""
    sheet = read_review_sheet(path)
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    who = reviewer or sheet.author or "unknown"
    when = (sheet.modified or now).replace(microsecond=0).isoformat()
    with database_lock(config.database), History.open(config.database) as history:
        bound = bind_rows(path, list(sheet.rows), history, sheet.created)
        latest = history.latest_reviews()
        new: dict[tuple[str, str], StoredReview] = {}
        unchanged = reconfirmed = 0
        for row, checklist, sha256 in bound:
            before = new.get((row.provider, row.requirement)) or latest.get((row.provider, row.requirement))
            if before is not None and (before.sha256, before.decision, before.note) == (sha256, row.decision,
                                                                                         row.note):
                unchanged += 1
                continue
            if before is not None and before.sha256 != sha256 and before.decision == row.decision:
                reconfirmed += 1
            new[(row.provider, row.requirement)] = StoredReview(row.provider, checklist, row.requirement, sha256,
                                                                row.decision, row.note, who, when)
        history.add_reviews(new.values(), now.isoformat(), path.name)
    log.info("imported %d decision(s) from %s by %s (%d unchanged, %d confirmed for a new policy version)",
             len(new), path.name, who, unchanged, reconfirmed)
    return ImportReport(path, who, len(new), unchanged, reconfirmed, tuple(sorted({r.provider for r in sheet.rows})))
