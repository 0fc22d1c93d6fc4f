"""Writing report files, for one audit or spread over worker processes for many (PDF layout dominates)."""

from __future__ import annotations

from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType

from gapcheck.files import write_atomic
from gapcheck.models import Audit
from gapcheck.render import RENDERERS


def write_report(audit: Audit, out: Path, fmt: str) -> Path:
    """Render an audit in one format and write the file atomically."""
    suffix, render = RENDERERS[fmt]
    path = out / f"{audit.provider}{suffix}"
    write_atomic(path, render(audit))
    return path


def write_reports(audit: Audit, out: Path, formats: list[str]) -> list[Path]:
    """Render an audit in each format and write the files atomically."""
    return [write_report(audit, out, fmt) for fmt in formats]


class ReportWriter:
    """Writes each submitted audit's reports: in this process with one job, else in `jobs` worker processes.

    Leaving the `with` block waits for every file; the first rendering error is raised there.
    """

    def __init__(self, out: Path, formats: list[str], jobs: int = 1) -> None:
        self.out, self.formats = out, formats
        self.pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
        self.pending: list[Future[Path]] = []

    def submit(self, audit: Audit) -> None:
        if self.pool is None:
            write_reports(audit, self.out, self.formats)
            return
        self.pending.extend(self.pool.submit(write_report, audit, self.out, fmt) for fmt in self.formats)

    def __enter__(self) -> ReportWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.pool is None:
            return
        try:
            for future in self.pending:
                if error is None:
                    future.result()
                else:
                    future.cancel()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=error is not None)
