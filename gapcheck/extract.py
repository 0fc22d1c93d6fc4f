"""A Document's text into statements: headings, list items and sentences, with exact offsets.

Works line by line on `Document.text`. Lines are classified as headings (Markdown `#`, numbered
`1.`/`1 `/`a.`, HTML `h1`-`h6` hints, or short title-like lines), list items (bullets, `a)`,
`(i)`, HTML `li` hints) or paragraph text, which is split into sentences. Every statement
carries the heading path it sits under and, for list items, the sentence that introduces the list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gapcheck.dates import find_dates
from gapcheck.models import Document, Heading, Statement

LINE = re.compile(r"[^\r\n]*")
MARKDOWN_HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t#]*$")
MARKDOWN_BOLD_LINE = re.compile(r"(\*\*|__)(?P<title>[^*_\n]+?)\1")  # a line set wholly in bold: "**Info we collect**"
# incl. the "o" of word processors' second-level bullets ("o The categories ..."); an ASCII "*", "+" or "-"
# is a bullet only before a space ("**Health data.** ..." is a bold label, "-10%" a number)
BULLET = re.compile(
    r"(?:[•·▪◦‣●○■□►▸✓✔➢➤–—]|[*+\-](?=[ \t])|o(?=[ \t]+[A-Z])|\(?(?:[a-zA-Z]|[ivxIVX]{1,5}|\d{1,3})\))[ \t]*(?=\S)"
)
HAS_WORD = re.compile(r"\w")
# A table row used to lay out a numbered list: "| (a) | Right to know ...", "| | (1) | The categories ...".
TABLE_ITEM = re.compile(r"(?:\|[ \t]*)*\(?(?:\d{1,2}|[a-zA-Z]|[ivxIVX]{1,5})[.)][ \t]*\|[ \t]*(?=\S)")
# A table row: cells separated by "|" (Markdown, or table cells of an HTML page).
TABLE_ROW = re.compile(r"^\||[^|]\s\|\s*\S")
CELL_EDGE = re.compile(r"[\s|]*")  # white space and table-cell bars, trimmed from both ends of a statement
HEADER_ROW_WORDS = 24  # a header row names its columns; a longer row is content (or a layout table)
NUMBERED_ITEM = re.compile(r"(?:\d{1,2}|[a-z])\.[ \t]+(?=\S)")  # "3. To correct ...", "a. To provide ..."
NUMBERED = re.compile(
    r"(?P<num>(?:(?:section|article|part)\s+)?(?:\d{1,2}(?:\.\d{1,2})*\.?|[A-Za-z]\.|[IVX]{1,5}\.))[ \t]+(?=\S)",
    re.IGNORECASE,
)
SENTENCE_STOP = re.compile(r"[.;:!?]['\"”’)]*$")  # a line ending so does not run on into the next
TERMINAL = re.compile(r"[.,;:!]['\"”’)]*$")
LABEL_VALUE = re.compile(r":\s*\S")
NOT_IN_HEADING = re.compile(r"@|https?://|www\.|\|")
WORDS = re.compile(r"[^\W\d_]+")
# A line carrying on a sentence: "address when you ...", "information. We ..."; not "privacy@example.com".
LOWER_WORDS = re.compile(r"[a-z][a-z'’-]*(?:[ \t]+\S|[,;:!?)]|\.(?!\w)|$)")
ADDRESS_LIKE = re.compile(r"\d.*,|,.*\d")  # "Hauptstraße 5, 10115 Berlin" is an address line, not a title
SMALL_WORDS = frozenset("a an and or of the to in on for with by at from your our we you us &".split())
TITLE_START = re.compile(r"^\W*(privacy|data protection|cookie)\s+(policy|notice|statement)", re.IGNORECASE)
TITLE_NAMED = re.compile(r"\b(privacy|data protection|cookie)\s+(policy|notice|statement)\b", re.IGNORECASE)

ABBREVIATIONS = frozenset("""e.g i.e etc inc ltd co corp llc plc mr mrs ms dr st no nos vs u.s u.k e.v art arts
sec para cf approx incl ca jan feb mar apr jun jul aug sep sept oct nov dec fig al resp gmbh s.a
cal civ regs tit stat ann gen bus prof rev
""".split())
LAST_WORD = re.compile(r"([\w.]+)[.!?]+['\"”’)\]]*$")  # the word before a sentence's closing punctuation
SENTENCE_END = re.compile(r"""[.!?]+['"”’)\]]*(?=\s+["“'‘(\[]?[A-Z0-9•]|[A-Z][a-z])""")


@dataclass
class _Line:
    start: int
    end: int
    text: str


# Text wrapped by hand (pasted from a PDF or an e-mail): its lines break near one width, so a line that ends
# within WRAP_MARGIN characters of it, mid-sentence, carries on below even where the next word is capitalised
# ("... practices of Golden State Termite &" / "Pest Solutions, Inc. ..."). Markup-laid-out text has longer lines.
WRAP_MARGIN = 15
WRAP_WIDTHS = range(40, 121)
WRAPPED_LINES = 10  # fewer lines than this say nothing about a width


def wrap_width(lines: list[_Line]) -> int | None:
    """The width a hand-wrapped text breaks at (the 90th percentile of its line lengths), or None."""
    if len(lines) < WRAPPED_LINES:
        return None
    lengths = sorted(len(line.text) for line in lines)
    width = lengths[len(lengths) * 9 // 10]
    return width if width in WRAP_WIDTHS else None


def split_lines(text: str) -> list[_Line]:
    """Non-blank lines with the offsets of their content, surrounding spaces trimmed."""
    lines: list[_Line] = []
    for match in LINE.finditer(text):
        raw = match.group()
        stripped = raw.strip()
        if not stripped:
            continue
        start = match.start() + (len(raw) - len(raw.lstrip()))
        lines.append(_Line(start, start + len(stripped), stripped))
    return lines


def is_heading_text(text: str) -> bool:
    """Whether a line reads like a title: short, unpunctuated, not a label with a value."""
    if len(text) > 100 or TERMINAL.search(text) or LABEL_VALUE.search(text) or NOT_IN_HEADING.search(text):
        return False
    if ADDRESS_LIKE.search(text) or find_dates(text):  # a date makes a value ("Privacy Policy  Rev. 08/2023")
        return False
    words = text.split()
    if not words or len(words) > 12 or not (text[0].isupper() or text[0].isdigit()):
        return False
    if len(words) <= 6 or text.isupper():
        return True
    content = [w for w in words if w.lower() not in SMALL_WORDS]
    capitalised = sum(1 for w in content if w[:1].isupper())
    return bool(content) and capitalised / len(content) >= 0.6


def _is_date(text: str) -> bool:
    """Whether a line is a date and little else ("March 10, 2026", "Effective 10/15/2024"): a value, not a title."""
    rest = text
    for _, start, end in reversed(find_dates(text)):
        rest = rest[:start] + rest[end:]
    return rest != text and len(WORDS.findall(rest)) <= 1


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside text[start:end], abbreviation-aware."""
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in SENTENCE_END.finditer(text, start, end):
        stop = match.end()
        piece = text[cursor:stop]
        # An abbreviation ("e.g.") does not end a sentence; LAST_WORD's match has no space: searched after the last one.
        if match.group().startswith(".") and (word := LAST_WORD.search(piece, piece.rfind(" ") + 1)):
            token = word.group(1).lower().rstrip(".")
            if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        _append_trimmed(text, cursor, stop, spans)
        cursor = stop
    _append_trimmed(text, cursor, end, spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Add the span without its surrounding white space and table-cell bars."""
    piece = text[start:end]
    left = CELL_EDGE.match(piece).end()
    right = len(piece)
    while right > left and (piece[right - 1].isspace() or piece[right - 1] == "|"):
        right -= 1
    if right > left and HAS_WORD.search(piece):  # a rule of dashes or a lone bullet says nothing
        spans.append((start + left, start + right))


class _Outline:
    """The stack of open headings while walking the document."""

    def __init__(self) -> None:
        self.stack: list[Heading] = []
        self.titles: set[int] = set()
        self.last_numbered_level: int | None = None
        self.marked_level = 1  # the level of the last heading the markup marked (#, <h2>), for bold lines below it

    def push(self, heading: Heading, is_title: bool) -> None:
        while self.stack and self.stack[-1].level >= heading.level:
            self.stack.pop()
        self.stack.append(heading)
        if is_title:
            self.titles.add(heading.start)

    def path(self) -> tuple[str, ...]:
        return tuple(h.text for h in self.stack if h.start not in self.titles)


def extract(document: Document) -> tuple[list[Statement], list[Heading]]:
    """Split a document into statements and headings, in document order."""
    text = document.text
    heading_hints = dict(document.heading_hints)
    list_hints = set(document.list_hints)
    lines = split_lines(text)
    width = wrap_width(lines)
    # Where the markup marks headings (HTML tags, Markdown #), short plain lines are not taken for headings.
    marked = len(heading_hints) >= 3 or sum(1 for line in lines if MARKDOWN_HEADING.match(line.text)) >= 2
    statements: list[Statement] = []
    headings: list[Heading] = []
    outline = _Outline()
    seen_body = False
    # Sentences introducing lists ("We collect:"), one per heading level; None where a plain paragraph ends one.
    leads: list[tuple[int, Statement | None]] = []
    # A list item that itself introduces a list ("Right to know - you may request:"), until the list ends.
    item_lead: Statement | None = None
    # A table's header row ("Category | Collected | Sold or shared"), which leads the rows below it; a table
    # whose first row is long has none.
    header_row: Statement | None = None
    in_table = False
    index = 0
    while index < len(lines):
        line = lines[index]
        wraps = index + 1 < len(lines) and _wraps_into(text, line, lines[index + 1], heading_hints, list_hints, width)
        heading = _heading_of(line, heading_hints, outline, index + 1 < len(lines) and not marked, wraps)
        if heading is not None:
            is_title = not seen_body and (heading.level <= 1 or TITLE_START.search(heading.text) is not None
                                          or not headings and TITLE_NAMED.search(heading.text) is not None)
            if is_title and heading.level > 1 and not any(h.start in outline.titles for h in outline.stack):
                heading = Heading(heading.text, heading.start, heading.end, 1)
            outline.push(heading, is_title)
            headings.append(heading)
            statements.append(Statement(heading.text, heading.start, heading.end, "heading", outline.path()))
            while leads and leads[-1][0] >= heading.level:
                leads.pop()
            item_lead = header_row = None
            in_table = False
            index += 1
            continue
        # A bullet, a number that opens a full sentence rather than a heading ("3. To correct ..."), or a
        # numbered table row.
        bullet = None if line.start in list_hints else (TABLE_ITEM.match(line.text) or BULLET.match(line.text)
                                                        or NUMBERED_ITEM.match(line.text))
        is_row = bullet is None and line.start not in list_hints and TABLE_ROW.search(line.text) is not None
        if not is_row:
            header_row, in_table = None, False
        is_item = line.start in list_hints or bullet is not None or (is_row and header_row is not None)
        body_start = line.start + (bullet.end() if bullet else 0)
        end = line.end
        while index + 1 < len(lines) and _continues(lines[index], lines[index + 1], heading_hints, list_hints, text,
                                                    width):
            index += 1
            end = lines[index].end
        index += 1
        section = outline.path()
        spans = split_sentences(text, body_start, end)
        kind = "list_item" if is_item else "sentence"
        if is_row and header_row is not None:
            lead = header_row
        else:
            lead = (item_lead or (leads[-1][1] if leads else None)) if is_item else None
        for start, stop in spans:
            statements.append(Statement(text[start:stop], start, stop, kind, section,
                                        lead.start if lead else -1))
        if is_row and not in_table:
            in_table = True
            if spans and len(text[body_start:end].split()) <= HEADER_ROW_WORDS:
                header_row = statements[-len(spans)]
        if is_item and spans and statements[-1].text.endswith(":"):
            item_lead = statements[-1]
        elif not is_item:
            item_lead = None
        if spans and len(text[body_start:end].split()) >= 8:
            seen_body = True
        if not is_item:
            last = statements[-1] if spans else None
            level = outline.stack[-1].level if outline.stack else 0
            while leads and leads[-1][0] >= level:
                leads.pop()
            leads.append((level, last if last is not None and last.text.endswith(":") else None))
    return statements, headings


def _continues(previous: _Line, line: _Line, heading_hints: dict[int, int], list_hints: set[int], text: str = "",
               width: int | None = None) -> bool:
    """A hard-wrapped continuation: a plain lower-case line after a line that stops mid-sentence, any plain line
    right below a line that stops mid-sentence at the text's wrap width, or the date below a short label
    ("Last updated:" / "March 10, 2026")."""
    if line.start in heading_hints or line.start in list_hints:
        return False
    if previous.text.endswith(":") and len(previous.text.split()) <= 4 and _is_date(line.text):
        return True
    if BULLET.match(line.text) or NUMBERED.match(line.text):
        return False
    wrapped = _fills_width(previous, width) and text.count("\n", previous.end, line.start) == 1
    if SENTENCE_STOP.search(previous.text):  # "...; collection agencies;" / "and software providers." at full width
        return wrapped and previous.text.endswith(";") and line.text[0].islower()
    return line.text[0].islower() or wrapped


def _fills_width(line: _Line, width: int | None) -> bool:
    """Whether a line of hand-wrapped text runs to within WRAP_MARGIN of the wrap width: the next word did not fit."""
    return width is not None and len(line.text) >= width - WRAP_MARGIN


def _wraps_into(text: str, line: _Line, following: _Line, heading_hints: dict[int, int],
                list_hints: set[int], width: int | None = None) -> bool:
    """Whether the next line, right below with no blank line between, carries on this line's sentence."""
    return (text.count("\n", line.end, following.start) <= 1
            and (LOWER_WORDS.match(following.text) is not None or _fills_width(line, width))
            and _continues(line, following, heading_hints, list_hints, text, width))


def _heading_of(line: _Line, hints: dict[int, int], outline: _Outline, has_next: bool,
                wraps: bool = False) -> Heading | None:
    """The heading a line is, or None when it is body text.

    `has_next` is False for the last line and where headings are only taken from markup;
    `wraps`: the line runs on into the next one."""
    if line.start in hints:
        if LABEL_VALUE.search(line.text) and not NUMBERED.match(line.text):
            return None  # "Effective Date: 1 May 2024" set in a heading tag is a statement, not a title
        outline.marked_level = hints[line.start]
        return Heading(line.text, line.start, line.end, hints[line.start])
    markdown = MARKDOWN_HEADING.match(line.text)
    if markdown:
        title = markdown.group(2)
        start = line.start + markdown.start(2)
        outline.marked_level = len(markdown.group(1))
        return Heading(title, start, start + len(title), len(markdown.group(1)))
    bold = MARKDOWN_BOLD_LINE.fullmatch(line.text)
    if bold and is_heading_text(bold.group("title").strip()) and not wraps:
        start = line.start + bold.start("title")
        title = bold.group("title").strip()
        return Heading(title, start, start + len(title), min(outline.marked_level + 1, 6))
    if not has_next or wraps:
        return None
    numbered = NUMBERED.match(line.text)
    if numbered:
        rest = line.text[numbered.end():]
        if not is_heading_text(rest):
            return None
        level = _numbered_level(numbered.group("num"), outline)
        outline.last_numbered_level = level
        return Heading(line.text, line.start, line.end, level)
    if BULLET.match(line.text) or not is_heading_text(line.text):
        return None
    level = outline.last_numbered_level + 1 if outline.last_numbered_level else 2
    return Heading(line.text, line.start, line.end, level)


def _numbered_level(number: str, outline: _Outline) -> int:
    """Depth from the numbering: `1.` is a section, `1.2` and `a.` sit one level below."""
    core = number.split()[-1].rstrip(".")
    if core.isdigit() or re.fullmatch(r"[IVX]+", core):
        return 2
    if core[:1].isdigit():
        return 2 + core.count(".")
    return (outline.last_numbered_level or 2) + 1 if outline.last_numbered_level == 2 else (outline.last_numbered_level or 2)
