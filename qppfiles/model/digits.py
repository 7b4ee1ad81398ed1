"""Counts and identifiers are written with the ASCII digits 0-9 only.

Python's ``int()`` and ``str.isdigit()`` also take the digits of other scripts (full-width "１２",
Arabic-Indic "١٢"), and ``isdigit()`` takes superscripts ("²") that ``int()`` then refuses. CMS's
intake reads none of them, so neither may qppfiles: every digit test on input goes through here.
"""

from __future__ import annotations

RULE = "counts and identifiers are written with the ASCII digits 0-9 only"
# CMS's converter reads a QRDA III count as a Java int.
MAX_COUNT = 2 ** 31 - 1


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty run of the digits 0-9 and nothing else."""
    return text.isascii() and text.isdigit()


def foreign_digit(text: str) -> str | None:
    """The first character of ``text`` that looks like a digit but is not one of 0-9, or None."""
    if text.isascii():
        return None
    return next((c for c in text if not c.isascii() and c.isnumeric()), None)


def ascii_count(text: str) -> int | None:
    """The count written in ``text`` (ASCII digits, an optional leading +, at most MAX_COUNT), or None."""
    digits = text[1:] if text.startswith("+") else text
    if not is_ascii_digits(digits) or len(digits.lstrip("0")) > len(str(MAX_COUNT)):
        return None
    value = int(digits)
    return value if value <= MAX_COUNT else None


def shown(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters for a message, saying how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"
