"""What readers see for statuses, severities and review decisions: words and colours, shared by all reports."""

from __future__ import annotations

from gapcheck.models import STATUSES

STATUS_LABELS: dict[str, str] = {
    "met": "Met", "partial": "Partial", "missing": "Missing", "conflict": "Conflict",
    "not_applicable": "Not applicable",
}
# Strong colour (badges, chart segments) and light tint (backgrounds, Excel fills), as RRGGBB.
STATUS_COLOURS: dict[str, str] = {
    "met": "1A7F37", "partial": "B7791F", "missing": "C62828", "conflict": "6A1B9A", "not_applicable": "6B7280",
}
STATUS_TINTS: dict[str, str] = {
    "met": "DCF3E3", "partial": "FCEFD2", "missing": "FBE1E1", "conflict": "EEDDF5", "not_applicable": "ECEEF1",
}
GAP_ORDER: tuple[str, ...] = ("conflict", "missing", "partial")  # the gaps, worst first
# A short sign per status, so a heatmap cell says its status without relying on colour.
STATUS_SIGNS: dict[str, str] = {
    "met": "✓", "partial": "◐", "missing": "✗", "conflict": "!", "not_applicable": "–",
}
# The reports' neutral palette and font stacks, written into the stylesheets as literal CSS values (custom
# properties would cost WeasyPrint a tenth of its layout time).
THEME: dict[str, str] = {
    "ink": "#1D2430", "muted": "#5B6472", "rule": "#D9DDE3", "paper": "#FFFFFF", "wash": "#F5F6F8", "accent": "#1F3A5F",
    "sans": '"Liberation Sans", "DejaVu Sans", Arial, Helvetica, sans-serif',
    "serif": '"Liberation Serif", "DejaVu Serif", Georgia, "Times New Roman", serif',
    "mono": '"Liberation Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace',
}
SEVERITY_LABELS: dict[str, str] = {"high": "High", "medium": "Medium", "low": "Low"}

RISK_ACCEPTED = "Risk accepted"
REVIEW_DECISIONS: tuple[str, ...] = ("Confirmed", "False positive", RISK_ACCEPTED, "Needs follow-up")

assert set(STATUS_LABELS) == set(STATUSES) == set(STATUS_COLOURS) == set(STATUS_TINTS) == set(STATUS_SIGNS)

EARLIER_VERSION = "Decided on an earlier policy version"  # a review decision carried over from another policy text
