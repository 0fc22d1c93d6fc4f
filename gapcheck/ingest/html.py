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

from gapcheck.extract import is_heading_text

CODE = "script, style, noscript, template, svg, canvas, iframe, object, embed, link, meta, title"
# The banners and preference centres of consent-management platforms, removed whatever their size (a vendor
# list can outweigh the policy). Not their cookie lists embedded in a policy (#ot-sdk-cookie-policy,
# #CookieDeclaration, #cmplz-document, .cky-audit-table-element): those are policy text.
CONSENT_MANAGERS = ", ".join([
    "#onetrust-consent-sdk", "#onetrust-banner-sdk", "#onetrust-pc-sdk", ".onetrust-pc-dark-filter",
    "#ot-sdk-btn-floating",  # OneTrust
    "#CybotCookiebotDialog", "#CybotCookiebotDialogBodyUnderlay", "#CookiebotWidget",  # Cookiebot
    "#truste-consent-track", "#consent_blackbar", "[class*=truste_box]", "[class*=truste_overlay]",
    "#trustarc-banner-overlay",  # TrustArc
    "#didomi-host", "#didomi-notice", "#didomi-popup",  # Didomi
    "#usercentrics-root", "#usercentrics-cmp-ui", "#usercentrics-button",  # Usercentrics
    "#qc-cmp2-container", ".qc-cmp2-container", "#qcCmpUi", ".qc-cmp-ui-container",  # Quantcast Choice
    ".osano-cm-window", ".osano-cm-dialog", ".osano-cm-widget",  # Osano
    "#termly-code-snippet-support", ".t-consentPrompt", ".t-preference-modal",  # Termly
    "#iubenda-cs-banner", ".iubenda-cs-container", "#iubenda-iframe",  # iubenda
    "#cmplz-cookiebanner-container", ".cmplz-cookiebanner", "#cmplz-manage-consent",  # Complianz
    ".cky-consent-container", ".cky-modal", ".cky-overlay", ".cky-btn-revisit-wrapper",  # CookieYes
    "#cookie-law-info-bar", "#cookie-law-info-again", ".cli-modal", "#cliSettingsPopup",  # Cookie Law Info
    "#BorlabsCookieBox", "#BorlabsCookieWidget",  # Borlabs
    "#cmpbox", "#cmpbox2", ".cmpboxBG", "#cmpwrapper",  # consentmanager.net
    ".fc-consent-root", "[id^=sp_message_container]",  # Google Funding Choices, Sourcepoint
    "[id^=_evidon]", ".evidon-banner", "#hs-eu-cookie-confirmation",  # Evidon / Crownpeak, HubSpot
    ".cc-window", ".cc-revoke", "#ccc", "#ccc-overlay", ".klaro",  # cookieconsent, Civic, Klaro
    "#moove_gdpr_cookie_info_bar", "#moove_gdpr_cookie_modal", "#cookiescript_injected",
    "#cookiescript_injected_wrapper", "#lanyard_root", "#transcend-consent-manager",  # Moove, CookieScript, Ketch
    "#axeptio_overlay", "#tarteaucitronRoot", "#coiOverlay", "#coi-banner-wrapper",
])
# Page furniture, removed unless it holds most of the page (then it wraps the content). A <button> is
# furniture unless it opens an accordion panel or sits in a heading: then its text is a section title.
FURNITURE = ", ".join([
    "nav", "header", "footer", "aside", "select", "input", "textarea", "dialog",
    "button:not([aria-expanded], [aria-controls]):not(:is(h1, h2, h3, h4, h5, h6, summary, dt) *)",
    "[role=navigation]", "[role=banner]", "[role=contentinfo]", "[role=dialog]", "[role=alertdialog]",
    ".cookie-banner", ".cookie-consent", ".cookie-notice", ".cookie-bar", "#cookie-banner", "#cookie-notice",
    "#cookie-consent", "[id*=cookie-banner i]", "[class*=cookie-banner i]", "[class*=cookiebanner i]",
    "[id*=cookiebanner i]", "[class*=consent-banner i]", "[id*=consent-banner i]", "[id*=cookie_consent i]",
    "[class*=cookie_consent i]",
    "[class*=skip-link i]", "[class*=skiplink i]", "[class*=skip-to i]", "[class*=back-to-top i]",
    "[class*=backtotop i]", "[class*=scroll-to-top i]", "[class*=language-switcher i]",
    "[class*=language-selector i]", "[class*=lang-switch i]", "[class*=social-share i]", "[class*=share-buttons i]",
    "[class~=navbar]", "[class~=site-header]", "[class~=site-footer]", "[id=footer]", "[id=header]",
    "[class~=footer]", "[class*=breadcrumb i]", "[aria-label*=breadcrumb i]", "[class~=sidebar]", "[id=sidebar]",
])
# A link that only moves around the page or acts on it ("Back to top", "Skip to main content", "Print").
IN_PAGE_LINKS = 'a[href^="#"], a[href$="#top" i], a[href^="javascript:" i], a:not([href])'
NOSCRIPT = re.compile(r"<noscript\b.*?</noscript\s*>", re.IGNORECASE | re.DOTALL)  # in <head>, it can spill
FURNITURE_LINK = re.compile(
    r"\W*(?:back to (?:the )?top|top of page|top|skip to [\w ]+|skip navigation|print(?: this page)?|share"
    r"(?: this page)?|email this page)\W*", re.IGNORECASE)
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "li", "dt", "dd", "tr", "table", "ul", "ol", "dl",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "address", "figure", "figcaption",
    "body", "html", "caption", "summary", "details", "center", "hr",
})
HEADING_LEVELS = {f"h{n}": n for n in range(1, 7)}
CELL_TAGS = frozenset({"td", "th"})
SPACES = re.compile(r"\s+")
# Inline elements that set a line apart as a title ("<p><strong>Your rights</strong></p>", an accordion's
# <button>); the line is a heading if it also reads like one.
TITLE_TAGS = frozenset({"b", "strong", "button"})
BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|[6-9]00)", re.IGNORECASE)
# Extraction reads titles off plain lines where fewer headings than this are marked (extract.extract); so
# titles found by their look are hinted only on pages whose headings are marked anyway.
MARKED_HEADINGS = 3
CLASS_HEADING = re.compile(r"(?:^|\s)h[1-6](?:\s|$)")  # <div class="h3">: styled as a heading
# A data cell's paragraphs, list items and line breaks are part of its row; a cell holding a table, a
# heading or a long text lays out the page and keeps its blocks.
CELL_BREAK = "\u2029"
CELL_BREAKS = re.compile(r"\s*\u2029[\s\u2029]*")
CELL_LAYOUT_TAGS = frozenset({"table", "h1", "h2", "h3", "h4", "h5", "h6"})
CELL_BLOCK_TAGS = BLOCK_TAGS - CELL_LAYOUT_TAGS - {"body", "html", "main", "tr"}
CELL_INNER_TAGS = CELL_BLOCK_TAGS | CELL_LAYOUT_TAGS | {"br"}
MAX_CELL_CHARS = 2000
MAX_ROW_SPAN = 100  # a cell spanning more rows than this lays out the page


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
    for node in tree.css(CONSENT_MANAGERS):
        node.decompose()
    for node in tree.css(IN_PAGE_LINKS):
        if FURNITURE_LINK.fullmatch(node.text()):
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


def _number_sections(tree: LexborHTMLParser) -> None:
    """Write out the number of a section title set as a one-item ordered list (<ol start="15"><li>Title)."""
    for item in tree.css("ol[start] > li:only-child"):
        start = item.parent.attributes.get("start") or ""
        if start.isdigit() and item.child is not None and is_heading_text(SPACES.sub(" ", item.text()).strip()):
            item.child.insert_before(f"{start}. ")


def _is_section_item(block: LexborNode) -> bool:
    """Whether a list item is a numbered section title: the only item of an <ol start="..."> list."""
    parent = block.parent
    return (parent is not None and parent.tag == "ol" and "start" in parent.attributes
            and sum(1 for child in parent.iter() if child.tag == "li") == 1)


def _flatten_cells(tree: LexborHTMLParser) -> None:
    """Join the blocks inside each data cell ("<td><p>Name</p><p>Email</p></td>") into the cell's text."""
    for cell in tree.css("td, th"):
        if len(cell.text()) > MAX_CELL_CHARS:
            continue
        inner = [node for node in cell.traverse() if node.tag in CELL_INNER_TAGS]
        if not inner or any(node.tag in CELL_LAYOUT_TAGS for node in inner):
            continue
        for node in inner:
            if node.tag == "br":
                node.replace_with(CELL_BREAK)
            else:
                node.insert_before(CELL_BREAK)
        cell.unwrap_tags(sorted(CELL_BLOCK_TAGS))


def _spread_row_spans(tree: LexborHTMLParser) -> None:
    """Repeat a data cell that spans rows (rowspan) in every row it spans, so each row reads whole
    ("Identifiers | Service providers" and "Geolocation | Service providers", not "Geolocation" alone)."""
    for table in tree.css("table"):
        if len(table.css("table")) > 1:  # a layout table holding tables (css() includes the table itself)
            continue
        spanning: dict[int, tuple[LexborNode, int]] = {}  # column -> (cell, rows still to fill)
        for row in table.css("tr"):
            cells = [cell for cell in row.iter() if cell.tag in CELL_TAGS]
            column = 0

            def fill_from(column: int, before: LexborNode | None) -> int:
                while column in spanning:
                    cell, left = spanning[column]
                    copy = cell.clone()
                    del copy.attrs["rowspan"]
                    if before is not None:
                        before.insert_before(copy)
                    else:
                        row.insert_child(copy)
                    spanning[column] = (cell, left - 1)
                    if left == 1:
                        del spanning[column]
                    column += _span(cell, "colspan", 1)
                return column

            for cell in cells:
                column = fill_from(column, cell)
                rows = _span(cell, "rowspan", MAX_ROW_SPAN)
                if rows > 1 and len(cell.text()) <= MAX_CELL_CHARS:
                    spanning[column] = (cell, rows - 1)
                column += _span(cell, "colspan", 1)
            for column in sorted(c for c in spanning if c >= column):
                fill_from(column, None)


def _span(cell: LexborNode, attribute: str, most: int) -> int:
    """A cell's rowspan or colspan: 1 when absent, malformed, or more than `most`."""
    value = (cell.attributes.get(attribute) or "").strip()
    return int(value) if value.isdigit() and 1 <= int(value) <= most else 1


def _join_cell_breaks(line: str) -> str:
    """A break inside a cell becomes "; " after a phrase, a space after a sentence or at the cell's edge."""
    def separator(match: re.Match[str]) -> str:
        before, after = line[:match.start()].rstrip(), line[match.end():]
        if not before or before[-1] in ".;:,!?|" or not after or after.startswith("|"):
            return " "
        return "; "
    return CELL_BREAKS.sub(separator, line)


# (nearest block, table cell below it, whether an inline title tag such as <strong> lies between)
Place = tuple[LexborNode | None, LexborNode | None, bool]


def _block_of(node: LexborNode, known: dict[int, Place] | None = None) -> Place:
    """The nearest block ancestor of a node, the table cell it sits in (if any), and whether it is set as a title.

    `known` remembers the answer for every element passed on the way up, so that a page of deeply nested
    inline elements (50,000 <span>s) costs linear, not quadratic, time.
    """
    known = {} if known is None else known
    chain: list[LexborNode] = []
    element = node.parent
    place: Place = (None, None, False)
    while element is not None:
        if element.mem_id in known:
            place = known[element.mem_id]
            break
        if element.tag in BLOCK_TAGS:
            place = (element, None, False)
            break
        chain.append(element)
        element = element.parent
    for element in reversed(chain):  # from the top down: the nearest cell wins
        if element.tag in CELL_TAGS:
            place = (place[0], element, place[2])
        elif element.tag in TITLE_TAGS or BOLD_STYLE.search(element.attributes.get("style") or ""):
            place = (place[0], place[1], True)
        known[element.mem_id] = place
    return place


def html_to_text(markup: str) -> HtmlText:
    """Read the policy out of an HTML page, one block per line, blank lines between blocks."""
    tree = LexborHTMLParser(NOSCRIPT.sub("", markup))
    title_node = tree.css_first("title")
    title = SPACES.sub(" ", title_node.text()).strip() if title_node else ""
    _remove_furniture(tree)
    _spread_row_spans(tree)
    _flatten_cells(tree)
    _number_sections(tree)
    root = _content_root(tree)
    blocks: list[tuple[str, str]] = []  # (kind, text): kind is hN, li, p or title (set apart, level unknown)
    current: list[str] = []
    current_block = None
    current_cell = None
    current_kind = "p"
    titled = True  # every word of the line so far sits in a title tag
    places: dict[int, Place] = {}

    def flush() -> None:
        nonlocal current, titled
        line = "".join(current)
        line = SPACES.sub(" ", _join_cell_breaks(line) if CELL_BREAK in line else line).strip()
        if line:
            blocks.append((_line_kind(current_kind, line, titled and current_cell is None), line))
        current, titled = [], True

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
            block, cell, emphasis = _block_of(node, places)
            block_id = block.mem_id if block is not None else None
            if block_id != current_block:
                flush()
                current_block = block_id
                current_cell = cell.mem_id if cell is not None else None
                current_kind = _kind_of(block)
            elif cell is not None and cell.mem_id != current_cell:
                current.append(" | ")
                current_cell = cell.mem_id
            if piece.strip():
                titled = titled and emphasis
            current.append(piece)
        flush()
    return _join_blocks(blocks, title)


def _kind_of(block: LexborNode | None) -> str:
    """hN, li, p, or title: a <summary> or an element styled as a heading, if its text reads like one."""
    if block is None:
        return "p"
    if block.tag in HEADING_LEVELS:
        return block.tag
    if block.tag == "li" and _is_section_item(block):
        return "title"
    if block.tag in ("li", "dd"):
        return "li"
    if block.tag == "dt":
        return "h6"
    if block.attributes.get("role") == "heading":
        level = block.attributes.get("aria-level") or "2"
        return f"h{level}" if f"h{level}" in HEADING_LEVELS else "h2"
    if block.tag == "summary" or CLASS_HEADING.search(block.attributes.get("class") or ""):
        return "title"
    return "p"


def _line_kind(kind: str, line: str, titled: bool) -> str:
    """A paragraph set in a title tag, or a title-like block, is a title if it reads like one."""
    if kind == "title" or kind == "p" and titled:
        return "title" if is_heading_text(line) else "p"
    return kind


def _join_blocks(blocks: list[tuple[str, str]], title: str) -> HtmlText:
    """The lines joined by blank lines; a title sits one level below the heading before it."""
    parts: list[str] = []
    headings: list[tuple[int, int]] = []
    items: list[int] = []
    offset = 0
    level = 1  # of the last heading tag
    with_titles = sum(1 for kind, _ in blocks if kind in HEADING_LEVELS) >= MARKED_HEADINGS
    for kind, line in blocks:
        if parts:
            parts.append("\n\n")
            offset += 2
        if kind in HEADING_LEVELS:
            level = HEADING_LEVELS[kind]
            headings.append((offset, level))
        elif kind == "title" and with_titles:
            headings.append((offset, min(level + 1, 6)))
        elif kind == "li":
            items.append(offset)
        parts.append(line)
        offset += len(line)
    return HtmlText("".join(parts), tuple(headings), tuple(items), title)
