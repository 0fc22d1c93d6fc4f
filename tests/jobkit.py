"""Helpers for the nightly-job tests: a small portfolio written into tmp_path, and running the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import gapcheck.job.runner as runner
from gapcheck.cli import main
from gapcheck.job.workbook import SHEET

COMPLAINT = ("You have the right to lodge a complaint with a supervisory authority, in particular in the "
             "Member State of your habitual residence.")

POLICIES: dict[str, str] = {
    "alpha": """Alpha Cloud Privacy Policy

1. What we collect
We collect your name, email address and IP address when you create an account.
2. How we use it
We use this information to provide, secure and bill the service.
3. Contact
You can contact us at privacy@alpha.example with any questions about your data.
""",
    "bravo": """Bravo Hosting Privacy Notice

We collect your email address and payment details to run your hosting account.
We share data with our payment processor only to take payments.
We keep your data while your account is open and delete it within 30 days after it closes.
Write to privacy@bravo.example to ask for a copy of your data.
""",
    "charlie": """Charlie Storage Privacy Policy

Charlie Storage Ltd is the controller of your personal data.
We process your email address and usage logs to operate the storage service.
You may ask us to access, correct or delete your personal data by emailing dpo@charlie.example.
""",
    "delta": """Delta Compute Privacy Policy

We collect account details such as your email address and billing address.
We use cookies to keep you signed in to the console.
We may change this policy at any time without notice.
Questions can be sent to support@delta.example.
""",
    "echo": """Echo Networks Privacy Statement

We collect the IP addresses of devices that connect to our network and keep them for 90 days.
We use this data for security and to prevent abuse of the network.
We do not sell your personal information.
Contact legal@echo.example for privacy questions.
""",
}

MARKER = "#providers"


@pytest.fixture
def audit_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every provider the runner audits afresh (rather than reusing a stored audit)."""
    calls: list[str] = []
    real = runner.audit_document

    def counting(document, checklists, audited_at=None):
        calls.append(document.provider)
        return real(document, checklists, audited_at)

    monkeypatch.setattr(runner, "audit_document", counting)
    return calls


def write_job(root: Path, policies: dict[str, str] | None = None, *, formats: tuple[str, ...] = ("json",),
              extra_job: str = "", extra: str = "", providers: dict[str, str] | None = None) -> Path:
    """Write policies into root/policies and a gapcheck.toml naming them; return the config path."""
    policies = POLICIES if policies is None else policies
    (root / "policies").mkdir(parents=True, exist_ok=True)
    for name, text in policies.items():
        (root / "policies" / f"{name}.txt").write_text(text, encoding="utf-8")
    sources = {name: f"policies/{name}.txt" for name in policies} | (providers or {})
    lines = ["[job]", 'out = "reports"', 'database = "reports/gapcheck.sqlite"', 'checklists = ["gdpr"]',
             f"formats = {json.dumps(list(formats))}", extra_job, extra, MARKER]
    for name, source in sources.items():
        lines += ["[[providers]]", f"name = {json.dumps(name)}", f"source = {json.dumps(source)}", ""]
    config = root / "gapcheck.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


def add_provider(config: Path, name: str, source: str) -> None:
    """Append a provider to a config written by write_job."""
    with config.open("a", encoding="utf-8") as stream:
        stream.write(f"\n[[providers]]\nname = {json.dumps(name)}\nsource = {json.dumps(source)}\n")


def run(config: Path, *args: str) -> int:
    """`gapcheck run --config CONFIG ...`, returning the exit code."""
    return main(["run", "--config", str(config), "--quiet", *args])


def latest_summary(config: Path) -> dict[str, Any]:
    """The summary.json of the newest run."""
    return json.loads((config.parent / "reports" / "latest" / "summary.json").read_text(encoding="utf-8"))


def by_provider(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["provider"]: p for p in summary["providers"]}


def report(config: Path, provider: str) -> dict[str, Any]:
    """The JSON report of a provider in the newest run."""
    path = config.parent / "reports" / "latest" / "providers" / f"{provider}.json"
    return json.loads(path.read_text(encoding="utf-8"))


def finding(data: dict[str, Any], requirement: str) -> dict[str, Any]:
    return next(f for c in data["checklists"] for f in c["findings"] if f["requirement"] == requirement)


def score_of(data: dict[str, Any], checklist: str = "gdpr") -> float:
    return next(c["score"] for c in data["checklists"] if c["id"] == checklist)


COLUMNS = ("Provider", "Checklist", "Requirement", "Title", "Citation", "Status", "Severity", "Evidence", "Section",
           "Rationale", "Remediation", "Reviewer decision", "Reviewer note")


def make_workbook(path: Path, rows: list[dict[str, str]], *, modified_by: str | None = None,
                  creator: str = "openpyxl") -> Path:
    """A reviewed workbook with a Findings sheet in the documented columns."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row.get(column, "") for column in COLUMNS])
    book.properties.creator = creator
    book.properties.lastModifiedBy = modified_by
    book.save(path)
    return path


def review_rows(config: Path, provider: str, decisions: dict[str, tuple[str, str]]) -> list[dict[str, str]]:
    """Workbook rows for every finding of a provider's latest report, with the given (decision, note)s."""
    data = report(config, provider)
    rows = []
    for checklist in data["checklists"]:
        for item in checklist["findings"]:
            decision, note = decisions.get(item["requirement"], ("", ""))
            rows.append({"Provider": provider, "Checklist": checklist["id"], "Requirement": item["requirement"],
                         "Title": item["title"], "Status": item["status"], "Severity": item["severity"],
                         "Reviewer decision": decision, "Reviewer note": note})
    return rows


def mark_workbook(source: Path, target: Path, provider: str, requirement: str, decision: str, note: str,
                  modified_by: str = "Dana Reviewer") -> Path:
    """Copy a run's own workbook with one finding's reviewer columns filled in, as a reviewer would."""
    book = openpyxl.load_workbook(source)
    sheet = book[SHEET]
    header_row = next(r for r in sheet.iter_rows(min_row=1, max_row=20) if any(c.value == "Requirement" for c in r))
    columns = {c.value: c.column for c in header_row}
    for cells in sheet.iter_rows(min_row=header_row[0].row + 1):
        values = {name: sheet.cell(row=cells[0].row, column=col).value for name, col in columns.items()}
        if values.get("Provider") == provider and values.get("Requirement") == requirement:
            sheet.cell(row=cells[0].row, column=columns["Reviewer decision"], value=decision)
            sheet.cell(row=cells[0].row, column=columns["Reviewer note"], value=note)
            break
    else:
        raise AssertionError(f"{provider} {requirement} not in {source}")
    book.properties.lastModifiedBy = modified_by
    book.save(target)
    return target
