"""Refusing regular expressions that could backtrack catastrophically.

Two shapes are refused: an unbounded repeat inside another (`(\\w+\\s?)+`), and a repeat of something
that can match the same text in more than one way (`(a|a)*`, `(a|aa)*`, `(aa?)*`, `(\\w*){1,10}`): on a
long run of one character both try exponentially (or n^10) many ways to split it before failing.
"""

from __future__ import annotations

import re
import re._compiler as sre_compile
import re._constants as sre_constants
import re._parser as sre_parse
from functools import lru_cache

REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)
MAX_PATTERN_LENGTH = 2000


@lru_cache(maxsize=4096)
def check_pattern(pattern: str) -> None:
    """Raise ValueError for a pattern that could backtrack catastrophically (see the module's docstring)."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"pattern longer than {MAX_PATTERN_LENGTH} characters")
    parsed = sre_parse.parse(pattern, re.IGNORECASE)
    if _nested_unbounded(parsed, inside=False):
        raise ValueError("nested unbounded repetition could backtrack catastrophically")
    probes = PROBE_CHARACTERS + "".join(chr(arg) for op, arg in _walk(parsed) if op == sre_constants.LITERAL)
    if _ambiguous_repeat(parsed, probes):
        raise ValueError("a repeat of something that matches the same text in more than one way "
                         "could backtrack catastrophically")


def _nested_unbounded(items, inside: bool) -> bool:
    for op, arg in items:
        if op in REPEATS:
            low, high, sub = arg
            unbounded = high == sre_constants.MAXREPEAT or high > 100
            if unbounded and inside and _can_repeat_text(sub):
                return True
            if _nested_unbounded(sub, inside or unbounded):
                return True
        elif op == sre_constants.SUBPATTERN:
            if _nested_unbounded(arg[-1], inside):
                return True
        elif op == sre_constants.BRANCH:
            if any(_nested_unbounded(branch, inside) for branch in arg[1]):
                return True
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            if _nested_unbounded(arg[1], inside):
                return True
    return False


def _can_repeat_text(sub) -> bool:
    return len(list(sub)) > 0


PROBE_CHARACTERS = "aZ0 \n\t.,;-_'é"


def _walk(items):
    """Every (op, arg) of a parsed pattern, at any depth."""
    for op, arg in items:
        yield op, arg
        if op in REPEATS:
            yield from _walk(arg[2])
        elif op == sre_constants.SUBPATTERN:
            yield from _walk(arg[-1])
        elif op == sre_constants.BRANCH:
            for branch in arg[1]:
                yield from _walk(branch)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            yield from _walk(arg[1])


def _ambiguous_repeat(items, probes: str) -> bool:
    """Whether some repeat's body matches a run of one character in two ways.

    Bounded repeats count too: `(?:\\w*){1,10}` splits a word in O(n^10) ways before it fails.
    """
    for op, arg in _walk(items):
        if op in REPEATS and arg[1] >= 2 and _ambiguous(arg[2], probes):
            return True
    return False


SINGLE = (sre_constants.LITERAL, sre_constants.NOT_LITERAL, sre_constants.IN, sre_constants.ANY)


def _ambiguous(body, probes: str) -> bool:
    """A body that matches both c and cc (or cc and ccc), or a choice in it whose alternatives match the same text."""
    if len(body) == 1 and body[0][0] in SINGLE:
        return False  # one character at a time (`\\w+`, `[^.]*`): the common case, unambiguous
    whole = _compiled(body)
    if whole is not None and any(sum(1 for k in (1, 2, 3) if whole.fullmatch(c * k)) >= 2 for c in probes):
        return True
    texts = [""] + [c * k for c in probes for k in (1, 2)]
    for choice in _choices(body):
        alternatives = [a for a in map(_compiled, choice) if a is not None]
        if any(sum(1 for a in alternatives if a.fullmatch(text)) >= 2 for text in texts):
            return True
    return False


def _choices(items):
    """The alternatives of every choice in a body, outside nested repeats (those are checked as repeats)."""
    for op, arg in items:
        if op == sre_constants.BRANCH:
            yield arg[1]
            for branch in arg[1]:
                yield from _choices(branch)
        elif op == sre_constants.SUBPATTERN:
            yield from _choices(arg[-1])


def _compiled(items):
    try:
        return sre_compile.compile(items, items.state.flags)
    except (re.error, AttributeError, TypeError, IndexError, RecursionError):
        return None  # back-references and the like: not judged here
