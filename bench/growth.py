"""How audit time and memory grow with document length and with the number of documents.

    python3 bench/growth.py [--policy FILE] [--lengths 1,10,100] [--counts 10,50,200] [--jobs N]

- Length: one policy repeated 1, 10 and 100 times in one file (its lines as they are, copies separated by a
  blank line), each audited by `gapcheck audit FILE --jobs 1` in a fresh process: wall and CPU seconds, peak
  memory (the process's maximum resident size), and the cost per copy and per MB.
- Count: 10, 50 and 200 copies of the policy as separate files in one folder, audited by `gapcheck audit
  FOLDER` (--jobs, default all cores): wall seconds, CPU of all processes, peak memory (the largest sum over
  the process tree, polled), and the cost per document.

Each row also shows the run's fixed start-up (the same command on the single policy) so the per-unit cost is
(time - start-up) / units: flat per-unit figures mean linear growth. Figures only, no pass or fail.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from throughput import measured  # noqa: E402 (the sibling bench's timer and /proc memory poller)

DEFAULT_POLICY = ROOT / "seeds" / "jexcloud.txt"


def run(arguments: list[str]) -> dict[str, float]:
    """Wall and CPU seconds and peak memory (MB: polled sum over the tree, and the largest process) of an audit."""
    with tempfile.TemporaryDirectory() as out:
        figures = measured([sys.executable, "-m", "gapcheck.cli", "audit", *arguments, "--out", out,
                            "--as-of", "2026-11-23"])
    if figures["code"] not in (0, 1):
        raise SystemExit(f"gapcheck audit exited {figures['code']}")
    return {**figures, "tree_mb": figures["peak_sum_mb"]}


def by_length(policy: Path, lengths: list[int], folder: Path) -> None:
    text = policy.read_text(encoding="utf-8").strip("\n")
    print(f"Document length: {policy.name} repeated n times in one file, --jobs 1")
    print(f"{'n':>5} {'MB':>7} {'wall s':>8} {'cpu s':>8} {'peak MB':>8}  {'cpu s/copy':>10} {'cpu s/MB':>9} "
          f"{'MB/copy':>8}")
    rows = []
    for n in lengths:
        path = folder / f"policy-x{n}.txt"
        path.write_text("\n\n".join([text] * n) + "\n", encoding="utf-8")
        rows.append((n, path.stat().st_size / 1e6, run([str(path), "--jobs", "1"])))
    base_cpu, base_mb = rows[0][2]["cpu"], rows[0][2]["largest_mb"]
    for n, size, figures in rows:
        extra = max(n - 1, 1)
        print(f"{n:5d} {size:7.2f} {figures['wall']:8.2f} {figures['cpu']:8.2f} {figures['largest_mb']:8.0f}  "
              f"{(figures['cpu'] - base_cpu) / extra if n > 1 else figures['cpu']:10.3f} "
              f"{figures['cpu'] / size:9.2f} {(figures['largest_mb'] - base_mb) / extra if n > 1 else 0:8.2f}")
    print("(per copy: the cost of each copy beyond the first; flat columns = linear)")


def by_count(policy: Path, counts: list[int], folder: Path, jobs: int | None) -> None:
    print(f"\nNumber of documents: n copies of {policy.name} as separate files, --jobs {jobs or 'default'}")
    print(f"{'n':>5} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'largest':>8}  {'wall s/doc':>10} {'cpu s/doc':>9}")
    text = policy.read_bytes()
    rows = []
    for n in counts:
        sub = folder / f"copies-{n}"
        sub.mkdir()
        for i in range(n):
            (sub / f"provider-{i:05d}{policy.suffix}").write_bytes(text)
        rows.append((n, run([str(sub)] + (["--jobs", str(jobs)] if jobs else []))))
    first_n, first = rows[0]
    for n, figures in rows:
        if n == first_n:
            wall_per, cpu_per = figures["wall"] / n, figures["cpu"] / n
        else:  # the marginal cost per document beyond the first row's, start-up excluded
            wall_per = (figures["wall"] - first["wall"]) / (n - first_n)
            cpu_per = (figures["cpu"] - first["cpu"]) / (n - first_n)
        print(f"{n:5d} {figures['wall']:8.2f} {figures['cpu']:8.2f} {figures['tree_mb']:8.0f} "
              f"{figures['largest_mb']:8.0f}  {wall_per:10.3f} {cpu_per:9.3f}")
    print("(per doc: beyond the first row; flat columns = linear; peak MB is the whole process tree)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", type=Path, default=DEFAULT_POLICY)
    parser.add_argument("--lengths", default="1,10,100")
    parser.add_argument("--counts", default="10,50,200")
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        by_length(args.policy, [int(n) for n in args.lengths.split(",")], Path(tmp))
        by_count(args.policy, [int(n) for n in args.counts.split(",")], Path(tmp), args.jobs)


if __name__ == "__main__":
    main()
