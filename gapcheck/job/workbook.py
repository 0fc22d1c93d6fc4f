"""Reading reviewer decisions from a returned Excel workbook, refusing anything that is not a sane one.

The package is checked before openpyxl sees it: the file size, that it is a zip holding a
workbook, and the uncompressed size of its members (a zip bomb is refused, not unpacked).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from gapcheck.errors import GapcheckError
from gapcheck.render.labels import EARLIER_VERSION, REVIEW_DECISIONS

MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_ROWS = 200_000
SHEET = "Findings"
REQUIRED_COLUMNS = ("Provider", "Requirement", "Reviewer decision")
OPTIONAL_COLUMNS = ("Checklist", "Status", "Reviewer note")
GENERATORS = frozenset({"openpyxl", "gapcheck", ""})  # creators that name a program, not a person


class WorkbookError(GapcheckError):
    """A reviewed workbook that cannot be imported."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class ReviewRow:
    """One row of the Findings sheet that carries a decision."""

    row: int
    provider: str
    checklist: str
    requirement: str
    status: str
    decision: str
    note: str


@dataclass(frozen=True)
class ReviewSheet:
    """The decisions of a workbook and what its properties say about who saved it and when."""

    rows: tuple[ReviewRow, ...]
    author: str  # last modified by, else creator; "" when only a program is named
    created: datetime | None
    modified: datetime | None


def check_package(path: Path) -> None:
    """Refuse a file that is missing, too large, not an xlsx package or a zip bomb."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise WorkbookError(path, "no such file") from exc
    if not path.is_file():
        raise WorkbookError(path, "not a file")
    if size > MAX_WORKBOOK_BYTES:
        raise WorkbookError(path, f"{size / 1048576:.1f} MB is over the {MAX_WORKBOOK_BYTES // 1048576} MB limit")
    try:
        with zipfile.ZipFile(path) as package:
            members = package.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookError(path, "not an Excel workbook (.xlsx)") from exc
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise WorkbookError(path, "not an Excel workbook (.xlsx): no workbook inside the package")
    if len(members) > MAX_MEMBERS:
        raise WorkbookError(path, f"refused: {len(members)} parts in the package (limit {MAX_MEMBERS})")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookError(path, f"refused: unpacks to {unpacked / 1048576:.0f} MB "
                                  f"(limit {MAX_UNPACKED_BYTES // 1048576} MB; a zip bomb?)")


def canonical_decision(value: str) -> str | None:
    """The decision as spelled in REVIEW_DECISIONS (any case, spacing), or None when it is not one of them."""
    wanted = " ".join(value.split()).casefold()
    return next((d for d in REVIEW_DECISIONS if d.casefold() == wanted), None)


def own_note(note: str) -> str:
    """The reviewer's note without the quote of an earlier version's decision that the workbook pre-fills."""
    for decision in REVIEW_DECISIONS:
        prefix = f"{EARLIER_VERSION}: {decision}."
        if note.startswith(prefix):
            return note[len(prefix):].strip()
    return note


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _utc(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def read_review_sheet(path: Path) -> ReviewSheet:
    """The rows of the Findings sheet that carry a decision; an unknown decision is an error naming its row."""
    import openpyxl  # imported here: a run without review workbooks never needs it

    check_package(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged packages
        raise WorkbookError(path, f"not a readable Excel workbook ({type(exc).__name__})") from exc
    try:
        if SHEET not in book.sheetnames:
            raise WorkbookError(path, f"no {SHEET!r} sheet (sheets: {', '.join(book.sheetnames)})")
        try:  # the sheet is parsed only now, row by row (read-only mode)
            rows = _decision_rows(path, book[SHEET].iter_rows(values_only=True))
        except WorkbookError:
            raise
        except Exception as exc:  # a damaged or hostile sheet: bad XML, entity expansion, a bad CRC
            raise WorkbookError(path, f"not a readable Excel workbook ({type(exc).__name__} in the "
                                      f"{SHEET} sheet)") from exc
        props = book.properties
        people = [_text(props.lastModifiedBy), _text(props.creator)]
        author = next((p for p in people if p.casefold() not in GENERATORS), "")
        return ReviewSheet(tuple(rows), author, _utc(props.created), _utc(props.modified))
    finally:
        book.close()


def _decision_rows(path: Path, rows: Any) -> list[ReviewRow]:
    columns: dict[str, int] | None = None
    found: list[ReviewRow] = []
    for number, values in enumerate(rows, start=1):
        if number > MAX_ROWS:
            raise WorkbookError(path, f"{SHEET}: more than {MAX_ROWS} rows")
        cells = [_text(v) for v in values]
        if columns is None:
            names = {c.casefold(): i for i, c in enumerate(cells) if c}
            if all(c.casefold() in names for c in REQUIRED_COLUMNS):
                columns = {c: names[c.casefold()] for c in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
                           if c.casefold() in names}
            elif number >= 20:
                break
            continue

        def cell(name: str) -> str:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        raw = cell("Reviewer decision")
        if not raw:
            continue
        decision = canonical_decision(raw)
        if decision is None:
            raise WorkbookError(path, f"{SHEET} row {number}: unknown Reviewer decision {raw!r} "
                                      f"(use {', '.join(REVIEW_DECISIONS[:-1])} or {REVIEW_DECISIONS[-1]})")
        if not cell("Provider") or not cell("Requirement"):
            raise WorkbookError(path, f"{SHEET} row {number}: a decision needs its Provider and Requirement")
        found.append(ReviewRow(number, cell("Provider"), cell("Checklist"), cell("Requirement"), cell("Status"),
                               decision, own_note(cell("Reviewer note"))))
    if columns is None:
        raise WorkbookError(path, f"{SHEET} sheet has no header row with {', '.join(REQUIRED_COLUMNS)}")
    return found
