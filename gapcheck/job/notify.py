"""Posting a run's summary to a webhook; a failure is logged, never fatal."""

from __future__ import annotations

import json
import logging
from typing import Any

from gapcheck.ingest.fetch import USER_AGENT

log = logging.getLogger(__name__)


def post_summary(url: str, summary: dict[str, Any], timeout: float) -> bool:
    """POST the summary as JSON; True when the webhook answered 2xx."""
    import requests  # imported here: most runs have no webhook

    body = json.dumps(summary, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    try:
        with requests.Session() as session:
            session.trust_env = False
            response = session.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        log.warning("webhook %s failed: %s", url, type(exc).__name__)
        return False
    if not 200 <= response.status_code < 300:
        log.warning("webhook %s answered HTTP %d", url, response.status_code)
        return False
    log.info("summary posted to %s", url)
    return True
