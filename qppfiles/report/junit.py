"""JUnit XML as the Jenkins xUnit plugin's ``junit-10.xsd`` defines it: one test case per file.

A file with errors (or warnings, with ``--fail-on warning``) is a failure; a file that could not be read
or checked is an error; other findings go to the case's ``system-out``."""

from __future__ import annotations

import re
import time
from xml.sax.saxutils import escape
from xml.sax.saxutils import quoteattr

from . import consequence_text
from .inert import inert

# Characters XML 1.0 cannot carry at all, not even as character references.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML forbids, its remaining controls shown as escapes."""
    return inert(_XML_ILLEGAL.sub("", text))


def _line(f) -> str:
    where = f.location.describe()
    head = f"{f.code} {f.severity} {where}" if where else f"{f.code} {f.severity}"
    tail = f" [{f.consequence}]" if f.consequence else ""
    return f"{xml_text(head)}: {xml_text(f.message)}{tail}"


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _failure(findings, fail_on: str):
    """The findings, type and message of a file's failure, or None when the file passes."""
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        kinds = [f.consequence for f in errors]
        kind = "rejected" if "rejected" in kinds else "points" if "points" in kinds else "error"
        message = f"{len(errors)} error(s)"
        said = consequence_text(kind)
        if said:
            message += f": {said}"
        return errors, kind, message
    warnings = [f for f in findings if f.severity == "warning"]
    if warnings and fail_on == "warning":
        return warnings, "warning", f"{len(warnings)} warning(s)"
    return None


def _case(r, elapsed: float, fail_on: str) -> tuple:
    """The XML of one file's test case, and whether it is an error, a failure or neither."""
    name = "<stdin>" if r.path is None else str(r.path)
    lines = [f"    <testcase classname={quoteattr(xml_text(r.format))} name={quoteattr(xml_text(name))} "
             f'time="{_seconds(elapsed)}">']
    outcome = None
    reported = set()
    if r.internal_error or r.unreadable:
        from ..model.file_report import INTERNAL_ERROR
        from ..model.file_report import UNREADABLE

        f = next(f for f in r.findings if f.code == INTERNAL_ERROR or f.code in UNREADABLE)
        lines.append(f"      <error type={quoteattr(f.code)} message={quoteattr(xml_text(f.message))}>"
                     f"{escape(_line(f))}</error>")
        reported.add(id(f))
        outcome = "error"
    else:
        failure = _failure(r.findings, fail_on)
        if failure is not None:
            shown, kind, message = failure
            body = escape("\n".join(_line(f) for f in shown))
            lines.append(f"      <failure type={quoteattr(kind)} message={quoteattr(message)}>{body}</failure>")
            reported.update(id(f) for f in shown)
            outcome = "failure"
    others = [f for f in r.findings if id(f) not in reported]
    if others:
        lines.append(f"      <system-out>{escape(chr(10).join(_line(f) for f in others))}</system-out>")
    lines.append("    </testcase>")
    return "\n".join(lines), outcome


def render(reports, out, fail_on: str = "error", problems=None) -> list:
    start = time.perf_counter()
    seen, cases = [], []
    last = start
    for r in reports:
        now = time.perf_counter()
        text, outcome = _case(r, now - last, fail_on)
        last = now
        seen.append(r)
        cases.append((text, outcome))
    total = _seconds(time.perf_counter() - start)
    tests = len(cases)
    failures = sum(1 for _, o in cases if o == "failure")
    errors = sum(1 for _, o in cases if o == "error")
    counts = f'tests="{tests}" failures="{failures}" errors="{errors}" time="{total}"'
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(f'<testsuites name="qppfiles" {counts}>\n')
    out.write(f'  <testsuite name="qppfiles" {counts} skipped="0">\n')
    for text, _ in cases:
        out.write(text + "\n")
    out.write("  </testsuite>\n</testsuites>\n")
    return seen
