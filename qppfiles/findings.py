"""Findings: what a check says about a file, and where.

A finding is produced with a *reference* to a node (a JSON pointer for QPP
JSON, an XPath for QRDA III).  Line and column are resolved afterwards by the
reader's locator, only for files that have findings, so the fast path for a
clean file never builds a position map.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)

# Layers, in the order a user should read them.
LAYERS = ("file", "schema", "xsd", "schematron", "rules", "scoring")


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points: a JSON pointer or an XPath, with line/column when known."""

    pointer: Optional[str] = None
    xpath: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None

    def __reduce__(self):
        # Reports cross process boundaries in parallel runs; the default slots pickling is several times slower.
        return Location, (self.pointer, self.xpath, self.line, self.column)

    def to_dict(self) -> dict:
        out: dict = {}
        if self.pointer is not None:
            out["pointer"] = self.pointer
        if self.xpath is not None:
            out["xpath"] = self.xpath
        out["line"] = self.line
        out["column"] = self.column
        return out

    def describe(self) -> str:
        where = self.pointer if self.pointer is not None else (self.xpath or "")
        if self.line is not None:
            pos = f"{self.line}:{self.column}" if self.column is not None else f"{self.line}"
            return f"{pos} {where}".strip()
        return where


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str
    layer: str
    message: str
    measure_id: Optional[str] = None
    location: Location = field(default_factory=Location)

    def __reduce__(self):
        return Finding, (self.code, self.severity, self.layer, self.message, self.measure_id, self.location)

    @property
    def consequence(self) -> str:
        """For an error, "rejected" (CMS refuses the file at intake) or "points" (accepted, scored lower)."""
        if self.severity != ERROR:
            return ""
        from .codes import get

        entry = get(self.code)
        return entry.consequence if entry is not None else ""

    def located(self, location: Location) -> "Finding":
        if location is self.location:
            return self
        return Finding(self.code, self.severity, self.layer, self.message, self.measure_id, location)

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "layer": self.layer,
            "message": self.message,
            "measureId": self.measure_id,
            "location": self.location.to_dict(),
        }


# Control characters, unpaired surrogates and bidirectional overrides from a file must not reach a
# terminal or an output encoder as they are: one would rewrite the screen, the other stop the run.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable_text(text: Optional[str]) -> Optional[str]:
    """``text`` with every unprintable character written as an escape (\\x1b, \\ud800)."""
    return _UNPRINTABLE.sub(_escape, text) if text and _UNPRINTABLE.search(text) else text


def printable(f: Finding) -> Finding:
    """The finding, safe to print: text taken from the file is escaped where it could not be shown."""
    loc = f.location
    fields = (f.message, f.measure_id, loc.pointer, loc.xpath)
    if not any(text and _UNPRINTABLE.search(text) for text in fields):
        return f
    return Finding(f.code, f.severity, f.layer, printable_text(f.message), printable_text(f.measure_id),
                   Location(printable_text(loc.pointer), printable_text(loc.xpath), loc.line, loc.column))
