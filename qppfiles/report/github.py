"""GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_prop(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def render(reports, out) -> list:
    seen = []
    for r in reports:
        seen.append(r)
        for f in r.findings:
            props = [f"file={_escape_prop(str(r.path))}"]
            if f.location.line:
                props.append(f"line={f.location.line}")
                if f.location.column:
                    props.append(f"col={f.location.column}")
            props.append(f"title={_escape_prop(f.code)}")
            out.write(f"::{_COMMAND.get(f.severity, 'notice')} {','.join(props)}::{_escape_data(f.message)}\n")
    errors = sum(r.errors for r in seen)
    warnings = sum(r.warnings for r in seen)
    out.write(f"qppfiles: {len(seen)} file(s), {errors} error(s), {warnings} warning(s)\n")
    return seen
