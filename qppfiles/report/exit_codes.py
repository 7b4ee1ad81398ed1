"""The exit decision of ``validate`` and ``lint``: which findings make a run fail.

``--fail-on`` names the least serious finding that fails the run:
``rejected`` (an error CMS refuses the file for), ``error`` (any error,
including those that only cost points) or ``warning``.
"""

from __future__ import annotations

FAIL_ON = ("rejected", "error", "warning")


def rejected_count(report) -> int:
    """Errors of ``report`` for which CMS would refuse the file at intake."""
    counted = getattr(report, "rejected", None)
    if counted is not None:
        return counted
    return sum(1 for f in report.findings if f.severity == "error" and f.consequence == "rejected")


def exit_code(reports, fail_on: str) -> int:
    """1 when ``reports`` hold a finding that ``fail_on`` counts, else 0."""
    if fail_on not in FAIL_ON:
        raise ValueError(f"fail-on must be one of {', '.join(FAIL_ON)}")
    if fail_on == "rejected":
        return 1 if any(rejected_count(r) for r in reports) else 0
    if any(r.errors for r in reports):
        return 1
    return 1 if fail_on == "warning" and any(r.warnings for r in reports) else 0
