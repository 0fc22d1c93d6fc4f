"""What a stored audit or rendered report depends on besides the policy, as one comparable key.

A stored audit is reused only while the gapcheck version, gapcheck's own code (so an edited
install is never served stale results) and every checklist's id, version and file are the same.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from gapcheck import __version__
from gapcheck.checklist import Checklist

PACKAGE = Path(__file__).resolve().parent.parent
CODE_SUFFIXES = (".py", ".html", ".css", ".j2", ".jinja", ".xml")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of gapcheck's code and templates (the job package itself left out)."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        relative = path.relative_to(PACKAGE)
        if path.is_file() and path.suffix in CODE_SUFFIXES and relative.parts[0] != "job" \
                and "__pycache__" not in relative.parts:
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def checklist_key(checklist: Checklist) -> str:
    """id@version plus a hash of the checklist file."""
    try:
        content = Path(checklist.path).read_bytes()
    except OSError:
        content = b""
    return f"{checklist.id}@{checklist.version}#{hashlib.sha256(content).hexdigest()[:12]}"


def engine_key(checklists: list[Checklist]) -> str:
    """The key under which audits by this gapcheck with these checklists are stored."""
    return ";".join([f"gapcheck@{__version__}#{code_fingerprint()}", *(checklist_key(c) for c in checklists)])


def combine(*parts: object) -> str:
    """A short hash of several values (render keys and the like)."""
    return hashlib.sha256("\0".join(str(p) for p in parts).encode()).hexdigest()[:24]
