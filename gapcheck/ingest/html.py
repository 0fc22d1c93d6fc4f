"""HTML to plain text with headings and list items kept as blocks.

selectolax (the lexbor engine) parses the page; page furniture (navigation, headers, footers,
scripts, styles, cookie banners) is removed by selector, and every block element becomes one
line of text. Headings and list items are reported as hints so that statement extraction
treats them as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

CODE = "script, style, noscript, template, svg, canvas, iframe, object, embed, link, meta"
FURNITURE = ", ".join([
    "nav", "header", "footer", "aside", "button", "select", "input", "textarea", "dialog",
    "[role=navigation]", "[role=banner]", "[role=contentinfo]", "[role=dialog]", "[role=alertdialog]",
    "#onetrust-consent-sdk", "#CybotCookiebotDialog", "#truste-consent-track", ".osano-cm-window",
    ".cc-window", ".cookie-banner", ".cookie-consent", ".cookie-notice", ".cookie-bar",
    "#cookie-banner", "#cookie-notice", "#cookie-consent", "#cookie-law-info-bar",
    "[id*=cookie-banner]", "[class*=cookie-banner]", "[class*=cookieBanner]", "[id*=cookieBanner]",
    "[class*=consent-banner]", "[id*=consent-banner]", "[class*=skip-link]",
    "[class~=navbar]", "[class~=site-header]", "[class~=site-footer]", "[id=footer]", "[id=header]",
    "[class~=footer]", "[class~=breadcrumb]", "[class~=breadcrumbs]",
])
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "li", "dt", "dd", "tr", "table", "ul", "ol", "dl",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "address", "figure", "figcaption",
    "body", "html", "caption", "summary", "details", "center", "hr",
})
HEADING_LEVELS = {f"h{n}": n for n in range(1, 7)}
CELL_TAGS = frozenset({"td", "th"})
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class HtmlText:
    """Text read out of a page, with the offsets of its headings and list items."""

    text: str
    heading_hints: tuple[tuple[int, int], ...]
    list_hints: tuple[int, ...]
    title: str


def _remove_furniture(tree: LexborHTMLParser) -> None:
    """Drop navigation, banners, scripts and the like, but never a wrapper holding most of the page."""
    for node in tree.css(CODE):
        node.decompose()
    body = tree.body
    limit = 0.5 * len(body.text(separator=" ")) if body is not None else 0
    for node in tree.css(FURNITURE):
        if node.tag in ("html", "body", "main") or len(node.text(separator=" ")) > limit:
            continue
        if node.tag in ("header", "footer") and _inside_content(node):
            continue  # the header of an article or section (title, "Last updated") is content
        node.decompose()


def _inside_content(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag in ("article", "main", "section"):
            return True
        parent = parent.parent
    return False


def _content_root(tree: LexborHTMLParser) -> LexborNode | None:
    """The element that holds the policy: <main> or a large <article>, else <body>."""
    body = tree.body
    if body is None:
        return tree.root
    body_len = len(body.text(separator=" ", strip=True))
    for selector in ("main", "[role=main]", "article"):
        nodes = tree.css(selector)
        if len(nodes) == 1 and len(nodes[0].text(separator=" ", strip=True)) >= 0.3 * body_len:
            return nodes[0]
    return body


Place = tuple[LexborNode | None, LexborNode | None]  # (nearest block, table cell below it)


def _block_of(node: LexborNode, known: dict[int, Place] | None = None) -> Place:
    """The nearest block ancestor of a node, and the table cell it sits in (if any).

    `known` remembers the answer for every element passed on the way up, so that a page of deeply nested
    inline elements (50,000 <span>s) costs linear, not quadratic, time.
    """
    known = {} if known is None else known
    chain: list[LexborNode] = []
    element = node.parent
    place: Place = (None, None)
    while element is not None:
        if element.mem_id in known:
            place = known[element.mem_id]
            break
        if element.tag in BLOCK_TAGS:
            place = (element, None)
            break
        chain.append(element)
        element = element.parent
    for element in reversed(chain):  # from the top down: the nearest cell wins
        if element.tag in CELL_TAGS:
            place = (place[0], element)
        known[element.mem_id] = place
    return place


def html_to_text(markup: str) -> HtmlText:
    """Read the policy out of an HTML page, one block per line, blank lines between blocks."""
    tree = LexborHTMLParser(markup)
    title_node = tree.css_first("title")
    title = SPACES.sub(" ", title_node.text()).strip() if title_node else ""
    _remove_furniture(tree)
    root = _content_root(tree)
    blocks: list[tuple[str, str]] = []  # (kind, text): kind is hN, li or p
    current: list[str] = []
    current_block = None
    current_cell = None
    current_kind = "p"
    places: dict[int, Place] = {}

    def flush() -> None:
        nonlocal current
        line = SPACES.sub(" ", "".join(current)).strip()
        if line:
            blocks.append((current_kind, line))
        current = []

    if root is not None:
        for node in root.traverse(include_text=True):
            tag = node.tag
            if tag == "br":
                flush()
                continue
            if tag != "-text":
                continue
            piece = node.text_content
            if not piece or not piece.strip() and not current:
                continue
            block, cell = _block_of(node, places)
            block_id = block.mem_id if block is not None else None
            if block_id != current_block:
                flush()
                current_block = block_id
                current_cell = cell.mem_id if cell is not None else None
                current_kind = _kind_of(block)
            elif cell is not None and cell.mem_id != current_cell:
                current.append(" | ")
                current_cell = cell.mem_id
            current.append(piece)
        flush()
    return _join_blocks(blocks, title)


def _kind_of(block: LexborNode | None) -> str:
    if block is None:
        return "p"
    if block.tag in HEADING_LEVELS:
        return block.tag
    if block.tag in ("li", "dd"):
        return "li"
    if block.tag == "dt":
        return "h6"
    return "p"


def _join_blocks(blocks: list[tuple[str, str]], title: str) -> HtmlText:
    parts: list[str] = []
    headings: list[tuple[int, int]] = []
    items: list[int] = []
    offset = 0
    for kind, line in blocks:
        if parts:
            parts.append("\n\n")
            offset += 2
        if kind in HEADING_LEVELS:
            headings.append((offset, HEADING_LEVELS[kind]))
        elif kind == "li":
            items.append(offset)
        parts.append(line)
        offset += len(line)
    return HtmlText("".join(parts), tuple(headings), tuple(items), title)
