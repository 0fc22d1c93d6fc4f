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
