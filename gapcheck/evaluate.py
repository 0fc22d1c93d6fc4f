"""Measuring detection against labelled policies: per-requirement precision, recall and F1.

A labels file is a CSV with columns `policy`, `file` (relative to the policies folder), then one
0/1 column per requirement id (1 = the policy addresses the requirement). Other columns are
ignored. A status of met, partial or conflict counts as addressed; missing and not_applicable
as not addressed (a gap). Where annotated evidence sits beside the labels (`spans.csv` with
policy, requirement, text; or `passages.jsonl` with policy, passage, annotations), the share of
correct detections whose first evidence item overlaps an annotated passage is reported too.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from gapcheck.checklist import Checklist
from gapcheck.errors import GapcheckError
from gapcheck.models import Audit

ADDRESSED = frozenset({"met", "partial", "conflict"})
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class LabelSet:
    """Labelled policies: for each policy its file and the 0/1 label of each requirement."""

    requirements: tuple[str, ...]
    files: dict[str, Path]
    labels: dict[str, dict[str, int]]


@dataclass
class Counts:
    """Confusion counts for one requirement, with "addressed" as the positive class."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    evidence_checked: int = 0
    evidence_overlapping: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)

    def add(self, truth: int, predicted: bool, policy: str) -> None:
        if truth and predicted:
            self.tp += 1
        elif truth:
            self.fn += 1
            self.misses.append(policy)
        elif predicted:
            self.fp += 1
            self.false_alarms.append(policy)
        else:
            self.tn += 1


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1; an empty class counts as perfectly predicted."""
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def read_labels(path: Path, policies_dir: Path | None, known: set[str]) -> LabelSet:
    """Read a labels CSV; requirement columns are those that name a known requirement id."""
    try:
        with path.open(newline="", encoding="utf-8") as stream:
            rows = list(csv.DictReader(stream))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise GapcheckError(f"{path}: cannot read labels ({exc})") from exc
    if not rows or not {"policy", "file"} <= set(rows[0]):
        raise GapcheckError(f"{path}: a labels file needs the columns policy, file, then one 0/1 column per requirement")
    columns = tuple(c for c in rows[0] if c in known)
    unknown = [c for c in rows[0] if "." in c and c not in known]
    if not columns:
        raise GapcheckError(f"{path}: no column names a requirement of the chosen checklists"
                            + (f" (unknown: {', '.join(unknown[:5])})" if unknown else ""))
    base = policies_dir or path.parent
    files, labels = {}, {}
    for number, row in enumerate(rows, start=2):
        try:
            labels[row["policy"]] = {c: int(row[c]) for c in columns}
        except (TypeError, ValueError) as exc:
            raise GapcheckError(f"{path}:{number}: labels must be 0 or 1") from exc
        candidate = base / row["file"]
        files[row["policy"]] = candidate if candidate.exists() or policies_dir is None else base / Path(row["file"]).name
    return LabelSet(columns, files, labels)


def read_annotations(labels_path: Path) -> dict[tuple[str, str], list[str]]:
    """Annotated evidence next to a labels file, by (policy, requirement), normalised."""
    found: dict[tuple[str, str], list[str]] = {}
    spans = labels_path.parent / "spans.csv"
    passages = labels_path.parent / "passages.jsonl"
    if spans.exists():
        with spans.open(newline="", encoding="utf-8") as stream:
            for row in csv.DictReader(stream):
                found.setdefault((row["policy"], row["requirement"]), []).append(_normal(row["text"]))
    if passages.exists():
        with passages.open(encoding="utf-8") as stream:
            for line in stream:
                passage = json.loads(line)
                for requirement in passage.get("labels", []):
                    found.setdefault((passage["policy"], requirement), []).append(_normal(passage["passage"]))
    return found


def _normal(text: str) -> str:
    return SPACES.sub(" ", text).strip().lower()


def overlaps(evidence: str, annotated: Iterable[str]) -> bool:
    """Whether an evidence quote and an annotated passage share a substantial stretch of text."""
    quote = _normal(evidence)
    for passage in annotated:
        if not passage or not quote:
            continue
        if quote in passage or passage in quote:
            return True
        match = SequenceMatcher(None, quote, passage, autojunk=False).find_longest_match(0, len(quote), 0, len(passage))
        if match.size >= min(40, len(quote), len(passage)):
            return True
    return False


def score_audits(label_set: LabelSet, audits: dict[str, Audit],
                 annotations: dict[tuple[str, str], list[str]]) -> dict[str, Counts]:
    """Confusion counts per requirement over the audited policies."""
    counts = {requirement: Counts() for requirement in label_set.requirements}
    for policy, audit in audits.items():
        findings = {f.requirement: f for result in audit.checklists for f in result.findings}
        for requirement in label_set.requirements:
            finding = findings.get(requirement)
            predicted = finding is not None and finding.status in ADDRESSED
            truth = label_set.labels[policy][requirement]
            counts[requirement].add(truth, predicted, policy)
            if truth and predicted and finding.evidence and (policy, requirement) in annotations:
                counts[requirement].evidence_checked += 1
                if overlaps(finding.evidence[0].text, annotations[(policy, requirement)]):
                    counts[requirement].evidence_overlapping += 1
    return counts


def summarize(counts: dict[str, Counts]) -> dict:
    """Per-requirement figures, macro-F1 and the pooled precision and recall of gaps."""
    rows = []
    for requirement, c in counts.items():
        p_a, r_a, f_a = prf(c.tp, c.fp, c.fn)
        p_g, r_g, f_g = prf(c.tn, c.fn, c.fp)
        rows.append({"requirement": requirement, "policies": c.tp + c.fp + c.fn + c.tn,
                     "addressed": c.tp + c.fn, "gaps": c.tn + c.fp,
                     "addressed_precision": p_a, "addressed_recall": r_a, "addressed_f1": f_a,
                     "gap_precision": p_g, "gap_recall": r_g, "gap_f1": f_g, "macro_f1": (f_a + f_g) / 2,
                     "evidence_checked": c.evidence_checked, "evidence_overlapping": c.evidence_overlapping,
                     "misses": c.misses, "false_alarms": c.false_alarms})
    tn = sum(c.tn for c in counts.values())
    fn = sum(c.fn for c in counts.values())
    fp = sum(c.fp for c in counts.values())
    gap_p, gap_r, gap_f = prf(tn, fn, fp)
    checked = sum(c.evidence_checked for c in counts.values())
    overlapping = sum(c.evidence_overlapping for c in counts.values())
    return {
        "requirements": rows,
        "macro_f1": sum(r["macro_f1"] for r in rows) / len(rows) if rows else 0.0,
        "macro_f1_addressed": sum(r["addressed_f1"] for r in rows) / len(rows) if rows else 0.0,
        "gap_precision": gap_p, "gap_recall": gap_r, "gap_f1": gap_f,
        "evidence_checked": checked, "evidence_overlap": overlapping / checked if checked else None,
    }


def format_table(summary: dict) -> str:
    """A plain-text report whose last two lines are the headline figures."""
    lines = [f"{'requirement':34} {'n':>4} {'addr':>4} {'gaps':>4}  {'P(addr)':>7} {'R(addr)':>7} {'F1(addr)':>8}"
             f"  {'P(gap)':>6} {'R(gap)':>6} {'F1(gap)':>7}  {'macroF1':>7}  {'evid':>5}"]
    for r in summary["requirements"]:
        evidence = f"{r['evidence_overlapping']}/{r['evidence_checked']}" if r["evidence_checked"] else "-"
        lines.append(f"{r['requirement']:34} {r['policies']:4d} {r['addressed']:4d} {r['gaps']:4d}  "
                     f"{r['addressed_precision']:7.3f} {r['addressed_recall']:7.3f} {r['addressed_f1']:8.3f}  "
                     f"{r['gap_precision']:6.3f} {r['gap_recall']:6.3f} {r['gap_f1']:7.3f}  {r['macro_f1']:7.3f}  {evidence:>5}")
    overlap = summary["evidence_overlap"]
    lines.append("")
    lines.append(f"first evidence overlapping an annotated passage: "
                 + (f"{overlap:.3f} ({summary['evidence_checked']} correct detections checked)" if overlap is not None else "n/a"))
    lines.append(f"macro-F1 {summary['macro_f1_addressed']:.3f} (mean F1 of 'addressed' over {len(summary['requirements'])} "
                 f"requirements; class-balanced, with the F1 of gaps: {summary['macro_f1']:.3f})")
    lines.append(f"gaps: precision {summary['gap_precision']:.3f} recall {summary['gap_recall']:.3f} F1 {summary['gap_f1']:.3f}")
    return "\n".join(lines)


def evaluate(labels_path: Path, policies_dir: Path | None, checklists: list[Checklist],
             audit_many: Callable[[list[tuple[str, str]]], dict[str, Audit]]) -> dict:
    """Audit the labelled policies with `audit_many` ((policy, path) pairs -> audits) and score them."""
    known = {r.id for c in checklists for r in c.requirements}
    label_set = read_labels(labels_path, policies_dir, known)
    audits = audit_many([(policy, str(path)) for policy, path in label_set.files.items()])
    missing = sorted(set(label_set.files) - set(audits))
    summary = summarize(score_audits(LabelSet(label_set.requirements, label_set.files,
                                              {p: v for p, v in label_set.labels.items() if p in audits}),
                                     audits, read_annotations(labels_path)))
    summary["policies"] = len(audits)
    summary["unreadable"] = missing
    return summary
