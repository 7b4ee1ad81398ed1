"""Number formatting shared by the reason strings."""

from __future__ import annotations


def fmt(value) -> str:
    """A number without trailing zeros: 6.3377, 7, 0.5."""
    if value is None:
        return "-"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def pct(value) -> str:
    if value is None:
        return "-"
    return f"{fmt(round(float(value), 2))}%"


def points_text(value) -> str:
    """``1 point``, ``0 points``, ``6.3377 points``."""
    number = fmt(value)
    return f"{number} point" if number == "1" else f"{number} points"
