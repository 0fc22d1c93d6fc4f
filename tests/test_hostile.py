"""Hostile and broken input: clear errors, nothing lost, nothing injected, nothing fetched.

Every input here is made by the tests in tmp_path: broken sources, broken checklists, policies that carry
markup, formulas and links to a local server that records every request, and nightly runs killed mid-way.
"""

from __future__ import annotations

import html
import io
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openpyxl
import pytest
from conftest import SEEDS, write_checklist
from jobkit import POLICIES, latest_summary, run, write_job
from pypdf import PdfReader, PdfWriter
from report_helpers import CHECKLISTS
from selectolax.lexbor import LexborHTMLParser
from test_checklist_loader import SECOND_REQUIREMENT, VALID_TOML, edited
from test_report_html import browser  # noqa: F401 (the headless Chromium fixture, skipped where it is missing)

from gapcheck.checklist import resolve_checklists
from gapcheck.cli import main
from gapcheck.errors import SourceError
from gapcheck.ingest import document_from_bytes, read_source
from gapcheck.ingest.fetch import MAX_REDIRECTS, TIMEOUT_VARIABLE, fetch
from gapcheck.render.pdf import html_to_pdf
from gapcheck.render.templating import inline_script

AS_OF = "2026-11-23"
SEED = SEEDS / "jexcloud.txt"
LINE = re.compile(r"^gapcheck: error: (?P<source>.+?): (?P<reason>.+)$")
REQUIREMENTS = sum(len(checklist.requirements) for checklist in resolve_checklists(None))


# ---------------------------------------------------------------- a server that records every request

@dataclass
class Route:
    """What the trap answers on a path: a status and body, after `delay` s, or the body a byte every `trickle` s."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/plain; charset=utf-8"})
    delay: float = 0.0
    trickle: float = 0.0
    length: bool = True  # send Content-Length; without it the body runs to the end of the connection


class _Recorder(BaseHTTPRequestHandler):
    def answer(self) -> None:
        self.server.requests.append(f"{self.command} {self.path}")
        route = self.server.routes.get(self.path, Route(b"not found", 404))
        time.sleep(route.delay)
        try:
            self.send_response(route.status)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.length and not route.trickle:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            if not route.trickle:
                self.wfile.write(route.body)
            for index in range(len(route.body) if route.trickle else 0):
                self.wfile.write(route.body[index:index + 1])
                self.wfile.flush()
                time.sleep(route.trickle)
        except OSError:
            pass  # the client gave up

    do_GET = do_POST = do_HEAD = do_PUT = do_OPTIONS = answer

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Trap:
    base: str
    routes: dict[str, Route]
    requests: list[str]


@pytest.fixture(scope="module")
def trap() -> Iterator[Trap]:
    """A server on 127.0.0.1 (port 0) that records every request it receives, whatever the method."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.routes, server.requests = {}, []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield Trap(f"http://127.0.0.1:{server.server_port}", server.routes, server.requests)
    server.shutdown()
    server.server_close()


def hostile_markup(base: str) -> str:
    """Markup that would fetch from the trap, run script or navigate if a report ever let it through."""
    return (f'<img src="{base}/img"> <link rel="stylesheet" href="file:///etc/passwd">'
            f'<link rel="stylesheet" href="{base}/css"> <style>body {{ background: url({base}/bg) }}</style>'
            f'<script>alert(1)</script> <script src="{base}/js"></script> <iframe src="{base}/frame"></iframe>'
            f'<svg onload="alert(2)"><image href="{base}/svg"/></svg> <a href="javascript:alert(3)">x</a>'
            f'<meta http-equiv="refresh" content="0; url={base}/refresh"> <object data="{base}/object"></object>')


def hostile_text(base: str) -> str:
    """A plain-text policy whose sentences are markup, formulas and links to the trap."""
    return f"""Privacy Policy

Acme Ltd is the controller of your personal data. Write to privacy@acme.example with any questions.
We collect your name and email address to run your account.
{hostile_markup(base)} We keep your data for two years.
=HYPERLINK("{base}/formula","click") lets you delete your personal data.
@SUM(1+1) is how we process access requests about your personal data.
=cmd|' /C calc'!A0 We do not sell your personal information.
"""


def hostile_page(base: str) -> str:
    """An HTML policy with live hostile markup and the same markup escaped, so that it is text."""
    return f"""<!doctype html><html><head><title>Acme</title>{hostile_markup(base)}</head><body>
<h1>Acme Privacy Policy</h1>
<p style="background: url({base}/attr)">Acme Ltd is the controller of your personal data.
Write to privacy@acme.example with any questions.</p>
<p>We collect your name and email address. {html.escape(hostile_markup(base))}</p>
<p>{hostile_markup(base)} We keep your data for two years after your account closes.</p>
</body></html>"""


# ---------------------------------------------------------------- inputs

POLICY_LATIN1 = ("Privacy Policy\n\nAcme Café Ltd is the controller of your personal data — “données”.\n"
                 "We collect your name and e-mail address; you may ask us to delete them at any time.\n")
MALFORMED_HTML = (b"<html><body><h1>Privacy Policy<p>Acme Ltd is the controller of your <b>personal data<div>"
                  b"<li>We collect your email address <<<>>> when you sign up.<table><tr><td>We share data with"
                  b"</td> our payment processor <p></b></i></table></span>&bogus; &#xFFFFFF; &#0; \x00 trailing")


def seed_pdf(text: str) -> bytes:
    """A PDF copy of a text policy, one paragraph per block, as a provider might publish it."""
    weasyprint = pytest.importorskip("weasyprint")
    blocks = "".join(f"<p>{html.escape(block).replace(chr(10), '<br>')}</p>" for block in text.split("\n\n"))
    return weasyprint.HTML(string=f"<html><body>{blocks}</body></html>").write_pdf()


def encrypted(pdf: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt("a user password", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_surrogate_font(pdf: bytes) -> bytes:
    """The PDF with its fonts' ToUnicode maps sending 'e' to a lone UTF-16 surrogate (pypdf passes it through)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for page in writer.pages:
        for font in page["/Resources"]["/Font"].values():
            cmap = font.get_object()["/ToUnicode"].get_object()
            cmap.set_data(re.sub(rb"<([0-9a-fA-F]{4})> <0065>", rb"<\1> <D800>", cmap.get_data()))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def pdf_copy() -> bytes:
    return seed_pdf(SEED.read_text(encoding="utf-8"))


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """gapcheck in its own process, as a user runs it: real stderr, real exit code."""
    return subprocess.run([sys.executable, "-m", "gapcheck.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def error_lines(stderr: str) -> dict[str, str]:
    """source -> reason, from the one-line errors; anything else on stderr fails the test."""
    assert "Traceback" not in stderr, stderr
    found = {}
    for line in stderr.splitlines():
        match = LINE.match(line)
        assert match, f"not a one-line error: {line!r}"
        found[match["source"]] = match["reason"]
    return found


# ---------------------------------------------------------------- what a report may hold

def assert_no_formula(path: Path) -> None:
    """No cell of any sheet is a formula, as openpyxl and the package XML both show."""
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", package.read(name)), (path.name, name)


def assert_no_live_markup(path: Path) -> None:
    """The page runs only its own inline script and loads nothing: no src, no handlers, no javascript: links."""
    tree = LexborHTMLParser(path.read_text(encoding="utf-8"))
    own = inline_script("filter.js")[0]
    assert all(node.text() == own for node in tree.css("script")), path.name
    assert not tree.css("img, link, iframe, object, embed, image, [src], meta[http-equiv=refresh]"), path.name
    for node in tree.css("*"):
        assert not any(name.startswith("on") for name in node.attributes), (path.name, node.tag, node.attributes)
        if "href" in node.attributes:
            assert (node.attributes["href"] or "").startswith(("#", "./")), (path.name, node.attributes)
    for style in tree.css("style"):
        assert "url(" not in style.text() and "@import" not in style.text(), path.name


# ---------------------------------------------------------------- 1. broken sources

def test_random_bytes_named_html_are_refused_not_audited() -> None:
    data = random.Random(3).randbytes(5000)
    for source in ("noise.html", "noise.htm", "noise.md"):
        with pytest.raises(SourceError, match="binary content"):
            document_from_bytes(source, data, "noise")


def test_malformed_html_audits() -> None:
    document = document_from_bytes("broken.html", MALFORMED_HTML, "broken")
    assert "Acme Ltd is the controller of your personal data" in document.text
    assert "<" not in document.text.replace("<<<>>>", "")
    assert "\x00" not in document.text


def test_deeply_nested_inline_markup_reads_in_linear_time() -> None:
    depth = 40_000  # 0.8 MB; walking up from every text node to its block took minutes
    page = "<html><body>" + "<span>We collect data. " * depth + "</span>" * depth + "</body></html>"
    started = time.monotonic()
    document = document_from_bytes("nested.html", page.encode("utf-8"), "nested")
    assert time.monotonic() - started < 10
    assert document.text.count("We collect data.") == depth


def test_a_pdf_whose_font_maps_to_lone_surrogates_still_renders(pdf_copy: bytes) -> None:
    from gapcheck.audit import audit_document
    from gapcheck.render import RENDERERS

    document = document_from_bytes("odd-font.pdf", with_surrogate_font(pdf_copy), "odd-font")
    document.text.encode("utf-8")
    assert "\ufffd" in document.text and "personal information" not in document.text  # every 'e' is lost
    audit = audit_document(document, [], None)
    for fmt in ("json", "html", "xlsx"):
        assert RENDERERS[fmt][1](audit)


def test_over_the_size_cap_is_refused_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as stream:
        stream.truncate(65 * 1024 * 1024)  # sparse: nothing is really written
    with pytest.raises(SourceError, match="over the 64 MB size limit"):
        read_source(str(huge))


def test_file_names_that_would_break_the_line_are_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    weird = tmp_path / "two\nlines\x1b[31m.txt"
    weird.write_bytes(b"")
    assert main(["audit", str(weird), "--out", str(tmp_path / "out")]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err
    assert "two\\nlines\\x1b[31m.txt: the file is empty" in err


@pytest.fixture
def crash_one(monkeypatch: pytest.MonkeyPatch) -> str:
    """Make auditing one source crash the way a gapcheck bug would; return that source's name."""
    import gapcheck.batch as batch

    real = batch.audit_source

    def crashing(source, checklists, provider=None, audited_at=None):
        if source.endswith("crash.txt"):
            raise RuntimeError("a bug\nspanning lines")
        return real(source, checklists, provider=provider, audited_at=audited_at)

    monkeypatch.setattr(batch, "audit_source", crashing)
    return "crash.txt"


@pytest.mark.parametrize("verbose", [False, True])
def test_an_internal_error_is_one_line_and_verbose_shows_the_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], crash_one: str, verbose: bool) -> None:
    for name in (crash_one, "fine.txt"):
        (tmp_path / name).write_text(POLICIES["alpha"], encoding="utf-8")
    out = tmp_path / "out"
    args = ["audit", str(tmp_path / crash_one), str(tmp_path / "fine.txt"), "--out", str(out), "--jobs", "1"]
    assert main(args + (["--verbose"] if verbose else [])) == 3
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first == f"gapcheck: error: {tmp_path / crash_one}: could not be audited (internal error: " \
                    "RuntimeError: a bug)"
    assert ("Traceback" in err) is verbose and ("RuntimeError" in err.split("\n", 1)[1]) is verbose
    assert sorted(p.name for p in out.iterdir()) == ["fine.json"]


@pytest.mark.parametrize("jobs", ["1", "2"])  # rendered in this process, or in forked worker processes
def test_a_report_that_cannot_be_rendered_fails_its_source_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str], jobs: str) -> None:
    from gapcheck.render import RENDERERS

    suffix, render = RENDERERS["html"]

    def fragile(audit):
        if audit.provider == "bravo":
            raise ValueError("layout exploded")
        return render(audit)

    monkeypatch.setitem(RENDERERS, "html", (suffix, fragile))
    for name in ("alpha", "bravo"):
        (tmp_path / f"{name}.txt").write_text(POLICIES[name], encoding="utf-8")
    out = tmp_path / "out"
    assert main(["audit", str(tmp_path / "alpha.txt"), str(tmp_path / "bravo.txt"), "--out", str(out),
                 "--format", "json", "--format", "html", "--jobs", jobs]) == 3
    assert error_lines(capsys.readouterr().err) == {
        str(tmp_path / "bravo.txt"): "could not be written as html (internal error: ValueError: layout exploded)"}
    assert {"alpha.json", "alpha.html", "bravo.json"} <= {p.name for p in out.iterdir()}


# ---------------------------------------------------------------- fetching: schemes, timeout, size, redirects

def test_a_server_that_sleeps_times_out(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> None:
    trap.routes["/sleepy"] = Route(b"too late", delay=2.0)
    monkeypatch.setenv(TIMEOUT_VARIABLE, "0.3")
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"timed out after 0\.3 s"):
        fetch(f"{trap.base}/sleepy")
    assert time.monotonic() - started < 1.5


def test_a_server_that_trickles_is_cut_off_by_the_whole_download_timeout(trap: Trap) -> None:
    trap.routes["/trickle"] = Route(b"x" * 200, trickle=0.05)  # each read is quick; the download takes 10 s
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"timed out after 0\.5 s"):
        fetch(f"{trap.base}/trickle", timeout=0.5)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("value", ["soon", "0", "-1", "nan", "inf"])
def test_a_bad_timeout_variable_fails_the_url_with_a_reason(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(TIMEOUT_VARIABLE, value)
    with pytest.raises(SourceError, match=f"{TIMEOUT_VARIABLE}=.* is not a positive number of seconds"):
        fetch("http://127.0.0.1:9/policy")


@pytest.mark.parametrize("declared", [True, False])
def test_a_body_over_the_cap_is_refused(trap: Trap, declared: bool) -> None:
    body = b"We collect your email address. " * 40_000  # 1.2 MB
    trap.routes[f"/big-{declared}"] = Route(body, length=declared)
    with pytest.raises(SourceError, match="larger than the 1 MB limit"):
        fetch(f"{trap.base}/big-{declared}", max_bytes=1024 * 1024)
    assert fetch(f"{trap.base}/big-{declared}", max_bytes=2 * 1024 * 1024).data == body


def test_redirects_are_followed_up_to_the_limit(trap: Trap) -> None:
    for hop in range(MAX_REDIRECTS + 1):
        trap.routes[f"/hop{hop}"] = Route(b"", 302, {"Location": f"/hop{hop + 1}"})
    trap.routes[f"/hop{MAX_REDIRECTS + 1}"] = Route(POLICIES["alpha"].encode())
    assert fetch(f"{trap.base}/hop1").data == POLICIES["alpha"].encode()  # 5 redirects
    with pytest.raises(SourceError, match=f"more than {MAX_REDIRECTS} redirects"):
        fetch(f"{trap.base}/hop0")  # 6


# ---------------------------------------------------------------- 2. broken checklists through the command line

BROKEN_CHECKLISTS = {
    "yaml-syntax": ("bad.yaml", edited("    title: Sale\n", "\ttitle: Sale\n"), "YAML syntax error"),
    "toml-syntax": ("bad.toml", VALID_TOML.replace('title = "Sale"\n', 'title = "Sale\n'), "TOML syntax error"),
    "unknown-key": ("bad.yaml", edited("    severity: high\n    met:", "    severity: high\n    colour: red\n    met:"),
                    "requirements[0].colour: Extra inputs are not permitted"),
    "missing-id": ("bad.yaml", edited("  - id: mini.sale\n    title: Sale", "  - title: Sale"),
                   "requirements[0].id: Field required"),
    "duplicate-id": ("bad.yaml", edited("flags:", SECOND_REQUIREMENT), "duplicate requirement id 'mini.sale'"),
    "unknown-matcher": ("bad.yaml", edited("        - cue: sell_words\n", "        - fuzzy: sell_words\n"),
                        "unknown matcher 'fuzzy'"),
    "bad-regex": ("bad.yaml", edited("terms: ['sell', 'sale']", "terms: ['sell', 'sa(le']"), "bad pattern 'sa(le'"),
    "catastrophic-regex": ("bad.yaml", edited("terms: ['sell', 'sale']", "terms: ['sell', '(\\w+\\s?)+$']"),
                           "nested unbounded repetition could backtrack catastrophically"),
    "ambiguous-repeat": ("bad.yaml", edited("terms: ['sell', 'sale']", "terms: ['sell', '(?:a|a)*b']"),
                         "matches the same text in more than one way could backtrack catastrophically"),
    "toml-unknown-key": ("bad.toml", VALID_TOML.replace('law = "Test law"', 'law = "Test law"\nlaws = 1'),
                         "checklist.laws: Extra inputs are not permitted"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_CHECKLISTS))
def test_a_broken_checklist_exits_2_naming_file_line_and_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                 case: str) -> None:
    name, text, problem = BROKEN_CHECKLISTS[case]
    bad = write_checklist(tmp_path, text, name)
    out = tmp_path / "out"
    assert main(["audit", str(SEED), "--checklist", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    where = re.match(rf"gapcheck: error: {re.escape(str(bad))}(?::(\d+))?: (.+)$", err.strip())
    assert where and problem in where[2], err
    assert where[1] or name.endswith(".toml"), "a YAML problem is always placed on its line"
    assert not out.exists()


# ---------------------------------------------------------------- 3. no injection in workbooks; bad review workbooks

def test_a_source_that_starts_like_a_formula_is_text_in_every_workbook(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    names = [f"{start}{rest}" for start in ("=", "+", "-", "@", "\t", "\r") for rest in ("1+2.txt", "HYPERLINK(x).txt")]
    for name in names:
        Path(name).write_text(POLICIES["alpha"] + "=SUM(A1:A9) is how we count your requests.\n", encoding="utf-8")
    assert main(["audit", "--out", "out", "--format", "xlsx", "--jobs", "1", "--as-of", AS_OF, "--", *names]) == 0
    books = sorted(Path("out").glob("*.xlsx"))
    assert len(books) == len(names) + 1 and Path("out/portfolio.xlsx") in books
    for path in books:
        assert_no_formula(path)
    summary = openpyxl.load_workbook("out/portfolio.xlsx")["Summary"]
    shown = sorted(summary.cell(row=row, column=2).value for row in range(2, len(names) + 2))
    assert shown == sorted(name.replace("\r", "\n") for name in names)  # XML reads a carriage return as a newline


def workbook_with_sheet(path: Path, sheet_xml: bytes) -> Path:
    """A real workbook package whose Findings sheet is replaced by these bytes."""
    book = openpyxl.Workbook()
    book.active.title = "Findings"
    book.active.append(["Provider", "Requirement", "Reviewer decision"])
    book.save(path)
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, data in parts.items():
            package.writestr(name, sheet_xml if name == "xl/worksheets/sheet1.xml" else data)
    return path


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a0 "lol">'
          + b"".join(b'<!ENTITY a%d "%s">' % (n, b"&a%d;" % (n - 1) * 10) for n in range(1, 10))
          + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
          + b'<c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row></sheetData></worksheet>')
SHEET_START = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
               b'<c r="A1" t="inlineStr"><is><t>Provider</t></is></c><c r="B1" t="inlineStr"><is><t>Req')


@pytest.mark.parametrize("kind", ["damaged sheet", "entity expansion", "sizes that lie"])
def test_a_hostile_review_workbook_is_refused_on_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          kind: str) -> None:
    config = write_job(tmp_path, {"alpha": POLICIES["alpha"]})
    path = tmp_path / "hostile.xlsx"
    if kind == "sizes that lie":  # a bomb whose headers claim 4 KB: zipfile stops there, nothing big is unpacked
        padding = 210 * 1024 * 1024
        workbook_with_sheet(path, SHEET_START + b"<!--" + b" " * padding + b"-->")
        raw = path.read_bytes()
        claimed = (len(SHEET_START) + 7 + padding).to_bytes(4, "little")
        assert raw.count(claimed) == 2  # the local header and the central directory
        path.write_bytes(raw.replace(claimed, (4096).to_bytes(4, "little")))
    else:
        workbook_with_sheet(path, SHEET_START if kind == "damaged sheet" else LAUGHS)
    started = time.monotonic()
    assert main(["review", "import", str(path), "--config", str(config)]) == 2
    assert time.monotonic() - started < 10
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{path}: not a readable Excel workbook" in err[0], err


# ---------------------------------------------------------------- 4. nothing fetched while rendering

def test_the_pdf_renderer_fetches_nothing_from_a_live_server(trap: Trap) -> None:
    before = len(trap.requests)
    page = (f'<html><head><link rel="stylesheet" href="{trap.base}/pdf.css"><link href=file:///etc/passwd>'
            f'<style>@import url({trap.base}/import.css); p {{ background: url({trap.base}/bg.png) }}'
            f'</style></head>'
            f'<body><p>Text</p><img src="{trap.base}/img.png"><object data="{trap.base}/o"></object></body></html>')
    text = PdfReader(io.BytesIO(html_to_pdf(page))).pages[0].extract_text()
    assert "Text" in text and "root:" not in text
    assert trap.requests[before:] == []


def test_provider_names_never_leave_the_output_folder(tmp_path: Path, trap: Trap) -> None:
    trap.routes["/..%2F..%2Fetc%2Fx"] = Route(POLICIES["alpha"].encode())
    nested = tmp_path / "in" / "deep"
    nested.mkdir(parents=True)
    (nested / "x.txt").write_text(POLICIES["bravo"], encoding="utf-8")
    (tmp_path / "in" / "..txt").write_text(POLICIES["charlie"], encoding="utf-8")
    out = tmp_path / "in" / "out"
    sources = [str(nested / ".." / ".." / "in" / "deep" / "x.txt"), f"{trap.base}/..%2F..%2Fetc%2Fx",
               str(tmp_path / "in" / "..txt")]
    assert main(["audit", *sources, "--out", str(out), "--jobs", "1"]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(["x.json", f"127.0.0.1-{trap.base.rsplit(':', 1)[1]}-..-2F..-2Fetc-2Fx.json",
                              "policy.json"]), written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


# ---------------------------------------------------------------- the whole story, as a user meets it

def opened_in_chromium(browser, path: Path) -> tuple[list[str], list[str]]:
    """The requests a page makes and the dialogs it opens, with its links clicked."""
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    for link in page.locator("a.to-text").all()[:3]:
        link.click()
    page.wait_for_timeout(150)
    context.close()
    return requests, dialogs


def test_hostile_folder_end_to_end(tmp_path: Path, trap: Trap, pdf_copy: bytes, browser,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    base = trap.base
    good = {
        "latin1.txt": POLICY_LATIN1.encode("cp1252"),
        "malformed.html": MALFORMED_HTML,
        "hostile.txt": hostile_text(base).encode("utf-8"),
        "hostile-page.html": hostile_page(base).encode("utf-8"),
    }
    bad = {
        "empty.txt": (b"", "the file is empty"),
        "noise.txt": (random.Random(1).randbytes(4096), "not a text, HTML or PDF policy (binary content)"),
        "noise.html": (random.Random(2).randbytes(4096), "not a text, HTML or PDF policy (binary content)"),
        "truncated.pdf": (pdf_copy[: len(pdf_copy) // 2], "not a readable PDF"),
        "encrypted.pdf": (encrypted(pdf_copy), "the PDF is encrypted"),
    }
    for name, data in good.items():
        (folder / name).write_bytes(data)
    for name, (data, _) in bad.items():
        (folder / name).write_bytes(data)
    trap.routes["/slow"] = Route(b"late", delay=2.0)
    missing = str(tmp_path / "missing.txt")
    extra = {missing: "no such file", f"{base}/gone": "HTTP 404 Not Found",
             f"{base}/slow": "timed out after 0.5 s"}
    out = tmp_path / "out"
    before = len(trap.requests)
    formats = ["--format", "json", "--format", "html", "--format", "pdf", "--format", "xlsx"]
    small = [arg for path in CHECKLISTS for arg in ("--checklist", str(path))]  # short reports: quick PDFs
    done = cli("audit", str(folder), missing, f"{base}/gone", f"{base}/slow", "--out", str(out), "--as-of", AS_OF,
               *formats, *small, env={TIMEOUT_VARIABLE: "0.5"})

    # exit 3, one line per bad source naming it and the reason
    assert done.returncode == 3, done.stderr
    errors = error_lines(done.stderr)
    expected = {str(folder / name): reason for name, (_, reason) in bad.items()} | extra
    assert set(errors) == set(expected)
    for source, reason in expected.items():
        assert errors[source].startswith(reason), (source, errors[source])

    # every good source written in every format, nothing for the bad ones
    reports = {json.loads(p.read_text(encoding="utf-8"))["source"]: p.stem for p in out.glob("*.json")}
    assert set(reports) == {str(folder / name) for name in good}
    for stem in reports.values():
        assert {f"{stem}.{suffix}" for suffix in ("json", "html", "pdf", "xlsx")} <= {p.name for p in out.iterdir()}
    assert (out / "portfolio.html").is_file() and (out / "portfolio.xlsx").is_file()

    # no formula, no live markup, markup shown as text
    for path in out.glob("*.xlsx"):
        assert_no_formula(path)
    for path in out.glob("*.html"):
        assert_no_live_markup(path)
    hostile = reports[str(folder / "hostile.txt")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (out / f"{hostile}.html").read_text(encoding="utf-8")
    pdf_text = " ".join(page.extract_text() for page in PdfReader(out / f"{hostile}.pdf").pages)
    assert "<script>alert(1)</script>" in " ".join(pdf_text.split())

    # the trap heard only the two fetches, not one request from the markup, while rendering or in a browser
    assert sorted(trap.requests[before:]) == ["GET /gone", "GET /slow"]
    for name in (hostile, reports[str(folder / "hostile-page.html")], "portfolio"):
        requests, dialogs = opened_in_chromium(browser, out / f"{name}.html")
        assert requests == [(out / f"{name}.html").as_uri()] and dialogs == []
    assert sorted(trap.requests[before:]) == ["GET /gone", "GET /slow"]

    # a broken checklist stops everything before any work: exit 2 with its file and line
    bad_checklist = write_checklist(tmp_path, BROKEN_CHECKLISTS["yaml-syntax"][1], "bad.yaml")
    assert main(["audit", str(folder), "--checklist", str(bad_checklist), "--out", str(tmp_path / "out2")]) == 2
    refused = capsys.readouterr().err
    assert refused.startswith(f"gapcheck: error: {bad_checklist}:13: YAML syntax error") and refused.count("\n") == 1
    assert not (tmp_path / "out2").exists()

    # the same policy as a file, from a URL and as a PDF copy: the same status for every requirement
    trap.routes["/policies/jexcloud"] = Route(SEED.read_bytes())
    (folder / "jexcloud.pdf").write_bytes(pdf_copy)
    same = [str(SEED), f"{base}/policies/jexcloud", str(folder / "jexcloud.pdf")]
    assert main(["audit", *same, "--out", str(tmp_path / "same"), "--as-of", AS_OF, "--jobs", "1"]) == 0
    by_source = {}
    for path in (tmp_path / "same").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        by_source[data["source"]] = {f["requirement"]: f["status"] for c in data["checklists"] for f in c["findings"]}
    assert len(by_source[str(SEED)]) == REQUIREMENTS
    assert by_source[same[1]] == by_source[str(SEED)]
    # Every status the same for this seed. What can differ for a PDF is what hangs on line layout: a PDF
    # wraps lines, and a list item wrapped right after a comma reads as two statements (easycloud's
    # ccpa.sensitive_pi goes from met to missing that way when its copy is set in paragraphs).
    assert by_source[same[2]] == by_source[str(SEED)]


# ---------------------------------------------------------------- 5. nothing lost when a run is killed

def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _history(database: Path, run_id: str) -> dict[str, list[tuple]]:
    """What the history holds about one run, table by table; and the database must pass its integrity check."""
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return {table: sorted(db.execute(f"SELECT * FROM {table} WHERE {key} = ?", (run_id,)).fetchall())
                for table, key in (("runs", "id"), ("run_providers", "run_id"), ("scores", "run_id"),
                                   ("findings", "run_id"), ("flags", "run_id"))}


def small_job(root: Path, names: tuple[str, ...], formats: tuple[str, ...]) -> Path:
    """A nightly job over some of jobkit's policies with the small test checklists (short reports: quick PDFs)."""
    config = write_job(root, {name: POLICIES[name] for name in names}, formats=formats)
    config.write_text(config.read_text(encoding="utf-8").replace('["gdpr"]', json.dumps([str(p) for p in CHECKLISTS])),
                      encoding="utf-8")
    return config


def _started(config: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gapcheck.cli", "run", "--config", str(config), "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, process: subprocess.Popen, limit: float = 60) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert process.poll() is None, "the run ended before the moment it was to be killed at"
        assert time.monotonic() < deadline
        time.sleep(0.01)


def _run_folders(reports: Path) -> set[str]:
    """The run folders a user sees (not hidden, not the latest link)."""
    return {d.name for d in reports.iterdir() if d.is_dir() and not d.is_symlink() and not d.name.startswith(".")}


def test_a_killed_run_loses_nothing_and_the_next_run_succeeds(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    policies = {name: POLICIES[name] for name in ("alpha", "bravo")}
    config = small_job(tmp_path, tuple(policies), ("json", "xlsx", "html", "pdf"))
    reports = tmp_path / "reports"
    assert run(config) == 0
    first = latest_summary(config)["run_id"]
    files, history = _files(reports / first), _history(reports / "gapcheck.sqlite", first)
    for name, text in policies.items():  # every policy changed: the next runs audit and render everything again
        (tmp_path / "policies" / f"{name}.txt").write_text(text + "We never sell your data.\n", encoding="utf-8")

    def run_rows() -> int:
        with sqlite3.connect(reports / "gapcheck.sqlite") as db:
            return db.execute("SELECT count(*) FROM runs").fetchone()[0]

    for moment in ("once the run is recorded", "after the first report", "mid-way"):
        rows, folders = run_rows(), set(reports.iterdir())

        def written() -> int:
            return sum(1 for d in set(reports.iterdir()) - folders for _ in d.glob("providers/[!.]*"))

        condition = {"once the run is recorded": lambda: run_rows() > rows,
                     "after the first report": lambda: written() >= 1, "mid-way": lambda: written() >= 5}[moment]
        process = _started(config)
        _wait_for(condition, process)
        process.kill()
        process.wait(timeout=30)
        assert _files(reports / first) == files, moment
        assert _history(reports / "gapcheck.sqlite", first) == history, moment
        assert os.readlink(reports / "latest") == first, moment
        assert _run_folders(reports) == {first}, moment  # the killed run's folder never came into sight
        for folder in reports.iterdir():  # whatever the killed run finished writing is whole
            for path in folder.glob("providers/[!.]*.json") if folder.is_dir() else ():
                json.loads(path.read_text(encoding="utf-8"))

    assert list(reports.glob(".*.partial")), "the run killed mid-way left its partial folder"
    capsys.readouterr()
    assert run(config) == 0
    summary = latest_summary(config)
    assert summary["run_id"] != first
    assert {p["provider"]: p["change"] for p in summary["providers"]} == dict.fromkeys(policies, "changed")
    assert _files(reports / first) == files
    assert _run_folders(reports) == {first, summary["run_id"]} and not list(reports.glob(".*.partial"))
    assert summary["run_dir"] == str(reports / summary["run_id"])
    assert all((reports / summary["run_id"] / p["reports"][fmt]).is_file()
               for p in summary["providers"] for fmt in ("json", "xlsx", "html", "pdf"))
    removed = [line for line in capsys.readouterr().err.splitlines() if "unfinished run folder" in line]
    assert len(removed) == 1 and ".partial" in removed[0]
    with sqlite3.connect(reports / "gapcheck.sqlite") as db:  # every finished run points at its folder, in place
        for run_id, out_dir in db.execute("SELECT id, out_dir FROM runs WHERE finished_at IS NOT NULL"):
            assert out_dir == str(reports / run_id) and (reports / run_id / "summary.json").is_file()


def test_a_second_run_while_one_is_going_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = small_job(tmp_path, ("alpha",), ("json", "pdf"))
    reports = tmp_path / "reports"
    process = _started(config)
    lock = reports / "gapcheck.sqlite.lock"
    _wait_for(lambda: lock.is_file() and lock.read_text().strip() == str(process.pid), process)
    assert run(config) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "another gapcheck run is using" in err[0]
    assert process.wait(timeout=120) == 0, process.stderr.read()
    summary = latest_summary(config)
    assert [p["change"] for p in summary["providers"]] == ["new"]
    assert [d.name for d in reports.iterdir() if d.is_dir() and not d.is_symlink()] == [summary["run_id"]]


# ---------------------------------------------------------------- a large policy

def test_a_large_policy_audits_in_linear_time_within_the_cap(tmp_path: Path) -> None:
    """A realistic policy repeated to 128 KB audits in one process within a few seconds and modest memory.

    The full 30 MB case runs with GAPCHECK_LARGE_TESTS=1 (see test_a_30_mb_policy_audits).
    """
    _audit_large(tmp_path, 128 * 1024, seconds=30, megabytes=1024)


@pytest.mark.skipif(not os.environ.get("GAPCHECK_LARGE_TESTS"), reason="takes minutes: GAPCHECK_LARGE_TESTS=1")
def test_a_30_mb_policy_audits(tmp_path: Path) -> None:
    _audit_large(tmp_path, 30 * 1024 * 1024, seconds=900, megabytes=8192)


def _audit_large(tmp_path: Path, size: int, seconds: float, megabytes: int) -> None:
    seed = SEED.read_text(encoding="utf-8") + "\n\n"
    policy = tmp_path / "large.txt"
    policy.write_text(seed * (size // len(seed.encode("utf-8")) + 1), encoding="utf-8")
    measure = ("import resource, sys, time; from gapcheck.cli import main; t = time.monotonic(); "
               "code = main(sys.argv[1:]); print(time.monotonic() - t, "
               "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", measure, "audit", str(policy), "--out", str(tmp_path / "out"),
                           "--jobs", "1", "--as-of", AS_OF], capture_output=True, text=True, timeout=seconds * 2)
    assert done.returncode == 0, done.stderr
    elapsed, peak = done.stdout.split()
    print(f"{policy.stat().st_size / 1048576:.1f} MB audited in {float(elapsed):.1f} s, peak memory {peak} MB")
    assert float(elapsed) < seconds and int(peak) < megabytes
    report = json.loads((tmp_path / "out" / "large.json").read_text(encoding="utf-8"))
    text = policy.read_text(encoding="utf-8")
    findings = [f for c in report["checklists"] for f in c["findings"]]
    assert len(findings) == REQUIREMENTS and any(f["status"] == "met" for f in findings)
    for finding in findings:
        for quote in finding["evidence"]:
            assert text[quote["start"]:quote["end"]] == quote["text"]
