"""Findings: what a check says about a file, and where.

A finding is produced with a *reference* to a node (a JSON pointer for QPP
JSON, an XPath for QRDA III).  Line and column are resolved afterwards by the
reader's locator, only for files that have findings, so the fast path for a
clean file never builds a position map.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from .codes import Code

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)

# Layers, in the order a user should read them.
LAYERS = ("file", "schema", "xsd", "schematron", "rules", "scoring")


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points: a JSON pointer or an XPath, with line/column when known."""

    pointer: str | None = None
    xpath: str | None = None
    line: int | None = None
    column: int | None = None

    def __reduce__(self) -> tuple[type[Location], tuple[str | None, str | None, int | None, int | None]]:
        # Reports cross process boundaries in parallel runs; the default slots pickling is several times slower.
        return Location, (self.pointer, self.xpath, self.line, self.column)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
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


_NOWHERE = Location()
_RANK = {INFO: 0, WARNING: 1, ERROR: 2}


class UnregisteredCode(ValueError):
    """A finding was built with a code the register does not define, or one it lists as removed."""


def _code_entry(code: str) -> Code | None:
    # Imported on first use: the register imports this module for its severities and layers.
    global _code_entry
    from .codes import get

    _code_entry = get
    return get(code)


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str
    layer: str
    message: str
    measure_id: str | None = None
    location: Location = field(default_factory=Location)

    @classmethod
    def of(cls, code: str, message: str | None = None, location: Location = _NOWHERE, *,
           measure_id: str | None = None, at_most: str | None = None) -> Finding:
        """A finding of ``code`` with the severity and layer of its register entry (so its consequence too).

        ``message`` defaults to the code's summary. ``at_most`` caps the severity for a file the program
        does not hold to the code (an eCQM error in an APP file is a warning); it never raises it. A
        redirected code reports under the code it names; a removed code is never reported."""
        entry = _code_entry(code)
        if entry is None:
            raise UnregisteredCode(f"finding code {code!r} is not in the register; add its entry to "
                                   "qppfiles/model/codes.toml before reporting it")
        if entry.status == "redirected":
            from .codes import redirected

            entry = redirected(entry)
        if entry.status == "removed":
            raise UnregisteredCode(f"finding code {entry.code} was removed from the register; it is never reported")
        severity = entry.severity
        if at_most is not None and _RANK[at_most] < _RANK[severity]:
            severity = at_most
        return cls(entry.code, severity, entry.layer, entry.summary if message is None else message,
                   measure_id, location)

    def __reduce__(self) -> tuple[type[Finding], tuple[Any, ...]]:
        return Finding, (self.code, self.severity, self.layer, self.message, self.measure_id, self.location)

    @property
    def consequence(self) -> str:
        """For an error, "rejected" (CMS refuses the file at intake) or "points" (accepted, scored lower)."""
        if self.severity != ERROR:
            return ""
        entry = _code_entry(self.code)
        return entry.consequence if entry is not None else ""

    def located(self, location: Location) -> Finding:
        if location is self.location:
            return self
        return Finding(self.code, self.severity, self.layer, self.message, self.measure_id, location)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "layer": self.layer,
            "message": self.message,
            "measureId": self.measure_id,
            "location": self.location.to_dict(),
        }
        if self.severity == ERROR:
            out["consequence"] = self.consequence
        return out
