"""The review workbook, loaded back the way Excel or the review import would read it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from report_helpers import AUDITED_AT, FORMULA_SENTENCES, POLICY, finding, make_audit, with_reviews

from gapcheck.models import Review
from gapcheck.render.labels import STATUS_TINTS
from gapcheck.render.xlsx import render_xlsx

FINDING_HEADER = ["Provider", "Checklist", "Requirement", "Title", "Citation", "Status", "Severity", "Evidence",
                  "Section", "Rationale", "Remediation", "Reviewer decision", "Reviewer note"]


@pytest.fixture(scope="module")
def audit():
    return with_reviews(make_audit(), {
        "gdpr.art13.dpo": Review("Confirmed", note="No DPO named anywhere", reviewer="A. Lawyer", at="2026-11-20"),
        "gdpr.art13.retention": Review("Risk accepted", note="=1+1 is fine", reviewer="B", current=False),
    })


@pytest.fixture(scope="module")
def data(audit) -> bytes:
    return render_xlsx(audit)


@pytest.fixture(scope="module")
def book(data):
    return openpyxl.load_workbook(io.BytesIO(data))


def rows_of(sheet) -> list[dict[str, object]]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]


def test_sheets_and_properties(book):
    assert book.sheetnames == ["Summary", "Findings", "Flags", "Evidence"]
    assert book.properties.creator == "gapcheck"
    assert book.properties.created.replace(microsecond=0) == AUDITED_AT.replace(tzinfo=None)


def test_findings_sheet_has_one_row_per_requirement_per_checklist(book, audit):
    sheet = book["Findings"]
    assert [c.value for c in sheet[1]] == FINDING_HEADER
    rows = rows_of(sheet)
    expected = [(r.id, f.requirement) for r in audit.checklists for f in r.findings]
    assert [(r["Checklist"], r["Requirement"]) for r in rows] == expected
    assert {r["Provider"] for r in rows} == {"acme"}
    conflict = next(r for r in rows if r["Requirement"] == "gdpr.art21.objection")
    assert conflict["Status"] == "Conflict"
    assert conflict["Evidence"] == "“You cannot object to processing.”"
    assert conflict["Section"] == "Your rights"
    assert conflict["Citation"] == "GDPR Art. 21"
    assert conflict["Rationale"].startswith("Conflict: The policy denies the right to object.")
    assert conflict["Remediation"] == "Tell users they may object to processing at any time."
    met = next(r for r in rows if r["Requirement"] == "gdpr.art13.controller")
    assert met["Remediation"] is None  # remediation is advice for gaps only


def test_header_is_frozen_and_filtered_with_wrapped_text(book):
    for name in ("Findings", "Flags", "Evidence"):
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=sheet.max_column).column_letter}{sheet.max_row}"
    findings = book["Findings"]
    assert findings.column_dimensions["H"].width >= 40  # Evidence
    assert findings["H2"].alignment.wrap_text


def test_status_cells_are_filled_by_status(book):
    sheet = book["Findings"]
    colours = {row[5].value: row[5].fill.fgColor.rgb for row in sheet.iter_rows(min_row=2)}
    assert colours["Met"].endswith(STATUS_TINTS["met"])
    assert colours["Missing"].endswith(STATUS_TINTS["missing"])
    assert colours["Conflict"].endswith(STATUS_TINTS["conflict"])
    assert len(set(colours.values())) == 5


def test_reviewer_decision_is_a_drop_down_over_every_row(book):
    sheet = book["Findings"]
    validations = sheet.data_validations.dataValidation
    assert len(validations) == 1
    validation = validations[0]
    assert validation.type == "list"
    assert validation.formula1 == '"Confirmed,False positive,Risk accepted,Needs follow-up"'
    assert str(validation.sqref) == f"L2:L{sheet.max_row}"


def test_reviews_are_pre_filled_and_earlier_ones_are_only_noted(book):
    rows = {r["Requirement"]: r for r in rows_of(book["Findings"])}
    assert rows["gdpr.art13.dpo"]["Reviewer decision"] == "Confirmed"
    assert rows["gdpr.art13.dpo"]["Reviewer note"] == "No DPO named anywhere"
    stale = rows["gdpr.art13.retention"]
    assert stale["Reviewer decision"] is None
    assert stale["Reviewer note"] == "Decided on an earlier policy version: Risk accepted. =1+1 is fine"
    assert rows["gdpr.art13.controller"]["Reviewer decision"] is None


def test_policy_sentences_that_look_like_formulas_are_stored_as_text(book, data):
    quotes = {}
    for row in book["Evidence"].iter_rows(min_row=2):
        quotes[row[5].value] = row[5]
    for sentence in FORMULA_SENTENCES:
        cell = quotes[sentence]
        assert cell.data_type == "s"
        assert cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheets = [package.read(n).decode() for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any("<f>" in sheet or "<f " in sheet for sheet in sheets)


def test_flags_and_evidence_sheets(book, audit):
    flags = rows_of(book["Flags"])
    assert [f["Flag"] for f in flags] == ["flag.consent_by_use"]
    assert flags[0]["Evidence"] == "“If you continue to use the service you consent to this policy.”"
    evidence = rows_of(book["Evidence"])
    total = sum(len(f.evidence) for r in audit.checklists for f in r.findings) + sum(len(f.evidence) for f in audit.flags)
    assert len(evidence) == total
    for row in evidence:
        assert POLICY[row["Start"]:row["End"]] == row["Quote"]
    assert {row["Kind"] for row in evidence} == {"Finding", "Red flag"}


def test_summary_has_scores_counts_and_a_chart(book, data, audit):
    sheet = book["Summary"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Provider", "acme"] == values[2][:2]
    assert ["SHA-256", audit.sha256] == values[4][:2]
    header = next(i for i, row in enumerate(values) if row[0] == "Checklist")
    assert values[header][:9] == ["Checklist", "Title", "Version", "Score", "Met", "Partial", "Missing", "Conflict",
                                  "Not applicable"]
    assert values[header + 1][:9] == ["mini-gdpr", "Mini GDPR (test)", "0.1", 40.0, 1, 1, 1, 1, 1]
    assert values[header + 2][0] == "mini-ccpa" and values[header + 2][3] == finding_score(audit, "mini-ccpa")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        chart = package.read("xl/charts/chart1.xml").decode()
    first, last = header + 2, header + 1 + len(audit.checklists)  # the data rows, 1-based
    assert "<barChart>" in chart and f"<f>'Summary'!$D${first}:$D${last}</f>" in chart


def finding_score(audit, checklist_id: str) -> float:
    return next(r.score for r in audit.checklists if r.id == checklist_id)


def test_a_returned_workbook_is_read_by_the_review_import(tmp_path: Path, data):
    workbook_module = pytest.importorskip("gapcheck.job.workbook")
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Findings"]
    for row in sheet.iter_rows(min_row=2):
        if row[2].value == "gdpr.art21.objection":
            row[11].value, row[12].value = "False positive", "They do let users object"
    path = tmp_path / "reviewed.xlsx"
    book.save(path)
    decisions = {(r.provider, r.checklist, r.requirement): (r.decision, r.note)
                 for r in workbook_module.read_review_sheet(path).rows}
    assert decisions[("acme", "mini-gdpr", "gdpr.art21.objection")] == ("False positive", "They do let users object")
    assert decisions[("acme", "mini-gdpr", "gdpr.art13.dpo")] == ("Confirmed", "No DPO named anywhere")
    assert ("acme", "mini-gdpr", "gdpr.art13.retention") not in decisions
    assert finding(make_audit(), "gdpr.art21.objection").status == "conflict"
