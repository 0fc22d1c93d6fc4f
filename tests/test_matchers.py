"""Each matcher, table-driven: (policy text, the statements the rule holds for)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import AS_OF, corpus_of, matched_texts, write_checklist

from gapcheck.checklist import load_checklist
from gapcheck.engine import evaluate_checklist
from gapcheck.matchers import RuleError, compile_rule, readable_term, sample_terms

LEAD_LIST = "We collect:\n- name and email address\n- billing address\n- We also keep server logs.\n"


def check(rule: dict, text: str, expected: list[str], as_of: date = AS_OF) -> None:
    assert matched_texts(compile_rule(rule), text, as_of) == expected


@pytest.mark.parametrize("text, expected", [
    ("We sell your personal information.", ["We sell your personal information."]),
    ("We may SELL data to partners.", ["We may SELL data to partners."]),
    ("We are a reseller of hats. Our sellers ship them.", []),  # whole words only
    ("We share data with partners. We sell reports.", ["We sell reports."]),
    # a list item reads with the sentence introducing it, unless it is a sentence of its own ("We ...")
    (LEAD_LIST.replace("collect", "sell"), ["We sell:", "name and email address", "billing address"]),
])
def test_terms(text: str, expected: list[str]) -> None:
    check({"terms": ["sell"]}, text, expected)


@pytest.mark.parametrize("text, expected", [
    ("You have these rights:\n- Erasure\n- Erasure (Art. 17 GDPR).\n- Erasure of data you gave us\n", ["Erasure", "Erasure (Art. 17 GDPR)."]),
    ("We use erasure coding. Erasure:\n", ["Erasure:"]),
    ("You may ask for erasure:\n- Storage\n", []),  # the lead-in's words do not make the item a label
])
def test_whole(text: str, expected: list[str]) -> None:
    check({"whole": ["erasure"]}, text, expected)


def test_terms_span_line_breaks_and_alternatives() -> None:
    rule = {"terms": ["personal (data|information)", "e-?mail address"]}
    text = "We process personal\ninformation. We keep your email address. We keep your postal address.\n"
    assert matched_texts(compile_rule(rule), text) == ["We process personal\ninformation.",
                                                       "We keep your email address."]


@pytest.mark.parametrize("text, expected", [
    ("Use our webform or log in.", ["Use our webform or log in."]),
    ("Use our web form.", ["Use our web form."]),
    ("Use the login page.", ["Use the login page."]),
    ("Use our website.", []),
])
def test_terms_optional_spaces(text: str, expected: list[str]) -> None:
    check({"terms": ["web ?form", "log ?in"]}, text, expected)


@pytest.mark.parametrize("text, expected", [
    ("We share your data with third parties.", ["We share your data with third parties."]),
    ("Third parties receive what we share.", ["Third parties receive what we share."]),  # either order
    ("We share your data, after a careful review by our legal team, with third parties.", []),  # too far apart
    ("We share data. Third parties are bound by contracts.", []),  # one statement only
])
def test_near(text: str, expected: list[str]) -> None:
    check({"near": {"a": ["share"], "b": ["third part(y|ies)"], "within": 3}}, text, expected)


@pytest.mark.parametrize("text, expected", [
    ("We keep server logs for 90 days.", ["We keep server logs for 90 days."]),
    ("We keep server logs.", []),
    ("Logs older than 90 days are deleted.", []),
    ("We retain server logs. They are deleted after 90 days.", []),
])
def test_all(text: str, expected: list[str]) -> None:
    check({"all": [{"terms": ["retain", "keep"]}, {"terms": [r"\d+ (days|months|years)"]}]}, text, expected)


@pytest.mark.parametrize("text, expected", [
    ("Email us with questions.", ["Email us with questions."]),
    ("Phone us with questions.", ["Phone us with questions."]),
    ("Write to us with questions.", []),
])
def test_any(text: str, expected: list[str]) -> None:
    check({"any": [{"terms": ["e-?mail"]}, {"terms": ["phone"]}]}, text, expected)


@pytest.mark.parametrize("text, expected", [
    ("Privacy Policy\n\nWe use cookies. We keep server logs.\n", ["We keep server logs."]),
    ("Cookies\n\nWe keep server logs.\n", ["We keep server logs."]),  # headings are never statements it holds for
    ("We use cookies. Cookies expire.", []),
])
def test_not(text: str, expected: list[str]) -> None:
    check({"not": {"terms": ["cookies?"]}}, text, expected)


@pytest.mark.parametrize("text, expected", [
    ("We keep server logs. We share data.", ["We keep server logs.", "We share data."]),
    ("We keep server logs. We sell data.", []),
])
def test_nowhere(text: str, expected: list[str]) -> None:
    check({"nowhere": {"terms": ["sell"]}}, text, expected)


# (text, whether "sell" is negated there)
POLARITY = [
    ("We sell your personal information.", False),
    ("We do not sell your personal information.", True),
    ("We don’t sell your personal information.", True),  # curly apostrophe
    ("We don't sell your personal information.", True),
    ("We never sell or rent your data.", True),
    ("We will not rent, lease or sell your data.", True),
    ("Your data is not for sale.", True),
    ("We do not share data with advertisers, but we sell aggregated reports.", False),  # a new clause
    ("No data is shared; we sell reports to partners.", False),
]


@pytest.mark.parametrize("text, negated", POLARITY)
def test_affirmed(text: str, negated: bool) -> None:
    check({"affirmed": {"terms": ["sell", "sale"]}}, text, [] if negated else [text])


@pytest.mark.parametrize("text, negated", POLARITY)
def test_negated(text: str, negated: bool) -> None:
    check({"negated": {"terms": ["sell", "sale"]}}, text, [text] if negated else [])


def test_polarity_of_list_items_comes_from_their_lead_in() -> None:
    text = "We do not sell your data to:\n- advertisers\n- data brokers\n"
    check({"negated": {"terms": ["sell"]}}, text, ["We do not sell your data to:", "advertisers", "data brokers"])
    check({"affirmed": {"terms": ["sell"]}}, text, [])
    check({"affirmed": {"terms": ["sell"]}}, text.replace("do not sell", "sell"),
          ["We sell your data to:", "advertisers", "data brokers"])


@pytest.mark.parametrize("text, expected", [
    ("1. Your Rights\n\nYou may ask for a copy.\n\n2. Cookies\n\nWe use cookies.\n", ["You may ask for a copy."]),
    ("1. Your Rights\n\na. Access\n\nYou may ask for a copy.\n\n2. Cookies\n\nWe use cookies.\n",
     ["You may ask for a copy."]),  # any heading of the path
    ("1. Cookies\n\nYou have rights over cookies.\n\n2. Contact\n\nWrite to us.\n", []),  # the heading, not the text
])
def test_section(text: str, expected: list[str]) -> None:
    check({"section": ["rights?"]}, text, expected)


@pytest.mark.parametrize("kinds, expected", [
    ("list_item", ["name and email address", "billing address", "We also keep server logs."]),
    ("sentence", ["We collect:"]),
    (["sentence", "list_item"], ["We collect:", "name and email address", "billing address",
                                 "We also keep server logs."]),
])
def test_kind(kinds: str | list[str], expected: list[str]) -> None:
    check({"kind": kinds}, LEAD_LIST, expected)


@pytest.mark.parametrize("text, expected", [
    ("Privacy Policy\n\nLast updated:\n\n1. Introduction\n\nWe collect your email address.\n", ["Last updated:"]),
    ("We collect your email address.\n\nLast updated:\n", ["Last updated:"]),
    ("Privacy Policy\n\nLast updated: March 10, 2026\n\nWe collect your email address.\n", []),
    ("Privacy Policy\n\nLast updated:\nMarch 10, 2026\n\n1. Introduction\n\nWe collect your email address.\n", []),
    ("Privacy Policy\n\nLast updated:\n\nMarch 10, 2026\n\nWe collect your email address.\n", []),
])
def test_empty_field(text: str, expected: list[str]) -> None:
    check({"empty_field": ["last updated"]}, text, expected)


def test_empty_field_followed_by_a_list_is_filled() -> None:
    text = "If you have questions, contact us at:\n- privacy@acme.example\n- +1 555 0100 200\n"
    check({"empty_field": ["contact us at"]}, text, [])
    check({"empty_field": ["contact us at"]}, "Questions? Contact us at:\n\n2. Cookies\n\nWe use cookies.\n",
          ["Contact us at:"])


@pytest.mark.parametrize("text, expected", [
    ("Last updated: March 10, 2026", []),
    ("Last updated: March 10, 2024", ["Last updated: March 10, 2024"]),
    ("Effective Date: 10/15/2024", ["Effective Date: 10/15/2024"]),
    ("Last updated: 2024-10-15", ["Last updated: 2024-10-15"]),
    ("Last updated: 23 November 2025", []),  # exactly twelve months
    ("Last updated: 22 November 2025", ["Last updated: 22 November 2025"]),
    ("Last updated:\nMarch 10, 2024", ["Last updated:\nMarch 10, 2024"]),
    ("Last updated: January 1, 2030", []),  # after as_of: not a stale date
    ("We were founded on March 10, 2001. Last updated: March 10, 2026", []),  # not next to the label
    ("Previous version: Last updated March 10, 2020.\n\nLast updated: March 10, 2026", []),  # the latest counts
])
def test_date_older_than(text: str, expected: list[str]) -> None:
    check({"date_older_than": {"label": ["last updated", "effective date"], "months": 12}}, text, expected)


def test_date_older_than_follows_as_of() -> None:
    rule = {"date_older_than": {"label": ["last updated"], "months": 6}}
    text = "Last updated: March 10, 2026"
    check(rule, text, [], as_of=date(2026, 9, 1))
    check(rule, text, [text], as_of=date(2026, 11, 23))


# MINI_CHECKLIST: mini.sale is met by the cue sell_words; flag.sells is raised by the cue sells, itself
# the cue sell_words affirmed (a cue referring to a cue).
@pytest.mark.parametrize("text, status, raised", [
    ("We do not sell your personal information.", "met", False),
    ("We don’t sell your data.", "met", False),
    ("We sell your personal information.", "met", True),
    ("Your data is not for sale.", "met", False),
    ("We keep your data safe.", "missing", False),
])
def test_cue(tmp_path: Path, text: str, status: str, raised: bool) -> None:
    checklist = load_checklist(write_checklist(tmp_path))
    (finding,), flags = evaluate_checklist(checklist, corpus_of(text))
    assert finding.status == status
    assert [e.text for e in finding.evidence] == ([text] if status == "met" else [])
    assert [f.id for f in flags] == (["flag.sells"] if raised else [])
    if raised:
        assert [e.text for e in flags[0].evidence] == [text]


@pytest.mark.parametrize("rule, message", [
    ({"near": {"a": ["x"]}}, "near needs a, b"),
    ({"near": {"a": ["x"], "b": ["y"], "within": -1}}, "within must be a whole number"),
    ({"kind": "paragraph"}, "kind must be sentence or list_item"),
    ({"date_older_than": {"label": ["updated"], "months": 0}}, "months must be a positive"),
    ({"terms": []}, "non-empty list"),
    ({"all": []}, "all needs a non-empty list"),
    ({"terms": ["x"], "near": {"a": ["x"], "b": ["y"]}}, "exactly one matcher"),
    ({"fuzzy": ["x"]}, "unknown matcher 'fuzzy'"),
    ({"cue": ["x"]}, "cue takes the name"),
    ("sell", "a rule must be a mapping"),
])
def test_bad_rules_are_refused(rule, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        compile_rule(rule, ("rules", 0))


@pytest.mark.parametrize("term, readable", [
    ("retain(s|ed)?", "retain"),
    ("do not sell (or share )?(your|personal|any)", "do not sell your"),
    ("(we|company|business) (do not|never) (sell|share)", "we do not sell"),
    ("rights? (to|of) (request )?(the )?(erasure|deletion)", "right to erasure"),
    ("don'?t sell my", "don't sell my"),
    ("(and|then) (we.ll|we will) delete", "and we'll delete"),
    ("opt(ing)?[- ]?out of", "opt-out of"),
    (r"[\w.+-]+@[\w-]+\.\w+", None),  # a pattern, not a phrase
])
def test_readable_term_shows_a_phrase_a_reader_would_search_for(term: str, readable: str | None) -> None:
    assert readable_term(term) == readable


def test_examples_of_a_conjunction_come_from_what_it_looks_for_not_what_it_excludes() -> None:
    rule = compile_rule({"all": [{"not": {"terms": ["right to know"]}}, {"terms": ["categories of recipients"]}]})
    assert sample_terms(rule) == ["categories of recipients"]


def test_quote_last_statements_come_after_the_others(tmp_path: Path) -> None:
    from conftest import MINI_CHECKLIST
    text = MINI_CHECKLIST.replace("cues:\n", "quote_last:\n  rules:\n    - terms: ['children']\ncues:\n", 1)
    checklist = load_checklist(write_checklist(tmp_path, text))
    policy = "We do not sell the data of children.\n\nWe do not sell your data."
    (finding,), _ = evaluate_checklist(checklist, corpus_of(policy))
    assert [e.text for e in finding.evidence] == ["We do not sell your data.", "We do not sell the data of children."]
    (plain,), _ = evaluate_checklist(load_checklist(write_checklist(tmp_path, name="plain.yaml")), corpus_of(policy))
    assert plain.evidence[0].text == "We do not sell the data of children."  # document order without quote_last


def test_a_requirement_quote_last_puts_its_weaker_statements_after_the_others(tmp_path: Path) -> None:
    from conftest import MINI_CHECKLIST
    text = MINI_CHECKLIST.replace("    remediation: Say whether you sell data.",
                                  "    quote_last:\n      rules:\n        - terms: ['to exercise']\n"
                                  "    remediation: Say whether you sell data.", 1)
    checklist = load_checklist(write_checklist(tmp_path, text))
    policy = "To exercise your right to opt out of the sale, write to us.\n\nWe sell e-mail addresses."
    (finding,), _ = evaluate_checklist(checklist, corpus_of(policy))
    assert [e.text for e in finding.evidence] == ["We sell e-mail addresses.",
                                                  "To exercise your right to opt out of the sale, write to us."]
    assert finding.status == "met"  # quoted last, still counted


def test_in_paragraph_holds_for_the_other_sentences_of_the_paragraph_only() -> None:
    rule = compile_rule({"all": [{"terms": ["explicit consent"]}, {"in_paragraph": {"terms": ["health"]}}]})
    text = ("Heart rate can reveal your health. We process it only with your explicit consent.\n\n"
            "We send offers only with your explicit consent.\n\n"
            "- Health data: steps and sleep.\n- Marketing: only with your explicit consent.\n")
    assert matched_texts(rule, text) == ["We process it only with your explicit consent."]


def test_opening_holds_for_the_first_body_statements() -> None:
    rule = compile_rule({"opening": 2})
    text = "# Privacy\n\nAcme Ltd · 1 High Street · Leeds LS1 4AB · tea@acme.example\n\nWe sell tea.\n\nWe ship tea.\n"
    assert matched_texts(rule, text) == ["Acme Ltd · 1 High Street · Leeds LS1 4AB · tea@acme.example", "We sell tea."]
    with pytest.raises(RuleError, match="opening needs a number"):
        compile_rule({"opening": "top"}, ("rules", 0))


def test_terms_match_across_markdown_emphasis() -> None:
    rule = compile_rule({"terms": ["limit the use", "marked with \\*", "last updated: january", "first_last"]})
    text = ("You can **Limit** the use of sensitive data.\n\nFields marked with * are required.\n\n"
            "_Last updated: January 15, 2024_\n\nWrite to first_last@example.com.\n")
    assert matched_texts(rule, text) == ["You can **Limit** the use of sensitive data.", "Fields marked with * are required.",
                                         "_Last updated: January 15, 2024_", "Write to first_last@example.com."]


def test_a_month_and_year_in_figures_is_a_date_but_a_version_number_is_not() -> None:
    from gapcheck.dates import find_dates
    assert [found[0] for found in find_dates("Updated 01/2024; effective 10/15/2024")] == [date(2024, 1, 1), date(2024, 10, 15)]
    assert find_dates("Release v1/2024") == []


def test_a_near_miss_is_quoted_in_a_missing_finding(tmp_path: Path) -> None:
    from conftest import MINI_CHECKLIST
    text = MINI_CHECKLIST.replace("    remediation: Say whether you sell data.",
                                  "    near_miss:\n      because: it mentions selling goods, not data\n      rules:\n"
                                  "        - terms: ['goods']\n    remediation: Say whether you sell data.", 1)
    checklist = load_checklist(write_checklist(tmp_path, text))
    (finding,), _ = evaluate_checklist(checklist, corpus_of("We ship goods to your door."))
    assert finding.status == "missing" and [e.text for e in finding.evidence] == ["We ship goods to your door."]
    assert finding.rationale.startswith("Missing: it mentions selling goods, not data: “We ship goods to your door.”")
    (plain,), _ = evaluate_checklist(checklist, corpus_of("We ship parcels."))
    assert plain.status == "missing" and not plain.evidence
