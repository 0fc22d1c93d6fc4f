"""The command line: thin click commands that map outcomes to documented exit codes.

Exit codes: 0 done; 1 a score below --fail-under; 2 a usage or checklist error; 3 some sources
could not be audited (the others are still audited and written).
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from datetime import datetime, time, timezone
from pathlib import Path

import click

from gapcheck import __version__
from gapcheck.batch import EXECUTORS, audit_and_render_many, audit_many, default_jobs
from gapcheck.checklist import bundled_names, resolve_checklist, resolve_checklists
from gapcheck.errors import (EXIT_OK, EXIT_SOURCE, EXIT_THRESHOLD, EXIT_USAGE, GapcheckError, SourceError,
                             one_line)
from gapcheck.evaluate import evaluate, format_table
from gapcheck.files import write_atomic
from gapcheck.ingest import expand_sources, provider_name
from gapcheck.models import Audit
from gapcheck.render import PORTFOLIO_NAME, RENDERERS, render_portfolio


def _error(message: str) -> None:
    click.echo(f"gapcheck: error: {one_line(message)}", err=True)


def _source_failed(error: SourceError, verbose: bool) -> None:
    """One line naming the source and the reason; with --verbose, the traceback of an unexpected failure too."""
    _error(str(error))
    if verbose and error.detail:
        click.echo(error.detail.rstrip("\n"), err=True)


def _as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        day = datetime.strptime(value, "%Y-%m-%d")
    except ValueError as exc:
        raise click.BadParameter("use the form YYYY-MM-DD", param_hint="--as-of") from exc
    return datetime.combine(day.date(), time(0, 0), tzinfo=timezone.utc)


def unique_providers(sources: list[str]) -> list[str]:
    """Provider names from sources, made unique so no report overwrites another (or the portfolio's files)."""
    taken = [PORTFOLIO_NAME] if len(sources) > 1 else []
    names: list[str] = []
    for source in sources:
        base = provider_name(source)
        name, n = base, 2
        while name.lower() in (x.lower() for x in names + taken):
            name, n = f"{base}-{n}", n + 1
        names.append(name)
    return names


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gapcheck")
def cli() -> None:
    """Audit privacy policies against GDPR and CCPA/CPRA, with quoted evidence for every finding."""


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--checklist", "checklist_names", multiple=True, metavar="NAME|PATH",
              help="A bundled checklist (gdpr, ccpa) or a checklist file; repeatable. Default: all bundled.")
@click.option("--format", "formats", multiple=True, type=click.Choice(list(RENDERERS)),
              help="Report format; repeatable. Default: json.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("reports"),
              show_default=True, help="Folder the reports are written to.")
@click.option("--fail-under", type=click.FloatRange(0, 100), default=None,
              help="Exit 1 when any checklist score is below this.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Audit as of this date (default: now).")
@click.option("--jobs", type=click.IntRange(1, 256), default=None,
              help="Worker processes (default: the machine's cores).")
@click.option("--verbose", "-v", is_flag=True,
              help="Show the traceback of a source that failed unexpectedly (a gapcheck bug).")
@click.option("--executor", "executor_name", type=click.Choice(list(EXECUTORS)), default=None,
              help="Where audits run: inline, process (worker processes, the default with --jobs > 1) or dask "
                   "(a Dask cluster; needs pip install 'gapcheck[dask]').")
@click.option("--scheduler", metavar="tcp://HOST:PORT", default=None,
              help="With --executor dask: an existing cluster's scheduler (default: start a local cluster).")
def audit(sources: tuple[str, ...], checklist_names: tuple[str, ...], formats: tuple[str, ...], out: Path,
          fail_under: float | None, as_of: str | None, jobs: int | None, verbose: bool,
          executor_name: str | None, scheduler: str | None) -> None:
    """Audit SOURCES (files, folders or http(s) URLs) and write one report per provider."""
    if scheduler and executor_name != "dask":
        raise click.UsageError("--scheduler goes with --executor dask")
    audited_at = _as_of(as_of)
    checklist_refs = list(checklist_names)
    resolve_checklists(checklist_refs)  # refuse bad checklists before any work
    chosen = list(dict.fromkeys(formats or ("json",)))
    expanded = expand_sources(list(sources))
    if not expanded:
        raise click.UsageError("no supported policy files (.txt, .md, .html, .htm, .pdf) in the given folders")
    failed = below = 0
    audits: list[Audit] = []
    items = list(zip(unique_providers(expanded), expanded))
    jobs = jobs or default_jobs()
    name = executor_name or ("process" if jobs > 1 and len(items) > 1 else "inline")
    rendered_failures: dict[str, SourceError] = {}
    # Each provider is audited and rendered in one task, so an audit crosses between processes once.
    outcomes = _rendered_outcomes(items, checklist_refs, chosen, audited_at, jobs, name, scheduler, out,
                                  rendered_failures)
    show_bar = len(items) > 1 and sys.stderr.isatty()
    with click.progressbar(outcomes, length=len(items), label="Auditing", file=sys.stderr,
                           hidden=not show_bar) as results:
        for _, result in results:
            if isinstance(result, SourceError):
                failed += 1
                _source_failed(result, verbose)
                continue
            audits.append(result)
            if fail_under is not None and any(c.score < fail_under for c in result.checklists):
                below += 1
    for error in rendered_failures.values():
        failed += 1
        _source_failed(error, verbose)
    if len(audits) > 1:
        for name, data in render_portfolio(audits, chosen).items():
            write_atomic(out / name, data)
    if failed:
        sys.exit(EXIT_SOURCE)
    if below:
        _error(f"{below} provider(s) scored below {fail_under:g}")
        sys.exit(EXIT_THRESHOLD)


def _rendered_outcomes(items: list[tuple[str, str]], checklist_refs: list[str], formats: list[str],
                       audited_at: datetime | None, jobs: int, executor_name: str, scheduler: str | None, out: Path,
                       failures: dict[str, SourceError]) -> Iterator[tuple[str, Audit | SourceError]]:
    """Audits made and rendered on the executor, in order; their reports are written here as they come back
    (a report that could not be rendered is noted in `failures`, one per source)."""
    for provider, outcome, reports in audit_and_render_many(items, checklist_refs, formats, audited_at, jobs,
                                                            executor_name, scheduler):
        if isinstance(outcome, Audit):
            for fmt, data in reports.items():
                if isinstance(data, SourceError):
                    failures.setdefault(outcome.source, data)
                else:
                    write_atomic(out / f"{outcome.provider}{RENDERERS[fmt][0]}", data)
        yield provider, outcome


@cli.command(name="eval")
@click.option("--labels", "labels_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV: policy, file, then one 0/1 column per requirement id.")
@click.option("--policies", "policies_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder the `file` column is relative to (default: the labels file's folder).")
@click.option("--checklist", "checklist_names", multiple=True, metavar="NAME|PATH",
              help="Checklists to evaluate; default: all bundled.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Audit as of this date (default: now).")
@click.option("--jobs", type=click.IntRange(1, 256), default=None, help="Worker processes (default: cores).")
def eval_command(labels_path: Path, policies_dir: Path | None, checklist_names: tuple[str, ...],
                 output_format: str, as_of: str | None, jobs: int | None) -> None:
    """Measure detection on labelled policies: precision, recall and F1 per requirement."""
    if not labels_path.exists():
        raise GapcheckError(f"{labels_path}: no such labels file")
    refs = list(checklist_names)
    checklists = resolve_checklists(refs)
    audited_at = _as_of(as_of)

    def audit_all(items: list[tuple[str, str]]) -> dict[str, Audit]:
        audits = {}
        for policy, outcome in audit_many(items, refs, audited_at, jobs or default_jobs()):
            if isinstance(outcome, SourceError):
                _error(str(outcome))
            else:
                audits[policy] = outcome
        return audits

    summary = evaluate(labels_path, policies_dir, checklists, audit_all)
    if output_format == "json":
        click.echo(json.dumps(summary, indent=2))
    else:
        click.echo(format_table(summary))
    if summary["unreadable"]:
        sys.exit(EXIT_SOURCE)


@cli.command(name="checklists")
def list_checklists() -> None:
    """List the bundled checklists and how many requirements and flags each has."""
    for name in bundled_names():
        checklist = resolve_checklist(name)
        click.echo(f"{checklist.id:8} {len(checklist.requirements):3} requirements {len(checklist.flags):3} flags"
                   f"  v{checklist.version}  {checklist.title}")


_CONFIG_OPTION = click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                              default=Path("gapcheck.toml"), show_default=True, help="The job's config file.")


@cli.command()
@_CONFIG_OPTION
@click.option("--quiet", "-q", is_flag=True, help="Log warnings and errors only; no summary lines.")
@click.option("--verbose", "-v", is_flag=True, help="Log every step.")
def run(config_path: Path, quiet: bool, verbose: bool) -> None:
    """Re-audit the config's providers (only what changed), write the run's reports, summary and history.

    Exit codes: 0 done; 1 fail_under or fail_on_new_gaps hit; 2 config error or another run holds
    the lock; 3 some providers failed (the others are done).
    """
    from gapcheck.job import config, logs, runner, summary

    logs.configure_logging(quiet, verbose)
    result = runner.run_job(config.load_config(config_path))
    if not quiet:
        click.echo("\n".join(summary.console_lines(result.summary)))
    sys.exit(result.exit_code)


@cli.group()
def review() -> None:
    """Legal review: reviewer decisions that stick to findings across runs."""


@review.command(name="import")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@_CONFIG_OPTION
@click.option("--reviewer", metavar="NAME", help="Who decided (default: the workbook's last modified-by or creator).")
def review_import(workbook: Path, config_path: Path, reviewer: str | None) -> None:
    """Import the Reviewer decision and Reviewer note columns of WORKBOOK's Findings sheet."""
    from gapcheck.job import config, logs
    from gapcheck.job.review import import_reviews

    logs.configure_logging()
    report = import_reviews(workbook, config.load_config(config_path), reviewer)
    click.echo(f"{report.stored} decision(s) stored from {workbook.name} by {report.reviewer} "
               f"({report.unchanged} unchanged, {report.reconfirmed} confirmed for a new policy version)")


# An audit makes millions of small objects that live until it ends (matches, hits, statements); at the default
# threshold (700 allocations) the cycle collector runs thousands of times per portfolio, re-scanning them: ~14% of
# the CPU. Worker processes forked from this one inherit the setting.
GC_THRESHOLDS = (50_000, 20, 10)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user mistakes become one line on stderr and an exit code, never a traceback."""
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        cli.main(args=argv, prog_name="gapcheck", standalone_mode=False)
    except GapcheckError as exc:
        _error(str(exc))
        return exc.exit_code
    except click.exceptions.Abort:
        _error("aborted")
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except SystemExit as exc:
        return int(exc.code or 0)
    except OSError as exc:
        _error(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        return EXIT_USAGE
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
