"""GitHub Actions workflow commands: one annotation per finding.

File paths are relative to ``GITHUB_WORKSPACE`` (else the current directory), as GitHub maps annotations
to files of the repository."""

from __future__ import annotations

from .inert import inert
from .paths import GITHUB_ROOT
from .paths import shown
from .paths import source_root


def escape_data(s: str) -> str:
    """A command's message, escaped as the workflow-command parser expects."""
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    """A command property's value: the message escapes, plus ``:`` and ``,`` that delimit properties."""
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def render(reports, out) -> list:
    root = source_root(GITHUB_ROOT)
    seen = []
    for r in reports:
        seen.append(r)
        path = escape_property(inert(shown(r.path, root)))
        for f in r.findings:
            props = [f"file={path}"]
            if f.location.line:
                props.append(f"line={f.location.line}")
                if f.location.column:
                    props.append(f"col={f.location.column}")
            props.append(f"title={escape_property(f.code)}")
            message = inert(f.message)
            if f.consequence:
                message += f" [{f.consequence}]"
            out.write(f"::{_COMMAND.get(f.severity, 'notice')} {','.join(props)}::{escape_data(message)}\n")
    errors = sum(r.errors for r in seen)
    warnings = sum(r.warnings for r in seen)
    out.write(f"qppfiles: {len(seen)} file(s), {errors} error(s), {warnings} warning(s)\n")
    return seen
