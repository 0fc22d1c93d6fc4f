"""Detection accuracy on the labelled dev sets in ../shared/eval (prints figures, no pass/fail).

Runs `gapcheck eval` on gdpr-dev and ccpa-dev with the audit date fixed, and prints for each set the
macro-F1 (mean F1 of "addressed" over requirements), the class-balanced macro-F1, the pooled gap
precision and recall, the share of correct detections whose first evidence item overlaps an
annotated passage, and the per-requirement table. Usage: python3 bench/accuracy.py [--json]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
AS_OF = "2026-11-23"
TARGETS = {"gdpr-dev": (0.92, 0.95, 0.93), "ccpa-dev": (0.94, 0.90, 0.85)}


def run(labels: Path) -> dict:
    command = [sys.executable, "-m", "gapcheck.cli", "eval", "--labels", str(labels), "--as-of", AS_OF, "--format", "json"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 3):
        sys.exit(f"gapcheck eval failed on {labels}: {done.stderr.strip()}")
    return json.loads(done.stdout)


def main() -> None:
    if not EVAL.is_dir():
        sys.exit(f"{EVAL}: the labelled sets are not beside the project")
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
    if "--json" in sys.argv:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
