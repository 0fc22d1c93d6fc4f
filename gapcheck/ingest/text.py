"""Decoding text bytes: UTF-8 first, other encodings detected, never a crash."""

from __future__ import annotations

from charset_normalizer import from_bytes


def decode_text(data: bytes) -> str:
    """Decode bytes to text: UTF-8 (with or without BOM), else the detected encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    encoding = best.encoding if best is not None else "cp1252"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace")


def looks_binary(text: str) -> bool:
    """True when decoded text is mostly control characters, i.e. not a readable policy."""
    sample = text[:20_000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or ch == "\ufffd")
    return bad / len(sample) > 0.05
