"""Report formats, chosen by name: each renderer turns an Audit into the bytes of one file."""

from __future__ import annotations

from collections.abc import Callable

from gapcheck.models import Audit
from gapcheck.render.html import render_html
from gapcheck.render.json_report import render_json
from gapcheck.render.pdf import render_pdf
from gapcheck.render.xlsx import render_xlsx

Renderer = Callable[[Audit], bytes]
RENDERERS: dict[str, tuple[str, Renderer]] = {
    "json": (".json", render_json),
    "html": (".html", render_html),
    "pdf": (".pdf", render_pdf),
    "xlsx": (".xlsx", render_xlsx),
}


def formats() -> list[str]:
    """The names of the formats gapcheck can write."""
    return list(RENDERERS)
