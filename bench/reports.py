"""How long the reports take: HTML, PDF and Excel per provider, and a whole portfolio in all four formats.

    python3 bench/reports.py [--checklist NAME|PATH ...] [--repeat N] [SOURCES ...]

Prints figures only (no pass or fail). Targets: a PDF in at most 1 s per provider, the five seeds' portfolio in
all four formats under 10 s. Wall times are the best of --repeat runs after one warm-up render; CPU is this
process's time (for the portfolio: of every process), which other work on the machine disturbs less.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from gapcheck.audit import audit_source
from gapcheck.checklist import resolve_checklists
from gapcheck.ingest import expand_sources
from gapcheck.models import Audit
from gapcheck.render import RENDERERS
from gapcheck.render.portfolio import render_portfolio

ROOT = Path(__file__).resolve().parent.parent
AS_OF = datetime(2026, 11, 23, tzinfo=timezone.utc)
MEASURED = ("html", "pdf", "xlsx")


def best_of(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The best wall and CPU seconds of `repeat` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def per_provider(audits: list[Audit], repeat: int) -> dict[str, list[tuple[float, float]]]:
    """Seconds per format per provider (one warm-up render of each format first: imports and font caches)."""
    for fmt in MEASURED:
        RENDERERS[fmt][1](audits[0])
    figures: dict[str, list[tuple[float, float]]] = {fmt: [] for fmt in MEASURED}
    print(f"{'provider':18} {'findings':>8} " + " ".join(f"{fmt + ' s':>13}" for fmt in MEASURED) + "  (wall/cpu)")
    for audit in audits:
        row = []
        for fmt in MEASURED:
            wall, cpu = best_of(lambda: RENDERERS[fmt][1](audit), repeat)
            figures[fmt].append((wall, cpu))
            row.append(f"{wall:6.3f}/{cpu:6.3f}")
        findings = sum(len(r.findings) for r in audit.checklists)
        print(f"{audit.provider:18} {findings:8d} " + " ".join(row))
    return figures


def children_cpu() -> float:
    """CPU seconds used so far by finished child processes (and the workers they waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def whole_portfolio(sources: list[str], checklists: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of `gapcheck audit` over the sources in json, html, pdf and xlsx, as a user runs it."""
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "gapcheck.cli", "audit", *sources, "--out", out, "--as-of", "2026-11-23"]
        for name in checklists:
            command += ["--checklist", name]
        for fmt in ("json", "html", "pdf", "xlsx"):
            command += ["--format", fmt]
        started, cpu = time.perf_counter(), children_cpu()
        subprocess.run(command, check=True, cwd=ROOT)
        elapsed, cpu = time.perf_counter() - started, children_cpu() - cpu
        written = sorted(p.name for p in Path(out).iterdir())
    print(f"files written: {len(written)} ({', '.join(n for n in written if n.startswith('portfolio'))})")
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", default=[str(ROOT / "seeds")])
    parser.add_argument("--checklist", action="append", default=[], metavar="NAME|PATH")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sources = expand_sources(args.sources)
    checklists = resolve_checklists(args.checklist)
    audits = [audit_source(s, checklists, audited_at=AS_OF) for s in sources]
    print(f"{len(audits)} providers, checklists: {', '.join(f'{c.id} ({len(c.requirements)})' for c in checklists)}")
    figures = per_provider(audits, args.repeat)
    print()
    for fmt in MEASURED:
        walls = [wall for wall, _ in figures[fmt]]
        cpus = [cpu for _, cpu in figures[fmt]]
        print(f"{fmt:5} per provider: mean {statistics.mean(walls):.3f} s wall (max {max(walls):.3f}), "
              f"mean {statistics.mean(cpus):.3f} s cpu" + ("   target <= 1 s" if fmt == "pdf" else ""))
    wall, cpu = best_of(lambda: render_portfolio(audits, ["html", "xlsx"]), args.repeat)
    print(f"portfolio.html + portfolio.xlsx: {wall:.3f} s wall, {cpu:.3f} s cpu")
    wall, cpu = whole_portfolio(sources, args.checklist)
    print(f"whole portfolio, gapcheck audit in 4 formats: {wall:.2f} s wall, {cpu:.2f} s cpu in all processes"
          f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)   target < 10 s")


if __name__ == "__main__":
    main()
