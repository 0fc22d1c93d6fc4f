"""Writing a run's files: each provider's reports, the audited policy bytes and the portfolio.

A run's folder is built under a hidden name (`.<run_id>.partial`) and renamed into place only when
complete, so a killed run never leaves a half-filled run folder in sight; the next run removes it.
Reports rendered from the same audit, decisions and code as in an earlier run are copied from
that run instead of being rendered again (PDF rendering dominates a run's time).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import re
import shutil
from collections.abc import Callable, Collection
from contextlib import suppress
from pathlib import Path

from gapcheck.files import write_atomic
from gapcheck.models import Audit
from gapcheck.render import RENDERERS

log = logging.getLogger(__name__)

PROVIDERS_DIR = "providers"
POLICIES_DIR = "policies"
POLICY_SUFFIXES = {"text/plain": ".txt", "text/markdown": ".md", "text/html": ".html", "application/pdf": ".pdf"}
PARTIAL_NAME = re.compile(r"\.(?P<run_id>\d{8}T\d{6}Z(?:-\d+)?)\.partial")
PortfolioRenderer = Callable[..., dict[str, bytes]]  # (audits, formats, report_folder=...) -> name -> bytes


def _copy_or_render(target: Path, earlier: Path | None, render: Callable[[], bytes]) -> bool:
    """Write target from the earlier file when there is one, else render it; True when copied."""
    if earlier is not None and earlier.is_file():
        write_atomic(target, earlier.read_bytes())
        return True
    write_atomic(target, render())
    return False


def write_provider_reports(audit: Audit, run_dir: Path, formats: tuple[str, ...],
                           earlier: dict[str, Path] | None = None,
                           rendered: dict[str, bytes] | None = None) -> dict[str, str]:
    """Render (or copy from `earlier`, format -> file, or take from `rendered`, format -> bytes rendered
    elsewhere) each format; return format -> path inside the run."""
    written: dict[str, str] = {}
    copied = 0
    for fmt in formats:
        suffix, render = RENDERERS[fmt]
        relative = f"{PROVIDERS_DIR}/{audit.provider}{suffix}"
        made = (rendered or {}).get(fmt)
        copied += _copy_or_render(run_dir / relative, (earlier or {}).get(fmt),
                                  (lambda: made) if made is not None else (lambda: render(audit)))
        written[fmt] = relative
    log.debug("%s: %d report(s) rendered, %d copied", audit.provider, len(formats) - copied, copied)
    return written


def write_policy(provider: str, media_type: str, data: bytes, run_dir: Path) -> str:
    """Keep the exact bytes that were audited beside the reports; return the path inside the run."""
    relative = f"{POLICIES_DIR}/{provider}{POLICY_SUFFIXES.get(media_type, '.bin')}"
    write_atomic(run_dir / relative, data)
    return relative


def portfolio_renderer() -> PortfolioRenderer | None:
    """gapcheck.render.portfolio.render_portfolio when that module is installed, else None."""
    if importlib.util.find_spec("gapcheck.render.portfolio") is None:
        return None
    return getattr(importlib.import_module("gapcheck.render.portfolio"), "render_portfolio", None)


def write_portfolio(audits: list[Audit], run_dir: Path, formats: tuple[str, ...],
                    earlier: tuple[Path, tuple[str, ...]] | None = None, reserved: tuple[str, ...] = ()) -> list[str]:
    """The portfolio files over every audit (copied from `earlier` (folder, names) when given)."""
    if earlier is not None and earlier[1] and all((earlier[0] / name).is_file() for name in earlier[1]):
        for name in earlier[1]:
            write_atomic(run_dir / name, (earlier[0] / name).read_bytes())
        log.debug("portfolio copied from %s", earlier[0])
        return list(earlier[1])
    render = portfolio_renderer()
    if render is None or not audits:
        return []
    names = []
    for name, data in render(audits, list(formats), report_folder=PROVIDERS_DIR).items():
        if Path(name).name != name or name.startswith(".") or name in reserved:
            raise ValueError(f"portfolio file name {name!r} is not a plain, free file name")
        write_atomic(run_dir / name, data)
        names.append(name)
    return names


def partial_dir(out: Path, run_id: str) -> Path:
    """The hidden folder a run's files are written into until the run is complete."""
    return out / f".{run_id}.partial"


def remove_partial_dirs(out: Path, unfinished: Collection[str]) -> list[str]:
    """Remove the partial folders of runs in `unfinished` (killed before they completed); return their names.

    Only runs this history knows as unfinished are touched, never a folder of another job sharing `out`.
    """
    found = sorted(p for p in out.iterdir() if (m := PARTIAL_NAME.fullmatch(p.name)) and m["run_id"] in unfinished
                   and p.is_dir() and not p.is_symlink()) if out.is_dir() else []
    removed = []
    for path in found:
        try:
            shutil.rmtree(path)
            removed.append(path.name)
        except OSError as exc:
            log.warning("could not remove the unfinished run folder %s: %s", path, exc)
    if removed:
        log.warning("removed %d unfinished run folder(s) left by interrupted runs in %s: %s",
                    len(removed), out, ", ".join(removed))
    return removed


def _sync_dir(path: Path) -> None:
    """Flush a folder's entries to disk (nothing where the file system cannot)."""
    with suppress(OSError):
        handle = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def publish_run_dir(partial: Path, run_dir: Path) -> None:
    """Move a complete run folder into place in one rename, durably (its folders synced before, its parent after)."""
    for folder in [*(p for p in partial.rglob("*") if p.is_dir()), partial]:
        _sync_dir(folder)
    os.rename(partial, run_dir)
    _sync_dir(run_dir.parent)
