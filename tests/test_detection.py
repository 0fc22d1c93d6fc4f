"""The bundled checklists on short inline policies: clear statements, their negations and near-misses."""

from __future__ import annotations

import pytest
from conftest import audit_text, statuses

POLICY = "Privacy Policy\n\n{}\n"

# (statement, requirement, expected status); the statement is the whole policy body
REQUIREMENTS = [
    ("We do not sell your personal information.", "ccpa.sale_sharing", "met"),
    ("We don’t sell or share your personal information.", "ccpa.sale_sharing", "met"),
    ("We collect your email address.", "ccpa.sale_sharing", "missing"),
    ("You have the right to lodge a complaint with a supervisory authority.", "gdpr.complaint", "met"),
    ("We collect your email address.", "gdpr.complaint", "missing"),
    ("We may change this policy at any time without notice.", "gdpr.policy_changes", "conflict"),
    ("We will notify you by email 30 days before any change to this policy takes effect.", "gdpr.policy_changes",
     "met"),
    ("We keep your data for two years after your account closes.", "gdpr.retention", "met"),
    ("We keep server logs for 90 days.", "ccpa.retention", "met"),
    ("We will retain your data as long as necessary.", "gdpr.retention", "partial"),
    ("Last updated: March 10, 2026\n\nWe collect your email address.", "ccpa.last_updated", "met"),
    ("Last updated:\nMarch 10, 2026\n\nWe collect your email address.", "ccpa.last_updated", "met"),
    ("Acme Ltd, 1 High Street, London, is the data controller.", "gdpr.controller_identity", "met"),
    ("We collect your email address.\n\nContact\n\nWrite to privacy@acme.example.", "gdpr.controller_contact", "met"),
    ("If you have questions, contact us.", "gdpr.controller_contact", "missing"),  # an invitation is no contact detail
    ("Our Data Protection Officer can be reached at dpo@acme.example.", "gdpr.dpo_contact", "met"),
    ("We do not knowingly collect personal information from children under 16.", "gdpr.children", "met"),
    ("We collect the following personal information:\n- name and email address\n- IP address",
     "ccpa.categories_collected", "met"),
    ("We share your personal data with our hosting provider and our payment processor.", "gdpr.recipients", "met"),
    ("We transfer personal data to the United States under the Standard Contractual Clauses approved by the "
     "European Commission.", "gdpr.transfers", "met"),
    ("We process your personal data on the basis of your consent (Art. 6(1)(a) GDPR).", "gdpr.legal_basis", "met"),
    ("We will not discriminate against you for exercising any of your CCPA rights.", "ccpa.non_discrimination", "met"),
    ("We honor Global Privacy Control (GPC) signals as a request to opt out of sale and sharing.",
     "ccpa.opt_out_signals", "met"),
    ("You may use an authorized agent to submit a request on your behalf.", "ccpa.authorized_agent", "met"),
    ("You may withdraw your consent at any time by clicking the unsubscribe link.", "gdpr.withdraw_consent", "met"),
    ("We do not make decisions based solely on automated processing, including profiling.",
     "gdpr.automated_decisions", "met"),
    ("You can request deletion of your personal data by emailing privacy@acme.example.", "ccpa.right_delete", "met"),
    ("You can request deletion of your personal data by emailing privacy@acme.example.", "gdpr.right_erasure", "met"),
    ("We do not make decisions about you by automated means.", "gdpr.automated_decisions", "met"),
]


@pytest.mark.parametrize("text, requirement, expected", REQUIREMENTS)
def test_requirement_status(text: str, requirement: str, expected: str) -> None:
    audit = audit_text(POLICY.format(text))
    assert statuses(audit)[requirement] == expected
    finding = next(f for c in audit.checklists for f in c.findings if f.requirement == requirement)
    if expected in ("met", "partial", "conflict"):
        assert finding.evidence and all(e.text in audit.text for e in finding.evidence)


# (statement, flag, raised?)
FLAGS = [
    ("We may change this policy at any time without notice.", "flag.changes_without_notice", True),
    ("We will notify you by email 30 days before any change to this policy takes effect.",
     "flag.changes_without_notice", False),
    ("By using our services, you agree to this Privacy Policy.", "flag.consent_by_use", True),
    ("Continued use of the service constitutes acceptance of the updated policy.", "flag.consent_by_use", True),
    ("We may share your personal information with third parties without your consent.",
     "flag.share_without_consent", True),
    ("We will not share your personal information with third parties without your consent.",
     "flag.share_without_consent", False),
    ("In a merger or acquisition, your data may be transferred without notice to you.",
     "flag.merger_without_notice", True),
    ("We will not be liable for any data breach or loss of your data.", "flag.liability_disclaimer", True),
    ("We use your conversations to train our artificial intelligence models.", "flag.ai_training", True),
    ("We never use your data to train artificial intelligence models.", "flag.ai_training", False),
    ("Last updated: March 10, 2020\n\nWe collect your email address.", "flag.stale_date", True),
    ("Last updated: March 10, 2026\n\nWe collect your email address.", "flag.stale_date", False),
    ("Last updated:\n\n1. Data\n\nWe collect your email address.", "flag.unfilled_placeholder", True),
    ("Last updated: [DATE]\n\nWe collect your email address.", "flag.unfilled_placeholder", True),
    ("Last updated:\nMarch 10, 2026\n\nWe collect your email address.", "flag.unfilled_placeholder", False),
    ("We collect your fingerprints and health data to verify your identity.",
     "flag.special_category_without_basis", True),
    ("We process health data only with your explicit consent.", "flag.special_category_without_basis", False),
    ("We do not sell your personal information. We work with advertising partners to show you interest-based ads.",
     "flag.nosell_but_share", True),
]


@pytest.mark.parametrize("text, flag, raised", FLAGS)
def test_flag(text: str, flag: str, raised: bool) -> None:
    audit = audit_text(POLICY.format(text))
    found = {f.id: f for f in audit.flags}
    assert (flag in found) == raised
    if raised:
        assert found[flag].evidence and all(audit.text[e.start:e.end] == e.text for e in found[flag].evidence)


def test_a_statement_meeting_a_requirement_counts_where_it_would_not_apply() -> None:
    audit = audit_text(POLICY.format("We do not sell your personal information. You may still opt out of any "
                                     "future sale of your personal information by writing to privacy@acme.example."))
    assert statuses(audit)["ccpa.right_opt_out"] == "met"


def test_a_cross_reference_is_quoted_after_the_statement_it_points_to() -> None:
    audit = audit_text(POLICY.format("For California residents, Part 8 contains information on their right to opt "
                                     "out of the sale of personal information.\n\nWe sell email addresses. You have "
                                     "the right to opt out of the sale of your personal information."))
    finding = next(f for r in audit.checklists for f in r.findings if f.requirement == "ccpa.right_opt_out")
    assert finding.evidence[0].text == "You have the right to opt out of the sale of your personal information."


def test_a_definition_under_a_definitions_heading_is_quoted_last() -> None:
    audit = audit_text("Privacy Policy\n\n## Definitions\n\nDevice: any device that can access the Service, such as a "
                       "computer or a phone.\n\n## Information we collect\n\nWe collect your e-mail address and your "
                       "device identifiers.\n")
    finding = next(f for r in audit.checklists for f in r.findings if f.requirement == "gdpr.data_categories")
    assert finding.evidence[0].text == "We collect your e-mail address and your device identifiers."


def test_a_quoted_section_summary_is_quoted_after_the_statement_it_summarises() -> None:
    audit = audit_text(POLICY.format("1.2 “Necessary Processing” describes how we process the data required to "
                                     "fulfil the contract.\n\nWe process your account data because it is necessary "
                                     "for the performance of our contract with you."))
    finding = next(f for r in audit.checklists for f in r.findings if f.requirement == "gdpr.legal_basis")
    assert finding.evidence[0].text.startswith("We process your account data")


def test_how_to_exercise_a_right_is_quoted_after_the_statement_of_the_right() -> None:
    audit = audit_text(POLICY.format("To exercise your right to delete, submit a request at https://acme.example/privacy."
                                     "\n\nYou have the right to request that we delete your personal information."))
    finding = next(f for r in audit.checklists for f in r.findings if f.requirement == "ccpa.right_delete")
    assert finding.evidence[0].text == "You have the right to request that we delete your personal information."
