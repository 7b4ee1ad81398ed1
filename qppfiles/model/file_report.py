"""The result of checking one file: where it is, what it is, and its findings."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from .findings import ERROR
from .findings import WARNING
from .findings import Finding

INTERNAL_ERROR = "F012"
UNREADABLE = ("F010", "F011")


@dataclass
class FileReport:
    path: str | None
    format: str
    performance_year: int | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    @property
    def rejected(self) -> int:
        """Errors for which CMS refuses the file at intake (the others cost points)."""
        return sum(1 for f in self.findings if f.severity == ERROR and f.consequence == "rejected")

    @property
    def internal_error(self) -> bool:
        return any(f.code == INTERNAL_ERROR for f in self.findings)

    @property
    def unreadable(self) -> bool:
        """The file was not read: too large (F010) or not readable at all (F011)."""
        return any(f.code in UNREADABLE for f in self.findings)

    @property
    def problem(self) -> str | None:
        """Why the file was not read, for the batch's list of problems; None when it was read."""
        return self.findings[0].message if self.unreadable else None

    @property
    def valid(self) -> bool:
        return self.errors == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "performanceYear": self.performance_year,
            "valid": self.valid,
            "findings": [f.to_dict() for f in self.findings],
        }
