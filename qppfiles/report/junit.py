"""JUnit XML: one test case per file, one failure per error (warnings as system-out)."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr


def _line(f) -> str:
    where = f.location.describe()
    return f"{f.code} {f.severity} {where}: {f.message}" if where else f"{f.code} {f.severity}: {f.message}"


def render(reports, out) -> list:
    reports = list(reports)
    failures = sum(1 for r in reports if not r.valid)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(f'<testsuites name="qppfiles" tests="{len(reports)}" failures="{failures}">\n')
    out.write(f'  <testsuite name="qppfiles validate" tests="{len(reports)}" failures="{failures}">\n')
    for r in reports:
        out.write(f"    <testcase classname={quoteattr(r.format)} name={quoteattr(str(r.path))}>\n")
        errors = [f for f in r.findings if f.severity == "error"]
        if errors:
            body = escape("\n".join(_line(f) for f in errors))
            out.write(f"      <failure message={quoteattr(f'{len(errors)} error(s)')}>{body}</failure>\n")
        others = [f for f in r.findings if f.severity != "error"]
        if others:
            out.write(f"      <system-out>{escape(chr(10).join(_line(f) for f in others))}</system-out>\n")
        out.write("    </testcase>\n")
    out.write("  </testsuite>\n</testsuites>\n")
    return reports
