"""Finding calendar dates written in policy prose ("March 10, 2026", "10/15/2024", "2024-10-15", "01/2024")."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {name: i + 1 for i, names in enumerate([
    "january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
    "august aug", "september sept sep", "october oct", "november nov", "december dec"]) for name in names.split()}
MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
DATE_PATTERNS = [
    re.compile(MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE),
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>\d{1,2})-(?P<day>\d{1,2})\b"),
    re.compile(r"\b(?P<mnum>\d{1,2})/(?P<day>\d{1,2})/(?P<year>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<day>\d{1,2})\.(?P<mnum>\d{1,2})\.(?P<year>(?:19|20)\d\d)\b"),
    re.compile(r"\b" + MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE),
    re.compile(r"(?<![\w/.])(?P<mnum>0?[1-9]|1[0-2])/(?P<year>(?:19|20)\d\d)\b"),  # "Updated 01/2024": a month
]
DATE_REGEX_SOURCE = "|".join(p.pattern for p in DATE_PATTERNS)


def find_dates(text: str) -> list[tuple[date, int, int]]:
    """Every valid date in the text with its span; overlapping forms are reported once."""
    found: list[tuple[date, int, int]] = []
    taken: list[tuple[int, int]] = []
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            parsed = _to_date(match.groupdict())
            if parsed is not None:
                found.append((parsed, match.start(), match.end()))
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda item: item[1])


def _to_date(parts: dict[str, str | None]) -> date | None:
    month = MONTHS.get((parts.get("month") or "").lower().rstrip(".")) or int(parts.get("mnum") or 0)
    day = int(parts.get("day") or 1)
    try:
        return date(int(parts["year"] or 0), month, day)
    except (ValueError, TypeError):
        if parts.get("mnum") and day <= 12 and month <= 31:  # a day/month order the other way round
            try:
                return date(int(parts["year"] or 0), day, month)
            except ValueError:
                return None
        return None
