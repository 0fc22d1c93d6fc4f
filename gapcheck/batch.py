"""Auditing many sources, in this process or spread over worker processes (`--jobs`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime

from gapcheck.audit import audit_source
from gapcheck.checklist import Checklist, resolve_checklists
from gapcheck.errors import SourceError, internal_error
from gapcheck.models import Audit

Outcome = Audit | SourceError
_worker_checklists: list[Checklist] = []


def default_jobs() -> int:
    """The number of worker processes by default: the machine's cores."""
    return os.cpu_count() or 1


def _start_worker(checklist_refs: list[str]) -> None:
    global _worker_checklists
    _worker_checklists = resolve_checklists(checklist_refs)


def _audit_one(item: tuple[str, str, datetime | None]) -> Outcome:
    provider, source, audited_at = item
    try:
        return audit_source(source, _worker_checklists, provider=provider, audited_at=audited_at)
    except SourceError as exc:
        return exc
    except Exception as exc:  # one broken document must not stop the others
        return internal_error(source, "audited", exc)


def audit_many(items: list[tuple[str, str]], checklist_refs: list[str], audited_at: datetime | None = None,
               jobs: int = 1) -> Iterator[tuple[str, Outcome]]:
    """Audit (provider, source) pairs in order; failures come back as SourceError, not raised."""
    work = [(provider, source, audited_at) for provider, source in items]
    if jobs <= 1 or len(work) <= 1:
        _start_worker(checklist_refs)
        for item in work:
            yield item[0], _audit_one(item)
        return
    chunk = max(1, len(work) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(checklist_refs,)) as pool:
        for item, outcome in zip(work, pool.map(_audit_one, work, chunksize=chunk)):
            yield item[0], outcome
