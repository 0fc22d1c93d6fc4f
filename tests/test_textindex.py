"""The word index finds exactly the matches that trying every word with a term's prefix finds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gapcheck.checklist import resolve_checklists
from gapcheck.matchers import NORMALIZE, Matcher, Terms, term_patterns, word_bounded
from gapcheck.textindex import Start, WordIndex, find_all, first_characters, group_starts, prefix_starts

ROOT = Path(__file__).resolve().parent.parent
TRICKY = ("You can ask us. You  can\n\tcan't; you, can we? We do not sell. WE NEVER sell data, database, "
          "Daten, ınformation İnformation ſell, the data we collect, call 1-800-555-0100, e-mail us: a@b.io, "
          "your account, YOUR accounts, their data; personal information, personal\u00a0data. In the event of a "
          "merger; in case. Contact us, contacting us. Rights of access, right to object. Write to Keizersgracht 1, "
          "1015 Amsterdam, EC1A 1BB London, Acme Inc, 1 Main St, San Francisco, CA 94105-1234, jane (at) acme (dot) "
          "com or jo[at]acme[dot]io by 3 March 2026; kept 30 days.")


def bundled_groups(prefixed: bool = True) -> list[tuple[object, dict[str, Start] | None]]:
    """The term groups of the bundled checklists tried at their words' prefixes (or, with prefixed=False, the
    groups without a word prefix, tried at their first characters)."""
    groups: dict[str, tuple[object, dict[str, Start] | None]] = {}
    stack: list[Matcher] = []
    for checklist in resolve_checklists([]):
        outcomes = [checklist.out_of_scope, checklist.quote_last]
        for req in checklist.requirements:
            outcomes += [req.met, req.partial, req.requires, req.conflict, req.applies_when, req.applies_unless,
                         req.quote_last]
        for flag in checklist.flags:
            outcomes += [flag.when, flag.unless]
        stack += [rule.matcher for outcome in outcomes if outcome for rule in outcome.rules]
    while stack:
        node = stack.pop()
        if isinstance(node, Terms):
            for pattern, starts in node.groups:
                if (starts is not None) == prefixed:
                    groups[pattern.pattern] = (pattern, starts)
        stack.extend(getattr(node, "children", []))
        stack += [getattr(node, a) for a in ("child", "a", "b", "label", "target")
                  if isinstance(getattr(node, a, None), Matcher)]
    return list(groups.values())


GROUPS = bundled_groups()
GATED = bundled_groups(prefixed=False)


def spans(pattern, starts, text: str, index: WordIndex) -> list[tuple[int, int]]:
    return [m.span() for m in find_all(pattern, starts, text, index)]


def same_as_prefix_lookup(text: str) -> None:
    """Whole-word and next-word lookups find what trying every word beginning with a prefix finds."""
    text = text.translate(NORMALIZE)
    index = WordIndex(text)
    for pattern, starts in GROUPS:
        assert spans(pattern, starts, text, index) == spans(pattern, frozenset(starts), text, index), pattern.pattern
    for pattern, _ in GATED:  # tried only at their first characters: what a scan of the whole text finds
        assert spans(pattern, None, text, index) == [m.span() for m in pattern.finditer(text)], pattern.pattern


def test_no_bundled_term_scans_the_whole_text() -> None:
    assert GATED, "expected some terms without a word prefix (e-mail addresses, dates, postal codes)"
    for pattern, _ in GATED:
        assert first_characters(pattern.pattern, pattern.flags) is not None, pattern.pattern


@pytest.mark.parametrize("seed", sorted((ROOT / "seeds").glob("*.txt")), ids=lambda p: p.stem)
def test_bundled_terms_on_seeds(seed: Path) -> None:
    same_as_prefix_lookup(seed.read_text(encoding="utf-8"))


def test_bundled_terms_on_tricky_text() -> None:
    same_as_prefix_lookup(TRICKY)


WORDS = ["you", "You", "YOU", "can", "may", "we", "We", "do", "not", "sell", "data", "database", "the", "your",
         "personal", "information", "in", "event", "case", "contact", "us", "ınformation", "İn", "ſell", "1", "800"]
SEPARATORS = [" ", "  ", "\n", "\t", ", ", ". ", "-", "\u00a0", " (", "'"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=40))
def test_bundled_terms_on_generated_text(pieces: list[tuple[str, str]]) -> None:
    same_as_prefix_lookup("".join(word + sep for word, sep in pieces))


@pytest.mark.parametrize("term, expected", [
    ("data", {"data": Start(True, None)}),
    ("rights?", {"right": Start(True, None), "rights": Start(True, None)}),
    ("personal (data|information)", {"personal": Start(True, frozenset({"data", "information"}))}),
    ("(your |their )?accounts?", {"your": Start(True, frozenset({"account", "accounts"})),
                                  "their": Start(True, frozenset({"account", "accounts"})),
                                  "account": Start(True, None), "accounts": Start(True, None)}),
    ("e-?mail", {"e": Start(True, None), "email": Start(True, None)}),
    ("notif(y|ied)", {"notify": Start(True, None), "notified": Start(True, None)}),
    ("p\\.?\\s*o", {"p": Start(True, None), "po": Start(True, None)}),
    ("e-mail", {"e": Start(True, None)}),
    ("don't", {"don": Start(True, None)}),
    ("secur\\w*", {"secur": Start(False, None)}),
])
def test_prefix_starts(term: str, expected: dict[str, Start]) -> None:
    assert prefix_starts(term_patterns([term], ())[0]) == expected


def test_a_prefix_with_a_non_word_character_is_its_first_word_part() -> None:
    parts = term_patterns(["1-8\\d\\d", "call"], ())
    starts = group_starts([prefix_starts(p) for p in parts])
    assert starts == {"1": Start(True), "call": Start(True)}
    text = "call 1-800, 18-800"
    index = WordIndex(text)
    assert spans(word_bounded(parts), starts, text, index) == [(0, 4), (5, 10)]


def test_a_match_stays_inside_its_statement_and_hides_no_later_one() -> None:
    text = "Sent with your consent. You can withdraw that consent at any time."
    pattern = re.compile(r"(?<!\w)(?:consent.{0,60}withdraw|withdraw.{0,60}consent)(?!\w)", re.IGNORECASE)
    index = WordIndex(text)
    starts = group_starts([prefix_starts(p) for p in (r"consent.{0,60}withdraw", r"withdraw.{0,60}consent")])
    assert spans(pattern, starts, text, index) == [(15, 40)]  # "consent. You can withdraw" hides the real one
    bounded = [m.span() for m in find_all(pattern, starts, text, index, bounds=[23, len(text)])]
    assert bounded == [(32, 53)]
    assert text[32:53] == "withdraw that consent"
    assert [m.span() for m in find_all(pattern, None, text, index, bounds=[23])] == [(32, 53)]  # scanned too
