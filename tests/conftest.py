"""Shared helpers for the core-pipeline tests: inline documents, statements, matching and a local web server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gapcheck.audit import audit_document
from gapcheck.checklist import resolve_checklists
from gapcheck.extract import extract
from gapcheck.matchers import Corpus, Matcher
from gapcheck.models import Audit, Document, Heading, Statement

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
AS_OF = date(2026, 11, 23)

REQUIRED_IDS = {
    "gdpr": [f"gdpr.{name}" for name in (
        "controller_identity", "controller_contact", "dpo_contact", "purposes", "legal_basis", "legitimate_interests",
        "recipients", "transfers", "retention", "right_access", "right_rectification", "right_erasure",
        "right_restriction", "right_object", "right_portability", "withdraw_consent", "complaint",
        "provision_requirement", "automated_decisions", "data_categories", "data_sources", "children",
        "special_categories", "eu_representative", "policy_changes")],
    "ccpa": [f"ccpa.{name}" for name in (
        "categories_collected", "categories_disclosed", "sale_sharing", "request_methods", "right_know",
        "right_know_sold_shared", "right_delete", "right_correct", "right_opt_out", "right_limit_sensitive",
        "non_discrimination", "last_updated", "sources", "purposes", "verification", "authorized_agent", "retention",
        "minors", "opt_out_signals", "financial_incentives", "contact", "sensitive_pi")],
}
REQUIRED_FLAGS = [f"flag.{name}" for name in (
    "consent_by_use", "changes_without_notice", "share_without_consent", "merger_without_notice",
    "liability_disclaimer", "ai_training", "unfilled_placeholder", "stale_date", "special_category_without_basis")]


MINI_CHECKLIST = """checklist:
  id: mini
  title: Mini
  version: "1"
  law: Test law
cues:
  sell_words:
    terms: ['sell', 'sale']
  sells:
    affirmed: {cue: sell_words}
requirements:
  - id: mini.sale
    title: Sale
    article: Art. 1
    citation: Test Art. 1
    description: Says whether data is sold.
    severity: high
    met:
      looking_for: a statement on selling data
      rules:
        - cue: sell_words
          says: mentions sale
    remediation: Say whether you sell data.
flags:
  - id: flag.sells
    title: Sells data
    severity: high
    citation: Test Art. 2
    why: It sells data.
    when:
      - cue: sells
    remediation: Stop selling data.
"""


def write_checklist(folder: Path, text: str = MINI_CHECKLIST, name: str = "mini.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def make_document(text: str, media_type: str = "text/plain", source: str = "inline.txt") -> Document:
    """A Document holding `text` as it is, the way the text ingester would give it."""
    return Document(provider="inline", source=source, sha256="0" * 64, media_type=media_type, text=text)


def assert_exact_offsets(text: str, statements: list[Statement], headings: list[Heading] = ()) -> None:
    """Every statement and heading is exactly the text at its offsets, and statements come in document order."""
    assert statements, "no statements extracted"
    for item in [*statements, *headings]:
        assert text[item.start:item.end] == item.text, (item.start, item.end, item.text)
    starts = [s.start for s in statements]
    assert starts == sorted(starts)


def statements_of(document: Document | str) -> tuple[list[Statement], list[Heading]]:
    """Extract a document (or inline text), checking every offset on the way."""
    if isinstance(document, str):
        document = make_document(document)
    statements, headings = extract(document)
    assert_exact_offsets(document.text, statements, headings)
    return statements, headings


def statement(statements: list[Statement], text: str) -> Statement:
    """The one statement whose text is exactly `text`."""
    found = [s for s in statements if s.text == text]
    assert len(found) == 1, f"{text!r} found {len(found)} times in {[s.text for s in statements]}"
    return found[0]


def of_kind(statements: list[Statement], kind: str) -> list[str]:
    return [s.text for s in statements if s.kind == kind]


def corpus_of(text: str, as_of: date = AS_OF) -> Corpus:
    statements, _ = statements_of(text)
    return Corpus(text, statements, as_of)


def matched_texts(matcher: Matcher, text: str, as_of: date = AS_OF) -> list[str]:
    """The texts of the statements a compiled matcher holds for, in document order."""
    corpus = corpus_of(text, as_of)
    return [corpus.statements[i].text for i in sorted(matcher.hits(corpus))]


def audit_text(text: str) -> Audit:
    """An audit of inline policy text against the bundled checklists, as of AS_OF."""
    audited_at = datetime.combine(AS_OF, datetime.min.time(), tzinfo=timezone.utc)
    return audit_document(make_document(text), resolve_checklists(None), audited_at)


def statuses(audit: Audit) -> dict[str, str]:
    """Requirement id -> status, over every checklist of an audit."""
    return {f.requirement: f.status for c in audit.checklists for f in c.findings}


# ---------------------------------------------------------------- a web server on 127.0.0.1

Route = tuple[int, dict[str, str], bytes]  # status, headers, body


class _Handler(BaseHTTPRequestHandler):
    routes: dict[str, Route] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        status, headers, body = self.routes.get(self.path, (404, {"Content-Type": "text/plain"}, b"not found"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[tuple[str, dict[str, Route]]]:
    """A server on 127.0.0.1 (free port, own thread): yields its base URL and the routes to fill in."""
    routes: dict[str, Route] = {}
    handler = type("Handler", (_Handler,), {"routes": routes})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", routes
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
