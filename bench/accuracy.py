"""Detection accuracy on the labelled dev sets in ../shared/eval and on the blind-written sets in bench/blind
(prints figures, no pass/fail).

Runs `gapcheck eval` on gdpr-dev and ccpa-dev with the audit date fixed, and prints for each set the
macro-F1 (mean F1 of "addressed" over requirements), the class-balanced macro-F1, the pooled gap
precision and recall, the share of correct detections whose first evidence item overlaps an
annotated passage, and the per-requirement table. Then one line per blind-written set and law (see
bench/blind/README.md): macro-F1, gap precision and recall, accuracy, misses and false alarms.
Usage: python3 bench/accuracy.py [--json] [--blind-only]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
BLIND = ROOT / "bench" / "blind"
AS_OF = "2026-11-23"
TARGETS = {"gdpr-dev": (0.92, 0.95, 0.93), "ccpa-dev": (0.94, 0.90, 0.85)}


def run(labels: Path, checklist: str | None = None) -> dict:
    command = [sys.executable, "-m", "gapcheck.cli", "eval", "--labels", str(labels), "--as-of", AS_OF, "--format", "json"]
    command += ["--checklist", checklist] if checklist else []
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 3):
        sys.exit(f"gapcheck eval failed on {labels}: {done.stderr.strip()}")
    return json.loads(done.stdout)


def blind_line(summary: dict) -> str:
    """One set's figures in a line: macro-F1, gap precision and recall, accuracy, misses, false alarms."""
    misses = sum(len(row["misses"]) for row in summary["requirements"])
    alarms = sum(len(row["false_alarms"]) for row in summary["requirements"])
    labels = sum(row["policies"] for row in summary["requirements"])
    return (f"macro-F1 {summary['macro_f1_addressed']:.3f}  gap P {summary['gap_precision']:.3f}  "
            f"gap R {summary['gap_recall']:.3f}  accuracy {(labels - misses - alarms) / labels:.3f}  "
            f"misses {misses:3}  false alarms {alarms:3}  ({labels} labels)")


def main() -> None:
    results = {}
    if "--blind-only" not in sys.argv:
        results.update(dev_sets())
    for folder in sorted(BLIND.glob("set*")):
        for law in ("gdpr", "ccpa"):
            summary = results[f"blind/{folder.name}/{law}"] = run(folder / f"{law}_labels.csv", law)
            if "--json" not in sys.argv:
                print(f"blind {folder.name} {law}: {blind_line(summary)}")
    if "--json" in sys.argv:
        print(json.dumps(results, indent=2))


def dev_sets() -> dict:
    """The figures on ../shared/eval's gdpr-dev and ccpa-dev, printed unless --json."""
    if not EVAL.is_dir():
        sys.exit(f"{EVAL}: the labelled sets are not beside the project (use --blind-only)")
    results = {}
    for name in ("gdpr-dev", "ccpa-dev"):
        summary = run(EVAL / name / "labels.csv")
        results[name] = summary
        if "--json" in sys.argv:
            continue
        macro, gap_p, gap_r = TARGETS[name]
        print(f"\n== {name}: {summary['policies']} policies, {len(summary['requirements'])} requirements")
        for row in summary["requirements"]:
            evidence = f"{row['evidence_overlapping']}/{row['evidence_checked']}" if row["evidence_checked"] else "-"
            print(f"  {row['requirement']:32} F1(addressed) {row['addressed_f1']:.3f}  F1(gap) {row['gap_f1']:.3f}  "
                  f"misses {len(row['misses']):3}  false alarms {len(row['false_alarms']):3}  evidence {evidence}")
        print(f"  macro-F1 {summary['macro_f1_addressed']:.3f} (target {macro}); class-balanced {summary['macro_f1']:.3f}")
        print(f"  gaps: precision {summary['gap_precision']:.3f} (target {gap_p}), recall {summary['gap_recall']:.3f} (target {gap_r})")
        overlap = summary["evidence_overlap"]
        print(f"  first evidence overlapping an annotated passage: {overlap:.3f} of {summary['evidence_checked']} correct detections"
              if overlap is not None else "  evidence overlap: n/a")
    print()
    return results


if __name__ == "__main__":
    main()
