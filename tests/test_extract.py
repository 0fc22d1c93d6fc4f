"""Statement extraction: headings, list items, sentences, sections and lead-ins for each layout the seeds use."""

from __future__ import annotations

import pytest
from conftest import SEEDS, make_document, of_kind, statement, statements_of

from gapcheck.ingest import document_from_bytes, read_source


def heading_list(headings) -> list[tuple[str, int]]:
    return [(h.text, h.level) for h in headings]


def outline(text: str, headings: list[tuple[str, int]], items: list[str], sentences: list[str] | None = None):
    """Extract inline text and check its headings (text, level), list items and, if given, sentences."""
    statements, found = statements_of(text)
    assert heading_list(found) == headings
    assert of_kind(statements, "list_item") == items
    if sentences is not None:
        assert of_kind(statements, "sentence") == sentences
    return statements


# ---------------------------------------------------------------- layout 1: "1." headings, blank lines, • bullets

NUMBERED_DOTS = """Privacy Policy

Effective Date: 10/15/2024

Acme ("we," "our," or "us") is committed to protecting your privacy. This Privacy Policy explains how we collect and use your information.

1. Information We Collect

We collect the following types of information:

  • Login Information: Cookies are used to keep you signed in.
  • Billing Information: We collect your name and payment details. We do not store card numbers.

2. Data Sharing

We do not share your personal information with third parties except:

  • When required by law.
  • To trusted partners (e.g., payment processors).

We do not sell or rent your personal data.

3. Contact Us

Write to privacy@acme.example with any questions.
"""


def test_numbered_headings_with_dots_and_bullets() -> None:
    statements = outline(NUMBERED_DOTS, [("Privacy Policy", 1), ("1. Information We Collect", 2),
                                        ("2. Data Sharing", 2), ("3. Contact Us", 2)], [
        "Login Information: Cookies are used to keep you signed in.",
        "Billing Information: We collect your name and payment details.",
        "We do not store card numbers.",
        "When required by law.",
        "To trusted partners (e.g., payment processors).",
    ], [
        "Effective Date: 10/15/2024",
        'Acme ("we," "our," or "us") is committed to protecting your privacy.',
        "This Privacy Policy explains how we collect and use your information.",
        "We collect the following types of information:",
        "We do not share your personal information with third parties except:",
        "We do not sell or rent your personal data.",
        "Write to privacy@acme.example with any questions.",
    ])
    collect = statement(statements, "We collect the following types of information:")
    share = statement(statements, "We do not share your personal information with third parties except:")
    assert statement(statements, "We do not store card numbers.").lead_start == collect.start
    assert statement(statements, "When required by law.").lead_start == share.start
    sell = statement(statements, "We do not sell or rent your personal data.")
    assert sell.section == ("2. Data Sharing",) and sell.lead_start == -1
    assert statement(statements, "Effective Date: 10/15/2024").section == ()  # the title is no section
    assert statement(statements, "Write to privacy@acme.example with any questions.").section_label == "3. Contact Us"


# ---------------------------------------------------------------- layout 2: "1 Heading", no blank lines, - bullets, sub-headings

NUMBERED_NO_DOTS = """Privacy Policy
Privacy Policy – Acme Connect
Last updated: March 10, 2026
Acme Connect respects user privacy and is committed to protecting personal data.
1 Data We Collect
We may collect the following information when you use the platform:
Account Information
- Name
- Email address
Customer Data
Users may add their customer data within the platform, such as:
- Phone numbers
- Messages
Usage Data
- Account activity
- Message logs
2 How We Use Data
We use data for the following purposes:
- Operating the platform
- Preventing fraud or misuse
3 Data Retention
Data is retained for the period necessary to provide the service.
"""


def test_numbered_headings_without_dots_and_short_sub_headings() -> None:
    statements = outline(NUMBERED_NO_DOTS, [
        ("Privacy Policy", 1), ("Privacy Policy – Acme Connect", 2), ("1 Data We Collect", 2),
        ("Account Information", 3), ("Customer Data", 3), ("Usage Data", 3), ("2 How We Use Data", 2),
        ("3 Data Retention", 2)], [
        "Name", "Email address", "Phone numbers", "Messages", "Account activity", "Message logs",
        "Operating the platform", "Preventing fraud or misuse"])
    collect = statement(statements, "We may collect the following information when you use the platform:")
    such_as = statement(statements, "Users may add their customer data within the platform, such as:")
    purposes = statement(statements, "We use data for the following purposes:")
    assert statement(statements, "Email address").lead_start == collect.start
    assert statement(statements, "Phone numbers").lead_start == such_as.start
    # the nested "such as:" list ends with its sub-section; "Usage Data" items read with the section's lead-in
    assert statement(statements, "Account activity").lead_start == collect.start
    assert statement(statements, "Preventing fraud or misuse").lead_start == purposes.start
    assert statement(statements, "Message logs").section == ("1 Data We Collect", "Usage Data")
    assert statement(statements, "Last updated: March 10, 2026").section == ()
    retained = statement(statements, "Data is retained for the period necessary to provide the service.")
    assert retained.section == ("3 Data Retention",) and retained.kind == "sentence"


# ---------------------------------------------------------------- layout 3: "1." headings with "a." lettered sub-headings

LETTERED = """Privacy Policy

Last updated:

1. Introduction

Acme Cloud (“we”, “our”) is committed to protecting user privacy.

By using our services, you agree to this Privacy Policy.

2. Information We Collect

We may collect the following types of information:

a. Account Information

  • Username
  • Email address

b. Technical Data

  • IP address
  • Device type and browser

c. Payment Data (if applicable)

  • Transaction status

3. Data Sharing

We do not sell personal user data.
"""


def test_lettered_sub_headings() -> None:
    statements = outline(LETTERED, [
        ("Privacy Policy", 1), ("1. Introduction", 2), ("2. Information We Collect", 2),
        ("a. Account Information", 3), ("b. Technical Data", 3), ("c. Payment Data (if applicable)", 3),
        ("3. Data Sharing", 2)], [
        "Username", "Email address", "IP address", "Device type and browser", "Transaction status"], [
        "Last updated:", "Acme Cloud (“we”, “our”) is committed to protecting user privacy.",
        "By using our services, you agree to this Privacy Policy.",
        "We may collect the following types of information:", "We do not sell personal user data."])
    lead = statement(statements, "We may collect the following types of information:")
    ip = statement(statements, "IP address")
    assert ip.section == ("2. Information We Collect", "b. Technical Data")
    assert ip.section_label == "2. Information We Collect › b. Technical Data"
    assert ip.lead_start == lead.start
    assert statement(statements, "Transaction status").lead_start == lead.start
    assert statement(statements, "We do not sell personal user data.").section == ("3. Data Sharing",)


# ---------------------------------------------------------------- layout 4: unnumbered title-case headings

UNNUMBERED = """Privacy Policy

Acme (hereinafter referred to as "we") understands the importance of personal information to you. We are committed to protecting it.

Scope

This Policy applies to all Acme products, documentation, and services.

How We Collect Personal Information

We collect personal information in the following ways:

  • Information provided when registering an account, such as username and phone number.
  • Technical information we collect automatically, such as your IP address.

Your Rights

We are committed to protecting your rights to access, correct, and delete your information.

  • Right to Access: You have the right to access your personal information.
  • Right to Deletion: You may request that we delete your personal information.

Contact Us

Contact Email: privacy@acme.example
"""


def test_unnumbered_title_case_headings() -> None:
    statements = outline(UNNUMBERED, [
        ("Privacy Policy", 1), ("Scope", 2), ("How We Collect Personal Information", 2), ("Your Rights", 2),
        ("Contact Us", 2)], [
        "Information provided when registering an account, such as username and phone number.",
        "Technical information we collect automatically, such as your IP address.",
        "Right to Access: You have the right to access your personal information.",
        "Right to Deletion: You may request that we delete your personal information."])
    ways = statement(statements, "We collect personal information in the following ways:")
    assert statement(statements, "Technical information we collect automatically, such as your IP address."
                     ).lead_start == ways.start
    access = statement(statements, "Right to Access: You have the right to access your personal information.")
    assert access.section == ("Your Rights",)
    assert access.lead_start == -1  # the sentence before the list does not introduce it (no colon)
    contact = statement(statements, "Contact Email: privacy@acme.example")
    assert contact.kind == "sentence" and contact.section == ("Contact Us",)
    assert of_kind(statements, "sentence")[:2] == [
        'Acme (hereinafter referred to as "we") understands the importance of personal information to you.',
        "We are committed to protecting it."]


# ---------------------------------------------------------------- layout 5: "1." headings, - bullets, "Label:Text" items

LABEL_ITEMS = """privacy policy
Welcome to ACMECLOUD (hereinafter referred to as "we"). We are committed to protecting your privacy.
1. Scope of information collection
We will collect information to the extent necessary, including but not limited to:
- Account information:When you register, we need to collect your email address. This is critical for issuing credentials.
- Service usage data:We will automatically record your IP address and browser type.
2. Sharing and Disclosure of Information
We have the right to share your information in the following situations without obtaining your consent:
- Business restructuring:In a merger, your information may be transferred without prior notice to you.
3. Data security and storage
We use encryption to protect your data.However, there is no absolute security on the Internet.
4. Contact us
If you have any questions, please contact:
Support Email: support@acme.example
"""


def test_numbered_headings_with_label_text_items() -> None:
    statements = outline(LABEL_ITEMS, [
        ("1. Scope of information collection", 2), ("2. Sharing and Disclosure of Information", 2),
        ("3. Data security and storage", 2), ("4. Contact us", 2)], [
        "Account information:When you register, we need to collect your email address.",
        "This is critical for issuing credentials.",
        "Service usage data:We will automatically record your IP address and browser type.",
        "Business restructuring:In a merger, your information may be transferred without prior notice to you."])
    lead = statement(statements, "We will collect information to the extent necessary, including but not limited to:")
    assert statement(statements, "This is critical for issuing credentials.").lead_start == lead.start
    share = statement(statements, "We have the right to share your information in the following situations "
                                  "without obtaining your consent:")
    merger = statement(statements, "Business restructuring:In a merger, your information may be transferred "
                                   "without prior notice to you.")
    assert merger.lead_start == share.start and merger.section == ("2. Sharing and Disclosure of Information",)
    assert statement(statements, "We use encryption to protect your data.").section == ("3. Data security and storage",)
    assert statement(statements, "However, there is no absolute security on the Internet.").kind == "sentence"
    assert statement(statements, "Support Email: support@acme.example").section == ("4. Contact us",)
    assert statement(statements, "privacy policy").kind == "sentence"  # lower case: not taken for a heading


# ---------------------------------------------------------------- other markup and prose

def test_markdown_headings_and_lettered_and_roman_list_items() -> None:
    text = """# Acme Privacy Policy

## 1. What we collect

We collect the following:

a) your name;
b) your email address.

### Legal bases

Our processing is based on:
(i) your consent;
(ii) our legitimate interests.
"""
    statements = outline(text, [("Acme Privacy Policy", 1), ("1. What we collect", 2), ("Legal bases", 3)],
                         ["your name;", "your email address.", "your consent;", "our legitimate interests."])
    assert statement(statements, "Legal bases").kind == "heading"
    based_on = statement(statements, "Our processing is based on:")
    consent = statement(statements, "your consent;")
    assert consent.lead_start == based_on.start
    assert consent.section == ("1. What we collect", "Legal bases")
    assert statement(statements, "your name;").lead_start == statement(statements, "We collect the following:").start


def test_html_headings_and_list_items_come_from_the_markup() -> None:
    page = b"""<!doctype html><html><head><title>Acme</title></head><body><main>
<h1>Acme Privacy Policy</h1>
<h2>What we collect</h2>
<p>We collect the following personal data when you create an account:</p>
<ul><li>Your name and email address</li><li>Your billing address</li></ul>
<h3>Cookies we set</h3>
<p>We use strictly necessary cookies to keep you signed in. We do not sell your personal information.</p>
<h2>Questions or concerns about this notice, and who to contact when you have them</h2>
<p>Write to privacy@acme.example with questions.</p>
</main></body></html>"""
    document = document_from_bytes("acme.html", page, "acme")
    statements, headings = statements_of(document)
    assert heading_list(headings) == [
        ("Acme Privacy Policy", 1), ("What we collect", 2), ("Cookies we set", 3),
        ("Questions or concerns about this notice, and who to contact when you have them", 2)]  # long, yet <h2>
    assert of_kind(statements, "list_item") == ["Your name and email address", "Your billing address"]
    lead = statement(statements, "We collect the following personal data when you create an account:")
    assert statement(statements, "Your billing address").lead_start == lead.start
    assert statement(statements, "We do not sell your personal information.").section == (
        "What we collect", "Cookies we set")


def test_list_item_ending_in_a_colon_leads_the_items_below_it() -> None:
    page = b"""<!doctype html><html><body><main><h1>Privacy Policy</h1><h2>Your rights</h2>
<p>California residents have these rights:</p>
<ul><li>Right to Know: you may request that we disclose to you:<ul>
<li>the categories of third parties with whom we share personal information;</li>
<li>the specific pieces of personal information we hold.</li></ul></li></ul>
<p>We answer within 45 days.</p><ul><li>Email us.</li></ul></main></body></html>"""
    statements, _ = statements_of(document_from_bytes("rights.html", page, "rights"))
    outer = statement(statements, "California residents have these rights:")
    inner = statement(statements, "Right to Know: you may request that we disclose to you:")
    assert inner.lead_start == outer.start
    assert statement(statements, "the specific pieces of personal information we hold.").lead_start == inner.start
    assert statement(statements, "Email us.").lead_start == -1  # a paragraph ended the nested list


def test_numbered_sentences_are_list_items_not_a_number_and_a_sentence() -> None:
    page = b"""<!doctype html><html><body><main><h1>Privacy Policy</h1><h2>Your rights</h2>
<p>You may have the following rights:</p>
<p>1.    To delete the personal information we have collected about you.</p>
<p>b. To correct inaccurate personal information we have collected about you.</p>
</main></body></html>"""
    statements, _ = statements_of(document_from_bytes("rights.html", page, "rights"))
    lead = statement(statements, "You may have the following rights:")
    assert of_kind(statements, "list_item") == [
        "To delete the personal information we have collected about you.",
        "To correct inaccurate personal information we have collected about you."]
    assert statement(statements, "To correct inaccurate personal information we have collected about you.").lead_start == lead.start


def test_word_processor_o_bullets_are_list_items() -> None:
    statements, _ = statements_of("Privacy Policy\n\nYou may request that we disclose:\n\no The categories of "
                                  "personal information we collected.\no The categories of third parties.\n")
    assert of_kind(statements, "list_item") == ["The categories of personal information we collected.",
                                                "The categories of third parties."]


def test_a_bold_label_is_no_bullet() -> None:
    statements, _ = statements_of("Privacy Policy\n\n**Health data.** Heart rate can reveal your health.\n\n"
                                  "* Name\n\n-10% for members.\n")
    assert [(s.kind, s.text) for s in statements if s.kind != "heading"] == [
        ("sentence", "**Health data.** Heart rate can reveal your health."), ("list_item", "Name"),
        ("sentence", "-10% for members.")]


def test_text_wrapped_by_hand_carries_on_across_capitalised_lines() -> None:
    wrapped = ("PRIVACY NOTICE\n\n"
               "This notice describes the practices of Golden Gate Termite & Pest\n"
               "Solutions, Inc. with respect to personal information collected through\n"
               "its website. We disclose data to payment processors, to collection agencies;\n"
               "and to software service providers that host our records for us. Our field\n"
               "Technicians write inspection reports that we keep for seven years in total.\n"
               "Short line here\n"
               "Next sentence starts here.\n" + "Filler sentence to set the wrap width of the text.\n" * 8)
    statements, _ = statements_of(wrapped)
    texts = [s.text.replace("\n", " ") for s in statements if s.kind != "heading"]
    assert texts[:4] == [
        "This notice describes the practices of Golden Gate Termite & Pest Solutions, Inc. with respect to personal "
        "information collected through its website.",
        "We disclose data to payment processors, to collection agencies; and to software service providers that host "
        "our records for us.",
        "Our field Technicians write inspection reports that we keep for seven years in total.",
        "Next sentence starts here."]  # a line well short of the width ends where it stops


def test_a_markdown_line_set_wholly_in_bold_is_a_heading_below_the_marked_one() -> None:
    statements, _ = statements_of("# Privacy Policy\n\n## Your data\n\n**Info we collect**\n\nWe collect your name.\n\n"
                                  "**Note:** we never sell data.\n\n**Updated 01/2024**\n")
    assert [(s.kind, s.section, s.text) for s in statements if s.kind != "heading"] == [
        ("sentence", ("Your data", "Info we collect"), "We collect your name."),
        ("sentence", ("Your data", "Info we collect"), "**Note:** we never sell data."),  # a bold label is no title
        ("sentence", ("Your data", "Info we collect"), "**Updated 01/2024**")]  # nor is a date


def test_a_title_line_with_a_revision_date_is_a_statement_and_rev_ends_no_sentence() -> None:
    statements, _ = statements_of("Privacy Notice                     Rev. 04/2021\n\nWe repair bicycles.\n")
    assert [(s.kind, s.text) for s in statements] == [
        ("sentence", "Privacy Notice                     Rev. 04/2021"), ("sentence", "We repair bicycles.")]


def test_rules_of_dashes_are_no_statements() -> None:
    statements, _ = statements_of("Privacy Policy\n\nWe collect:\n\n- Nickname\n\n----------------------\n\n"
                                  "We keep it for a year.\n")
    assert [s.text for s in statements if s.kind != "heading"] == ["We collect:", "Nickname", "We keep it for a year."]


def test_a_numbered_list_laid_out_in_a_table_is_a_list() -> None:
    page = b"""<!doctype html><html><body><main><h1>Privacy Policy</h1><h2>California rights</h2><table>
<tr><td>(a)</td><td>Right to know: you may request that we disclose to you:</td></tr>
<tr><td></td><td>(1)</td><td>The categories of third parties with whom we shared personal data.</td></tr>
</table></main></body></html>"""
    statements, _ = statements_of(document_from_bytes("table.html", page, "table"))
    lead = statement(statements, "Right to know: you may request that we disclose to you:")
    assert lead.kind == "list_item"
    item = statement(statements, "The categories of third parties with whom we shared personal data.")
    assert item.kind == "list_item" and item.lead_start == lead.start


def test_a_table_header_row_leads_the_rows_below_it() -> None:
    page = b"""<!doctype html><html><body><main><h1>Privacy Policy</h1><h2>California notice</h2><table>
<tr><th>Category</th><th>Collected</th><th>Sold or shared</th></tr>
<tr><td>Identifiers</td><td>Yes</td><td>No</td></tr>
<tr><td></td><td>Geolocation data</td><td>No</td></tr>
</table><p>We keep it for a year.</p></main></body></html>"""
    statements, _ = statements_of(document_from_bytes("table.html", page, "table"))
    header = statement(statements, "Category | Collected | Sold or shared")
    assert header.kind == "sentence"
    for row in ("Identifiers | Yes | No", "Geolocation data | No"):  # no cell bars at either end
        assert statement(statements, row).kind == "list_item" and statement(statements, row).lead_start == header.start
    assert statement(statements, "We keep it for a year.").lead_start == -1


def test_a_table_whose_first_row_is_long_has_no_header() -> None:
    first = "This notice applies to you | " + " ".join(["and it goes on to explain a great deal more"] * 3)
    statements, _ = statements_of(f"Privacy Policy\n\n{first}.\n\nIdentifiers | Yes\n")
    assert statement(statements, "Identifiers | Yes").kind == "sentence"


def test_hard_wrapped_paragraph_is_one_sentence() -> None:
    text = """Acme Cloud Privacy Policy

We collect your name and email
address when you register for an
account with us. We keep it for two years.

Contact
Write to privacy@acme.example for help.
"""
    statements, headings = statements_of(text)
    assert heading_list(headings) == [("Acme Cloud Privacy Policy", 1), ("Contact", 2)]
    wrapped = statement(statements, "We collect your name and email\naddress when you register for an\n"
                                    "account with us.")
    assert wrapped.kind == "sentence" and wrapped.section == ()
    assert statement(statements, "We keep it for two years.").start > wrapped.end


def test_title_is_not_a_section_in_text_or_markdown() -> None:
    body = "We collect your email address to run the service.\n\nCookies\n\nWe use cookies to keep you signed in.\n"
    for text in ("Acme Cloud Privacy Policy\n\n" + body, "# Acme Cloud Privacy Policy\n\n" + body):
        statements, _ = statements_of(text)
        assert statement(statements, "We collect your email address to run the service.").section == ()
        assert statement(statements, "We use cookies to keep you signed in.").section == ("Cookies",)


def test_date_under_a_label_is_part_of_it_not_a_heading() -> None:
    text = "Privacy Policy\n\nLast updated:\nMarch 10, 2026\n\nEffective date:\n10/15/2024\n\nWe collect data.\n"
    statements = outline(text, [("Privacy Policy", 1)], [],
                         ["Last updated:\nMarch 10, 2026", "Effective date:\n10/15/2024", "We collect data."])
    assert statement(statements, "We collect data.").section == ()


@pytest.mark.parametrize("paragraph, sentences", [
    ("We use service providers, e.g. hosting companies, to run the site. They act on our instructions.",
     ["We use service providers, e.g. hosting companies, to run the site.", "They act on our instructions."]),
    ("Acme Inc. is based in the U.S. and follows U.S. law. Contact us for details.",
     ["Acme Inc. is based in the U.S. and follows U.S. law.", "Contact us for details."]),
    ("We keep logs, i.e. records of requests, for 30 days. Then we delete them.",
     ["We keep logs, i.e. records of requests, for 30 days.", "Then we delete them."]),
    ("We encrypt your data.However, no system is perfectly secure.",
     ["We encrypt your data.", "However, no system is perfectly secure."]),
    ("Do you have questions? Write to us! We answer within 30 days.",
     ["Do you have questions?", "Write to us!", "We answer within 30 days."]),
    ('We call this "the Service." You may stop using it at any time.',
     ['We call this "the Service."', "You may stop using it at any time."]),
    ("We follow Cal. Civ. Code § 1798.100 and Cal. Code Regs. tit. 11, § 7027. Ask us.",  # legal citations
     ["We follow Cal. Civ. Code § 1798.100 and Cal. Code Regs. tit. 11, § 7027.", "Ask us."]),
])
def test_sentence_splitting(paragraph: str, sentences: list[str]) -> None:
    statements, _ = statements_of("Privacy Policy\n\n" + paragraph + "\n")
    assert of_kind(statements, "sentence") == sentences


def test_offsets_are_exact_with_crlf_and_indentation() -> None:
    text = "Privacy Policy\r\n\r\n1. Data\r\n\r\n   We collect your email\r\naddress when you sign up.\r\n  • Name\r\n"
    statements, headings = statements_of(make_document(text))
    assert heading_list(headings) == [("Privacy Policy", 1), ("1. Data", 2)]
    assert statement(statements, "We collect your email\r\naddress when you sign up.").section == ("1. Data",)
    assert statement(statements, "Name").kind == "list_item"


# ---------------------------------------------------------------- the seeds: structure only

SEED_HEADINGS = {
    "cloudpockets": ["1. Information We Collect", "2. How We Use Your Information", "3. Data Sharing", "4. Cookies",
                     "5. Contacting Support", "6. Data Security", "7. Your Rights", "8. Updates to This Policy",
                     "9. Contact Us"],
    "cube-connect": ["1 Data We Collect", "2 How We Use Data", "3 Customer Data Responsibility",
                     "4 Data Sharing & Non-Marketing Use", "5 Data Protection", "6 Data Retention", "7 User Rights",
                     "8 Cookies", "9 Changes to the Privacy Policy"],
    "cubeocean-cloud": ["1. Introduction", "2. Information We Collect", "a. Account Information", "b. Technical Data",
                        "c. Usage Data", "d. Payment Data (if applicable)", "3. How We Use Your Data",
                        "4. Data Security", "5. Data Sharing", "6. User Rights", "7. Data Retention",
                        "8. Children’s Privacy", "9. Changes to This Policy", "10. Contact Us"],
    "easycloud": ["Scope", "How We Collect Personal Information", "How We Use Personal Information",
                  "How We Share, Transfer, and Disclose Personal Information",
                  "How We Store and Protect Personal Information", "Your Rights", "How We Use Cookies",
                  "Policy Updates", "Contact Us"],
    "jexcloud": ["1. Scope of information collection", "2. Purpose of use of information",
                 "3. Sharing and Disclosure of Information", "4. Data security and storage",
                 "5. Modifications and changes to policies", "6. Contact us"],
}


@pytest.mark.parametrize("seed", sorted(SEED_HEADINGS))
def test_seed_structure(seed: str) -> None:
    path = SEEDS / f"{seed}.txt"
    document = read_source(str(path))
    assert document.text == path.read_bytes().decode("utf-8")
    statements, headings = statements_of(document)
    found = [h.text for h in headings]
    expected = SEED_HEADINGS[seed]
    assert [h for h in found if h in expected] == expected
    for text in expected:
        assert statement(statements, text).kind == "heading"
    first = statement(statements, expected[0]).start
    body = [s for s in statements if s.kind != "heading" and s.start > first]
    assert body and all(s.section and s.section[0] in expected for s in body)  # every later statement has a section
