"""The HTML report: one self-contained page (inline CSS, SVG and script) to read and share."""

from __future__ import annotations

from gapcheck.models import Audit
from gapcheck.render.context import report_context
from gapcheck.render.templating import Variant, render_page

FILTER_SCRIPT = "filter.js"


def report_html(audit: Audit, variant: Variant) -> str:
    """The report page for one audit, for the screen or for print (the PDF renders the print variant)."""
    return render_page("report.html", variant, audit.audited_at, script=FILTER_SCRIPT, **report_context(audit))


def render_html(audit: Audit) -> bytes:
    """The self-contained HTML report of one audit."""
    return report_html(audit, "screen").encode("utf-8")
