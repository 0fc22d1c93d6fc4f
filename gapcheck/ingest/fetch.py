"""Fetching a policy from an http(s) URL with a timeout, a size cap and a redirect limit.

The timeout bounds the whole download, not only each read: a server that answers one byte at
a time cannot hold a run for longer than about twice the timeout. It is 20 s, or the number of
seconds in the environment variable GAPCHECK_FETCH_TIMEOUT.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from gapcheck.errors import SourceError

if TYPE_CHECKING:
    import requests

MAX_URL_BYTES = 20 * 1024 * 1024
TIMEOUT_SECONDS = 20.0
TIMEOUT_VARIABLE = "GAPCHECK_FETCH_TIMEOUT"
MAX_REDIRECTS = 5
CHUNK_BYTES = 65536
USER_AGENT = "gapcheck (privacy policy audit; +https://pypi.org/project/gapcheck/)"


@dataclass(frozen=True)
class Fetched:
    """The bytes a URL answered with and the media type it declared."""

    url: str
    data: bytes
    content_type: str


def is_url(source: str) -> bool:
    """True for http:// and https:// sources."""
    return urlsplit(source).scheme.lower() in ("http", "https")


def default_timeout(url: str = "") -> float:
    """Seconds a fetch may take: GAPCHECK_FETCH_TIMEOUT when set (a positive number), else 20."""
    raw = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not raw:
        return TIMEOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise SourceError(url, f"{TIMEOUT_VARIABLE}={raw!r} is not a positive number of seconds")
    return seconds


def fetch(url: str, *, timeout: float | None = None, max_bytes: int = MAX_URL_BYTES) -> Fetched:
    """Download a policy; refuse other schemes, oversize bodies, endless redirects and slow servers."""
    import requests  # on first use: most runs read files, and requests costs 0.15 s to import
    import urllib3

    if not is_url(url):
        raise SourceError(url, "only http and https URLs can be fetched")
    timeout = default_timeout(url) if timeout is None else timeout
    deadline = time.monotonic() + timeout
    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS
    session.trust_env = False
    try:
        with session.get(url, timeout=timeout, stream=True, headers={"User-Agent": USER_AGENT}) as response:
            if not is_url(response.url):
                raise SourceError(url, "redirected to a non-http address")
            if response.status_code >= 400:
                raise SourceError(url, f"HTTP {response.status_code} {response.reason or ''}".strip())
            data = _read_body(url, response, deadline, timeout, max_bytes)
            content_type = response.headers.get("Content-Type", "")
    except requests.TooManyRedirects as exc:
        raise SourceError(url, f"more than {MAX_REDIRECTS} redirects") from exc
    except (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError) as exc:
        raise SourceError(url, f"timed out after {timeout:g} s") from exc
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
        raise SourceError(url, f"could not be fetched ({type(exc).__name__})") from exc
    finally:
        session.close()
    return Fetched(url, data, content_type)


def _too_large(url: str, max_bytes: int) -> SourceError:
    return SourceError(url, f"larger than the {max_bytes // (1024 * 1024)} MB limit for URLs")


def _read_body(url: str, response: requests.Response, deadline: float, timeout: float, max_bytes: int) -> bytes:
    """The (decompressed) body, read as it arrives, refused once it passes max_bytes or the deadline."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes)
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise SourceError(url, f"timed out after {timeout:g} s")
        chunk = response.raw.read1(CHUNK_BYTES, decode_content=True)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(url, max_bytes)
        chunks.append(chunk)
