"""Auditing many sources: in this process, over worker processes (`--jobs`) or on a Dask cluster (`--executor dask`).

An executor maps a picklable function over a list of items and hands the results back in order. Executors are
chosen by name from `EXECUTORS`: `inline` (this process), `process` (a pool of `jobs` worker processes on this
machine) and `dask` (the workers of a Dask distributed cluster: an existing one at `scheduler`, else a local one
started for the run). Dask is an optional extra (`pip install 'gapcheck[dask]'`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

from gapcheck.audit import audit_source
from gapcheck.checklist import Checklist, resolve_checklists
from gapcheck.errors import GapcheckError, SourceError, internal_error
from gapcheck.models import Audit

Outcome = Audit | SourceError
Reports = dict[str, "bytes | SourceError"]  # format -> the report's bytes, or why it could not be rendered
_worker_checklists: list[Checklist] = []


class ExecutorError(GapcheckError):
    """An executor that cannot be used (unknown name, Dask not installed, scheduler unreachable): exit 2."""


class Executor(Protocol):
    """Runs a function over items somewhere, yielding the results in the items' order."""

    def map(self, function: Callable[[Any], Any], items: list[Any]) -> Iterator[Any]: ...

    def close(self) -> None: ...


def default_jobs() -> int:
    """The number of worker processes by default: the machine's cores."""
    return os.cpu_count() or 1


class InlineExecutor:
    """Everything in this process, one item after the other."""

    def __init__(self, jobs: int = 1, scheduler: str | None = None,
                 initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> None:
        if initializer is not None:
            initializer(*initargs)

    def map(self, function: Callable[[Any], Any], items: list[Any]) -> Iterator[Any]:
        return map(function, items)

    def close(self) -> None:
        pass


class ProcessExecutor:
    """A pool of worker processes on this machine; `initializer` runs once in each (e.g. to load checklists)."""

    def __init__(self, jobs: int = 1, scheduler: str | None = None,
                 initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> None:
        self.jobs = max(1, jobs)
        self.pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=initializer, initargs=initargs)

    def map(self, function: Callable[[Any], Any], items: list[Any]) -> Iterator[Any]:
        chunk = max(1, len(items) // (self.jobs * 8))
        return self.pool.map(function, items, chunksize=chunk)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """The workers of a Dask distributed cluster: the one at `scheduler` (tcp://HOST:PORT), else a local cluster
    started for this run and stopped after it. Each item is one task; results are gathered in order."""

    def __init__(self, jobs: int = 1, scheduler: str | None = None,
                 initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise ExecutorError("--executor dask needs Dask: pip install 'gapcheck[dask]'") from exc
        self.cluster = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout="20s")
            else:
                self.cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                                            host="127.0.0.1", dashboard_address=None)
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise ExecutorError(f"cannot reach the Dask scheduler {scheduler or '(local cluster)'}: {exc}") from exc
        # No initializer: workers may join later, so each task carries what it needs (see audit_and_render).

    def map(self, function: Callable[[Any], Any], items: list[Any]) -> Iterator[Any]:
        futures = self.client.map(function, items, pure=False)
        try:
            for future in futures:
                yield future.result()
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()


EXECUTORS: dict[str, type[InlineExecutor] | type[ProcessExecutor] | type[DaskExecutor]] = {
    "inline": InlineExecutor,
    "process": ProcessExecutor,
    "dask": DaskExecutor,
}


class executor(AbstractContextManager):  # noqa: N801 (used as `with executor(...) as run:`)
    """An executor chosen by name, closed when the `with` block ends."""

    def __init__(self, name: str, jobs: int = 1, scheduler: str | None = None,
                 initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> None:
        if name not in EXECUTORS:
            raise ExecutorError(f"unknown executor {name!r} (known: {', '.join(EXECUTORS)})")
        self.name = name
        self.runner = EXECUTORS[name](jobs, scheduler, initializer, initargs)

    def __enter__(self) -> Executor:
        return self.runner

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.runner.close()


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


def audit_and_render(item: tuple[str, str, datetime | None, list[str], tuple[str, ...]]) -> tuple[Outcome, Reports]:
    """One task: audit a source and render its reports (bytes, written by the caller) in the given formats.

    Checklists are loaded once per worker process (resolve_checklists caches compiled checklists)."""
    from gapcheck.render import RENDERERS

    provider, source, audited_at, checklist_refs, formats = item
    try:
        audit = audit_source(source, resolve_checklists(checklist_refs), provider=provider, audited_at=audited_at)
    except SourceError as exc:
        return exc, {}
    except Exception as exc:  # one broken document must not stop the others
        return internal_error(source, "audited", exc), {}
    reports: Reports = {}
    for fmt in formats:
        try:
            reports[fmt] = RENDERERS[fmt][1](audit)
        except Exception as exc:
            reports[fmt] = internal_error(source, f"written as {fmt}", exc)
    return audit, reports


def audit_many(items: list[tuple[str, str]], checklist_refs: list[str], audited_at: datetime | None = None,
               jobs: int = 1, executor_name: str | None = None, scheduler: str | None = None
               ) -> Iterator[tuple[str, Outcome]]:
    """Audit (provider, source) pairs in order; failures come back as SourceError, not raised.

    The executor is `executor_name`, else `process` with more than one job and item, else `inline`."""
    name = executor_name or ("process" if jobs > 1 and len(items) > 1 else "inline")
    if name == "dask":
        for provider, outcome, _ in audit_and_render_many(items, checklist_refs, [], audited_at, jobs, name, scheduler):
            yield provider, outcome
        return
    work = [(provider, source, audited_at) for provider, source in items]
    with executor(name, jobs, scheduler, _start_worker, (checklist_refs,)) as runner:
        for item, outcome in zip(work, runner.map(_audit_one, work)):
            yield item[0], outcome


def audit_and_render_many(items: list[tuple[str, str]], checklist_refs: list[str], formats: list[str],
                          audited_at: datetime | None = None, jobs: int = 1, executor_name: str = "dask",
                          scheduler: str | None = None) -> Iterator[tuple[str, Outcome, Reports]]:
    """Audit and render each (provider, source) as one task on the executor; (provider, outcome, reports) in order."""
    work = [(provider, source, audited_at, list(checklist_refs), tuple(formats)) for provider, source in items]
    with executor(executor_name, jobs, scheduler) as runner:
        for item, (outcome, reports) in zip(work, runner.map(audit_and_render, work)):
            yield item[0], outcome, reports
