"""Report formats, chosen by name: each renderer turns an Audit into the bytes of one file.

Renderers are imported on first use: openpyxl, jinja2 and WeasyPrint would otherwise slow every command's start.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from gapcheck.models import Audit

Renderer = Callable[[Audit], bytes]
PORTFOLIO_NAME = "portfolio"  # the stem of the portfolio's files, which no provider may take beside them


def _lazy(module: str, function: str) -> Renderer:
    """A renderer that imports its module when first called."""

    def render(audit: Audit) -> bytes:
        return getattr(importlib.import_module(module), function)(audit)

    render.__name__ = render.__qualname__ = function
    return render


RENDERERS: dict[str, tuple[str, Renderer]] = {
    "json": (".json", _lazy("gapcheck.render.json_report", "render_json")),
    "html": (".html", _lazy("gapcheck.render.html", "render_html")),
    "pdf": (".pdf", _lazy("gapcheck.render.pdf", "render_pdf")),
    "xlsx": (".xlsx", _lazy("gapcheck.render.xlsx", "render_xlsx")),
}


def formats() -> list[str]:
    """The names of the formats gapcheck can write."""
    return list(RENDERERS)


def render_portfolio(audits: list[Audit], formats: list[str], report_folder: str = "") -> dict[str, bytes]:
    """The portfolio files over several audits (see gapcheck.render.portfolio), imported on first use: not at all
    when neither of its formats (xlsx, html) is asked for, as in a JSON-only run (openpyxl takes 0.3 s to import)."""
    if not {"xlsx", "html"} & set(formats):
        return {}
    from gapcheck.render.portfolio import render_portfolio as render

    return render(audits, formats, report_folder)
