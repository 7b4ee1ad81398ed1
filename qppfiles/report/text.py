"""Terminal output: findings grouped by file, then layer, then measure, and a one-line summary.

On a terminal the lines go through rich (colour); anywhere else (a pipe, a file) the same lines are
written as plain text directly, which is several times faster.  Only counts are kept, not reports.
"""

from __future__ import annotations

from itertools import groupby

from ..model.findings import INFO
from ..pipeline.validate import FINDINGS_LIMIT
from .inert import inert
from .tally import Tally

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_CONSEQUENCE = {"rejected": " (rejected at intake)", "points": " (costs points)"}
_LAYER_TITLE = {
    "file": "file", "schema": "JSON schema", "xsd": "CDA schema (XSD)",
    "schematron": "QRDA III implementation guide", "rules": "program rules", "scoring": "scoring",
}


def _console(out, force_terminal=None):
    from rich.console import Console

    return Console(file=out, highlight=False, soft_wrap=True, force_terminal=force_terminal)


class _Markup:
    """Lines in rich markup, printed by a console (colour on a terminal)."""

    def __init__(self, out, force_terminal=None):
        from rich.markup import escape

        self.escape = lambda text: escape(inert(text))
        self.console = _console(out, force_terminal)

    @staticmethod
    def styled(style: str, text: str) -> str:
        return f"[{style}]{text}[/]"

    def lines(self, lines) -> None:
        for line in lines:
            self.console.print(line)


class _Plain:
    """The same lines as plain text, written directly: no markup to build or parse."""

    def __init__(self, out):
        self.out = out

    escape = staticmethod(inert)

    @staticmethod
    def styled(style: str, text: str) -> str:
        return text

    def lines(self, lines) -> None:
        self.out.write("".join(line + "\n" for line in lines))


def is_terminal(out) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False


def _file_lines(r, findings, m):
    """The lines of one file's report; ``m`` styles and escapes (markup or plain)."""
    escape, styled = m.escape, m.styled
    year = f" · {r.performance_year}" if r.performance_year else ""
    verdict = styled("green", "valid") if r.valid else styled("bold red", "invalid")
    yield (f"{styled('bold', escape(str(r.path)))} ({r.format}{year}): {verdict}"
           f" — {r.errors} error(s), {r.warnings} warning(s)")
    for layer, by_layer in groupby(findings, key=lambda f: f.layer):
        yield f"  {styled('dim', _LAYER_TITLE.get(layer, layer))}"
        for measure, items in groupby(by_layer, key=lambda f: f.measure_id):
            indent = "    "
            if measure:
                yield f"    measure {styled('bold', escape(measure))}"
                indent = "      "
            for f in items:
                where = f.location.describe()
                where = f" {styled('dim', escape(where))}" if where else ""
                yield (f"{indent}{styled(_STYLE.get(f.severity, ''), f'{f.code} {f.severity}')}"
                       f"{_CONSEQUENCE.get(f.consequence, '')}{where}: {escape(f.message)}")


def render(reports, out, *, terminal=None, show_info: bool = True, quiet: bool = False) -> Tally:
    """Write the reports to ``out``; return the run's Tally.

    ``terminal`` (default: whether ``out`` is one) chooses colour through rich or plain text.
    Without ``show_info`` info findings but F013 are left out (and counted in the summary); with ``quiet``
    a file is shown only when it has findings to show."""
    if terminal is None:
        terminal = is_terminal(out)
    m = _Markup(out, force_terminal=True) if terminal else _Plain(out)
    tally = Tally()
    hidden = 0
    for r in reports:
        tally.add(r)
        findings = r.findings
        if not show_info:  # the findings-limit notice stays: it says the report is incomplete
            findings = [f for f in findings if f.severity != INFO or f.code == FINDINGS_LIMIT]
            hidden += len(r.findings) - len(findings)
        if quiet and not findings:
            continue
        m.lines(_file_lines(r, findings, m))
    style = "bold red" if tally.errors else "green"
    summary = (f"{tally.files} file(s) checked: {tally.invalid} invalid, {tally.errors} error(s), "
               f"{tally.warnings} warning(s)")
    if hidden:
        summary += f"; {hidden} info finding(s) not shown (--show-info)"
    m.lines([m.styled(style, summary)])
    return tally
