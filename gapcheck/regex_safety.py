"""Refusing regular expressions that could backtrack catastrophically (nested unbounded repeats)."""

from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parse

REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)
MAX_PATTERN_LENGTH = 2000


def check_pattern(pattern: str) -> None:
    """Raise ValueError for a pattern with an unbounded repeat inside another unbounded repeat."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"pattern longer than {MAX_PATTERN_LENGTH} characters")
    parsed = sre_parse.parse(pattern, re.IGNORECASE)
    if _nested_unbounded(parsed, inside=False):
        raise ValueError("nested unbounded repetition could backtrack catastrophically")


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
