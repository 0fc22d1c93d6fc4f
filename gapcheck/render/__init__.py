"""Report formats, chosen by name: each renderer turns an Audit into the bytes of one file."""

from __future__ import annotations

from collections.abc import Callable

from gapcheck.models import Audit
from gapcheck.render.json_report import render_json

Renderer = Callable[[Audit], bytes]
RENDERERS: dict[str, tuple[str, Renderer]] = {
    "json": (".json", render_json),
}


def formats() -> list[str]:
    """The names of the formats gapcheck can write."""
    return list(RENDERERS)
