"""Audits for the report tests, made from a small policy written here and the checklists in tests/data."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from gapcheck.audit import audit_document
from gapcheck.checklist import load_checklist
from gapcheck.ingest import document_from_bytes
from gapcheck.models import Audit, Review

DATA = Path(__file__).resolve().parent / "data"
CHECKLISTS = [DATA / "mini_gdpr.yaml", DATA / "mini_ccpa.yaml"]
AUDITED_AT = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)

# Every status of the mini checklists, a red flag, cells that a spreadsheet would run as formulas and
# markup that a browser would run: all of it must reach the reports as text.
POLICY = """Privacy Policy

Who we are
Acme Ltd is the data controller for your personal data. We keep account data while your account is open.

Your rights
You cannot object to processing. If you continue to use the service you consent to this policy.
We do not sell personal information. You may ask us to delete your data.
=HYPERLINK("http://127.0.0.1:9/x","click") lets you delete your data.
@SUM(1+1) is how we delete records.
<script>alert(1)</script> Write to us & we answer.
<img src=http://127.0.0.1:9/x> Our office is in Dublin.
"""
FORMULA_SENTENCES = ('=HYPERLINK("http://127.0.0.1:9/x","click") lets you delete your data.',
                     "@SUM(1+1) is how we delete records.")


def make_audit(text: str = POLICY, provider: str = "acme", source: str = "acme.txt") -> Audit:
    """Audit inline policy text against the test checklists, at a fixed time."""
    document = document_from_bytes(source, text.encode("utf-8"), provider)
    return audit_document(document, [load_checklist(path) for path in CHECKLISTS], AUDITED_AT)


def with_reviews(audit: Audit, reviews: dict[str, Review]) -> Audit:
    """The audit with reviewer decisions attached to findings, by requirement id."""
    checklists = tuple(replace(result, findings=tuple(replace(f, review=reviews.get(f.requirement, f.review))
                                                      for f in result.findings))
                       for result in audit.checklists)
    return replace(audit, checklists=checklists)


def finding(audit: Audit, requirement: str):
    """The finding of one requirement."""
    return next(f for result in audit.checklists for f in result.findings if f.requirement == requirement)
