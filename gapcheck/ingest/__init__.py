"""Sources (files, folders, URLs) into Documents whose `text` every offset refers to."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

from gapcheck.errors import SourceError
from gapcheck.ingest.fetch import fetch, is_url
from gapcheck.ingest.html import html_to_text
from gapcheck.ingest.text import decode_text, looks_binary
from gapcheck.models import Document

MAX_FILE_BYTES = 64 * 1024 * 1024
SUFFIX_TYPES = {
    ".txt": "text/plain", ".text": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown",
    ".html": "text/html", ".htm": "text/html", ".xhtml": "text/html", ".pdf": "application/pdf",
}
HTML_SNIFF = re.compile(rb"<(!doctype html|html|head|body|p|div|h[1-6])[\s>]", re.IGNORECASE)
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
OTHER_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+://")  # file://, ftp://: never read as a path


def expand_sources(sources: list[str]) -> list[str]:
    """Folders become the supported files in them (sorted); files and URLs pass through."""
    expanded: list[str] = []
    for source in sources:
        path = Path(source)
        if not is_url(source) and path.is_dir():
            expanded.extend(str(p) for p in sorted(path.iterdir())
                            if p.is_file() and p.suffix.lower() in SUFFIX_TYPES)
        else:
            expanded.append(source)
    return expanded


def provider_name(source: str) -> str:
    """A safe file name for a source: the file stem, or the URL's host and path."""
    if is_url(source):
        parts = urlsplit(source)
        raw = parts.netloc + ("-" + parts.path.strip("/").replace("/", "-") if parts.path.strip("/") else "")
    else:
        raw = Path(source).stem
    return safe_name(raw)


def safe_name(raw: str) -> str:
    """Turn any string into a file name without separators, traversal or hidden-file dots."""
    name = SAFE_NAME.sub("-", raw).strip(".-_")
    return name[:120] or "policy"


def media_type_of(source: str, data: bytes, declared: str = "") -> str:
    """The media type from the declared type, the file suffix, or the bytes themselves."""
    declared = declared.split(";")[0].strip().lower()
    if declared in ("text/html", "application/xhtml+xml", "application/pdf", "text/plain", "text/markdown"):
        return "text/html" if declared == "application/xhtml+xml" else declared
    suffix = Path(urlsplit(source).path if is_url(source) else source).suffix.lower()
    if suffix in SUFFIX_TYPES:
        return SUFFIX_TYPES[suffix]
    if data.startswith(b"%PDF"):
        return "application/pdf"
    if HTML_SNIFF.search(data[:4096]):
        return "text/html"
    return "text/plain"


def read_source(source: str, provider: str | None = None) -> Document:
    """Read a file or URL into a Document; raise SourceError with the reason when it cannot be."""
    if is_url(source):
        fetched = fetch(source)
        data, declared = fetched.data, fetched.content_type
    elif OTHER_SCHEME.match(source):
        raise SourceError(source, f"{source.split(':', 1)[0]}: URLs are refused; only http and https URLs are fetched")
    else:
        data, declared = read_file(source), ""
    return document_from_bytes(source, data, provider or provider_name(source), declared)


def read_file(source: str) -> bytes:
    """A policy file's bytes; raise SourceError when it is missing, not a file, over the size limit or unreadable."""
    path = Path(source)
    if not path.exists():
        raise SourceError(source, "no such file")
    if not path.is_file():
        raise SourceError(source, "not a file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise SourceError(source, f"{size / 1048576:.0f} MB is over the {MAX_FILE_BYTES // 1048576} MB size limit")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(source, f"cannot be read ({exc.strerror or exc})") from exc


def document_from_bytes(source: str, data: bytes, provider: str, declared_type: str = "") -> Document:
    """Turn a source's bytes into a Document (text, Markdown, HTML or PDF)."""
    if not data.strip():
        raise SourceError(source, "the file is empty")
    media_type = media_type_of(source, data, declared_type)
    heading_hints: tuple[tuple[int, int], ...] = ()
    list_hints: tuple[int, ...] = ()
    if media_type == "application/pdf":
        from gapcheck.ingest.pdf import pdf_to_text  # on first use: pypdf costs 0.15 s to import

        text = pdf_to_text(data, source)
    else:
        text = decode_text(data)
        if looks_binary(text):  # random bytes named .html are refused too, not read as a page
            raise SourceError(source, "not a text, HTML or PDF policy (binary content)")
        if media_type == "text/html":
            page = html_to_text(text)
            text, heading_hints, list_hints = page.text, page.heading_hints, page.list_hints
    if len(text.split()) < 5:
        raise SourceError(source, "no policy text found")
    return Document(provider=provider, source=source, sha256=hashlib.sha256(data).hexdigest(),
                    media_type=media_type, text=text, heading_hints=heading_hints,
                    list_hints=list_hints, raw=data)
