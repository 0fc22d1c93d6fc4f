"""What a stored audit or rendered report depends on besides the policy, as one comparable key.

A stored audit is reused only while the gapcheck version, the code an audit depends on (so an
edited install is never served stale results) and the checklist files (ids, versions, rules) are
all the same, and only while the dates in the policy are judged as on the audit day ("last updated more
than 12 months ago" can become true for a policy that never changes). Rendered reports are reused
only while the renderers and templates are the same too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path

from gapcheck import __version__
from gapcheck.dates import find_dates
from gapcheck.matchers import months_before

PACKAGE = Path(__file__).resolve().parent.parent
CODE_SUFFIXES = (".py", ".html", ".css", ".js", ".j2", ".jinja", ".xml")
RENDER_PARTS = ("render", "templates")  # what reports depend on besides the audit
NOT_AUDIT_PARTS = (*RENDER_PARTS, "job", "cli.py")  # what an audit does not depend on
MONTHS_HORIZON = 120  # "older than N months" rules are checked for every N up to this


def _hash_files(keep: Callable[[tuple[str, ...]], bool]) -> str:
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        parts = path.relative_to(PACKAGE).parts
        if path.is_file() and path.suffix in CODE_SUFFIXES and "__pycache__" not in parts and keep(parts):
            digest.update("/".join(parts).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def audit_code() -> str:
    """A hash of the code an audit depends on (ingest, extraction, matchers, engine, scoring, models)."""
    return _hash_files(lambda parts: parts[0] not in NOT_AUDIT_PARTS)


@lru_cache(maxsize=1)
def render_code() -> str:
    """A hash of the renderers and templates: reports rendered by other ones are not reused."""
    return _hash_files(lambda parts: parts[0] in RENDER_PARTS)


def checklist_key(path: str) -> str:
    """A checklist file's name and content hash (its id and version are in the content)."""
    return f"{Path(path).name}#{hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]}"


def engine_key(checklists: tuple[str, ...]) -> str:
    """The key under which audits by this gapcheck with these checklist files are stored."""
    return ";".join([f"gapcheck@{__version__}#{audit_code()}", *(checklist_key(c) for c in checklists)])


def dates_still_hold(text: str, audited_on: date, today: date, horizon_months: int = MONTHS_HORIZON) -> bool:
    """Whether every date-based rule would judge the policy's dates today as it did on the audit day.

    A date in the text that was in the future may have passed, and any "older than N months" rule
    (N up to the horizon) may have crossed its cutoff; then the stored audit is stale.
    """
    if today == audited_on:
        return True
    for found, _, _ in find_dates(text):
        if (found <= audited_on) != (found <= today):
            return False
        if any((months_before(audited_on, n) > found) != (months_before(today, n) > found)
               for n in range(1, horizon_months + 1)):
            return False
    return True


def combine(*parts: object) -> str:
    """A short hash of several values (render keys and the like)."""
    return hashlib.sha256("\0".join(str(p) for p in parts).encode()).hexdigest()[:24]
