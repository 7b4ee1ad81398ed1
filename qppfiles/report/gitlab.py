"""GitLab Code Quality report: the JSON array of issues a merge request shows.

Paths are relative to the project directory (``CI_PROJECT_DIR`` when set, else the current directory)."""

from __future__ import annotations

import json

from . import consequence_text
from . import fingerprinted
from .inert import inert
from .paths import GITLAB_ROOT
from .paths import shown
from .paths import source_root


def severity(f) -> str:
    """Code Quality's severity: an error CMS refuses at intake is a blocker, one that costs points is
    critical, any other error major; warnings are minor; info stays info."""
    if f.severity == "error":
        return {"rejected": "blocker", "points": "critical"}.get(f.consequence, "major")
    return "minor" if f.severity == "warning" else "info"


def _description(f) -> str:
    text = f"{f.code}: {inert(f.message)}"
    if f.measure_id:
        text += f" (measure {inert(f.measure_id)})"
    said = consequence_text(f.consequence)
    if said:
        text += f". {said}."
    return text


def issues(reports) -> list:
    root = source_root(GITLAB_ROOT)
    out = []
    for r in reports:
        path = shown(r.path, root)
        for f, mark in fingerprinted(path, r.findings):
            out.append({
                "type": "issue",
                "description": _description(f),
                "check_name": f.code,
                "fingerprint": mark,
                "severity": severity(f),
                "categories": ["Bug Risk"],  # a submission CMS may refuse or score lower
                "location": {"path": path, "lines": {"begin": f.location.line or 1}},
            })
    return out


def render(reports, out) -> list:
    reports = list(reports)
    json.dump(issues(reports), out, indent=2)
    out.write("\n")
    return reports
