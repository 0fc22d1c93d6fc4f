"""A run's summary: summary.json (the data), summary.html (autoescaped) and a few console lines."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from gapcheck.job.diff import Changes
from gapcheck.models import Audit

SUMMARY_JSON = "summary.json"
SUMMARY_HTML = "summary.html"
CHANGES = ("new", "changed", "unchanged", "error")


@dataclass(frozen=True)
class ProviderOutcome:
    """How one provider fared in a run: an audit with its changes, or an error reason."""

    provider: str
    source: str
    audit: Audit | None = None
    changes: Changes | None = None
    error: str | None = None
    reaudited: bool = False
    reports: dict[str, str] = field(default_factory=dict)
    policy_file: str | None = None

    @property
    def change(self) -> str:
        return "error" if self.changes is None else self.changes.change


def provider_entry(outcome: ProviderOutcome) -> dict[str, Any]:
    """One provider's part of summary.json."""
    entry: dict[str, Any] = {"provider": outcome.provider, "source": outcome.source, "change": outcome.change,
                             "error": outcome.error}
    empty = Changes(outcome.change, {})
    entry.update({k: v for k, v in (outcome.changes or empty).to_dict().items() if k != "change"})
    audit = outcome.audit
    reviews = [f.review for c in audit.checklists for f in c.findings if f.review] if audit else []
    entry.update({
        "sha256": audit.sha256 if audit else None,
        "audited_at": audit.audited_at.isoformat() if audit else None,
        "reaudited": outcome.reaudited,
        "reviews": {"current": sum(r.current for r in reviews), "earlier_version": sum(not r.current for r in reviews)},
        "reports": outcome.reports,
        "policy": outcome.policy_file,
    })
    return entry


def build_summary(run: dict[str, Any], outcomes: list[ProviderOutcome]) -> dict[str, Any]:
    """The summary document: the run's facts (`run`) and every provider's entry, in config order."""
    counts = {change: sum(o.change == change for o in outcomes) for change in CHANGES}
    return {**run, "counts": counts, "providers": [provider_entry(o) for o in outcomes]}


def summary_json(summary: dict[str, Any]) -> bytes:
    return (json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("gapcheck", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["signed"] = signed
    return env


def summary_html(summary: dict[str, Any]) -> bytes:
    """The human summary page (every value escaped by jinja2)."""
    return _environment().get_template("run_summary.html").render(s=summary).encode("utf-8")


def signed(change: float | None) -> str:
    """+7.5, -2.0, ±0 or an empty string for no previous score."""
    if change is None:
        return ""
    return "±0" if change == 0 else f"{change:+.1f}"


def console_lines(summary: dict[str, Any]) -> list[str]:
    """A few lines for the terminal or the cron mail."""
    counts = summary["counts"]
    lines = [f"run {summary['run_id']}: {len(summary['providers'])} provider(s), "
             + ", ".join(f"{counts[c]} {c}" for c in CHANGES) + f" in {summary['duration_seconds']:.1f} s"]
    width = max((len(p["provider"]) for p in summary["providers"]), default=0)
    for p in summary["providers"]:
        if p["change"] == "error":
            detail = p["error"] or ""
        else:
            parts = [f"{cid} {s['score']:.1f}" + (f" ({signed(s['change'])})" if s["change"] is not None else "")
                     for cid, s in p["scores"].items()]
            for key, label in (("new_gaps", "new gaps"), ("resolved_gaps", "resolved"), ("new_flags", "new flags"),
                               ("cleared_flags", "cleared flags")):
                if p[key]:
                    parts.append(f"{label}: {', '.join(p[key])}")
            detail = "  ".join(parts)
        lines.append(f"  {p['provider']:<{width}}  {p['change']:<9}  {detail}".rstrip())
    lines.append(f"reports: {summary['run_dir']}")
    return lines
