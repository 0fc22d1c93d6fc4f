"""Errors a user can cause, each carrying a one-line message and an exit code."""

from __future__ import annotations

import traceback

EXIT_OK = 0
EXIT_THRESHOLD = 1
EXIT_USAGE = 2
EXIT_SOURCE = 3


def one_line(text: str) -> str:
    """Text fit for a one-line message: line breaks, terminal escapes and other unprintable characters escaped."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def exception_line(exc: BaseException) -> str:
    """An unexpected failure as one line: its type and the first line of its message."""
    return f"{type(exc).__name__}: {exc}".splitlines()[0]


class GapcheckError(Exception):
    """A problem with the user's input, reported as one line without a traceback."""

    exit_code = EXIT_USAGE


class SourceError(GapcheckError):
    """A policy source that cannot be read or audited."""

    exit_code = EXIT_SOURCE

    def __init__(self, source: str, reason: str, detail: str = "") -> None:
        reason = one_line(reason)  # a file name or a server's reason phrase may hold anything
        super().__init__(f"{one_line(source)}: {reason}")
        self.source = source
        self.reason = reason
        self.detail = detail  # the traceback of an unexpected failure, shown with --verbose

    def __reduce__(self):  # picklable, so worker processes (`--jobs`) can hand it back
        return (type(self), (self.source, self.reason, self.detail))


class ChecklistError(GapcheckError):
    """A checklist file that is not valid."""

    exit_code = EXIT_USAGE

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason

    def __reduce__(self):
        return (type(self), (self.path, self.reason, self.line))


def internal_error(source: str, what: str, exc: Exception) -> SourceError:
    """A one-line SourceError for an unexpected failure (call it in the `except`: it keeps the traceback for
    --verbose)."""
    message = (str(exc).strip().splitlines() or [""])[0]
    return SourceError(source, f"could not be {what} (internal error: {type(exc).__name__}"
                               f"{': ' + message if message else ''})", traceback.format_exc())
