"""Writing openpyxl sheets the way every gapcheck workbook does: safe text, styled headers, filters, fills.

Cell text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return)
is stored as a string with a quote prefix, never as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from gapcheck.render.labels import STATUS_COLOURS, STATUS_TINTS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32_767
HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
HEADER_FONT = Font(bold=True, color="FFFFFF")
INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")  # columns a reviewer fills in
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


@dataclass(frozen=True)
class Column:
    """A column of a data sheet: its header, width in characters and whether its text wraps."""

    name: str
    width: float = 14
    wrap: bool = False


def new_workbook(title: str, created: datetime) -> Workbook:
    """An empty workbook (its default sheet removed) whose properties name gapcheck as the creator."""
    book = Workbook()
    book.remove(book.active)
    book.properties.creator = "gapcheck"
    book.properties.title = title
    book.properties.created = created.astimezone(timezone.utc).replace(tzinfo=None)
    return book


def workbook_bytes(book: Workbook) -> bytes:
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def put(cell: Cell, value: Any) -> Cell:
    """Set a cell's value; text is cleaned of characters Excel refuses and never becomes a formula."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_CHARS]
        cell.value = value
        if value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


@lru_cache(maxsize=None)
def status_fill(status: str, strong: bool = False) -> PatternFill:
    """The fill of a status cell: its light tint, or its strong colour for a heatmap."""
    return PatternFill("solid", fgColor=(STATUS_COLOURS if strong else STATUS_TINTS)[status])


@lru_cache(maxsize=None)
def status_font(status: str, strong: bool = False) -> Font:
    return Font(bold=True, color="FFFFFF" if strong else STATUS_COLOURS[status])


def style_status(cell: Cell, status: str, strong: bool = False) -> None:
    """Colour a cell by a finding's status."""
    cell.fill = status_fill(status, strong)
    cell.font = status_font(status, strong)


def write_header(sheet: Worksheet, row: int, columns: Sequence[Column]) -> None:
    """A styled header row, with the columns' widths."""
    for index, column in enumerate(columns, 1):
        cell = put(sheet.cell(row=row, column=index), column.name)
        cell.fill, cell.font, cell.alignment = HEADER_FILL, HEADER_FONT, WRAP
        sheet.column_dimensions[get_column_letter(index)].width = column.width


def write_table(sheet: Worksheet, columns: Sequence[Column], rows: Iterable[Sequence[Any]], header_row: int = 1) -> int:
    """A header row and data rows below it, with a frozen header and an auto-filter; returns the last row."""
    write_header(sheet, header_row, columns)
    last = header_row
    for last, values in enumerate(rows, header_row + 1):
        for index, (column, value) in enumerate(zip(columns, values), 1):
            put(sheet.cell(row=last, column=index), value).alignment = WRAP if column.wrap else TOP
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{max(last, header_row + 1)}"
    return last


def column_index(columns: Sequence[Column], name: str) -> int:
    """The 1-based index of the named column."""
    return next(i for i, column in enumerate(columns, 1) if column.name == name)
