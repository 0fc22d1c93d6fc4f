"""The Excel workbook for legal review: Summary, Findings (with reviewer columns to fill in), Flags, Evidence.

The review import reads `Reviewer decision` and `Reviewer note` back from the Findings sheet, matching rows by
Provider, Checklist and Requirement, so those column names are a contract.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from gapcheck.models import STATUSES, Audit
from gapcheck.render.json_report import audit_to_dict
from gapcheck.render.labels import EARLIER_VERSION, REVIEW_DECISIONS, SEVERITY_LABELS, STATUS_LABELS
from gapcheck.render.sheets import (INPUT_FILL, TOP, Column, column_index, new_workbook, put, style_status,
                                    workbook_bytes, write_header, write_table)

FINDING_COLUMNS = (
    Column("Provider", 16), Column("Checklist", 12), Column("Requirement", 28), Column("Title", 30, True),
    Column("Citation", 22, True), Column("Status", 14), Column("Severity", 10), Column("Evidence", 60, True),
    Column("Section", 24, True), Column("Rationale", 50, True), Column("Remediation", 45, True),
    Column("Reviewer decision", 18), Column("Reviewer note", 40, True),
)
FLAG_COLUMNS = (
    Column("Provider", 16), Column("Checklist", 12), Column("Flag", 28), Column("Title", 30, True),
    Column("Severity", 10), Column("Citation", 24, True), Column("Evidence", 60, True), Column("Section", 24, True),
    Column("Rationale", 50, True), Column("Remediation", 45, True),
)
EVIDENCE_COLUMNS = (
    Column("Provider", 16), Column("Checklist", 12), Column("Requirement or flag", 28), Column("Kind", 10),
    Column("Status", 14), Column("Quote", 70, True), Column("Section", 24, True), Column("Start", 8),
    Column("End", 8), Column("Cue", 22, True),
)
SCORE_COLUMNS = (
    Column("Checklist", 14), Column("Title", 36, True), Column("Version", 12), Column("Score", 9),
    *(Column(STATUS_LABELS[s], 10) for s in STATUSES),
)


def quotes(evidence: list[dict[str, Any]]) -> str:
    """The quoted statements of a finding, one paragraph each."""
    return "\n\n".join(f"“{e['text']}”" for e in evidence)


def sections(evidence: list[dict[str, Any]]) -> str:
    """The distinct sections the quotes sit under, one a line."""
    return "\n".join(dict.fromkeys(e["section"] for e in evidence if e["section"]))


def review_cells(review: dict[str, Any] | None) -> tuple[str, str]:
    """What to pre-fill in Reviewer decision and Reviewer note.

    A decision made on an earlier version of the policy is not pre-filled as a decision (returning the
    workbook would silently confirm it for this version): it is only quoted in the note, to be decided again.
    """
    if review is None:
        return "", ""
    if review["current"]:
        return review["decision"], review["note"]
    return "", f"{EARLIER_VERSION}: {review['decision']}." + (f" {review['note']}" if review["note"] else "")


def finding_rows(data: dict[str, Any]) -> Iterator[tuple[list[Any], str]]:
    """One row per requirement per checklist, with the status to colour it by."""
    for checklist in data["checklists"]:
        for f in checklist["findings"]:
            decision, note = review_cells(f.get("review"))
            yield [data["provider"], checklist["id"], f["requirement"], f["title"], f["citation"],
                   STATUS_LABELS[f["status"]], SEVERITY_LABELS[f["severity"]], quotes(f["evidence"]),
                   sections(f["evidence"]), f["rationale"], f["remediation"], decision, note], f["status"]


def flag_rows(data: dict[str, Any]) -> Iterator[list[Any]]:
    for flag in data["flags"]:
        yield [data["provider"], flag["checklist"], flag["id"], flag["title"], SEVERITY_LABELS[flag["severity"]],
               flag["citation"], quotes(flag["evidence"]), sections(flag["evidence"]), flag["rationale"],
               flag["remediation"]]


def evidence_rows(data: dict[str, Any]) -> Iterator[tuple[list[Any], str | None]]:
    """One row per quote, of findings then flags, with the finding status to colour it by."""
    for checklist in data["checklists"]:
        for f in checklist["findings"]:
            for e in f["evidence"]:
                yield [data["provider"], checklist["id"], f["requirement"], "Finding", STATUS_LABELS[f["status"]],
                       e["text"], e["section"], e["start"], e["end"], e["cue"]], f["status"]
    for flag in data["flags"]:
        for e in flag["evidence"]:
            yield [data["provider"], flag["checklist"], flag["id"], "Red flag", "",
                   e["text"], e["section"], e["start"], e["end"], e["cue"]], None


def add_status_sheet(book: Workbook, title: str, columns: tuple[Column, ...],
                     rows: list[tuple[list[Any], str | None]]) -> Worksheet:
    """A data sheet whose Status column is coloured by each row's status."""
    sheet = book.create_sheet(title)
    write_table(sheet, columns, [values for values, _ in rows])
    status_column = column_index(columns, "Status")
    for row, (_, status) in enumerate(rows, 2):
        if status is not None:
            style_status(sheet.cell(row=row, column=status_column), status)
    return sheet


def add_review_inputs(sheet: Worksheet, last_row: int) -> None:
    """Mark the reviewer columns as input and give Reviewer decision its drop-down."""
    decision = column_index(FINDING_COLUMNS, "Reviewer decision")
    note = column_index(FINDING_COLUMNS, "Reviewer note")
    validation = DataValidation(type="list", formula1='"' + ",".join(REVIEW_DECISIONS) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="Reviewer decision",
                                error="Choose " + ", ".join(REVIEW_DECISIONS[:-1]) + " or " + REVIEW_DECISIONS[-1],
                                promptTitle="Reviewer decision", prompt="Choose a decision from the list")
    sheet.add_data_validation(validation)
    letter = sheet.cell(row=1, column=decision).column_letter
    validation.add(f"{letter}2:{letter}{max(last_row, 2)}")
    for row in range(2, last_row + 1):
        sheet.cell(row=row, column=decision).fill = INPUT_FILL
        sheet.cell(row=row, column=note).fill = INPUT_FILL


def add_summary(book: Workbook, data: dict[str, Any]) -> None:
    """The provider's facts, a score table per checklist and a bar chart of the scores."""
    sheet = book.create_sheet("Summary", 0)
    put(sheet["A1"], f"Privacy policy audit: {data['provider']}").font = Font(bold=True, size=14, color="1F3A5F")
    facts = [("Provider", data["provider"]), ("Source", data["source"]), ("SHA-256", data["sha256"]),
             ("Audited", data["audited_at"]), ("gapcheck", data["gapcheck_version"]),
             ("Red flags", len(data["flags"]))]
    for row, (label, value) in enumerate(facts, 3):
        put(sheet.cell(row=row, column=1), label).font = Font(bold=True)
        put(sheet.cell(row=row, column=2), value).alignment = TOP
    header = len(facts) + 4
    write_header(sheet, header, SCORE_COLUMNS)
    for row, checklist in enumerate(data["checklists"], header + 1):
        values = [checklist["id"], checklist["title"], checklist["version"], checklist["score"],
                  *(checklist["counts"][s] for s in STATUSES)]
        for column, value in enumerate(values, 1):
            put(sheet.cell(row=row, column=column), value).alignment = TOP
    last = header + len(data["checklists"])
    sheet.column_dimensions["B"].width = 70  # the facts' values (a SHA-256 is 64 characters)
    if data["checklists"]:
        chart = BarChart()
        chart.type, chart.title, chart.style = "bar", "Score by checklist (0-100)", 10
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
        chart.y_axis.title, chart.legend = "Score", None
        chart.add_data(Reference(sheet, min_col=4, min_row=header, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=header + 1, max_row=last))
        chart.height, chart.width = 3 + 1.2 * len(data["checklists"]), 16
        sheet.add_chart(chart, f"A{last + 3}")


def render_xlsx(audit: Audit) -> bytes:
    """The review workbook of one audit."""
    data = audit_to_dict(audit)
    book = new_workbook(f"Privacy policy audit: {audit.provider}", audit.audited_at)
    add_summary(book, data)
    findings = add_status_sheet(book, "Findings", FINDING_COLUMNS, list(finding_rows(data)))
    add_review_inputs(findings, findings.max_row)
    flags = book.create_sheet("Flags")
    write_table(flags, FLAG_COLUMNS, list(flag_rows(data)))
    add_status_sheet(book, "Evidence", EVIDENCE_COLUMNS, list(evidence_rows(data)))
    return workbook_bytes(book)
