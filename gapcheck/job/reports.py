"""Writing a run's files: each provider's reports, the audited policy bytes and the portfolio.

Reports rendered from the same audit, decisions and code as in an earlier run are copied from
that run instead of being rendered again (PDF rendering dominates a run's time).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable
from pathlib import Path

from gapcheck.files import write_atomic
from gapcheck.models import Audit
from gapcheck.render import RENDERERS

log = logging.getLogger(__name__)

PROVIDERS_DIR = "providers"
POLICIES_DIR = "policies"
POLICY_SUFFIXES = {"text/plain": ".txt", "text/markdown": ".md", "text/html": ".html", "application/pdf": ".pdf"}
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
