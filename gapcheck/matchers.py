"""Named matchers that checklist rules are built from.

A rule in a checklist file is a small tree of matchers, each a mapping with one key naming the
matcher (`terms`, `all`, `near`, `section`, ...). Compiling a rule gives a `Matcher`; evaluating it
against a `Corpus` (one document's statements) gives the statements it holds for, each with the
spans and cues that made it hold. Adding a matcher is adding one class to `REGISTRY`.
"""

from __future__ import annotations

from bisect import bisect_right
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from typing import Any, Callable, NamedTuple

from gapcheck.dates import find_dates
from gapcheck.models import Statement
from gapcheck.regex_safety import check_pattern
from gapcheck.textindex import Start, WordIndex, find_all, group_starts, prefix_starts

# Same-length replacements so that offsets into the normalized text equal offsets into the original.
NORMALIZE = str.maketrans({"’": "'", "‘": "'", "´": "'", "“": '"', "”": '"', "\u00a0": " ",
                           "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"})
NORMALIZED = tuple((chr(code), new) for code, new in NORMALIZE.items())


# Markdown emphasis next to a word ("**Limit** the use", "_Last updated:_"): blanked so that terms match across
# it; an underscore inside a word ("first_last@example.com") stays.
EMPHASIS = re.compile(r"(?<=[\w.:;,!?)])\*{1,3}|\*{1,3}(?=\w)|(?<=[\w.:;,!?)])_{1,2}(?!\w)|(?<!\w)_{1,2}(?=\w)")


def normalize(text: str) -> str:
    """`text.translate(NORMALIZE)`, one C-speed replace per character present (translate looks up every character
    of a non-ASCII text in the table: 0.36 s against 0.002 s over the 290 eval policies); Markdown emphasis
    marks beside words become spaces. Every replacement keeps the length, so offsets stay those of the text."""
    for old, new in NORMALIZED:
        if old in text:
            text = text.replace(old, new)
    if "*" in text or "_" in text:
        text = EMPHASIS.sub(lambda mark: " " * len(mark.group()), text)
    return text


NEGATOR = re.compile(
    r"\b(?:not|never|no|none|neither|nor|cannot|without|refrain|prohibited|forbidden|barred|n't|won't|don't|doesn't|"
    r"didn't|isn't|aren't)\b"
    r"|n't\b",
    re.IGNORECASE,
)
# Idioms with a negating word that negate nothing: "including, but not limited to, ...", "not only".
NOT_A_NEGATION = re.compile(r"\b(?:not (?:be )?limited to|without (?:limitation|limiting)|not only|no (?:later|less|more) than)\b",
                            re.IGNORECASE)
CLAUSE_BREAK = re.compile(r"[.;:!?]|\b(?:but|however|except|unless|although|whereas|other than)\b", re.IGNORECASE)
WORD = re.compile(r"\w+")
# A list item that opens with its own subject ("Usage data: We collect ...") reads on its own.
OWN_SUBJECT = re.compile(r"^\W*(?:[\w ,/&()-]{1,40}:\s*)?(?:we|you|i|they)\b", re.IGNORECASE)


class RuleError(ValueError):
    """A rule that cannot be compiled; `path` locates it inside the checklist file."""

    def __init__(self, message: str, path: tuple[Any, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


class Hit(NamedTuple):
    """Why a matcher holds for one statement: matched spans (document offsets) and cue texts.

    Immutable; a named tuple because hundreds of thousands are made per portfolio (cheaper than a frozen dataclass)."""

    spans: tuple[tuple[int, int], ...] = ()
    cues: tuple[str, ...] = ()
    own: bool = True  # False when the match came only from the sentence introducing a list

    def merge(self, other: Hit) -> Hit:
        return Hit(self.spans + other.spans, self.cues + other.cues, self.own or other.own)


Hits = dict[int, Hit]
NO_SPANS = Hit()  # the hit of a statement that holds by position or kind rather than by words (immutable: shared)


@dataclass
class Corpus:
    """One document's statements, prepared for matching; results are cached per matcher."""

    text: str
    statements: list[Statement]
    as_of: date
    norm: str = field(init=False)
    starts: list[int] = field(init=False)
    body_ends: list[int] = field(init=False)  # each statement's end offset; -1 for a heading (never holds a match)
    bounds: list[int] = field(init=False)  # where statements end, in order: no term match runs across one
    lead_index: dict[int, int] = field(init=False)
    body: list[int] = field(init=False)
    words: WordIndex = field(init=False)
    excluded: set[int] = field(default_factory=set)  # statements out of the current checklist's scope
    narrow: set[int] = field(default_factory=set)  # statements the current checklist quotes last
    cache: dict[Any, Any] = field(default_factory=dict)  # matcher results by key (and Whole's labels)
    found: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # term group pattern -> its match spans
    weak: dict[int, bool] = field(default_factory=dict)  # statement -> weak evidence (about the policy itself)
    every_body: Hits = field(init=False)  # every body statement, without spans (shared: never changed)
    sections: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = field(init=False)  # headings, as normalized

    def __post_init__(self) -> None:
        self.norm = normalize(self.text)
        self.words = WordIndex(self.norm)
        self.starts = [s.start for s in self.statements]
        self.body_ends = [-1 if s.kind == "heading" else s.end for s in self.statements]
        self.bounds = sorted({s.end for s in self.statements})
        by_start = {s.start: i for i, s in enumerate(self.statements)}
        # A list item reads with the sentence introducing its list, unless it is a sentence of its own.
        self.lead_index = {i: by_start[s.lead_start] for i, s in enumerate(self.statements)
                           if s.lead_start >= 0 and s.lead_start in by_start and not OWN_SUBJECT.match(s.text)}
        self.body = [i for i, s in enumerate(self.statements) if s.kind != "heading"]
        self.every_body = dict.fromkeys(self.body, NO_SPANS)
        self.sections = {}
        for i in self.body:
            section = self.statements[i].section
            if section not in self.sections:
                self.sections[section] = tuple((h, normalize(h)) for h in reversed(section))

    @cached_property
    def paragraphs(self) -> list[int]:
        """Each statement's paragraph number (a heading is one of its own); worked out only for rules that ask."""
        return _paragraphs(self.text, self.statements)

    def find(self, pattern: re.Pattern[str], prefixes: Mapping[str, Start] | None) -> list[tuple[int, int]]:
        """The spans of a term group's matches (the same group in several rules is searched once); spans,
        not match objects, are kept: a third of the memory on a long policy."""
        found = self.found.get(pattern.pattern)
        if found is None:
            found = self.found[pattern.pattern] = [m.span() for m in find_all(pattern, prefixes, self.norm, self.words,
                                                                                   self.bounds)]
        return found

    def is_negated(self, index: int, position: int) -> bool:
        """Whether a negation governs the words at `position` within statement `index`."""
        statement = self.statements[index]
        window_start = max(statement.start, position - 80)
        window = self.norm[window_start:position]
        breaks = list(CLAUSE_BREAK.finditer(window))
        if breaks:
            window = window[breaks[-1].end():]
        return NEGATOR.search(NOT_A_NEGATION.sub(" ", window)) is not None


def _paragraphs(text: str, statements: list[Statement]) -> list[int]:
    """Number the statements by paragraph: a new one starts after a blank line, at a heading, and at each list
    item's first sentence."""
    numbers: list[int] = []
    number, previous = -1, None
    for statement in statements:
        gap = text[previous.end:statement.start] if previous is not None else "\n\n"
        if (previous is None or "\n\n" in gap or statement.kind == "heading" or previous.kind == "heading"
                or statement.kind == "list_item" and "\n" in gap):
            number += 1
        numbers.append(number)
        previous = statement
    return numbers


class Matcher:
    """A compiled rule node; subclasses implement `evaluate`."""

    key: str = ""

    def hits(self, corpus: Corpus) -> Hits:
        key = getattr(self, "cache_key", None) or id(self)
        cached = corpus.cache.get(key)
        if cached is None:
            cached = self.evaluate(corpus)
            corpus.cache[key] = cached
        return cached

    def evaluate(self, corpus: Corpus) -> Hits:
        raise NotImplementedError

    def describe(self) -> str:
        """A short human description of what the matcher looks for."""
        return self.key


SPACE = re.compile(r"(?<!\\) ([?*+])?")  # a space in a term, with the quantifier after it


def _white_space(space: re.Match[str]) -> str:
    """A space matches a run of white space; an optional one (" ?", " *") may also match none."""
    return r"\s*" if space.group(1) in ("?", "*") else r"\s+"


def term_patterns(terms: Any, path: tuple[Any, ...]) -> list[str]:
    """Validate a list of term patterns; spaces in a term match any run of white space."""
    if isinstance(terms, str):
        terms = [terms]
    if not isinstance(terms, list) or not terms or not all(isinstance(t, str) and t.strip() for t in terms):
        raise RuleError("expected a non-empty list of term patterns", path)
    parts = []
    for i, term in enumerate(terms):
        pattern = SPACE.sub(_white_space, term.strip())
        try:
            check_pattern(pattern)
            re.compile(pattern)
        except (re.error, ValueError) as exc:
            raise RuleError(f"bad pattern {term!r}: {exc}", path + (i,)) from exc
        parts.append(pattern)
    return parts


def word_bounded(parts: list[str]) -> re.Pattern[str]:
    """Term patterns as one case-insensitive regular expression matching whole words."""
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def compile_terms(terms: Any, path: tuple[Any, ...]) -> re.Pattern[str]:
    """A list of term patterns as one case-insensitive, word-bounded regular expression."""
    return word_bounded(term_patterns(terms, path))


class Terms(Matcher):
    """Any of the terms occurs in the statement (or in the sentence introducing its list)."""

    key = "terms"

    def __init__(self, args: Any, path: tuple[Any, ...], compile_child: Callable) -> None:
        self.source = args if isinstance(args, list) else [args]
        parts = term_patterns(args, path)
        self.pattern = word_bounded(parts)
        # Terms with known literal word prefixes are tried only where such a word starts.
        indexed = [(p, prefix_starts(p)) for p in parts]
        self.groups: list[tuple[re.Pattern[str], dict[str, Start] | None]] = \
            [(word_bounded([p for p, found in indexed if found is not None]),
              group_starts([found for _, found in indexed if found is not None]))] \
            if any(found is not None for _, found in indexed) else []
        scanned = [p for p, found in indexed if found is None]
        if scanned:
            self.groups.append((word_bounded(scanned), None))
        self.cache_key = ("terms", self.pattern.pattern)

    def evaluate(self, corpus: Corpus) -> Hits:
        if len(self.groups) == 1:
            found = corpus.find(*self.groups[0])
        else:
            found = [m for pattern, prefixes in self.groups for m in corpus.find(pattern, prefixes)]
            found.sort(key=_span_start)  # each group's matches come in order; a stable sort, as before
        # Every match's span, gathered per body statement wholly holding it, in order (one Hit per statement).
        spans: dict[int, list[tuple[int, int]]] = {}
        starts, ends, text = corpus.starts, corpus.body_ends, corpus.text
        for span in found:
            index = bisect_right(starts, span[0]) - 1
            if index >= 0 and ends[index] >= span[1]:
                if index in spans:
                    spans[index].append(span)
                else:
                    spans[index] = [span]
        own = {index: Hit(tuple(found_spans), tuple([text[start:end] for start, end in found_spans]))
               for index, found_spans in spans.items()}
        return with_leads(own, corpus)

    def describe(self) -> str:
        shown = [t for t in dict.fromkeys(readable_term(t) for t in self.source) if t]
        return " / ".join(f"“{t}”" for t in shown[:4]) + (" …" if len(shown) > 4 else "")


APOSTROPHE_DOT = re.compile(r"(?<=\w)\.(?=(ll|re|ve|s|t|d|m)\b)")


def readable_term(term: str) -> str | None:
    """A term pattern as a reader would type it (`retain(s|ed)?` -> `retain`), or None if it is no plain phrase."""
    text = _strip_lookarounds(term).replace("(?-i:", "(")
    while True:  # innermost groups first: optional ones dropped, alternatives read as their first choice
        simpler = re.sub(r"\([^()]*\)[?*]", "", text)  # optional parts: (s|ed)?, ( or share)?
        simpler = re.sub(r"\(([^()|]*)(?:\|[^()]*)?\)(?![?*+{])", r"\1", simpler)  # (sell|sold) -> sell
        if simpler == text:
            break
        text = simpler
    text = re.sub(r"\[([^\]])[^\]]*\]", r"\1", text)  # a character class: its first character
    text = re.sub(r"\\s[+*?]?", " ", text).replace("\\b", "")
    text = re.sub(r"\w\?", "", text).replace("?", "").replace("\\", "")  # an optional letter: rights? -> right
    text = APOSTROPHE_DOT.sub("'", " ".join(text.split()))  # "we.ll" (any apostrophe) reads "we'll"
    return text if re.fullmatch(r"[\w' ./&-]+", text) else None


def _strip_lookarounds(pattern: str) -> str:
    out, depth, skipping = [], 0, 0
    i = 0
    while i < len(pattern):
        if not skipping and pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            skipping, depth = 1, 0
        if skipping:
            depth += pattern[i] == "("
            depth -= pattern[i] == ")"
            if depth == 0:
                skipping = 0
        else:
            out.append(pattern[i])
        i += 1
    return "".join(out)


def sample_terms(matcher: Matcher, limit: int = 5) -> list[str]:
    """Plain example phrases from the terms inside a rule, for telling a reader what was searched."""
    found: list[str] = []
    stack = [matcher]
    while stack and len(found) < limit:
        node = stack.pop(0)
        if isinstance(node, Reference) and node.target is not None:
            stack.insert(0, node.target)
        for term in getattr(node, "source", []) if isinstance(node, (Terms, Section)) else []:
            readable = readable_term(term)
            if readable and readable not in found and len(found) < limit:
                found.append(readable)
        children = getattr(node, "children", [])
        if isinstance(node, All):  # a conjunction's leading positive cue (its `not` children say what is excluded)
            children = [child for child in children if not isinstance(child, (Not, Nowhere))][:1]
        stack.extend(children)
        for attr in ("child", "a"):
            child = getattr(node, attr, None)
            if isinstance(child, Matcher) and not isinstance(node, (Not, Nowhere)):
                stack.append(child)
    return found


def _span_start(span: tuple[int, int]) -> int:
    return span[0]


def with_leads(own: Hits, corpus: Corpus) -> Hits:
    """Extend hits to list items whose introducing sentence holds them."""
    if not own:
        return own
    result = dict(own)
    for item, lead in corpus.lead_index.items():
        if item not in own and lead in own:
            lead_hit = own[lead]
            result[item] = Hit(lead_hit.spans, lead_hit.cues, own=False)
    return result


class Near(Matcher):
    """Two groups of terms within `within` words of each other in one statement."""

    key = "near"

    def __init__(self, args: Any, path: tuple[Any, ...], compile_child: Callable) -> None:
        if not isinstance(args, dict) or set(args) - {"a", "b", "within"} or not {"a", "b"} <= set(args):
            raise RuleError("near needs a, b (term lists) and optional within (words)", path)
        self.a = Terms(args["a"], path + ("a",), compile_child)
        self.b = Terms(args["b"], path + ("b",), compile_child)
        self.within = args.get("within", 8)
        if not isinstance(self.within, int) or self.within < 0:
            raise RuleError("within must be a whole number of words", path + ("within",))

    def evaluate(self, corpus: Corpus) -> Hits:
        a_hits, b_hits = self.a.hits(corpus), self.b.hits(corpus)
        result: Hits = {}
        for index in a_hits.keys() & b_hits.keys():
            hit_a, hit_b = a_hits[index], b_hits[index]
            statement = corpus.statements[index]
            for span_a in hit_a.spans:
                for span_b in hit_b.spans:
                    left, right = sorted((span_a, span_b))
                    inside = statement.start <= left[0] and statement.start <= right[0]
                    # A cue in the sentence introducing a list counts as next to the item's words.
                    gap = len(WORD.findall(corpus.norm, left[1], right[0])) if inside and right[0] > left[1] else 0
                    if gap <= self.within:
                        result[index] = Hit((span_a, span_b), (corpus.text[span_a[0]:span_a[1]],
                                                              corpus.text[span_b[0]:span_b[1]]),
                                            hit_a.own or hit_b.own)
                        break
                if index in result:
                    break
        return result

    def describe(self) -> str:
        return f"{self.a.describe()} near {self.b.describe()}"


class _Combinator(Matcher):
    def __init__(self, args: Any, path: tuple[Any, ...], compile_child: Callable) -> None:
        if not isinstance(args, list) or not args:
            raise RuleError(f"{self.key} needs a non-empty list of rules", path)
        self.children = [compile_child(child, path + (i,)) for i, child in enumerate(args)]


class All(_Combinator):
    """Every child holds for the same statement."""

    key = "all"

    def evaluate(self, corpus: Corpus) -> Hits:
        # `not` and `nowhere` children filter the others instead of listing every statement of the document.
        excluded = [child.child for child in self.children if isinstance(child, Not)]
        required_absent = [child.child for child in self.children if isinstance(child, Nowhere)]
        positive = [child for child in self.children if not isinstance(child, (Not, Nowhere))]
        if not positive:
            return self._intersect([child.hits(corpus) for child in self.children])
        if any(absent.hits(corpus) for absent in required_absent):
            return {}
        results = []
        for child in positive:  # once one child holds nowhere, the others need not be looked for
            found = child.hits(corpus)
            if not found:
                return {}
            results.append(found)
        merged = self._intersect(results)
        for child in excluded:
            if merged:
                drop = child.hits(corpus)
                merged = {i: hit for i, hit in merged.items() if i not in drop}
        return merged

    @staticmethod
    def _intersect(results: list[Hits]) -> Hits:
        common = set(results[0]).intersection(*results[1:])
        merged: Hits = {}
        for index in common:
            hit = results[0][index]
            for other in results[1:]:
                hit = hit.merge(other[index])
            merged[index] = hit
        return merged

    def describe(self) -> str:
        return " + ".join(child.describe() for child in self.children)


class AnyOf(_Combinator):
    """At least one child holds; the first that does gives the hit."""

    key = "any"

    def evaluate(self, corpus: Corpus) -> Hits:
        merged: Hits = {}
        for child in self.children:
            for index, hit in child.hits(corpus).items():
                merged.setdefault(index, hit)
        return merged

    def describe(self) -> str:
        return "; or ".join(child.describe() for child in self.children)


class Not(Matcher):
    """The child does not hold (for any body statement)."""

    key = "not"

    def __init__(self, args: Any, path: tuple[Any, ...], compile_child: Callable) -> None:
        self.child = compile_child(args, path)

    def evaluate(self, corpus: Corpus) -> Hits:
        excluded = self.child.hits(corpus)
        if not excluded:
            return corpus.every_body
        return dict.fromkeys([i for i in corpus.body if i not in excluded], NO_SPANS)

    def describe(self) -> str:
        return f"not ({self.child.describe()})"


class Nowhere(Matcher):
    """The child holds for no statement of the document (a document-level condition)."""

    key = "nowhere"

    def __init__(self, args: Any, path: tuple[Any, ...], compile_child: Callable) -> None:
        self.child = compile_child(args, path)

    def evaluate(self, corpus: Corpus) -> Hits:
        return {} if self.child.hits(corpus) else corpus.every_body

    def describe(self) -> str:
        return f"nowhere ({self.child.describe()})"


class _Polarity(Matcher):
    negated: bool = False

    def __init__(self, args: Any, path: tuple[Any, ...], compile_child: Callable) -> None:
        self.child = compile_child(args, path)

    def evaluate(self, corpus: Corpus) -> Hits:
        result: Hits = {}
        for index, hit in self.child.hits(corpus).items():
            if not hit.spans:
                continue
            own_spans = [s for s in hit.spans if corpus.statements[index].start <= s[0]]
            anchor = min(own_spans or hit.spans)[0]
            holder = index if own_spans else corpus.lead_index.get(index, index)
            if corpus.is_negated(holder, anchor) == self.negated:
                result[index] = hit
        return result


class Affirmed(_Polarity):
    """The child holds and is not negated ("we sell", not "we do not sell")."""

    key = "affirmed"
    negated = False

    def describe(self) -> str:
        return f"{self.child.describe()} (affirmative)"


class Negated(_Polarity):
    """The child holds under a negation ("we do not sell")."""

    key = "negated"
    negated = True

    def describe(self) -> str:
        return f"{self.child.describe()} (negated)"


class Section(Matcher):
    """The statement sits under a heading that matches the terms."""

    key = "section"

    def __init__(self, args: Any, path: tuple[Any, ...], compile_child: Callable) -> None:
        self.source = args if isinstance(args, list) else [args]
        self.pattern = compile_terms(args, path)

    def evaluate(self, corpus: Corpus) -> Hits:
        search = self.pattern.search
        held: dict[tuple[str, ...], Hit] = {}  # section -> the hit naming its innermost matching heading
        for section, headings in corpus.sections.items():
            heading = next((h for h, normalized in headings if search(normalized)), None)
            if heading is not None:
                held[section] = Hit((), (heading,))
        if not held:
            return {}
        statements = corpus.statements
        return {i: held[statements[i].section] for i in corpus.body if statements[i].section in held}

    def describe(self) -> str:
        return "under a heading like " + " / ".join(f"“{t}”" for t in self.source[:3])


class InParagraph(Matcher):
    """The child holds for another statement of the same paragraph: "Heart rate can reveal your health. We only
    process it with your explicit consent." The hit carries the other statement's words."""

    key = "in_paragraph"

    def __init__(self, args: Any, path: tuple[Any, ...], compile_child: Callable) -> None:
        self.child = compile_child(args, path)

    def evaluate(self, corpus: Corpus) -> Hits:
        found = self.child.hits(corpus)
        by_paragraph: dict[int, list[int]] = {}
        for index in found:
            by_paragraph.setdefault(corpus.paragraphs[index], []).append(index)
        result: Hits = {}
        for index in corpus.body:
            partners = [other for other in by_paragraph.get(corpus.paragraphs[index], ()) if other != index]
            if partners:
                hit = found[partners[0]]
                result[index] = Hit(hit.spans, hit.cues, own=False)
        return result

    def describe(self) -> str:
        return f"{self.child.describe()} (in the same paragraph)"


class Opening(Matcher):
    """The statement is among the document's first N body statements: a letterhead ("Hotel Alpenrose · Dorfstraße
    12 · 6292 Finkenberg") or the opening lines that name who speaks."""

    key = "opening"

    def __init__(self, args: Any, path: tuple[Any, ...], compile_child: Callable) -> None:
        if not isinstance(args, int) or isinstance(args, bool) or args < 1:
            raise RuleError("opening needs a number of statements (1 or more)", path)
        self.count = args

    def evaluate(self, corpus: Corpus) -> Hits:
        return dict.fromkeys(corpus.body[:self.count], NO_SPANS)

    def describe(self) -> str:
        return f"among the first {self.count} statements"


class Kind(Matcher):
    """The statement is of one of the given kinds (sentence, list_item)."""

    key = "kind"

    def __init__(self, args: Any, path: tuple[Any, ...], compile_child: Callable) -> None:
        kinds = args if isinstance(args, list) else [args]
        if not set(kinds) <= {"sentence", "list_item"}:
            raise RuleError("kind must be sentence or list_item", path)
        self.kinds = set(kinds)

    def evaluate(self, corpus: Corpus) -> Hits:
        return dict.fromkeys([i for i in corpus.body if corpus.statements[i].kind in self.kinds], NO_SPANS)


class Whole(Matcher):
    """The statement is nothing but one of the terms, give or take closing punctuation: a bare label such as the
    list item "Erasure" in a list of rights. Only the statement's own words count, not its list's lead-in."""

    key = "whole"
    EDGE = re.compile(r"(\s*\([^()]{0,40}\))?[\s.:;,!?*\u2022-]*$")  # closing punctuation, "(Art. 17 GDPR)"

    def __init__(self, args: Any, path: tuple[Any, ...], compile_child: Callable) -> None:
        self.source = args if isinstance(args, list) else [args]
        self.pattern = re.compile(r"\W*(?:" + "|".join(term_patterns(args, path)) + ")", re.IGNORECASE)

    def evaluate(self, corpus: Corpus) -> Hits:
        pattern = self.pattern
        return {index: Hit((span,), (corpus.text[span[0]:span[1]],))
                for index, label, span in self.labels(corpus) if pattern.fullmatch(label)}

    @classmethod
    def labels(cls, corpus: Corpus) -> list[tuple[int, str, tuple[int, int]]]:
        """The document's short statements without their closing punctuation, worked out once per document."""
        found = corpus.cache.get(cls.key)
        if found is None:
            found = []
            for index in corpus.body:
                statement = corpus.statements[index]
                if statement.end - statement.start <= 80:  # a label, not a sentence
                    label = cls.EDGE.sub("", corpus.norm[statement.start:statement.end])
                    if label:
                        found.append((index, label, (statement.start, statement.start + len(label))))
            corpus.cache[cls.key] = found
        return found

    def describe(self) -> str:
        shown = [t for t in dict.fromkeys(readable_term(t) for t in self.source) if t]
        return "a label: " + " / ".join(f"“{t}”" for t in shown[:4])


class EmptyField(Matcher):
    """A label such as "Last updated:" or "contact us at:" with nothing filled in after it."""

    key = "empty_field"

    def __init__(self, args: Any, path: tuple[Any, ...], compile_child: Callable) -> None:
        self.label = compile_terms(args, path)
        self.source = args if isinstance(args, list) else [args]

    def evaluate(self, corpus: Corpus) -> Hits:
        result: Hits = {}
        for position, index in enumerate(corpus.body):
            statement = corpus.statements[index]
            text = corpus.norm[statement.start:statement.end]
            if not text.rstrip().endswith(":"):
                continue
            label = None
            for label in self.label.finditer(text):
                pass
            if label is None or text[label.end():].strip(" :") != "":
                continue
            following = corpus.statements[corpus.body[position + 1]] if position + 1 < len(corpus.body) else None
            if following is not None and following.kind == "list_item":
                continue
            if following is not None and not following.text.rstrip().endswith(":") and \
                    statement.section == following.section and not _is_label_only(following.text):
                continue
            span = (statement.start + label.start(), statement.start + label.end())
            result[index] = Hit((span,), (corpus.text[span[0]:span[1]],))
        return result

    def describe(self) -> str:
        return "an empty field after " + " / ".join(f"“{t}”" for t in self.source[:3])


def _is_label_only(text: str) -> bool:
    return len(text.split()) <= 4 and text.rstrip().endswith(":")


class DateOlderThan(Matcher):
    """The latest date given next to a label (e.g. "Last updated") is older than N months."""

    key = "date_older_than"

    def __init__(self, args: Any, path: tuple[Any, ...], compile_child: Callable) -> None:
        if not isinstance(args, dict) or set(args) - {"label", "months"} or "label" not in args:
            raise RuleError("date_older_than needs label (terms) and months", path)
        self.label = Terms(args["label"], path + ("label",), compile_child)
        self.months = args.get("months", 12)
        if not isinstance(self.months, int) or self.months <= 0:
            raise RuleError("months must be a positive whole number", path + ("months",))

    def evaluate(self, corpus: Corpus) -> Hits:
        dated: list[tuple[date, int, tuple[int, int]]] = []
        for index, hit in self.label.hits(corpus).items():
            if not hit.own:
                continue
            statement = corpus.statements[index]
            for found, start, end in find_dates(statement.text):
                if found <= corpus.as_of:
                    dated.append((found, index, (statement.start + start, statement.start + end)))
        if not dated:
            return {}
        latest, index, span = max(dated)
        cutoff = months_before(corpus.as_of, self.months)
        if latest >= cutoff:
            return {}
        return {index: Hit((span,), (corpus.text[span[0]:span[1]],))}

    def describe(self) -> str:
        return f"a {self.label.describe()} date more than {self.months} months old"


def months_before(day: date, months: int) -> date:
    """The day `months` calendar months before `day` (its day of month capped at 28)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, 28))


class Reference(Matcher):
    """A named cue set defined once in the checklist's `cues` section."""

    key = "cue"

    def __init__(self, args: Any, path: tuple[Any, ...], compile_child: Callable) -> None:
        if not isinstance(args, str):
            raise RuleError("cue takes the name of a cue set", path)
        self.name = args
        self.target: Matcher | None = None

    def evaluate(self, corpus: Corpus) -> Hits:
        assert self.target is not None, f"cue {self.name} was not resolved"
        return self.target.hits(corpus)

    def describe(self) -> str:
        return self.target.describe() if self.target else self.name


REGISTRY: dict[str, type[Matcher]] = {cls.key: cls for cls in (
    Terms, Near, All, AnyOf, Not, Nowhere, Affirmed, Negated, Section, InParagraph, Opening, Kind, Whole, EmptyField,
    DateOlderThan, Reference,
)}
RULE_LABEL_KEYS = frozenset({"says"})


def compile_rule(raw: Any, path: tuple[Any, ...] = ()) -> Matcher:
    """Compile one rule mapping (exactly one matcher key, optionally `says`) into a Matcher."""
    if not isinstance(raw, dict):
        raise RuleError("a rule must be a mapping such as {terms: [...]}", path)
    keys = [k for k in raw if k not in RULE_LABEL_KEYS]
    if len(keys) != 1:
        raise RuleError(f"a rule needs exactly one matcher, got {sorted(map(str, keys)) or 'none'}"
                        f" (known: {', '.join(sorted(REGISTRY))})", path)
    key = keys[0]
    if key not in REGISTRY:
        raise RuleError(f"unknown matcher {key!r} (known: {', '.join(sorted(REGISTRY))})", path + (key,))
    return REGISTRY[key](raw[key], path + (key,), compile_rule)


def references(matcher: Matcher) -> list[Reference]:
    """Every cue reference inside a compiled rule."""
    found: list[Reference] = []
    stack = [matcher]
    while stack:
        node = stack.pop()
        if isinstance(node, Reference):
            found.append(node)
        stack.extend(getattr(node, "children", []))
        for attr in ("child", "a", "b", "label"):
            child = getattr(node, attr, None)
            if isinstance(child, Matcher):
                stack.append(child)
    return found
