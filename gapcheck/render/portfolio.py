"""The portfolio over several providers: a status heatmap (providers by requirements) and their scores.

`render_portfolio` is called by the audit command and by the nightly job; it returns file name -> bytes:
portfolio.xlsx when "xlsx" is among the formats, portfolio.html when "html" is (linking each provider's
`<provider>.html`, in `report_folder` relative to the portfolio).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from openpyxl.styles import Alignment

from gapcheck.models import STATUSES, Audit
from gapcheck.render import PORTFOLIO_NAME
from gapcheck.render.context import finding_anchor
from gapcheck.render.labels import STATUS_LABELS, STATUS_SIGNS
from gapcheck.render.sheets import Column, new_workbook, put, style_status, workbook_bytes, write_header, write_table
from gapcheck.render.templating import render_page
from gapcheck.scoring import status_counts

PORTFOLIO_XLSX = f"{PORTFOLIO_NAME}.xlsx"
PORTFOLIO_HTML = f"{PORTFOLIO_NAME}.html"
CENTRED = Alignment(horizontal="center", vertical="center")
VERTICAL = Alignment(text_rotation=90, horizontal="center", vertical="bottom")


@dataclass(frozen=True)
class Requirement:
    """A column of the heatmap: one requirement of one checklist."""

    checklist: str
    checklist_title: str
    id: str
    title: str


@dataclass(frozen=True)
class Row:
    """A provider's line: status per requirement, score per checklist, counts and flags."""

    provider: str
    source: str
    audited_at: str
    statuses: dict[tuple[str, str], str]
    scores: dict[str, float]
    counts: dict[str, int]
    flags: int


@dataclass(frozen=True)
class Portfolio:
    checklists: list[tuple[str, str]]  # (id, title), in order of first appearance
    requirements: list[Requirement]
    rows: list[Row]


def build_portfolio(audits: list[Audit]) -> Portfolio:
    """The heatmap's columns (every requirement of every checklist seen) and one row per audit."""
    checklists: dict[str, str] = {}
    requirements: dict[tuple[str, str], Requirement] = {}
    rows = []
    for audit in audits:
        statuses: dict[tuple[str, str], str] = {}
        for result in audit.checklists:
            checklists.setdefault(result.id, result.title)
            for finding in result.findings:
                key = (result.id, finding.requirement)
                requirements.setdefault(key, Requirement(result.id, result.title, finding.requirement, finding.title))
                statuses[key] = finding.status
        findings = [f for result in audit.checklists for f in result.findings]
        rows.append(Row(audit.provider, audit.source, audit.audited_at.isoformat(), statuses,
                        {r.id: r.score for r in audit.checklists}, status_counts(findings), len(audit.flags)))
    order = list(checklists)
    columns = sorted(requirements.values(), key=lambda r: order.index(r.checklist))  # stable: checklist order
    return Portfolio(list(checklists.items()), columns, rows)


# ---------------------------------------------------------------- Excel

def portfolio_xlsx(portfolio: Portfolio, audits: list[Audit]) -> bytes:
    """Sheet Matrix (providers by requirements, coloured by status) and sheet Summary (scores, with filters)."""
    book = new_workbook("Privacy policy portfolio", max(a.audited_at for a in audits))
    matrix = book.create_sheet("Matrix")
    columns = [Column("Provider", 22)] + [Column(r.id, 5) for r in portfolio.requirements]
    put(matrix.cell(row=1, column=1), "Checklist")
    for index, requirement in enumerate(portfolio.requirements, 2):
        put(matrix.cell(row=1, column=index), requirement.checklist).alignment = VERTICAL
    matrix.row_dimensions[1].height = 70
    write_header(matrix, 2, columns)
    for index in range(2, len(columns) + 1):
        matrix.cell(row=2, column=index).alignment = VERTICAL
    matrix.row_dimensions[2].height = 190
    for row, line in enumerate(portfolio.rows, 3):
        put(matrix.cell(row=row, column=1), line.provider)
        for index, requirement in enumerate(portfolio.requirements, 2):
            status = line.statuses.get((requirement.checklist, requirement.id))
            if status is not None:
                cell = put(matrix.cell(row=row, column=index), STATUS_LABELS[status])
                style_status(cell, status, strong=True)
                cell.alignment = CENTRED
    matrix.freeze_panes = "B3"
    matrix.auto_filter.ref = f"A2:{matrix.cell(row=2, column=len(columns)).column_letter}{len(portfolio.rows) + 2}"

    summary = book.create_sheet("Summary", 0)
    score_columns = [Column(f"{title} score", 16) for _, title in portfolio.checklists]
    summary_columns = [Column("Provider", 22), Column("Source", 36, True), Column("Audited", 22), *score_columns,
                       *(Column(STATUS_LABELS[s], 10) for s in STATUSES), Column("Red flags", 10)]
    write_table(summary, summary_columns, [
        [line.provider, line.source, line.audited_at, *(line.scores.get(cid) for cid, _ in portfolio.checklists),
         *(line.counts[s] for s in STATUSES), line.flags] for line in portfolio.rows])
    return workbook_bytes(book)


# ---------------------------------------------------------------- HTML

def report_link(provider: str, folder: str = "") -> str:
    """The relative link to a provider's HTML report (quoted, so that a name is never read as a scheme)."""
    prefix = "/".join(quote(part, safe="") for part in folder.strip("/").split("/") if part)
    return f"./{prefix + '/' if prefix else ''}{quote(provider, safe='')}.html"


def portfolio_html(portfolio: Portfolio, audits: list[Audit], report_folder: str = "") -> bytes:
    """The heatmap page; each provider, and each of its cells, links to its HTML report."""
    providers: list[dict[str, Any]] = []
    for line in portfolio.rows:
        href = report_link(line.provider, report_folder)
        cells = []
        for requirement in portfolio.requirements:
            status = line.statuses.get((requirement.checklist, requirement.id))
            cells.append({
                "status": status, "sign": STATUS_SIGNS.get(status or "", ""),
                "label": STATUS_LABELS.get(status or "", "Not audited"),
                "title": f"{line.provider}: {requirement.title} ({requirement.id}): "
                         f"{STATUS_LABELS.get(status or '', 'not audited')}",
                "href": f"{href}#{finding_anchor(requirement.checklist, requirement.id)}" if status else None,
            })
        providers.append({"name": line.provider, "href": href, "cells": cells, "counts": line.counts,
                          "flags": line.flags,
                          "scores": [line.scores.get(cid) for cid, _ in portfolio.checklists]})
    spans = [(title, sum(1 for r in portfolio.requirements if r.checklist == cid))
             for cid, title in portfolio.checklists]
    created = max(a.audited_at for a in audits)
    page = render_page("portfolio.html", "screen", created, providers=providers, checklists=spans,
                       requirements=portfolio.requirements, audited_at=created,
                       statuses=[(s, STATUS_LABELS[s]) for s in STATUSES])
    return page.encode("utf-8")


def render_portfolio(audits: list[Audit], formats: list[str], report_folder: str = "") -> dict[str, bytes]:
    """The portfolio files for these audits: file name -> bytes (xlsx and html, as far as asked for).

    `report_folder` is where the providers' HTML reports are, relative to the portfolio (the audit command
    writes them side by side; the nightly job keeps them in a subfolder).
    """
    if not audits:
        return {}
    portfolio = build_portfolio(audits)
    writers: dict[str, tuple[str, Callable[[], bytes]]] = {
        "xlsx": (PORTFOLIO_XLSX, lambda: portfolio_xlsx(portfolio, audits)),
        "html": (PORTFOLIO_HTML, lambda: portfolio_html(portfolio, audits, report_folder)),
    }
    return {name: write() for fmt, (name, write) in writers.items() if fmt in formats}
