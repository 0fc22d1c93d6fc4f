"""Writing report files, for one audit or spread over worker processes for many (PDF layout dominates)."""

from __future__ import annotations

from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from types import TracebackType

from gapcheck.errors import SourceError, internal_error
from gapcheck.files import write_atomic
from gapcheck.models import Audit
from gapcheck.render import RENDERERS


def write_report(audit: Audit, out: Path, fmt: str) -> Path:
    """Render an audit in one format and write the file atomically."""
    suffix, render = RENDERERS[fmt]
    path = out / f"{audit.provider}{suffix}"
    write_atomic(path, render(audit))
    return path


def _write_report_checked(audit: Audit, out: Path, fmt: str) -> Path | SourceError:
    """write_report, with a rendering failure handed back as a SourceError (with its traceback), not raised."""
    try:
        return write_report(audit, out, fmt)
    except OSError:
        raise
    except Exception as exc:
        return internal_error(audit.source, f"written as {fmt}", exc)


def write_reports(audit: Audit, out: Path, formats: list[str]) -> list[Path]:
    """Render an audit in each format and write the files atomically."""
    return [write_report(audit, out, fmt) for fmt in formats]


class ReportWriter:
    """Writes each submitted audit's reports: in this process with one job, else in `jobs` worker processes.

    Leaving the `with` block waits for every file. A report that cannot be rendered is a failure of its
    source (`failed`, one SourceError per source) and the other reports are still written; a file system
    error (the output folder cannot be written) is raised.
    """

    def __init__(self, out: Path, formats: list[str], jobs: int = 1) -> None:
        self.out, self.formats = out, formats
        self.pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
        self.pending: list[tuple[str, Future[Path | SourceError]]] = []
        self.failed: dict[str, SourceError] = {}

    def submit(self, audit: Audit) -> None:
        if self.pool is None:
            for fmt in self.formats:
                self._note(audit.source, _write_report_checked(audit, self.out, fmt))
            return
        self.pending.extend((audit.source, self.pool.submit(_write_report_checked, audit, self.out, fmt))
                            for fmt in self.formats)

    def _note(self, source: str, outcome: Path | SourceError) -> None:
        if isinstance(outcome, SourceError):
            self.failed.setdefault(source, outcome)  # one line per source, the first format that failed

    def __enter__(self) -> ReportWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.pool is None:
            return
        try:
            for source, future in self.pending:
                if error is None:
                    self._note(source, future.result())
                else:
                    future.cancel()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=error is not None)
