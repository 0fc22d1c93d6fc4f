"""Decoding text bytes: UTF-8 first, other encodings detected, never a crash."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes


def decode_text(data: bytes) -> str:
    """Decode bytes to text: UTF-8 (with or without BOM), else the detected encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    encoding = _guess_encoding(data[:200_000])
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace")


WESTERN = frozenset({"cp1252", "latin_1", "iso8859_15"})
WESTERN_LANGUAGES = frozenset({"English", "French", "German", "Spanish", "Portuguese", "Italian", "Dutch",
                               "Danish", "Swedish", "Norwegian", "Finnish", "Icelandic", "Catalan"})
WESTERN_MARGIN = 0.1  # how much more "chaos" a Western reading may show and still be preferred


def _guess_encoding(data: bytes) -> str:
    """The detected encoding, but Windows-1252 when it reads the bytes nearly as well as a Western language.

    On short texts the detector can rank a Baltic or Central European code page first for plain
    French ("déjà" read as "déją"); a Windows-1252 reading that is about as clean and reads as a
    Western European language wins, while Czech or Polish text keeps its own code page.
    """
    matches = list(from_bytes(data))
    if not matches:
        return "cp1252"
    best = matches[0]
    for match in matches:
        if (WESTERN & set(match.could_be_from_charset) and match.chaos <= best.chaos + WESTERN_MARGIN
                and match.languages[:1] and match.languages[0] in WESTERN_LANGUAGES):
            return "cp1252"
    return best.encoding


UNREADABLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")  # control characters other than white space


def looks_binary(text: str) -> bool:
    """True when decoded text is mostly control characters, i.e. not a readable policy."""
    sample = text[:20_000]
    if not sample:
        return False
    return len(UNREADABLE.findall(sample)) / len(sample) > 0.05
