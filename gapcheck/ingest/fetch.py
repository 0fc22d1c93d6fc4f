"""Fetching a policy from an http(s) URL with a timeout, a size cap and a redirect limit."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from gapcheck.errors import SourceError

MAX_URL_BYTES = 20 * 1024 * 1024
TIMEOUT_SECONDS = 20.0
MAX_REDIRECTS = 5
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


def fetch(url: str, *, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_URL_BYTES) -> Fetched:
    """Download a policy; refuse other schemes, oversize bodies and endless redirects."""
    if not is_url(url):
        raise SourceError(url, "only http and https URLs can be fetched")
    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS
    session.trust_env = False
    try:
        with session.get(url, timeout=timeout, stream=True, headers={"User-Agent": USER_AGENT}) as response:
            if not is_url(response.url):
                raise SourceError(url, "redirected to a non-http address")
            if response.status_code >= 400:
                raise SourceError(url, f"HTTP {response.status_code} {response.reason or ''}".strip())
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > max_bytes:
                    raise SourceError(url, f"larger than the {max_bytes // (1024 * 1024)} MB limit for URLs")
                chunks.append(chunk)
            content_type = response.headers.get("Content-Type", "")
    except requests.TooManyRedirects as exc:
        raise SourceError(url, f"more than {MAX_REDIRECTS} redirects") from exc
    except requests.Timeout as exc:
        raise SourceError(url, f"timed out after {timeout:g} s") from exc
    except requests.RequestException as exc:
        raise SourceError(url, f"could not be fetched ({type(exc).__name__})") from exc
    finally:
        session.close()
    return Fetched(url, b"".join(chunks), content_type)
