"""Machine output of ``validate``: one JSON document, or JSON Lines streamed per file."""

from __future__ import annotations

import json


def summary(reports) -> dict:
    return {
        "files": len(reports),
        "errors": sum(r.errors for r in reports),
        "warnings": sum(r.warnings for r in reports),
    }


# The version of this report's layout; it changes when a key changes meaning or goes away.
REPORT_VERSION = "1"


def header() -> dict:
    from .. import __version__

    return {"version": REPORT_VERSION, "tool": {"name": "qppfiles", "version": __version__}}


def render(reports, out, extra: dict | None = None) -> list:
    reports = list(reports)
    json.dump({**header(), "files": [r.to_dict() for r in reports], "summary": {**summary(reports), **(extra or {})}},
              out, indent=2)
    out.write("\n")
    return reports


def line(report) -> str:
    """A file's JSON Lines record."""
    return json.dumps(report.to_dict()) + "\n"


def render_lines(reports, out, extra: dict | None = None):
    """One JSON object per file as soon as it is checked, then a summary line; returns the run's Tally
    (counts only, so that memory stays flat however many files).

    ``reports`` may hold ``Rendered`` files, whose lines a worker has already made."""
    from ..pipeline.runner import Rendered
    from .tally import Tally

    seen = Tally()
    for r in reports:
        out.write(r.text if isinstance(r, Rendered) else line(r))
        out.flush()
        seen.add(r)
    counts = {"files": seen.files, "errors": seen.errors, "warnings": seen.warnings}
    out.write(json.dumps({"summary": {**counts, **(extra or {})}, **header()}) + "\n")
    return seen
