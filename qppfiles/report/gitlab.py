"""GitLab Code Quality report: the JSON array of issues a merge request shows.

Paths are relative to the project directory (``CI_PROJECT_DIR`` when set, else the current directory)."""

from __future__ import annotations

import hashlib
import json

from . import consequence_text
from .inert import inert
from .paths import GITLAB_ROOT, shown, source_root


def severity(f) -> str:
    """Code Quality's severity: an error CMS refuses at intake is a blocker, one that costs points is
    critical, any other error major; warnings are minor; info stays info."""
    if f.severity == "error":
        return {"rejected": "blocker", "points": "critical"}.get(f.consequence, "major")
    return "minor" if f.severity == "warning" else "info"


def fingerprint(path: str, f, occurrence: int = 0) -> str:
    """A stable identity for the issue: the same problem at the same place keeps it from run to run.
    ``occurrence`` tells apart identical findings in one file."""
    where = f.location.pointer if f.location.pointer is not None else (f.location.xpath or "")
    parts = [path, f.code, where, str(f.location.line or ""), str(f.location.column or ""), f.message]
    if occurrence:
        parts.append(str(occurrence))
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


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
        seen: dict = {}
        for f in r.findings:
            key = fingerprint(path, f)
            occurrence = seen.get(key, 0)
            seen[key] = occurrence + 1
            out.append({
                "type": "issue",
                "description": _description(f),
                "check_name": f.code,
                "fingerprint": fingerprint(path, f, occurrence),
                "severity": severity(f),
                "categories": ["Bug Risk"] if f.severity == "error" else ["Style"],
                "location": {"path": path, "lines": {"begin": f.location.line or 1}},
            })
    return out


def render(reports, out) -> list:
    reports = list(reports)
    json.dump(issues(reports), out, indent=2)
    out.write("\n")
    return reports
