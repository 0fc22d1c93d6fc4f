"""Reading sources: text encodings, HTML clean-up, PDF text, local files and http(s) URLs."""

from __future__ import annotations

import hashlib
import io
import random
from pathlib import Path

import pytest
from conftest import REQUIRED_IDS, statements_of, statuses

from gapcheck.audit import audit_source
from gapcheck.checklist import resolve_checklists
from gapcheck.errors import SourceError
from gapcheck.ingest import document_from_bytes, read_source
from gapcheck.ingest.fetch import fetch

POLICY = """Acme Privacy Policy

Last updated: March 10, 2026

1. Who we are

Acme Ltd is the controller of your personal data. Write to privacy@acme.example with any questions.

2. What we collect

We collect your name, email address and IP address when you create an account.
We do not sell your personal information.
"""


def source_error(source: str, data: bytes | None = None) -> SourceError:
    """The SourceError that reading the source (or these bytes as that source) raises."""
    with pytest.raises(SourceError) as caught:
        if data is None:
            read_source(source)
        else:
            document_from_bytes(source, data, "p")
    assert caught.value.source == source
    return caught.value


# ---------------------------------------------------------------- plain text

@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_utf8_text_is_kept_as_it_is(tmp_path: Path, newline: str) -> None:
    text = POLICY.replace("\n", newline) + "Données personnelles: “quoted”, don’t – ok.\n"
    path = tmp_path / "acme.txt"
    path.write_bytes(text.encode("utf-8"))
    document = read_source(str(path))
    assert document.text == text  # not normalised: offsets point into the file's own content
    assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert document.provider == "acme" and document.media_type == "text/plain"
    statements, _ = statements_of(document)
    quoted = next(s for s in statements if s.text.startswith("Acme Ltd is the controller"))
    assert text[quoted.start:quoted.end] == "Acme Ltd is the controller of your personal data."


def test_utf8_byte_order_mark_is_dropped() -> None:
    document = document_from_bytes("bom.txt", b"\xef\xbb\xbf" + POLICY.encode("utf-8"), "bom")
    assert document.text == POLICY


@pytest.mark.parametrize("encoding, text", [
    ("latin-1", "Données personnelles\n\nNous collectons vos données à caractère personnel et les conservons.\n"),
    ("cp1252", "Données personnelles\n\nNous collectons vos « données » — déjà vu — et ‘citations’ “curly”."
               " We don’t sell it.\n"),
    ("cp1252", "Privacy Policy\n\nWe don’t sell your data. Café owners’ “rights” apply — see below.\n"),
])
def test_latin1_and_windows_1252_text_decodes(encoding: str, text: str) -> None:
    document = document_from_bytes("legacy.txt", text.encode(encoding), "legacy")
    assert document.text == text


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"  \r\n\t\n", "empty"),
    (random.Random(7).randbytes(4096), "binary"),
    (bytes(range(32)) * 64, "binary"),
    (b"Hello there.", "no policy text"),
])
def test_empty_or_binary_files_are_refused(data: bytes, reason: str) -> None:
    error = source_error("policy.txt", data)
    assert reason in error.reason
    assert str(error).startswith("policy.txt: ")


def test_missing_path_and_folder_are_refused(tmp_path: Path) -> None:
    assert source_error(str(tmp_path / "nope.txt")).reason == "no such file"
    assert source_error(str(tmp_path)).reason == "not a file"


# ---------------------------------------------------------------- HTML

PAGE = b"""<!doctype html><html><head><title>Acme privacy</title>
<style>.x { content: "STYLETEXT" }</style><script>var tracking = "SCRIPTTEXT";</script></head><body>
<header><a href="/">Acme home HEADERTEXT</a></header>
<nav><ul><li><a href="/about">About NAVTEXT</a></li><li>Pricing NAVTEXT</li></ul></nav>
<div id="cookie-banner">We use cookies to improve your experience COOKIETEXT. <button>Accept all</button></div>
<div class="cookie-consent">Manage your cookie choices CONSENTTEXT</div>
<main>
<h1>Acme Privacy Policy</h1>
<p>Last updated: March 10, 2026</p>
<h2>What we collect</h2>
<p>We collect the following personal data when you create an account:</p>
<ul><li>your name and <b>email address</b>;</li><li>your billing address.</li></ul>
<h3>Cookies</h3>
<p>We use strictly necessary cookies to keep you signed in.</p>
<noscript>NOSCRIPTTEXT</noscript>
</main>
<footer>FOOTERTEXT &copy; 2026 Acme</footer>
</body></html>"""


def test_html_furniture_is_removed_and_structure_kept() -> None:
    document = document_from_bytes("https://acme.example/privacy", PAGE, "acme", "text/html; charset=utf-8")
    assert document.media_type == "text/html"
    for furniture in ("STYLETEXT", "SCRIPTTEXT", "HEADERTEXT", "NAVTEXT", "COOKIETEXT", "CONSENTTEXT",
                      "NOSCRIPTTEXT", "FOOTERTEXT", "Accept all"):
        assert furniture not in document.text
    headings = [(document.text[start:].split("\n", 1)[0], level) for start, level in document.heading_hints]
    assert headings == [("Acme Privacy Policy", 1), ("What we collect", 2), ("Cookies", 3)]
    items = [document.text[start:].split("\n", 1)[0] for start in document.list_hints]
    assert items == ["your name and email address;", "your billing address."]
    order = [document.text.index(part) for part in (
        "Acme Privacy Policy", "Last updated: March 10, 2026", "What we collect",
        "We collect the following personal data", "your billing address.", "strictly necessary cookies")]
    assert order == sorted(order)


def test_html_is_recognised_without_a_suffix_or_declared_type() -> None:
    document = document_from_bytes("policy", PAGE, "p")
    assert document.media_type == "text/html" and "SCRIPTTEXT" not in document.text


def test_page_wrapped_in_a_form_keeps_its_text() -> None:
    page = b"""<html><body><form action="/consent" method="post">
<h1>Privacy Notice</h1>
<p>We collect your email address to send you the newsletter you asked for.</p>
<p>You can unsubscribe at any time by writing to privacy@acme.example.</p>
<input type="checkbox" name="agree"> <button>Save</button>
</form></body></html>"""
    document = document_from_bytes("form.html", page, "form")
    assert document.text == ("Privacy Notice\n\nWe collect your email address to send you the newsletter you asked"
                             " for.\n\nYou can unsubscribe at any time by writing to privacy@acme.example.")
    assert document.heading_hints == ((0, 1),)


# ---------------------------------------------------------------- PDF

PDF_HTML = """<html><body>
<h1>Acme Privacy Policy</h1>
<h2>1. What we collect</h2>
<p>We collect your name and email address when you register.</p>
<h2>2. How long we keep it</h2>
<p>We keep your data for two years after your account closes.</p>
<h2>3. Contact</h2>
<p>Write to privacy@acme.example with any questions.</p>
</body></html>"""


@pytest.fixture(scope="module")
def policy_pdf() -> bytes:
    weasyprint = pytest.importorskip("weasyprint")
    return weasyprint.HTML(string=PDF_HTML).write_pdf()


def test_pdf_text_is_read_in_order(policy_pdf: bytes) -> None:
    document = document_from_bytes("acme.pdf", policy_pdf, "acme")
    assert document.media_type == "application/pdf"
    parts = ["Acme Privacy Policy", "1. What we collect", "We collect your name and email address when you register.",
             "2. How long we keep it", "We keep your data for two years after your account closes.", "3. Contact",
             "Write to privacy@acme.example with any questions."]
    positions = [document.text.index(part) for part in parts]
    assert positions == sorted(positions)
    statements, headings = statements_of(document)
    assert [h.text for h in headings] == ["Acme Privacy Policy", "1. What we collect", "2. How long we keep it",
                                          "3. Contact"]


def test_pdf_running_headers_footers_and_page_breaks() -> None:
    weasyprint = pytest.importorskip("weasyprint")
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar".split()
    sentences = [f"We collect your name and e-mail address for {a} {b} and keep them until {b} {a} ends."
                 for a in words for b in words[:3]]
    titles = ["Data", "Use", "Retention", "Sharing", "Rights", "Contact"]
    sections = "".join(f"<h2>{n}. {title}</h2><p>{' '.join(sentences[(n - 1) * 7:n * 7])}</p>"
                       for n, title in enumerate(titles, 1))
    page = ('<html><head><style>@page { size: A6; margin: 1.5cm; @top-center { content: "Acme Ltd Privacy Policy" }'
            ' @bottom-right { content: "Page " counter(page) " of " counter(pages) } }</style></head>'
            f"<body><h1>Privacy Policy</h1>{sections}</body></html>")
    document = document_from_bytes("long.pdf", weasyprint.HTML(string=page).write_pdf(), "long")
    assert "Acme Ltd Privacy Policy" not in document.text and "Page " not in document.text
    assert "e-\nmail" not in document.text  # a compound broken after its hyphen is rejoined
    statements, headings = statements_of(document)
    assert [h.text for h in headings][1:] == ["1. Data", "2. Use", "3. Retention", "4. Sharing", "5. Rights",
                                              "6. Contact"]
    # every sentence is whole, also where a page break cut it in two
    assert [" ".join(s.text.split()) for s in statements if s.kind == "sentence"] == sentences[:42]


def test_a_line_repeated_on_only_some_pages_is_kept() -> None:
    from gapcheck.ingest.pdf import without_running_lines
    pages = ["Intro\nText one.", "Summary\nText two.", "Intro\nText three.", "Other\nText four.", "Last\nText five."]
    assert without_running_lines(pages) == pages  # "Intro" heads 2 of 5 pages: not a running header


def test_pdf_recognised_by_its_bytes(policy_pdf: bytes) -> None:
    assert document_from_bytes("download", policy_pdf, "d").media_type == "application/pdf"


def test_encrypted_pdf_is_refused(policy_pdf: bytes) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(policy_pdf)))
    writer.encrypt("a user password", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    assert source_error("locked.pdf", out.getvalue()).reason == "the PDF is encrypted"


@pytest.mark.parametrize("cut", [0.5, 0.1])
def test_truncated_pdf_is_refused(policy_pdf: bytes, cut: float) -> None:
    error = source_error("broken.pdf", policy_pdf[:int(len(policy_pdf) * cut)])
    assert error.reason.startswith("not a readable PDF")


# ---------------------------------------------------------------- URLs

def test_url_audits_like_the_file(tmp_path: Path, web_server) -> None:
    base, routes = web_server
    routes["/privacy"] = (200, {"Content-Type": "text/plain; charset=utf-8"}, POLICY.encode("utf-8"))
    routes["/old"] = (301, {"Location": "/privacy"}, b"")
    path = tmp_path / "acme.txt"
    path.write_text(POLICY, encoding="utf-8")
    checklists = resolve_checklists(None)
    from_file = audit_source(str(path), checklists)
    from_url = audit_source(f"{base}/old", checklists)
    assert from_url.text == from_file.text and from_url.sha256 == from_file.sha256
    assert statuses(from_url) == statuses(from_file)
    assert set(REQUIRED_IDS["gdpr"]) <= set(statuses(from_url))
    assert [f.id for f in from_url.flags] == [f.id for f in from_file.flags]


def test_url_html_uses_the_declared_type(web_server) -> None:
    base, routes = web_server
    routes["/p"] = (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE)
    document = read_source(f"{base}/p")
    assert document.media_type == "text/html" and "NAVTEXT" not in document.text
    assert document.provider == f"127.0.0.1-{base.rsplit(':', 1)[1]}-p"


def test_url_404_names_the_status(web_server) -> None:
    base, _ = web_server
    error = source_error(f"{base}/missing")
    assert "HTTP 404" in error.reason


def test_url_redirect_loop_is_refused(web_server) -> None:
    base, routes = web_server
    routes["/a"] = (302, {"Location": "/b"}, b"")
    routes["/b"] = (302, {"Location": "/a"}, b"")
    assert "redirects" in source_error(f"{base}/a").reason


def test_url_redirect_to_a_file_url_is_refused(web_server) -> None:
    base, routes = web_server
    routes["/x"] = (302, {"Location": "file:///etc/passwd"}, b"")
    assert "could not be fetched" in source_error(f"{base}/x").reason


@pytest.mark.parametrize("source", ["file:///etc/passwd", "ftp://127.0.0.1/policy.txt"])
def test_other_schemes_are_refused(source: str) -> None:
    assert "only http and https" in source_error(source).reason
    with pytest.raises(SourceError, match="only http and https"):
        fetch(source)


# ---------------------------------------------------------------- HTML in the wild

def page_text(body: str) -> str:
    """The text read out of a page with this body."""
    return document_from_bytes("p.html", f"<html><body>{body}</body></html>".encode("utf-8"), "p").text


def heading_lines(document) -> list[tuple[str, int]]:
    return [(document.text[start:].split("\n", 1)[0], level) for start, level in document.heading_hints]


POLICY_BODY = ("<main><h1>Privacy Policy</h1><p>We collect your email address to run your account.</p>"
               "<p>You may ask us to delete your data by writing to privacy@acme.example.</p></main>")
CONSENT_UIS = [  # the banners and preference centres of consent-management platforms, as they insert them
    '<div id="onetrust-consent-sdk"><div id="onetrust-banner-sdk"><h2>We value your privacy</h2>{}</div></div>',
    '<div id="onetrust-pc-sdk" class="otPcCenter"><h2>Privacy Preference Center</h2>{}</div>',
    '<div id="CybotCookiebotDialog"><h2>This website uses cookies</h2>{}</div>',
    '<div id="consent_blackbar"><div id="truste-consent-content">{}</div></div>',
    '<div id="didomi-host"><div class="didomi-popup-notice">{}</div></div>',
    '<div id="usercentrics-root">{}</div>',
    '<div id="qc-cmp2-container" class="qc-cmp2-container"><div class="qc-cmp2-summary-info">{}</div></div>',
    '<div class="osano-cm-dialog osano-cm-dialog--type_bar">{}</div>',
    '<div id="termly-code-snippet-support"><div class="t-consentPrompt">{}</div></div>',
    '<div id="iubenda-cs-banner" class="iubenda-cs-container">{}</div>',
    '<div id="cmplz-cookiebanner-container"><div class="cmplz-cookiebanner">{}</div></div>',
    '<div class="cky-consent-container"><div class="cky-notice">{}</div></div>',
    '<div id="BorlabsCookieBox">{}</div>',
]


@pytest.mark.parametrize("banner", CONSENT_UIS)
def test_consent_manager_text_is_not_policy_text(banner: str) -> None:
    # A long vendor list (a preference centre) can outweigh the policy: it must go whatever its size.
    claims = ("We and our partners process personal data such as IP address and device identifiers. "
              "You can withdraw consent at any time. ") * 20
    text = page_text(POLICY_BODY + banner.format(f"<p>{claims}</p><button>Accept all</button>"))
    assert text.startswith("Privacy Policy") and "delete your data" in text
    assert "withdraw consent" not in text and "We value your privacy" not in text and "Accept all" not in text


def test_home_made_cookie_banner_is_furniture() -> None:
    text = page_text(POLICY_BODY + '<div id="cookie_consent_wrapper"><p>We use cookies. You can withdraw consent'
                                   ' at any time.</p><a href="#" class="btn">Accept all</a></div>')
    assert "withdraw consent" not in text and "Accept all" not in text and "delete your data" in text


def test_cookie_list_a_consent_manager_embeds_in_the_policy_is_kept() -> None:
    text = page_text('<main><h1>Cookie Policy</h1><div id="ot-sdk-cookie-policy"><table><tr><td>_ga</td>'
                     '<td>Google Analytics: distinguishes users. Kept for 2 years.</td></tr></table></div>'
                     '<div id="CookieDeclaration"><p>This site uses strictly necessary cookies.</p></div></main>')
    assert "_ga | Google Analytics: distinguishes users. Kept for 2 years." in text
    assert "strictly necessary cookies" in text


def test_accordion_titles_in_buttons_are_kept_as_headings() -> None:
    page = b"""<html><body><main><h1>Privacy Policy</h1><h2>Overview</h2><p>This policy explains our practices.</p>
<div class="accordion">
<h2 class="accordion-header"><button aria-expanded="false" aria-controls="a1">Your rights</button></h2>
<div id="a1" hidden><p>You may ask for a copy of your data.</p></div>
<div class="item"><button class="accordion-trigger" aria-expanded="false">Sharing</button>
<div class="panel" style="display:none"><p>We share data with our processors.</p></div></div>
<details><summary>Cookies we use</summary><p>We use analytics cookies.</p></details>
<div hidden="until-found"><p>We keep data for two years.</p></div>
<div aria-hidden="true"><p>We answer requests within 45 days.</p></div>
</div><button class="print">Print</button></main></body></html>"""
    document = document_from_bytes("rights.html", page, "rights")
    # Collapsed panels (hidden, display:none, aria-hidden) are policy text, kept as any other.
    assert document.text == (
        "Privacy Policy\n\nOverview\n\nThis policy explains our practices.\n\nYour rights\n\n"
        "You may ask for a copy of your data.\n\nSharing\n\nWe share data with our processors.\n\nCookies we use\n\n"
        "We use analytics cookies.\n\nWe keep data for two years.\n\nWe answer requests within 45 days.")
    assert heading_lines(document) == [("Privacy Policy", 1), ("Overview", 2), ("Your rights", 2), ("Sharing", 3),
                                       ("Cookies we use", 3)]
    statements, _ = statements_of(document)
    copy = next(s for s in statements if s.text.startswith("You may ask for a copy"))
    assert copy.section[-1] == "Your rights"


def test_titles_set_in_bold_or_styled_as_headings_are_headings() -> None:
    page = b"""<html><body><main><h1>Privacy Policy</h1><h2>What we collect</h2><p>We collect your email address.</p>
<h2>Your rights</h2><p><strong>Right to delete</strong></p><p>You may ask us to delete your data.</p>
<p><span style="font-weight: 700;">Right to correct</span></p><p>You may ask us to correct your data.</p>
<div class="h3">Contact</div><div role="heading" aria-level="2">Changes</div>
<p><b>We do not sell your personal information to anyone</b></p>
<p><strong>Note:</strong> this applies to California residents.</p></main></body></html>"""
    document = document_from_bytes("bold.html", page, "bold")
    assert heading_lines(document) == [("Privacy Policy", 1), ("What we collect", 2), ("Your rights", 2),
                                       ("Right to delete", 3), ("Right to correct", 3), ("Contact", 3),
                                       ("Changes", 2)]
    statements, _ = statements_of(document)
    delete = next(s for s in statements if s.text.startswith("You may ask us to delete"))
    assert delete.section[-2:] == ("Your rights", "Right to delete")


def test_bold_titles_are_left_to_extraction_where_headings_are_not_marked() -> None:
    # With fewer than three heading tags, extraction reads titles off plain lines (numbering sets their level);
    # hints here would switch that off.
    page = b"""<html><body><p><b>Privacy Policy</b></p><p>1. Information We Collect</p>
<p>We collect your email address when you sign up.</p><p><b>Your California Rights</b></p>
<p>You may ask us to delete your data.</p></body></html>"""
    assert document_from_bytes("plain.html", page, "plain").heading_hints == ()


def test_numbered_section_set_as_a_one_item_ordered_list_keeps_its_number() -> None:
    page = b"""<html><body><h1>Privacy Policy</h1><ol start="14"><li><strong>Privacy information for EEA users</strong>
</li></ol><p><strong>14.1 Legal rights</strong></p><p>You may object to processing.</p>
<ol start="15"><li><strong>Privacy information for United States residents</strong></li></ol>
<p><strong>15.1 Your rights</strong></p><p>You may ask us to delete your personal information.</p>
<ol><li>Email us.</li><li>Call us.</li></ol></body></html>"""
    document = document_from_bytes("sections.html", page, "sections")
    assert "\n\n15. Privacy information for United States residents\n\n" in document.text
    assert "\n\nEmail us.\n\nCall us." in document.text  # a list of several items is not numbered
    statements, _ = statements_of(document)
    delete = next(s for s in statements if s.text.startswith("You may ask us to delete"))
    assert delete.section == ("15. Privacy information for United States residents", "15.1 Your rights")


def test_blocks_inside_a_table_cell_stay_in_the_row() -> None:
    page = b"""<html><body><main><h1>Privacy Policy</h1><table>
<tr><th>Category</th><th>Examples</th><th>Sold</th></tr>
<tr><td><p>Identifiers</p></td><td><p>Name</p><p>Email address</p></td><td>No</td></tr>
<tr><td>Commercial information</td><td><ul><li>Purchases.</li><li>Returns</li></ul></td><td>No<br>(never)</td></tr>
</table><table><tr><td><h2>Layout</h2><p>A page laid out in a table keeps its paragraphs.</p></td></tr></table>
</main></body></html>"""
    text = document_from_bytes("table.html", page, "table").text
    assert ("Category | Examples | Sold\n\nIdentifiers | Name; Email address | No\n\n"
            "Commercial information | Purchases. Returns | No; (never)") in text
    assert text.endswith("Layout\n\nA page laid out in a table keeps its paragraphs.")


def test_a_cell_spanning_rows_is_read_in_every_row_it_spans() -> None:
    page = b"""<html><body><main><h1>Privacy Policy</h1><table>
<tr><th>Category</th><th>Disclosed to</th><th>Sold</th></tr>
<tr><td>Identifiers</td><td rowspan="2"><p>Service providers</p><p>Advertising partners</p></td><td>Yes</td></tr>
<tr><td>Geolocation data</td><td>No</td></tr>
<tr><td rowspan="2" colspan="2">Sensitive personal information</td><td>No</td></tr>
<tr><td>Never</td></tr>
<tr><td>Biometrics</td><td>Nobody</td><td rowspan="9999">No</td></tr><tr><td>Audio</td><td>Nobody</td></tr>
</table></main></body></html>"""
    text = document_from_bytes("spans.html", page, "spans").text
    assert ("Identifiers | Service providers; Advertising partners | Yes\n\n"
            "Geolocation data | Service providers; Advertising partners | No\n\n"
            "Sensitive personal information | No\n\nSensitive personal information | Never\n\n"
            "Biometrics | Nobody | No\n\nAudio | Nobody") in text  # an absurd span is not spread


def test_in_page_links_breadcrumbs_and_pickers_are_furniture() -> None:
    text = page_text("""<a class="visually-hidden focusable" href="#main-content">Skip to main content</a>
<div id="content"><ol class="c-breadcrumb-list"><li><a href="/">Home</a></li><li>Legal</li></ol>
<h1>Privacy Policy</h1><div class="share-buttons"><a href="#">Email</a><a href="#">Tweet</a></div>
<div class="language-switcher"><ul><li><a href="/de">Deutsch</a></li><li><a href="/fr">Fran\u00e7ais</a></li></ul></div>
<p>We collect your email address.</p><p><a href="#top" class="to-top">Back to Top</a></p>
<p>Questions? Write to privacy@acme.example or <a href="/print">print</a> this page.</p>
<p><a href="#">Print</a></p></div>""")
    assert text == ("Privacy Policy\n\nWe collect your email address.\n\n"
                    "Questions? Write to privacy@acme.example or print this page.")


def test_noscript_in_the_head_does_not_spill_into_the_text() -> None:
    page = (b"<html><head><noscript>&lt;style&gt;form * { display: none }&lt;/style&gt;</noscript>"
            b"<title>Privacy | Acme</title></head><body><h1>Privacy Policy</h1><p>We collect your email.</p></body></html>")
    document = document_from_bytes("head.html", page, "head")
    assert document.text == "Privacy Policy\n\nWe collect your email."
