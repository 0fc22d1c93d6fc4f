"""The nightly job: a first run over the seeds in all four formats, then a run with nothing changed.

    python3 bench/nightly.py [--executor inline|process|dask] [--repeat N] [SOURCES ...]

Writes a temporary config (the five seed policies by default, formats json, html, pdf and xlsx) and runs
`gapcheck run --config` on it as a user does, in a fresh process each time: the first run audits and renders
everything; the second finds every policy, checklist and renderer unchanged, reuses the stored audits and
copies the reports. Prints both wall times and their ratio (figures only, no pass or fail).

Target: the run with nothing changed takes under 10% of the first run's time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_config(folder: Path, sources: list[Path], executor: str) -> Path:
    lines = ["[job]", 'out = "reports"', 'database = "reports/gapcheck.sqlite"',
             'formats = ["json", "html", "pdf", "xlsx"]', f'executor = "{executor}"', ""]
    for source in sources:
        lines += ["[[providers]]", f"source = {json.dumps(str(source))}", ""]
    path = folder / "gapcheck.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def timed_run(config: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "gapcheck.cli", "run", "--config", str(config), "--quiet"],
                          cwd=ROOT, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"gapcheck run exited {done.returncode}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", type=Path, default=sorted((ROOT / "seeds").glob("*.txt")))
    parser.add_argument("--executor", default="inline", help="the config's [job] executor (default inline)")
    parser.add_argument("--repeat", type=int, default=3, help="unchanged runs after the first (the best is taken)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), [s.resolve() for s in args.sources], args.executor)
        first = timed_run(config)
        quiet = [timed_run(config) for _ in range(max(1, args.repeat))]
        runs = len(list((Path(tmp) / "reports").glob("2*")))
    best = min(quiet)
    print(f"{len(args.sources)} providers, 4 formats, executor {args.executor}, {runs} runs")
    print(f"first run:               {first:6.2f} s wall (audits and renders everything)")
    print(f"run with nothing changed: {best:6.2f} s wall (best of {len(quiet)}: "
          + ", ".join(f"{q:.2f}" for q in quiet) + ")")
    print(f"ratio unchanged/first:   {best / first:6.1%}   target < 10%")


if __name__ == "__main__":
    main()
