"""The PDF report: WeasyPrint's rendering of the HTML report's print variant, fetching nothing."""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from gapcheck.models import Audit
from gapcheck.render.html import report_html
from gapcheck.render.templating import stylesheet


class FetchRefused(ValueError):
    """A report tried to load something other than a data: URL."""


@lru_cache(maxsize=1)
def data_urls_only() -> Any:
    """WeasyPrint's URL fetcher for reports: data: URLs only, never the network or the file system."""
    from weasyprint.urls import URLFetcher

    class DataURLsOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                raise FetchRefused(f"reports load nothing from outside: {url[:80]}")
            return super().fetch(url, headers)

    return DataURLsOnly(allowed_protocols=("data",))


@lru_cache(maxsize=1)
def _font_config() -> Any:
    """One font configuration for every PDF of a run: its font caches make later PDFs faster."""
    from weasyprint.text.fonts import FontConfiguration

    atexit.register(_font_config.cache_clear)  # freed while its C libraries are still loaded, not at teardown
    return FontConfiguration()


@lru_cache(maxsize=1)
def _print_stylesheet() -> Any:
    """The print stylesheet, parsed once per process (the print pages carry no inline style)."""
    from weasyprint import CSS

    return CSS(string=stylesheet("print"), url_fetcher=data_urls_only())


# Objects allocated between two young-generation collections while WeasyPrint lays out a page (Python's default
# is 700: at that rate a PDF triggers thousands of collections, a tenth of its CPU time).
RENDER_GC_THRESHOLD = 100_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect cyclic garbage less often while a PDF is made: WeasyPrint allocates millions of short-lived boxes
    and styles, most of them alive until the PDF is written, so frequent collections mostly walk live objects."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], RENDER_GC_THRESHOLD), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def html_to_pdf(html: str) -> bytes:
    """Lay out an HTML page with the print stylesheet as a PDF (WeasyPrint is imported here: it is slow to import)."""
    from weasyprint import HTML

    with _fewer_collections():
        return HTML(string=html, url_fetcher=data_urls_only()).write_pdf(
            stylesheets=[_print_stylesheet()], font_config=_font_config())


def render_pdf(audit: Audit) -> bytes:
    """The PDF report of one audit."""
    return html_to_pdf(report_html(audit, "print"))
