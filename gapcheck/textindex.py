"""A word index over a document, so that term patterns are tried only where they can start.

Scanning a 100 KB policy with a few hundred alternation patterns costs seconds with `re` alone.
Instead, the literal word prefixes every match of a pattern must begin with are worked out once
(from the pattern's parse tree), the document's words are indexed once, and each pattern is
only tried, anchored, at the positions of words with one of its prefixes. Patterns without such
prefixes fall back to a full scan, so results are the same either way.

A prefix that must be a whole word ("we" in `we\\s+sell`) is looked up as that word, not as every word
beginning with it ("website", "well"), and when white space and another literal follow ("you\\s+(can|may)"),
only where the next word begins with that literal: function words such as "you", "the" and "in" start
many terms but few matches. Groups and optional parts right after a literal word are spelled out
(`notif(y|ied)`: "notify", "notified"), so that they make whole words too rather than a short prefix.
A pattern without word prefixes is tried where its first character class occurs when that class is
narrow (a quote, a bracket, a digit), and scanned in full otherwise.
"""

from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parse
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from collections import defaultdict
from itertools import accumulate, filterfalse
from operator import itemgetter
from typing import NamedTuple
from collections.abc import Iterable, Mapping, Sequence

WORD = re.compile(r"\w+")
WORD_SPLIT = re.compile(r"(\w+)")
LITERAL = sre_constants.LITERAL
Prefixes = frozenset[str] | None


@dataclass(frozen=True)
class Start:
    """How a match may begin after one of its literal prefixes.

    `whole`: every match needs a non-word character (or the end) right after the prefix, so only a word equal
    to the prefix, not every word beginning with it, can start a match. `nexts`: with `whole`, the prefix is
    followed by white space (`\\s+`) and then one of these lower-case word prefixes (None: anything)."""

    whole: bool = False
    nexts: frozenset[str] | None = None

    def both(self, other: Start) -> Start:
        """What holds whichever of two ways a match starts with the same prefix."""
        if not (self.whole and other.whole):
            return ANY_WORD
        nexts = None if self.nexts is None or other.nexts is None else self.nexts | other.nexts
        return Start(True, nexts)


ANY_WORD = Start()
Starts = dict[str, Start]


def prefix_starts(pattern: str) -> Starts | None:
    """The lower-case word prefixes that every match of a term must start with, each with how a match goes on
    after it; None when there are none. The index holds \\w+ words: a prefix such as "cross-context" or "don't"
    is looked up by its first word part."""
    found = _prefix_starts(pattern)
    return None if found is None else dict(found)


@lru_cache(maxsize=None)
def _prefix_starts(pattern: str) -> tuple[tuple[str, Start], ...] | None:
    """`prefix_starts`, worked out once per term (a term recurs across rules and checklists)."""
    try:
        parsed = sre_parse.parse(pattern, re.IGNORECASE)
    except re.error:
        return None
    prefixes = _sequence_prefixes(list(parsed), ())
    if prefixes is None or "" in prefixes:
        return None
    return tuple(prefixes.items())


Follow = tuple  # the item lists that come after the current nested group, innermost first; () = the term's end


def _merge(into: Starts, found: Starts) -> None:
    for prefix, start in found.items():
        into[prefix] = into[prefix].both(start) if prefix in into else start


def _sequence_prefixes(items: list, follow: Follow, through: bool = False, depth: int = 0,
                       shallow: bool = False) -> Starts | None:
    """The prefixes of items followed by `follow`; `through`: when items run out, go on into `follow`.

    `depth`: how many times a group or optional part after a literal word has been spelled out (`_spelled_out`).
    `shallow`: only the prefixes matter, not what follows them (`nexts` are not worked out)."""
    while True:
        # Skip zero-width assertions at the start: (?<!\w), \b.
        while items and items[0][0] in (sre_constants.ASSERT_NOT, sre_constants.ASSERT, sre_constants.AT):
            items = items[1:]
        if items or not (through and follow):
            break
        items, follow = list(follow[0]), follow[1:]
    if not items:
        return None
    op, arg = items[0]
    if op == LITERAL:
        text = ""
        count = 0
        for item_op, item_arg in items:
            if item_op != LITERAL:
                break
            text += chr(item_arg).lower()
            count += 1
        alternatives = _spelled_out(items, count) if depth < MAX_DEPTH and _is_word(text) else None
        if alternatives is not None:
            found: Starts = {}
            for alternative in alternatives:
                sub = _sequence_prefixes(alternative, follow, through, depth + 1, shallow)
                if sub is None:
                    return None
                _merge(found, sub)
            return found
        word = WORD.match(text)
        if word is None:  # no word to look up: the caller falls back to a full scan
            return {"": ANY_WORD}
        if word.end() < len(text):  # "cross-context", "don't": looked up by the first word part
            return {word.group(): Start(word.group().isascii())}
        if not (text.isascii() and _nonword_next(items[count:], follow)):
            return {text: ANY_WORD}
        return {text: Start(True, None if shallow else _after_space(items[count:], follow))}
    if op == sre_constants.SUBPATTERN:
        return _sequence_prefixes(list(arg[-1]), (items[1:], *follow), shallow=shallow)
    if op == sre_constants.BRANCH:
        found: Starts = {}
        for branch in arg[1]:
            sub = _sequence_prefixes(list(branch), (items[1:], *follow), shallow=shallow)
            if sub is None:
                return None
            _merge(found, sub)
        return found
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        if arg[1] == 1:  # an optional group, (...)?: what follows it follows the prefix
            inner = _sequence_prefixes(list(arg[2]), (items[1:], *follow), shallow=shallow)
        else:  # inside a repetition a prefix is taken as any word beginning with it
            inner = _sequence_prefixes(list(arg[2]), (), shallow=shallow)
            inner = None if inner is None else dict.fromkeys(inner, ANY_WORD)
        if arg[0] >= 1 or inner is None:
            return inner
        rest = _sequence_prefixes(items[1:], follow, through, shallow=shallow)  # an optional start: the prefix may come after it
        if rest is None:
            return None
        _merge(inner, rest)
        return inner
    return None


MAX_DEPTH = 4  # optional parts spelled out after a literal word, at most (each may double the alternatives)
MAX_BRANCHES = 8  # a longer alternation after a literal word is not spelled out


def _spelled_out(items: list, count: int) -> list[list] | None:
    """Items whose first `count` are literals, with what comes right after them spelled out as alternatives:
    a group inlined, an alternation one sequence per branch, an optional part once with and once without it.
    `notif(y|ied)` reads as "notify" and "notified", `e-?mail` as "e-mail" and "email", `rights?` as "rights" and
    "right": whole words to look up instead of every word beginning with "notif", "e" or "right". None: nothing to
    spell out."""
    if count >= len(items):
        return None
    op, arg = items[count]
    head, tail = items[:count], items[count + 1:]
    if op == sre_constants.SUBPATTERN and not arg[1] and not arg[2]:  # a group without flags of its own
        return [head + list(arg[3]) + tail]
    if op == sre_constants.BRANCH and len(arg[1]) <= MAX_BRANCHES:
        return [head + list(branch) + tail for branch in arg[1]]
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and arg[0] == 0 and arg[1] >= 1:
        low, high, body = arg
        more = [] if high == 1 else [(op, (0, high if high == sre_constants.MAXREPEAT else high - 1, body))]
        return [head + list(body) + more + tail, head + tail]
    return None


SPACE_RUN = [(sre_constants.IN, [(sre_constants.CATEGORY, sre_constants.CATEGORY_SPACE)])]


def _after_space(items: list, follow: Follow) -> frozenset[str] | None:
    """After a whole-word prefix: when white space (\\s+) comes next, the word prefixes that follow it."""
    while not items and follow:
        items, follow = list(follow[0]), follow[1:]
    if not items:
        return None
    op, arg = items[0]
    if op != sre_constants.MAX_REPEAT or arg[0] < 1 or list(arg[2]) != SPACE_RUN:
        return None
    found = _sequence_prefixes(items[1:], follow, through=True, shallow=True)
    if not found or not all(prefix and prefix.isascii() and _is_word(prefix) for prefix in found):
        return None
    return frozenset(found)


def _is_word(text: str) -> bool:
    return all(ch.isalnum() or ch == "_" for ch in text)


def _nonword_char(code: int) -> bool:
    char = chr(code)
    return char.isascii() and not _is_word(char)


def _nonword_set(items: list) -> bool:
    """Whether a character class matches only non-word characters."""
    for op, arg in items:
        if op == LITERAL:
            if not _nonword_char(arg):
                return False
        elif op == sre_constants.RANGE:
            if not all(_nonword_char(code) for code in range(arg[0], arg[1] + 1)):
                return False
        elif op == sre_constants.CATEGORY:
            if arg not in (sre_constants.CATEGORY_SPACE, sre_constants.CATEGORY_NOT_WORD):
                return False
        else:
            return False
    return True


def _nonword_next(items: list, follow: Follow) -> bool:
    """Whether the next character a match consumes here must be a non-word one (or the text must end).

    Conservative: False when unsure. At the end of a term comes the `(?!\\w)` every term pattern ends with."""
    if not items:
        return _nonword_next(list(follow[0]), follow[1:]) if follow else True
    op, arg = items[0]
    rest = items[1:]
    if op == LITERAL:
        return _nonword_char(arg)
    if op == sre_constants.IN:
        return _nonword_set(arg)
    if op == sre_constants.AT:
        # \b right after a word character needs a non-word one; other anchors only narrow what follows.
        return arg == sre_constants.AT_BOUNDARY or _nonword_next(rest, follow)
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        direction, sub = arg
        if op == sre_constants.ASSERT_NOT and direction == 1 and list(sub) == [
                (sre_constants.IN, [(sre_constants.CATEGORY, sre_constants.CATEGORY_WORD)])]:
            return True  # (?!\w)
        return _nonword_next(rest, follow)  # an assertion consumes nothing: what comes next decides
    if op == sre_constants.SUBPATTERN:
        return _nonword_next(list(arg[-1]), (rest, *follow))
    if op == sre_constants.BRANCH:
        return all(_nonword_next(list(branch), (rest, *follow)) for branch in arg[1])
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
        low, high, body = arg
        if high == 0:
            return _nonword_next(rest, follow)
        first = _nonword_next(list(body), (rest, *follow))
        return first if low >= 1 else first and _nonword_next(rest, follow)
    return False


def group_starts(terms: list[Starts]) -> Starts:
    """The prefixes of several terms tried as one alternation (a prefix shared by two terms: what holds for both)."""
    merged: Starts = {}
    for found in terms:
        _merge(merged, found)
    return merged


class WordIndex:
    """Start offsets of every word of a text, found by lower-case prefix, by whole word, or by a whole word
    and the beginning of the word after it."""

    def __init__(self, text: str) -> None:
        # Text and words alternate in the split; their running lengths are the words' start and end offsets.
        parts = WORD_SPLIT.split(text)
        bounds = list(accumulate(map(len, parts)))
        if text.isascii():
            order = WORD_SPLIT.split(text.lower())[1::2]
            unusual: set[str] = set()
        else:
            order = list(map(str.lower, parts[1::2]))
            unusual = set(map(str.lower, filterfalse(str.isascii, parts[1::2])))
        numbers: dict[str, list[int]] = defaultdict(list)
        for number, word in enumerate(order):
            numbers[word].append(number)
        self._order = order
        self._starts = bounds[0:-1:2]
        # Whether only white space separates a word from the next one (never for the last word).
        self._spaced = list(map(str.isspace, parts[2:-1:2])) + [False] if order else []
        self._firsts = "".join(map(itemgetter(0), parts[1::2]))  # each word's first character, as written
        self._numbers = numbers
        # Words written with a non-ASCII character are always found by prefix: case folding may differ from lower().
        self._unusual = unusual
        self._buckets: dict[str, list[str]] = defaultdict(list)
        for word in numbers:
            self._buckets[word[:2]].append(word)
        self._words: dict[tuple[str, bool], list[str]] = {}
        self._offsets: dict[str, list[int]] = {}
        self._followers: dict[str, dict[str, list[int]]] = {}

    def _words_for(self, prefix: str, whole: bool) -> list[str]:
        key = (prefix, whole)
        found = self._words.get(key)
        if found is None:
            if whole:
                found = [prefix] if prefix in self._numbers else []
                found += [word for word in self._unusual if word != prefix and word.startswith(prefix)]
            elif len(prefix) >= 2:
                found = [word for word in self._buckets.get(prefix[:2], ()) if word.startswith(prefix)]
            else:
                found = [word for key_, bucket in self._buckets.items() if key_.startswith(prefix)
                         for word in bucket if word.startswith(prefix)]
            self._words[key] = found
        return found

    def _offsets_of(self, word: str) -> list[int]:
        found = self._offsets.get(word)
        if found is None:
            starts = self._starts
            found = self._offsets[word] = [starts[number] for number in self._numbers[word]]
        return found

    def _followed(self, word: str) -> dict[str, list[int]]:
        """Start offsets of a word by the word right after it, where only white space is between."""
        found = self._followers.get(word)
        if found is None:
            found = defaultdict(list)
            order, starts, spaced = self._order, self._starts, self._spaced
            for number in self._numbers[word]:
                if spaced[number]:
                    found[order[number + 1]].append(starts[number])
            self._followers[word] = found
        return found

    def starting_with(self, chars: re.Pattern[str]) -> list[int]:
        """Start offsets of the words whose first character (as written) is of the class `chars`."""
        starts = self._starts
        return [starts[found.start()] for found in chars.finditer(self._firsts)]

    def starts(self, prefixes: Mapping[str, Start] | Iterable[str]) -> list[int]:
        """Sorted start offsets of the words where a match can begin: words beginning with a prefix or, for a
        whole-word prefix, equal to it (and followed by white space and a word beginning with one of its `nexts`)."""
        modes = prefixes if isinstance(prefixes, Mapping) else dict.fromkeys(prefixes, ANY_WORD)
        every: set[str] = set()
        paired: list[tuple[str, tuple[str, ...]]] = []
        for prefix, start in modes.items():
            for word in self._words_for(prefix, start.whole):
                if start.nexts is None or word in self._unusual:
                    every.add(word)
                else:  # the prefix itself, once: another whole-word prefix is another word
                    paired.append((word, tuple(start.nexts)))
        lists = [self._offsets_of(word) for word in every]
        unusual = self._unusual
        for word, nexts in paired:
            if word not in every:
                lists += [found for following, found in self._followed(word).items()
                          if following.startswith(nexts) or following in unusual]
        if len(lists) == 1:
            return lists[0]
        return sorted([start for found in lists for start in found])  # distinct words: no offset twice


def find_all(pattern: re.Pattern[str], prefixes: Mapping[str, Start] | Prefixes, text: str,
             index: WordIndex, bounds: Sequence[int] = ()) -> list[re.Match[str]]:
    """Non-overlapping matches of a word-bounded pattern, tried only where they can start: at words with one of
    its prefixes, else at the characters a match can begin with (see `first_characters`), else anywhere.

    `bounds` (sorted offsets where the text's statements end) keep each match inside one statement: a match
    running on into the next sentence would hide a shorter one that starts inside it (“... based on your consent.
    You can withdraw that consent ...”)."""
    if prefixes is not None:
        starts = index.starts(prefixes)
    else:
        gate = first_characters(pattern.pattern, pattern.flags)
        if gate is None:
            return _scan(pattern, text, bounds)
        starts = _gate_starts(gate, text, index)
    matches: list[re.Match[str]] = []
    last_end = -1
    match_at = pattern.match
    bound, end_at = 0, -1  # the statement end after the current start (found by bisection, starts ascend)
    for start in starts:
        if start < last_end:
            continue
        if start >= end_at:
            bound = bisect_right(bounds, start, bound)
            end_at = bounds[bound] if bound < len(bounds) else len(text)
        if (match := match_at(text, start, end_at)) is not None:
            end = match.end()
            if end > start:
                matches.append(match)
                last_end = end
    return matches


def _scan(pattern: re.Pattern[str], text: str, bounds: Sequence[int]) -> list[re.Match[str]]:
    """Every match of a pattern no gate can speed up, statement by statement."""
    matches: list[re.Match[str]] = []
    begin = 0
    for end in [*bounds, len(text)]:
        if end > begin:
            matches += pattern.finditer(text, begin, end)
            begin = end
    return matches


def _gate_starts(gate: Gate, text: str, index: WordIndex) -> list[int]:
    """Sorted offsets where a match behind the gate can begin."""
    if gate.words:
        return index.starting_with(gate.chars)
    starts = [found.start() for found in gate.chars.finditer(text)] if gate.chars is not None else []
    if not gate.runs:
        return starts
    backwards = text[::-1]
    for run, literal in gate.runs:
        at = text.find(literal)
        while at >= 0:
            length = run.match(backwards, len(text) - at).end() - (len(text) - at)
            starts.extend(range(at - length, at))
            at = text.find(literal, at + 1)
    return sorted(set(starts))


# A first-character class of at most this many characters is searched for; a broader one is no quicker than a scan.
GATE_CHARACTERS = 16
WORD_GATE_CHARACTERS = 36  # [A-Z0-9]: a match that begins a word is looked for among first characters of words only
CATEGORY_SOURCE = {sre_constants.CATEGORY_DIGIT: r"\d", sre_constants.CATEGORY_WORD: r"\w",
                   sre_constants.CATEGORY_SPACE: r"\s"}
ClassItem = tuple[bool, object, object]  # (case-insensitive, op, argument) of one member of a character class
Run = tuple[re.Pattern[str], str]  # a character class to read backwards from a literal character, and that literal


class Gate(NamedTuple):
    """Where a pattern without word prefixes can match: at a character of the class `chars` (one class at the front
    of a pattern lets `re` skip ahead in C) or, with `words`, at a word whose first character is of that class; and,
    for a branch such as `[\\w.+-]+@`, within the run of its class that ends at each of its literal (`runs`)."""

    chars: re.Pattern[str] | None
    words: bool
    runs: tuple[Run, ...] = ()


@lru_cache(maxsize=None)
def first_characters(pattern: str, flags: int) -> Gate | None:
    """Where every match of the pattern begins, to find candidate starts quickly: at quotes, brackets, digits,
    capitals, or in front of an "@". None when a match may be empty or the class is too broad to help (word
    characters, more than GATE_CHARACTERS; WORD_GATE_CHARACTERS for a match that must begin a word, after `(?<!\\w)`)."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except re.error:
        return None
    found = _openings(list(parsed), bool(flags & re.IGNORECASE), flags)
    if found is None:
        return None
    members, runs = found
    if not members:
        return Gate(None, False, runs)
    members = list(dict.fromkeys(members))
    words = not runs and _after_non_word(list(parsed)) and all(_word_member(op, arg) for _, op, arg in members)
    if sum(_class_size(*member) for member in members) > (WORD_GATE_CHARACTERS if words else GATE_CHARACTERS):
        return None
    insensitive = any(member[0] for member in members)
    source = "".join(_member_source(op, arg) for _, op, arg in members)
    return Gate(re.compile("[" + source + "]", re.IGNORECASE if insensitive else 0), words, runs)


def _openings(items: list, insensitive: bool, flags: int) -> tuple[list[ClassItem], tuple[Run, ...]] | None:
    """The first-character members of a pattern's matches, but for top-level branches that open with a run of one
    class and a literal (`[\\w.+-]+@`): those as runs. None when some branch may begin anywhere."""
    head = items
    while head and head[0][0] in (sre_constants.ASSERT_NOT, sre_constants.ASSERT, sre_constants.AT):
        head = head[1:]
    if not head or head[0][0] != sre_constants.BRANCH:
        members = _first_members(items, (), insensitive)
        return None if members is None else (members, ())
    after = ((head[1:], insensitive),)
    members: list[ClassItem] = []
    runs: list[Run] = []
    for branch in head[0][1][1]:
        run = _run_before_literal(list(branch), flags)
        if run is not None:
            runs.append(run)
            continue
        found = _first_members(list(branch), after, insensitive)
        if found is None:
            return None
        members += found
    return members, tuple(runs)


def _run_before_literal(items: list, flags: int) -> Run | None:
    """For items opening with a repeated character class and then a literal that case does not change (`[\\w.+-]+@`):
    the class, compiled to be read backwards from the literal, and the literal."""
    if len(items) < 2 or items[0][0] not in REPEATS or items[0][1][0] < 1 or items[1][0] != LITERAL:
        return None
    body, literal = list(items[0][1][2]), chr(items[1][1])
    if literal.lower() != literal.upper() or len(body) != 1 or body[0][0] != sre_constants.IN:
        return None
    sources = [_member_source(op, arg) for op, arg in body[0][1]]
    if None in sources:
        return None
    return re.compile("[" + "".join(sources) + "]*", flags), literal


REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)


def _member_source(op: object, arg: object) -> str | None:
    """A member of a character class as regular expression source, or None for one not written out here."""
    if op == LITERAL:
        return _class_char(arg)
    if op == sre_constants.RANGE:
        return _class_char(arg[0]) + "-" + _class_char(arg[1])
    if op == sre_constants.CATEGORY:
        return CATEGORY_SOURCE.get(arg)
    return None


def _class_size(insensitive: bool, op: object, arg: object) -> float:
    """How many characters a member of a class stands for (both cases counted); a category but \\d: too many."""
    if op == LITERAL:
        return 1 + (insensitive and chr(arg).lower() != chr(arg).upper())
    if op == sre_constants.RANGE:
        return (arg[1] - arg[0] + 1) * (1 + insensitive)
    return 10 if op == sre_constants.CATEGORY and arg == sre_constants.CATEGORY_DIGIT else float("inf")


def _class_char(code: int) -> str:
    return f"\\U{code:08x}"


WORD_CLASS = [(sre_constants.IN, [(sre_constants.CATEGORY, sre_constants.CATEGORY_WORD)])]


def _after_non_word(items: list) -> bool:
    """Whether the pattern opens with `(?<!\\w)`: a match that begins with a word character begins a word."""
    return bool(items) and items[0][0] == sre_constants.ASSERT_NOT and items[0][1][0] == -1 \
        and list(items[0][1][1]) == WORD_CLASS


def _word_member(op: object, arg: object) -> bool:
    """Whether a member of a character class holds only word characters."""
    if op == LITERAL:
        return _is_word(chr(arg))
    if op == sre_constants.RANGE:
        return all(_is_word(chr(code)) for code in range(arg[0], arg[1] + 1))
    return op == sre_constants.CATEGORY and arg == sre_constants.CATEGORY_DIGIT


Follows = tuple[tuple[list, bool], ...]  # what comes after the current nested group, innermost first, with its case


def _first_members(items: list, follow: Follows, insensitive: bool) -> list[ClassItem] | None:
    """The character-class members a match of items (then `follow`) can begin with; None if unknown or empty."""
    while True:
        while items and items[0][0] in (sre_constants.ASSERT_NOT, sre_constants.ASSERT, sre_constants.AT):
            items = items[1:]
        if items:
            break
        if not follow:
            return None  # the match may be empty
        (items, insensitive), follow = follow[0], follow[1:]
    op, arg = items[0]
    after = ((items[1:], insensitive), *follow)
    if op == LITERAL:
        return [(insensitive, op, arg)]
    if op == sre_constants.IN:
        if any(member_op == sre_constants.NEGATE for member_op, _ in arg):
            return None
        return [(insensitive, member_op, member_arg) for member_op, member_arg in arg]
    if op == sre_constants.SUBPATTERN:
        _, added, removed, body = arg
        scoped = (insensitive or bool(added & re.IGNORECASE)) and not removed & re.IGNORECASE
        return _first_members(list(body), after, scoped)
    if op == sre_constants.BRANCH:
        found: list[ClassItem] = []
        for branch in arg[1]:
            sub = _first_members(list(branch), after, insensitive)
            if sub is None:
                return None
            found += sub
        return found
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
        low, high, body = arg
        if high == 0:
            return _first_members(items[1:], follow, insensitive)
        first = _first_members(list(body), after, insensitive)
        if first is None or low >= 1:
            return first
        rest = _first_members(items[1:], follow, insensitive)
        return None if rest is None else first + rest
    return None
