"""One nightly run: read every provider's policy, re-audit only what changed, write reports and history.

A provider whose policy bytes, checklists and gapcheck are as at its last audit reuses the
stored audit (and, when the decisions on it are also the same, the reports rendered from it).
A provider that fails is reported as `error` with its reason; the others are still done.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Any

from gapcheck import __version__
from gapcheck.audit import audit_document
from gapcheck.batch import Executor, default_jobs, executor
from gapcheck.checklist import Checklist, resolve_checklists
from gapcheck.errors import EXIT_OK, EXIT_SOURCE, EXIT_THRESHOLD, GapcheckError, SourceError, exception_line
from gapcheck.files import write_atomic
from gapcheck.ingest import document_from_bytes, read_file
from gapcheck.ingest.fetch import fetch, is_url
from gapcheck.job.config import JobConfig, Provider
from gapcheck.job.diff import Changes, compare, snapshot
from gapcheck.job.fingerprint import combine, dates_still_hold, engine_key, render_code
from gapcheck.job.history import History
from gapcheck.job.lock import database_lock
from gapcheck.job.notify import post_summary
from gapcheck.job.reports import (partial_dir, publish_run_dir, remove_partial_dirs, write_policy, write_portfolio,
                                  write_provider_reports)
from gapcheck.job.review import apply_reviews, review_key
from gapcheck.job.summary import (SUMMARY_HTML, SUMMARY_JSON, ProviderOutcome, build_summary, summary_html,
                                  summary_json)
from gapcheck.models import Audit, Document
from gapcheck.render import RENDERERS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunResult:
    """What a run did: its folder, summary and exit code, and how many policies it audited afresh."""

    run_id: str
    run_dir: Path
    summary: dict[str, Any]
    exit_code: int
    audited: int


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def read_policy_bytes(location: str) -> tuple[bytes, str]:
    """The bytes of a policy file or URL (size-capped, URL with timeout and redirect limit) and its declared type."""
    if is_url(location):
        fetched = fetch(location)
        return fetched.data, fetched.content_type
    return read_file(location), ""


def new_run_dir(out: Path, history: History, now: datetime) -> tuple[str, Path]:
    """A fresh run id, sortable by time (20261123T020000Z, then -02, -03 within the same second), and the
    run folder it names (not created: the run is written into its partial_dir and published at the end)."""
    base = now.strftime("%Y%m%dT%H%M%SZ")
    run_id, number = base, 1
    while (out / run_id).exists() or partial_dir(out, run_id).exists() or history.run_exists(run_id):
        number += 1
        run_id = f"{base}-{number:02d}"
    return run_id, out / run_id


@contextmanager
def _removed_on_failure(folder: Path) -> Iterator[None]:
    """Remove the folder when the block fails (a killed process is cleaned up by the next run instead)."""
    try:
        yield
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


@dataclass
class _Prepared:
    """One provider on its way through a run: its policy bytes, its audit and what its reports need."""

    data: bytes
    content_type: str
    audit: Audit | None = None  # as stored or just made (before reviewer decisions)
    audit_id: int | None = None
    reaudited: bool = False
    reviewed: Audit | None = None  # with the reviewer decisions applied
    changes: Changes | None = None
    render_key: str = ""
    earlier: dict[str, Path] | None = None  # format -> the previous run's file, when it can be copied
    rendered: dict[str, bytes] = field(default_factory=dict)  # format -> rendered on the executor


def audit_bytes(task: tuple[str, bytes, str, str, list[str], datetime]) -> tuple[Document, Audit] | SourceError | str:
    """An executor task: a policy's bytes into its Document and Audit (checklists loaded once per worker process).
    A failure comes back as a SourceError or a one-line reason, not raised."""
    source, data, name, content_type, checklists, started = task
    try:
        document = document_from_bytes(source, data, name, content_type)
        return document, audit_document(document, resolve_checklists(checklists), started)
    except SourceError as exc:
        return exc
    except Exception as exc:
        return exception_line(exc)


def render_report(task: tuple[Audit, str]) -> bytes | str:
    """An executor task: one report's bytes, or a one-line reason why it could not be rendered."""
    audit, fmt = task
    try:
        return RENDERERS[fmt][1](audit)
    except Exception as exc:
        return exception_line(exc)


class _Run:
    """The state of one run while its providers are done one after the other."""

    def __init__(self, config: JobConfig, history: History, run_id: str, folder: Path, started: datetime) -> None:
        self.config = config
        self.started = started
        self.history = history
        self.engine_key = engine_key(config.checklists)
        self.run_id = run_id
        self.folder = folder  # where the run's files are written: its partial folder until it is published
        self.reviews = history.latest_reviews()
        self.audited = 0
        self.render_keys: dict[str, str] = {}
        self.prepared: dict[str, _Prepared | BaseException] = {}  # by `prepare`, on an executor

    @cached_property
    def checklists(self) -> list[Checklist]:
        """Loaded (and compiled) only when some policy needs auditing: the slow part of a quiet run."""
        return resolve_checklists(list(self.config.checklists))

    def provider(self, provider: Provider) -> ProviderOutcome:
        """Audit (or reuse) one provider, write its files and record it; errors become an `error` outcome."""
        try:
            return self._provider(provider)
        except SourceError as exc:
            reason = exc.reason
        except GapcheckError:  # a broken checklist stops the run: exit 2 with its file and line
            raise
        except Exception as exc:  # one provider's failure must not stop the others
            log.debug("%s failed", provider.name, exc_info=True)
            reason = exception_line(exc)
        log.error("%s: %s", provider.name, reason)
        self.history.record_error(self.run_id, provider.name, provider.source, reason)
        return ProviderOutcome(provider.name, provider.source, error=reason)

    def _read(self, provider: Provider) -> _Prepared:
        """The policy's bytes, and its stored audit when that can be reused."""
        data, content_type = read_policy_bytes(provider.location)
        sha256 = hashlib.sha256(data).hexdigest()
        stored = self.history.find_audit(provider.name, sha256, self.engine_key)
        if stored is not None and not dates_still_hold(stored.audit.text, stored.audit.audited_at.date(),
                                                        self.started.date()):
            log.info("%s: the policy's dates are judged differently today: auditing again", provider.name)
            stored = None
        if stored is not None:
            return _Prepared(data, content_type, replace(stored.audit, source=provider.source), stored.id, False)
        return _Prepared(data, content_type)

    def _store(self, prepared: _Prepared, document: Document, audit: Audit) -> None:
        """Keep a fresh audit: in the history and on the provider on its way through the run."""
        prepared.audit = audit
        prepared.audit_id = self.history.store_audit(document, prepared.content_type, self.engine_key, audit)
        prepared.reaudited = True
        self.audited += 1

    def _render_plan(self, provider: Provider, prepared: _Prepared) -> None:
        """The reviewed audit, the change since the last run, and the earlier reports that can be copied."""
        assert prepared.audit is not None and prepared.audit_id is not None
        audit = prepared.reviewed = apply_reviews(prepared.audit, self.reviews)
        previous = self.history.last_success(provider.name)
        prepared.changes = compare(previous.snapshot if previous else None, snapshot(audit))
        prepared.render_key = combine(prepared.audit_id, review_key(audit), provider.source, self.config.formats,
                                      render_code())
        if previous is not None and previous.render_key == prepared.render_key:
            prepared.earlier = {fmt: previous.out_dir / path for fmt, path in previous.reports.items()}

    def _provider(self, provider: Provider) -> ProviderOutcome:
        prepared = self.prepared.pop(provider.name, None) or self._read(provider)
        if isinstance(prepared, BaseException):
            raise prepared
        if prepared.audit is None:
            document = document_from_bytes(provider.source, prepared.data, provider.name, prepared.content_type)
            self._store(prepared, document, audit_document(document, self.checklists, self.started))
        if prepared.reviewed is None:
            self._render_plan(provider, prepared)
        audit, changes, render_key = prepared.reviewed, prepared.changes, prepared.render_key
        assert audit is not None and changes is not None
        reports = write_provider_reports(audit, self.folder, self.config.formats, prepared.earlier, prepared.rendered)
        policy_file = write_policy(provider.name, audit.media_type, prepared.data, self.folder)
        self.history.record_result(self.run_id, provider.name, provider.source, changes.change, audit,
                                   prepared.audit_id, prepared.reaudited, render_key, reports)
        self.render_keys[provider.name] = render_key
        log.info("%s: %s%s", provider.name, changes.change, " (audited)" if prepared.reaudited else " (stored audit)")
        return ProviderOutcome(provider.name, provider.source, audit, changes, None, prepared.reaudited, reports,
                               policy_file)

    def prepare(self, providers: tuple[Provider, ...]) -> None:
        """With an executor other than inline: audit the providers that need it and render the reports that
        cannot be copied as tasks on that executor (in order); `provider` then records each one. A failure
        here is kept and raised again by `provider`, so it becomes that provider's `error` outcome."""
        name = self.config.executor
        if name == "inline":
            return
        for provider in providers:
            try:
                self.prepared[provider.name] = self._read(provider)
            except GapcheckError as exc:
                if not isinstance(exc, SourceError):
                    raise
                self.prepared[provider.name] = exc
            except Exception as exc:
                self.prepared[provider.name] = exc
        ready = {n: p for n, p in self.prepared.items() if isinstance(p, _Prepared)}
        due = [p for p in providers if p.name in ready and ready[p.name].audit is None]
        tasks = [(p.source, ready[p.name].data, p.name, ready[p.name].content_type, list(self.config.checklists),
                  self.started) for p in due]
        with ExitStack() as stack:
            def runner() -> Executor:  # started on first use: a quiet run starts no workers or cluster
                if not started:
                    started.append(stack.enter_context(executor(name, default_jobs(), self.config.scheduler)))
                return started[0]

            started: list[Executor] = []
            if tasks:
                for provider, result in zip(due, runner().map(audit_bytes, tasks)):
                    if isinstance(result, tuple):
                        self._store(ready[provider.name], *result)
                    else:
                        self.prepared[provider.name] = result if isinstance(result, SourceError) \
                            else SourceError(provider.source, result)
            renders: list[tuple[Provider, str]] = []
            for provider in providers:
                prepared = self.prepared.get(provider.name)
                if not isinstance(prepared, _Prepared):
                    continue
                try:
                    self._render_plan(provider, prepared)
                except Exception as exc:
                    self.prepared[provider.name] = exc
                    continue
                renders += [(provider, fmt) for fmt in self.config.formats
                            if not (prepared.earlier and fmt in prepared.earlier and prepared.earlier[fmt].is_file())]
            if renders:
                work = [(self.prepared[p.name].reviewed, fmt) for p, fmt in renders]
                for (provider, fmt), result in zip(renders, runner().map(render_report, work)):
                    prepared = self.prepared[provider.name]
                    if isinstance(prepared, _Prepared) and isinstance(result, bytes):
                        prepared.rendered[fmt] = result
                    elif isinstance(prepared, _Prepared):
                        self.prepared[provider.name] = SourceError(provider.source, result)

    def portfolio(self, outcomes: list[ProviderOutcome]) -> tuple[list[str], str, str | None]:
        """Write the portfolio over every audited provider: (file names, key, error or None)."""
        audits = [o.audit for o in outcomes if o.audit is not None]
        key = combine(self.engine_key, self.config.formats, sorted(self.render_keys.items()))
        last = self.history.last_portfolio()
        earlier = (last.out_dir, last.files) if last is not None and last.key == key else None
        try:
            return write_portfolio(audits, self.folder, self.config.formats, earlier,
                                   reserved=(SUMMARY_JSON, SUMMARY_HTML)), key, None
        except Exception as exc:
            log.error("portfolio: %s: %s", type(exc).__name__, exc, exc_info=log.isEnabledFor(logging.DEBUG))
            return [], "", exception_line(exc)


def checklists_of(outcomes: list[ProviderOutcome]) -> list[dict[str, str]]:
    """The checklists the run's audits were made with (id and version), in order."""
    seen = {(c.id, c.version): None for o in outcomes if o.audit for c in o.audit.checklists}
    return [{"id": cid, "version": version} for cid, version in seen]


def exit_code_of(config: JobConfig, outcomes: list[ProviderOutcome], portfolio_error: str | None
                 ) -> tuple[int, list[str], list[str]]:
    """The run's exit code, the providers below fail_under and those that gained gaps."""
    below = [o.provider for o in outcomes if o.audit is not None
             and any(c.score < config.fail_under for c in o.audit.checklists)]
    gained = [o.provider for o in outcomes if o.changes is not None and o.changes.new_gaps]
    if portfolio_error or any(o.error for o in outcomes):
        return EXIT_SOURCE, below, gained
    if below or (config.fail_on_new_gaps and gained):
        return EXIT_THRESHOLD, below, gained
    return EXIT_OK, below, gained


def run_job(config: JobConfig) -> RunResult:
    """Run the job once under the database lock; the summary is posted to the webhook afterwards.

    The run folder is built as a hidden partial folder and renamed into place only when complete;
    partial folders of earlier runs that were killed are removed first.
    """
    clock = time.monotonic()
    with database_lock(config.database), History.open(config.database) as history:
        remove_partial_dirs(config.out, history.unfinished_runs())
        started = _now()
        run_id, run_dir = new_run_dir(config.out, history, started)
        run = _Run(config, history, run_id, partial_dir(config.out, run_id), started)
        history.start_run(run_id, started.isoformat(), str(config.path), __version__, run.engine_key, run_dir)
        with _removed_on_failure(run.folder):
            run.folder.mkdir(parents=True)
            log.info("run %s: %d provider(s) into %s", run_id, len(config.providers), run_dir)
            run.prepare(config.providers)
            outcomes = [run.provider(p) for p in config.providers]
            portfolio, portfolio_key, portfolio_error = run.portfolio(outcomes)
            code, below, gained = exit_code_of(config, outcomes, portfolio_error)
            finished = _now()
            summary = build_summary({
                "run_id": run_id, "run_dir": str(run_dir), "config": str(config.path),
                "started_at": started.isoformat(), "finished_at": finished.isoformat(),
                "duration_seconds": round(time.monotonic() - clock, 3), "gapcheck_version": __version__,
                "checklists": checklists_of(outcomes),
                "formats": list(config.formats), "exit_code": code, "audited": run.audited,
                "fail_under": config.fail_under, "below_fail_under": below,
                "fail_on_new_gaps": config.fail_on_new_gaps, "with_new_gaps": gained,
                "portfolio": portfolio, "portfolio_error": portfolio_error,
            }, outcomes)
            write_atomic(run.folder / SUMMARY_JSON, summary_json(summary))
            write_atomic(run.folder / SUMMARY_HTML, summary_html(summary))
            publish_run_dir(run.folder, run_dir)  # complete: in place before the history calls it finished
        history.finish_run(run_id, finished.isoformat(), code, summary, portfolio_key, portfolio)
        _point_latest(config.out, run_id)
    if config.webhook:
        post_summary(config.webhook, summary, config.webhook_timeout)
    return RunResult(run_id, run_dir, summary, code, run.audited)


def _point_latest(out: Path, run_id: str) -> None:
    """Make <out>/latest a symlink to the newest run folder (replaced atomically)."""
    link = out / "latest"
    temporary = out / f".latest.{os.getpid()}"
    try:
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(run_id, target_is_directory=True)
        os.replace(temporary, link)
    except OSError as exc:
        log.warning("could not update %s: %s", link, exc)
