"""The HTML report: its content parsed as a reader's browser would, and the page itself in headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from report_helpers import POLICY, make_audit, with_reviews
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from gapcheck.models import Review
from gapcheck.render.html import render_html

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def audit():
    return with_reviews(make_audit(), {
        "gdpr.art13.dpo": Review("Risk accepted", note="Small company", reviewer="A. Lawyer", at="2026-11-20"),
        "gdpr.art21.objection": Review("False positive", note="Users can object by e-mail", reviewer="B",
                                       current=False),
    })


@pytest.fixture(scope="module")
def html(audit) -> str:
    return render_html(audit).decode("utf-8")


@pytest.fixture(scope="module")
def tree(html) -> HTMLParser:
    return HTMLParser(html)


def text_of(tree: HTMLParser, selector: str) -> str:
    node = tree.css_first(selector)
    assert node is not None, selector
    return " ".join(node.text().split())


def test_header_names_the_policy_and_versions(tree, audit):
    assert text_of(tree, "h1") == "acme"
    assert text_of(tree, ".hash") == audit.sha256
    assert text_of(tree, ".source") == "acme.txt"
    assert "23 November 2026, 09:30 UTC" in text_of(tree, ".cover-date")
    assert text_of(tree, ".tool") == "gapcheck 0.1.0"
    assert [n.text() for n in tree.css(".checklist-version")] == ["version 0.1", "version 0.2"]


def test_summary_scores_counts_and_charts_are_svg(tree):
    cards = tree.css(".checklist-summary")
    assert [text_of(c, "h3") for c in cards] == ["Mini GDPR (test)", "Mini CCPA (test)"]
    assert text_of(cards[0], ".score-line") == "40 / 100"
    legend = [" ".join(li.text().split()) for li in cards[0].css(".legend li")]
    assert legend == ["Met 1", "Partial 1", "Missing 1", "Conflict 1", "Not applicable 1"]
    bars = cards[0].css("svg.status-bar rect")
    assert [b.attributes["width"] for b in bars] == ["20.0"] * 5
    assert not tree.css("img"), "charts are drawn in SVG, never pictures"


def test_red_flags_come_before_the_findings(html, tree):
    assert html.index('id="flags"') < html.index('class="checklist"')
    flag = tree.css_first("#flags .flag")
    assert text_of(flag, "h4") == "High severity Consent by continued use"
    assert "If you continue to use the service you consent to this policy." in flag.text()


def test_findings_are_grouped_by_checklist_and_article_with_everything_a_reader_needs(tree):
    sections = tree.css("section.checklist")
    assert [text_of(s, "h2") for s in sections] == ["Mini GDPR (test)", "Mini CCPA (test)"]
    articles = [text_of(a, "h3") for a in sections[0].css("section.article")]
    assert articles == ["Art. 13(1)(a)", "Art. 13(2)(a)", "Art. 13(1)(b)", "Art. 21", "Art. 8"]
    conflict = tree.css_first("#mini-gdpr--gdpr-art21-objection")
    assert conflict.attributes["data-status"] == "conflict"
    assert text_of(conflict, "h4") == "Conflict Right to object"
    assert text_of(conflict, ".meta") == "gdpr.art21.objection · High severity · GDPR Art. 21"
    assert text_of(conflict, ".quote").startswith("“You cannot object to processing.”Section: Your rights")
    assert text_of(conflict, ".quote footer").startswith("Section: Your rights")
    assert text_of(conflict, ".rationale").startswith("Conflict: The policy denies the right to object.")
    assert "Tell users they may object" in text_of(conflict, ".remediation")
    met = tree.css_first("#mini-gdpr--gdpr-art13-controller")
    assert met.css_first(".remediation") is None, "remediation is advice for gaps only"


def test_reviews_are_shown_beside_their_finding(tree):
    accepted = tree.css_first("#mini-gdpr--gdpr-art13-dpo")
    assert text_of(accepted, ".review-decision") == "Accepted: risk accepted"
    assert text_of(accepted, ".badge.accepted") == "Accepted"
    assert "A. Lawyer, 2026-11-20" in accepted.css_first(".review").text()
    stale = tree.css_first("#mini-gdpr--gdpr-art21-objection")
    assert text_of(stale, ".review-stale") == "Made on an earlier policy version"
    assert text_of(stale, ".review-decision") == "False positive"
    assert stale.css_first(".review-effect") is None, "a decision on an earlier version does not count"


def test_each_quote_links_to_its_highlight_in_the_policy_text(tree, audit):
    links = tree.css("a.to-text")
    assert len(links) == sum(len(f.evidence) for r in audit.checklists for f in r.findings) + len(audit.flags)
    for link in links:
        target = link.attributes["href"].lstrip("#")
        start, end = map(int, re.fullmatch(r"p-(\d+)-(\d+)", target).groups())
        mark = tree.css_first(f"mark#{target}")
        assert mark is not None
        assert POLICY[start:end].startswith(mark.text())
    assert text_of(tree, ".policy-text") == " ".join(POLICY.split())


def test_policy_markup_is_escaped(html):
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html
    assert html.count("<script>") == 1  # the report's own filter script


def test_page_is_self_contained(tree):
    assert not tree.css("link, img, iframe, object, embed, [src]")
    assert {node.attributes["href"][:1] for node in tree.css("[href]")} == {"#"}
    assert not re.search(r"@import|url\(", text_of(tree, "style"))
    policy = tree.css_first('meta[http-equiv="Content-Security-Policy"]').attributes["content"]
    assert policy.startswith("default-src 'none';")


# ---------------------------------------------------------------- in the browser

@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (/usr/bin/chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory, html) -> Path:
    path = tmp_path_factory.mktemp("report") / "acme.html"
    path.write_text(html, encoding="utf-8")
    return path


@pytest.fixture
def page(browser, report_file):
    """The report open in a fresh page, with every request it makes and every dialog it opens recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.requests, page.dialogs = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(report_file.as_uri())
    page.wait_for_load_state("load")
    yield page
    context.close()


def visible_statuses(page) -> list[str]:
    return page.eval_on_selector_all(".finding", "els => els.filter(e => e.offsetParent !== null)"
                                                 ".map(e => e.dataset.status)")


def test_status_filter_hides_findings(page):
    assert sorted(set(visible_statuses(page))) == ["conflict", "met", "missing", "not_applicable", "partial"]
    assert page.locator("output[name=shown]").text_content() == "Showing 7 of 7 findings"
    page.get_by_role("checkbox", name="Met").uncheck()
    assert "met" not in visible_statuses(page)
    assert len(visible_statuses(page)) == 4
    assert page.locator("output[name=shown]").text_content() == "Showing 4 of 7 findings"
    assert not page.locator("#mini-gdpr--gdpr-art13-controller").is_visible()
    assert page.locator("#mini-gdpr--gdpr-art21-objection").is_visible()
    page.get_by_role("checkbox", name="Met").check()
    assert len(visible_statuses(page)) == 7


def test_checklist_filter_hides_the_other_checklists(page):
    page.select_option("select[name=checklist]", "mini-ccpa")
    assert page.eval_on_selector_all(".finding", "els => els.filter(e => e.offsetParent !== null)"
                                                 ".map(e => e.dataset.checklist)") == ["mini-ccpa", "mini-ccpa"]
    assert not page.locator("#checklist-mini-gdpr").is_visible()


def test_page_makes_no_request_and_runs_no_policy_markup(page, report_file):
    page.locator("a.to-text").first.click()
    page.wait_for_timeout(200)
    assert page.requests == [report_file.as_uri()]
    assert page.dialogs == []
    assert page.locator("img").count() == 0
    text = page.locator(".policy-text").inner_text()
    assert "<script>alert(1)</script> Write to us & we answer." in text
    assert "<img src=http://127.0.0.1:9/x> Our office is in Dublin." in text


def test_quote_link_scrolls_to_the_highlighted_passage(page):
    page.locator("#mini-gdpr--gdpr-art21-objection a.to-text").click()
    target = page.evaluate("location.hash")
    mark = page.locator(f"mark{target}")
    assert mark.inner_text() == "You cannot object to processing."
    assert mark.is_visible()
    assert page.evaluate("document.querySelector(':target').tagName") == "MARK"


def test_report_is_readable_without_script(browser, report_file):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(report_file.as_uri())
    assert not page.locator("#filters").is_visible()
    assert page.locator(".finding").count() == 7
    assert all(page.locator(".finding").nth(i).is_visible() for i in range(7))
    context.close()


def test_fits_a_phone_screen(browser, report_file):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(report_file.as_uri())
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"
    context.close()
