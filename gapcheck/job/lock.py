"""One writer per history database: an exclusive, non-blocking flock on `<database>.lock`."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gapcheck.errors import GapcheckError


class LockBusy(GapcheckError):
    """Another gapcheck process holds the database's lock."""


def lock_path(database: Path) -> Path:
    """The lock file that guards a database."""
    return database.with_name(database.name + ".lock")


@contextmanager
def database_lock(database: Path) -> Iterator[Path]:
    """Hold the database's lock for the block; raise LockBusy at once when another process has it.

    The lock goes with the process: a run that is killed leaves no stale lock behind.
    """
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise LockBusy(f"another gapcheck run is using {database} (lock {path} is held); not starting") from exc
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
        yield path
    finally:
        os.close(handle)
