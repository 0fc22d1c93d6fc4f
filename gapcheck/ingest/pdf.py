"""PDF text in reading order, page by page (pypdf)."""

from __future__ import annotations

import io
import logging
import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from gapcheck.errors import SourceError

logging.getLogger("pypdf").setLevel(logging.ERROR)
SURROGATE = re.compile("[\ud800-\udfff]")


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
    return without_lone_surrogates("\n\n".join(page for page in pages if page))


def without_lone_surrogates(text: str) -> str:
    """Text any encoder accepts: a font's ToUnicode map can name lone UTF-16 surrogates, which pypdf passes
    through; a split pair is joined into its character and a lone one becomes U+FFFD."""
    if SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
