"""Errors a user can cause, each carrying a one-line message and an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_THRESHOLD = 1
EXIT_USAGE = 2
EXIT_SOURCE = 3


class GapcheckError(Exception):
    """A problem with the user's input, reported as one line without a traceback."""

    exit_code = EXIT_USAGE


class SourceError(GapcheckError):
    """A policy source that cannot be read or audited."""

    exit_code = EXIT_SOURCE

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason

    def __reduce__(self):  # picklable, so worker processes (`--jobs`) can hand it back
        return (type(self), (self.source, self.reason))


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
