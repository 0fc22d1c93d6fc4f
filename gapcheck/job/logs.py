"""Log lines for unattended runs: timestamped, on stderr, as quiet or as verbose as asked."""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(quiet: bool = False, verbose: bool = False) -> None:
    """Send gapcheck's logs to stderr: warnings only when quiet, debug detail when verbose, else info."""
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    logger = logging.getLogger("gapcheck")
    logger.setLevel(level)
    for handler in list(logger.handlers):
        if getattr(handler, "gapcheck_job", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT, datefmt="%Y-%m-%dT%H:%M:%S%z"))
    handler.gapcheck_job = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
