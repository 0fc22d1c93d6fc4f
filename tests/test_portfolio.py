"""The portfolio over several providers, and the audit command that writes it beside the reports."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from report_helpers import CHECKLISTS, POLICY, make_audit
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from gapcheck.cli import main
from gapcheck.render.html import render_html
from gapcheck.render.labels import STATUS_COLOURS
from gapcheck.render.portfolio import render_portfolio

SPARSE = """Privacy Policy

About us
Beta GmbH runs this website. We retain logs for 30 days and we sell personal information to partners.
"""


@pytest.fixture(scope="module")
def audits():
    return [make_audit(), make_audit(SPARSE, provider="beta", source="beta.txt")]


@pytest.fixture(scope="module")
def files(audits) -> dict[str, bytes]:
    return render_portfolio(audits, ["json", "html", "pdf", "xlsx"])


def test_files_follow_the_formats(audits, files):
    assert set(files) == {"portfolio.html", "portfolio.xlsx"}
    assert set(render_portfolio(audits, ["xlsx"])) == {"portfolio.xlsx"}
    assert render_portfolio(audits, ["json", "pdf"]) == {}
    assert render_portfolio([], ["html"]) == {}


def test_matrix_has_providers_by_requirements_coloured_by_status(files, audits):
    book = openpyxl.load_workbook(io.BytesIO(files["portfolio.xlsx"]))
    assert book.sheetnames == ["Summary", "Matrix"]
    assert book.properties.creator == "gapcheck"
    matrix = book["Matrix"]
    requirements = [f.requirement for r in audits[0].checklists for f in r.findings]
    assert [c.value for c in matrix[2]] == ["Provider", *requirements]
    assert [c.value for c in matrix[1]][1:] == ["mini-gdpr"] * 5 + ["mini-ccpa"] * 2
    rows = {row[0].value: row for row in matrix.iter_rows(min_row=3)}
    assert set(rows) == {"acme", "beta"}
    column = 1 + requirements.index("gdpr.art21.objection")
    assert rows["acme"][column].value == "Conflict"
    assert rows["acme"][column].fill.fgColor.rgb.endswith(STATUS_COLOURS["conflict"])
    assert rows["beta"][column].value == "Missing"
    assert rows["beta"][column].fill.fgColor.rgb.endswith(STATUS_COLOURS["missing"])
    assert matrix.freeze_panes == "B3"
    assert matrix.auto_filter.ref == f"A2:{matrix.cell(row=2, column=matrix.max_column).column_letter}4"


def test_summary_sheet_has_scores_per_provider_with_filters(files, audits):
    sheet = openpyxl.load_workbook(io.BytesIO(files["portfolio.xlsx"]))["Summary"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Provider", "Source", "Audited", "Mini GDPR (test) score", "Mini CCPA (test) score"]
    assert header[-1] == "Red flags"
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    for audit in audits:
        assert list(rows[audit.provider][3:5]) == [r.score for r in audit.checklists]
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=len(header)).column_letter}3"
    assert sheet.freeze_panes == "A2"


def test_page_links_each_provider_and_cell_to_its_report(files, audits):
    tree = HTMLParser(files["portfolio.html"].decode())
    providers = [a.text() for a in tree.css("table.heatmap tbody th a")]
    assert providers == ["acme", "beta"]
    assert [a.attributes["href"] for a in tree.css("table.heatmap tbody th a")] == ["./acme.html", "./beta.html"]
    report = HTMLParser(render_html(audits[0]).decode())
    cells = tree.css("table.heatmap tbody tr")[0].css("td")
    assert len(cells) == 7
    conflict = next(td for td in cells if "s-conflict" in td.attributes["class"])
    href = conflict.css_first("a").attributes["href"]
    assert href == "./acme.html#mini-gdpr--gdpr-art21-objection"
    target = report.css_first(f"#{href.split('#')[1]}")
    assert target is not None and target.attributes["data-status"] == "conflict"
    assert "Right to object" in conflict.attributes["title"]


def test_a_provider_name_is_never_a_link_scheme():
    odd = make_audit(provider="javascript:alert(1)")
    tree = HTMLParser(render_portfolio([odd, make_audit(SPARSE, "beta", "beta.txt")], ["html"])["portfolio.html"]
                      .decode())
    assert tree.css_first("table.heatmap tbody th a").attributes["href"] == "./javascript%3Aalert%281%29.html"


def test_nightly_reports_in_a_subfolder_are_linked_there(audits):
    tree = HTMLParser(render_portfolio(audits, ["html"], report_folder="providers")["portfolio.html"].decode())
    assert tree.css_first("table.heatmap tbody th a").attributes["href"] == "./providers/acme.html"


# ---------------------------------------------------------------- the audit command

def write_policies(folder: Path, names: list[str]) -> None:
    folder.mkdir()
    for name in names:
        (folder / f"{name}.txt").write_text(POLICY if name != "beta" else SPARSE, encoding="utf-8")


def audit_command(sources: Path, out: Path, *formats: str) -> int:
    arguments = ["audit", str(sources), "--out", str(out), "--as-of", "2026-11-23", "--jobs", "2"]
    for checklist in CHECKLISTS:
        arguments += ["--checklist", str(checklist)]
    for fmt in formats:
        arguments += ["--format", fmt]
    return main(arguments)


def test_audit_command_writes_every_report_and_the_portfolio(tmp_path: Path):
    write_policies(tmp_path / "policies", ["acme", "beta"])
    out = tmp_path / "reports"
    assert audit_command(tmp_path / "policies", out, "json", "html", "pdf", "xlsx") == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["acme.html", "acme.json", "acme.pdf", "acme.xlsx", "beta.html", "beta.json", "beta.pdf",
                     "beta.xlsx", "portfolio.html", "portfolio.xlsx"]
    assert (out / "acme.pdf").read_bytes().startswith(b"%PDF")
    page = (out / "portfolio.html").read_text(encoding="utf-8")
    assert 'href="./acme.html"' in page


def test_one_provider_gets_no_portfolio_and_a_provider_called_portfolio_keeps_its_reports(tmp_path: Path):
    write_policies(tmp_path / "one", ["acme"])
    assert audit_command(tmp_path / "one", tmp_path / "single", "html") == 0
    assert sorted(p.name for p in (tmp_path / "single").iterdir()) == ["acme.html"]
    write_policies(tmp_path / "two", ["portfolio", "beta"])
    assert audit_command(tmp_path / "two", tmp_path / "both", "html") == 0
    assert sorted(p.name for p in (tmp_path / "both").iterdir()) == ["beta.html", "portfolio-2.html",
                                                                     "portfolio.html"]
    assert "<h1 class=\"provider\">2 providers</h1>" in (tmp_path / "both" / "portfolio.html").read_text()
