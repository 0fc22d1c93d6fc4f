"""The PDF report, read back with pypdf the way a reader's viewer shows it: pages, contents, footers."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from report_helpers import finding, make_audit, with_reviews

from gapcheck.models import Review
from gapcheck.render.context import BRIEF_STATUSES, brief_rationale
from gapcheck.render.json_report import finding_to_dict
from gapcheck.render.pdf import FetchRefused, data_urls_only, html_to_pdf, render_pdf


@pytest.fixture(scope="module")
def audit():
    return with_reviews(make_audit(), {
        "gdpr.art13.dpo": Review("Needs follow-up", note="Ask the client", reviewer="A. Lawyer", at="2026-11-20",
                                 current=False),
    })


@pytest.fixture(scope="module")
def reader(audit) -> PdfReader:
    return PdfReader(io.BytesIO(render_pdf(audit)))


@pytest.fixture(scope="module")
def pages(reader) -> list[str]:
    """Each page's text on one line, in pypdf's reading order (page header and footer last)."""
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def page_of(pages: list[str], text: str) -> int:
    """The 1-based number of the first page holding `text`."""
    return next(i for i, page in enumerate(pages, 1) if text in page)


def test_cover_names_provider_date_and_scores(pages):
    cover = pages[0]
    assert cover.startswith("PRIVACY POLICY AUDIT acme")
    assert "Audited 23 November 2026, 09:30 UTC" in cover
    assert "Mini GDPR (test) 40 / 100" in cover
    assert "Mini CCPA (test) 100 / 100" in cover
    assert "Page 1 of" not in cover


def test_every_later_page_has_provider_and_page_x_of_y(pages):
    assert len(pages) >= 4
    for number, text in enumerate(pages[1:], 2):
        assert text.endswith(f"acme Privacy policy audit gapcheck · audited 23 November 2026, 09:30 UTC "
                             f"Page {number} of {len(pages)}")


def test_table_of_contents_gives_the_right_page_numbers(reader, pages):
    assert "Contents" in pages[0], "the contents are on the cover"
    laid_out = reader.pages[0].extract_text(extraction_mode="layout")
    found = re.findall(r"^(\S.*?) {3,}(\d+)$", laid_out.split("Contents", 1)[1], re.MULTILINE)
    entries: dict[str, str] = {}
    for title, number in found:  # the first line of each title: the contents come before the sections
        entries.setdefault(title, number)
    assert list(entries)[:5] == ["Summary", "Red flags", "Gaps at a glance", "Mini GDPR (test)", "Mini CCPA (test)"]
    for title, number in entries.items():
        assert title in pages[int(number) - 1], f"{title} is not on page {number}"
    assert "Version 0.1 · score 40 / 100" in pages[int(entries["Mini GDPR (test)"]) - 1]
    assert "Version 0.2 · score 100 / 100" in pages[int(entries["Mini CCPA (test)"]) - 1]


def test_findings_show_status_citation_evidence_rationale_and_remediation(pages):
    page = pages[page_of(pages, "gdpr.art21.objection") - 1]
    assert "Conflict Right to object gdpr.art21.objection · High severity · GDPR Art. 21" in page
    assert "“You cannot object to processing.” Section: Your rights" in page
    assert "Conflict: The policy denies the right to object." in page
    assert "REMEDIATION Tell users they may object to processing at any time." in page


def shown_rationale(finding) -> str:
    """The rationale as the PDF shows it: in one line for a met or not-applicable finding without a review."""
    data = finding_to_dict(finding)
    brief = finding.status in BRIEF_STATUSES and finding.review is None
    return " ".join((brief_rationale(data) if brief else finding.rationale).split())


def test_a_finding_is_never_split_across_pages(pages, audit):
    for result in audit.checklists:
        for finding in result.findings:
            heading = f"{finding.title} {finding.requirement}"
            holder = pages[page_of(pages, heading) - 1]
            assert shown_rationale(finding)[:60] in holder, finding.requirement


def test_met_findings_are_brief_with_their_first_quote_and_section(pages, audit):
    met = finding(audit, "gdpr.art13.controller")
    assert met.status == "met" and met.evidence
    page = pages[page_of(pages, "Identity of the controller gdpr.art13.controller") - 1]
    first = met.evidence[0]
    assert f"“{' '.join(first.text.split())}” Section: {first.section}" in page
    assert shown_rationale(met) == "Met: the policy names the controller."
    assert shown_rationale(met) in page


def test_brief_rationale_drops_only_the_repeated_quote():
    data = {"rationale": "Met: states purposes: “We use data to run the service.” under “Use” (+2 more).",
            "evidence": [{"text": "We use data to run\nthe service."}, {"text": "b"}, {"text": "c"}]}
    assert brief_rationale(data) == "Met: states purposes. 2 more passages quoted in the HTML and JSON reports."
    data["evidence"] = data["evidence"][:1]
    assert brief_rationale(data) == "Met: states purposes."
    unusual = {"rationale": "Not applicable: no such processing.", "evidence": [{"text": "Something else."}]}
    assert brief_rationale(unusual) == "Not applicable: no such processing."


def test_gaps_at_a_glance_list_each_gap_under_its_status(pages):
    gaps = " ".join(pages)
    assert "Gaps at a glance Mini GDPR (test) Conflict (1) Right to object (Art. 21) Missing (1) Data protection officer (Art. 13(1)(b)) " \
           "Partial (1) Retention period (Art. 13(2)(a))" in re.sub(r" acme Privacy policy audit .*? Page \d+ of \d+", "", gaps)
    assert "Mini CCPA (test) No gaps: every applicable requirement is met." in gaps


def test_red_flags_and_reviews(pages):
    flags = pages[page_of(pages, "Red flags 1") - 1]
    assert "Consent by continued use" in flags
    assert "“If you continue to use the service you consent to this policy.”" in flags
    review = pages[page_of(pages, "Data protection officer gdpr.art13.dpo") - 1]
    assert "REVIEWER DECISION Needs follow-up Ask the client A. Lawyer, 2026-11-20 " \
           "Made on an earlier policy version" in review


def test_fetcher_allows_data_urls_only():
    fetcher = data_urls_only()
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in ("http://127.0.0.1:9/x.png", "https://example.org/a.css", "file:///etc/passwd", "ftp://x/y"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)


def test_a_page_that_asks_for_outside_resources_gets_none(monkeypatch):
    asked: list[str] = []
    fetch = type(data_urls_only()).fetch

    def spy(self, url: str, headers=None):
        asked.append(url)
        return fetch(self, url, headers)

    monkeypatch.setattr(type(data_urls_only()), "fetch", spy)
    html = ('<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><p>Text</p>'
            '<img src="file:///etc/hostname"><img src="data:image/svg+xml;utf8,'
            '<svg xmlns=%22http://www.w3.org/2000/svg%22 width=%221%22 height=%221%22/>">')
    text = PdfReader(io.BytesIO(html_to_pdf(html))).pages[0].extract_text()
    assert "Text" in text
    assert any(url.startswith("http://127.0.0.1:9/") for url in asked)
    assert any(url.startswith("file:") for url in asked)
    assert any(url.startswith("data:") for url in asked)
