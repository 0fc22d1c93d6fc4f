"""Properties that hold for any input: extraction and the engine quote the text exactly and never crash,
ingestion either reads bytes or refuses them with a SourceError, names and messages stay safe."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from conftest import audit_text, make_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gapcheck.errors import SourceError, one_line
from gapcheck.extract import extract
from gapcheck.ingest import document_from_bytes, provider_name, safe_name
from gapcheck.models import STATUSES
from gapcheck.regex_safety import check_pattern

MODEST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS = {"heading", "list_item", "sentence"}

# Pieces of policies and of what breaks line-based parsers, mixed with arbitrary text.
FRAGMENTS = [
    "Privacy Policy", "1. Who we are", "## Your rights", "a) access", "(iv) erasure", "• ", "- ", "* ", "1 ",
    "We collect your email address.", "We do not sell your personal information.", "Last updated:", "March 10, 2026",
    "e.g.", "U.S.", "privacy@example.com", "https://example.com/privacy", " | ", ":", "...", "?!", "“quoted”",
    "ÉTÉ", "ß", "İ", "ﬁ", "\u0301", "\u200b", "\u00a0", "\ufeff", "\U0001f600", "\u202e", "ᾈ", "ǅ",
]
SEPARATORS = ["\n", "\r\n", "\r", "\n\n", "\r\n\r\n", " ", "\t", "\x0c", "\x0b", "\u2028", "\u0085", ""]
pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40))
policy_like = st.lists(st.tuples(pieces, st.sampled_from(SEPARATORS)), max_size=40).map(
    lambda parts: "".join(piece + sep for piece, sep in parts))
only_bullets = st.lists(st.sampled_from(["•", "-", "*", "a)", "(i)", "1."]), min_size=1, max_size=30).map(
    "\n".join)
only_headings = st.lists(st.sampled_from(["Privacy Policy", "# Data", "1. Scope", "YOUR RIGHTS", "Cookies"]),
                         min_size=1, max_size=30).map("\n".join)
long_line = st.tuples(st.text(alphabet="ab .,;:\t", min_size=1, max_size=5), st.integers(1000, 5000)).map(
    lambda pair: pair[0] * pair[1])
any_text = st.one_of(st.text(max_size=300), policy_like, only_bullets, only_headings, long_line)


def assert_quotes(text: str, items) -> None:
    for item in items:
        assert 0 <= item.start < item.end <= len(text), (item.start, item.end, len(text))
        assert text[item.start:item.end] == item.text


@MODEST
@given(any_text)
def test_statements_quote_the_text_at_their_offsets(text: str) -> None:
    statements, headings = extract(make_document(text))
    assert_quotes(text, statements)
    assert_quotes(text, headings)
    assert {s.kind for s in statements} <= KINDS
    assert [s.start for s in statements] == sorted(s.start for s in statements)
    assert all(s.text == s.text.strip() for s in statements)


@MODEST
@given(any_text)
def test_the_engine_gives_a_known_status_and_exact_evidence(text: str) -> None:
    audit = audit_text(text)
    assert audit.checklists
    for result in audit.checklists:
        assert 0 <= result.score <= 100
        for finding in result.findings:
            assert finding.status in STATUSES
            assert_quotes(text, finding.evidence)
    for flag in audit.flags:
        assert_quotes(text, flag.evidence)


@MODEST
@given(st.binary(max_size=3000), st.sampled_from(["p.txt", "p.md", "p.html", "p.pdf", "p"]))
def test_any_bytes_are_read_or_refused_with_a_reason(data: bytes, source: str) -> None:
    try:
        document = document_from_bytes(source, data, "p")
    except SourceError as error:
        assert error.source == source and error.reason and "\n" not in str(error)
        return
    assert document.text.strip()
    for start, _level in document.heading_hints:
        assert 0 <= start < len(document.text)
    assert all(0 <= start < len(document.text) for start in document.list_hints)
    document.text.encode("utf-8")  # every report encodes it


@MODEST
@given(st.text(max_size=200).map(lambda body: f"<html><body>{body}</body></html>"))
def test_any_markup_reads_as_text_with_hints_inside_it(page: str) -> None:
    try:
        document = document_from_bytes("p.html", page.encode("utf-8"), "p")
    except SourceError:
        return
    assert "<body>" not in document.text
    statements, headings = extract(document)
    assert_quotes(document.text, statements)
    assert_quotes(document.text, headings)


@MODEST
@given(st.text(max_size=300))
def test_any_source_gets_a_safe_file_name(source: str) -> None:
    out = Path("/reports/out")
    for name in (safe_name(source), provider_name(source)):
        assert name and len(name) <= 120
        assert "/" not in name and "\\" not in name and "\x00" not in name
        assert not name.startswith((".", "-"))
        assert (out / f"{name}.json").parent == out and ".." not in Path(name).parts


@MODEST
@given(st.text(max_size=200))
def test_messages_stay_on_one_printable_line(text: str) -> None:
    line = one_line(text)
    assert line.isprintable()
    error = SourceError(text, text)
    assert str(error).isprintable() and error.source == text


@pytest.mark.parametrize("pattern", [r"(?:a|a)*b", r"(?:a|aa)*b", r"(?:aa?)+b", r"(?:\w|\w\w)*!", r"(?:\s|\s)*x",
                                     r"(\w+\s?)+$", r"(?:x+)+y", r"(?:\w*){1,10}!"])
def test_patterns_that_backtrack_exponentially_are_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="could backtrack catastrophically"):
        check_pattern(pattern)


REGEX_PIECES = ["a", "aa", "b", r"\w", r"\s", r"\d", ".", "[ab]", "[^.]", " ", "x"]
regex_atoms = st.sampled_from(REGEX_PIECES)
regexes = st.recursive(
    regex_atoms,
    lambda inner: st.one_of(
        st.tuples(inner, inner).map("".join),
        st.tuples(inner, inner).map(lambda pair: f"(?:{pair[0]}|{pair[1]})"),
        st.tuples(inner, st.sampled_from(["*", "+", "?", "{1,3}"])).map(lambda pair: f"(?:{pair[0]}){pair[1]}"),
    ),
    max_leaves=6,
)


@MODEST
@given(regexes, st.sampled_from("ab x0."))
def test_accepted_patterns_fail_fast_on_long_runs(pattern: str, character: str) -> None:
    """Whatever the loader accepts fails to match a long run of one character quickly (no exponential backtracking)."""
    try:
        check_pattern(pattern)
    except ValueError:
        return
    compiled = re.compile(f"(?<!\\w)(?:{pattern})(?!\\w)!", re.IGNORECASE)
    started = time.perf_counter()
    compiled.search(character * 28)
    assert time.perf_counter() - started < 1.0, pattern
