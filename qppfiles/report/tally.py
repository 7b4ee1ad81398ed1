"""Counts of a batch run, kept instead of its reports so that memory stays flat however many files."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Protocol


class Countable(Protocol):
    """What a tally reads of a report: a FileReport, or a summary of one from a worker."""

    @property
    def errors(self) -> int: ...
    @property
    def warnings(self) -> int: ...
    @property
    def internal_error(self) -> object: ...


def rejected_count(report: Countable) -> int:
    """Errors of ``report`` for which CMS would refuse the file at intake."""
    counted: int | None = getattr(report, "rejected", None)
    if counted is not None:
        return counted
    return sum(1 for f in getattr(report, "findings", ()) if f.severity == "error" and f.consequence == "rejected")


class Tally:
    """Files, errors and warnings of a run, and findings per code; ``len()`` is the number of files."""

    __slots__ = ("files", "invalid", "errors", "rejected", "warnings", "internal_errors", "by_code",
                 "files_by_code", "severity")

    def __init__(self) -> None:
        self.files = self.invalid = self.errors = self.rejected = self.warnings = self.internal_errors = 0
        self.by_code: Counter[str] = Counter()
        self.files_by_code: Counter[str] = Counter()
        self.severity: dict[str, str] = {}

    @classmethod
    def of(cls, reports: Tally | Iterable[Countable]) -> Tally:
        if isinstance(reports, Tally):
            return reports
        tally = cls()
        for report in reports:
            tally.add(report)
        return tally

    def add(self, report: Countable) -> None:
        """Count one report (a FileReport, or anything with errors, warnings and internal_error)."""
        errors = report.errors
        self.files += 1
        self.invalid += 1 if errors else 0
        self.errors += errors
        self.rejected += rejected_count(report)
        self.warnings += report.warnings
        self.internal_errors += 1 if report.internal_error else 0
        codes: set[str] = set()
        for finding in getattr(report, "findings", ()):
            self.by_code[finding.code] += 1
            self.severity[finding.code] = finding.severity
            codes.add(finding.code)
        self.files_by_code.update(codes)

    def __len__(self) -> int:
        return self.files
