"""A word index over a document, so that term patterns are tried only where they can start.

Scanning a 100 KB policy with a few hundred alternation patterns costs seconds with `re` alone.
Instead, the literal word prefixes every match of a pattern must begin with are worked out once
(from the pattern's parse tree), the document's words are indexed once, and each pattern is
only tried, anchored, at the positions of words with one of its prefixes. Patterns without such
prefixes fall back to a full scan, so results are the same either way.
"""

from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parse
from collections import defaultdict

WORD = re.compile(r"\w+")
LITERAL = sre_constants.LITERAL
Prefixes = frozenset[str] | None


def literal_prefixes(pattern: str) -> Prefixes:
    """Lower-case word prefixes that every match must start with, or None when there are none."""
    try:
        parsed = sre_parse.parse(pattern, re.IGNORECASE)
    except re.error:
        return None
    prefixes = _sequence_prefixes(list(parsed))
    if prefixes is None:
        return None
    # The index holds \w+ words: a prefix such as "cross-context" or "don't" is looked up by its first word part.
    words = {WORD.match(p).group() if WORD.match(p) else "" for p in prefixes}
    if "" in words:
        return None
    return frozenset(words)


def _sequence_prefixes(items: list) -> set[str] | None:
    # Skip zero-width assertions at the start: (?<!\w), \b.
    while items and items[0][0] in (sre_constants.ASSERT_NOT, sre_constants.ASSERT, sre_constants.AT):
        items = items[1:]
    if not items:
        return None
    op, arg = items[0]
    if op == LITERAL:
        text = ""
        for item_op, item_arg in items:
            if item_op != LITERAL:
                break
            text += chr(item_arg).lower()
        return {text}
    if op == sre_constants.SUBPATTERN:
        inner = _sequence_prefixes(list(arg[-1]))
        return inner
    if op == sre_constants.BRANCH:
        found: set[str] = set()
        for branch in arg[1]:
            sub = _sequence_prefixes(list(branch))
            if sub is None:
                return None
            found |= sub
        return found
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        inner = _sequence_prefixes(list(arg[2]))
        if arg[0] >= 1 or inner is None:
            return inner
        rest = _sequence_prefixes(items[1:])  # an optional start: the prefix may come after it
        return None if rest is None else inner | rest
    return None


class WordIndex:
    """Start offsets of every word of a text, found by lower-case prefix."""

    def __init__(self, text: str) -> None:
        positions: dict[str, list[int]] = defaultdict(list)
        for match in WORD.finditer(text):
            positions[match.group().lower()].append(match.start())
        self._buckets: dict[str, list[tuple[str, list[int]]]] = defaultdict(list)
        for word, starts in positions.items():
            self._buckets[word[:2]].append((word, starts))

    def starts(self, prefixes: frozenset[str]) -> list[int]:
        """Sorted start offsets of words beginning with any of the prefixes."""
        found: set[int] = set()
        for prefix in prefixes:
            if len(prefix) >= 2:
                candidates = self._buckets.get(prefix[:2], ())
            else:
                candidates = [entry for key, bucket in self._buckets.items() if key.startswith(prefix) for entry in bucket]
            for word, starts in candidates:
                if word.startswith(prefix):
                    found.update(starts)
        return sorted(found)


def find_all(pattern: re.Pattern[str], prefixes: Prefixes, text: str, index: WordIndex) -> list[re.Match[str]]:
    """Non-overlapping matches of a word-bounded pattern, tried only where they can start."""
    if prefixes is None:
        return list(pattern.finditer(text))
    matches: list[re.Match[str]] = []
    last_end = -1
    for start in index.starts(prefixes):
        if start < last_end:
            continue
        match = pattern.match(text, start)
        if match is not None and match.end() > match.start():
            matches.append(match)
            last_end = match.end()
    return matches
