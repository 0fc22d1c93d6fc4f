"""PDF text in reading order, page by page (pypdf), without the running headers and footers of the pages.

A sentence that a page break cuts in two is joined again, and a compound broken after its hyphen at the end
of a line ("e-" / "mail") is rejoined.
"""

from __future__ import annotations

import io
import logging
import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from gapcheck.errors import SourceError

logging.getLogger("pypdf").setLevel(logging.ERROR)
SURROGATE = re.compile("[\ud800-\udfff]")
DIGITS = re.compile(r"\d+")
PAGE_COUNTER = re.compile(r"(?i)\b(page|seite|p\.)\s*\d|\d\s*(of|/|von)\s*\d")  # "Page 3", "3 of 10", "3/10"
PAGE_NUMBER = re.compile(r"(?i)(page|p\.|seite)?\s*[-–]?\s*\d{1,4}\s*([-–]\s*)?((of|/|von)\s*\d{1,4})?")
SENTENCE_END = frozenset(".!?:;)]\"”’")  # a page ending in one of these ends its sentence
HYPHEN_BREAK = re.compile(r"(?<=[^\W\d_]-)\n(?=[a-z])")  # "e-\nmail" -> "e-mail"
EDGE_LINES = 2  # lines at the top and at the bottom of a page that may be a running header or footer


def pdf_to_text(data: bytes, source: str) -> str:
    """Extract the text of every page, pages separated by a blank line."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise SourceError(source, "the PDF is encrypted")
            except (NotImplementedError, PdfReadError) as exc:
                raise SourceError(source, "the PDF is encrypted") from exc
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except SourceError:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise SourceError(source, f"not a readable PDF ({type(exc).__name__})") from exc
    text = join_pages(without_running_lines([page for page in pages if page]))
    return without_lone_surrogates(HYPHEN_BREAK.sub("", text))


def without_running_lines(pages: list[str]) -> list[str]:
    """Pages without their running headers and footers: a line near the top or bottom of a page that recurs
    near the edge of at least half of the pages (page counters aside), or that is a bare page number."""
    lines = [page.splitlines() for page in pages]
    # per page, the lines near its top and bottom: (line number, line, shape)
    edges = [[(number, line, _shape(line)) for number, line in enumerate(page_lines)
              if number < EDGE_LINES or number >= len(page_lines) - EDGE_LINES] for page_lines in lines]
    counts: dict[str, int] = {}
    for page_edges in edges:
        for key in {shape for _, _, shape in page_edges}:
            counts[key] = counts.get(key, 0) + 1
    running = {key for key, count in counts.items() if key and len(pages) >= 3 and count >= len(pages) / 2}
    cleaned = []
    for page_lines, page_edges in zip(lines, edges):
        dropped = {number for number, line, shape in page_edges
                   if shape in running or PAGE_NUMBER.fullmatch(line.strip())}
        cleaned.append("\n".join(line for number, line in enumerate(page_lines) if number not in dropped).strip())
    return [page for page in cleaned if page]


def join_pages(pages: list[str]) -> str:
    """Pages separated by a blank line, except where a sentence runs on into the next page."""
    parts: list[str] = []
    for page in pages:
        if parts:
            runs_on = parts[-1].rstrip()[-1:] not in SENTENCE_END and page[:1].islower()
            parts.append("\n" if runs_on else "\n\n")
        parts.append(page)
    return "".join(parts)


def _shape(line: str) -> str:
    """A line as compared across pages; with a page counter, its numbers are blanked ("Page 3 of 10")."""
    line = " ".join(line.split()).lower()
    return DIGITS.sub("#", line) if PAGE_COUNTER.search(line) else line


def without_lone_surrogates(text: str) -> str:
    """Text any encoder accepts: a font's ToUnicode map can name lone UTF-16 surrogates, which pypdf passes
    through; a split pair is joined into its character and a lone one becomes U+FFFD."""
    if SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
