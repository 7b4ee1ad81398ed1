"""``qppfiles convert``: QPP JSON to QRDA III and back, faithfully."""

from __future__ import annotations

import sys

import click

from ..findings import ERROR, Finding, Location
from ._common import ensure_writable, load_input, max_file_size_option, max_findings_option, write_output

TARGETS = ("json", "qrda3")


def _default_target(source_format: str) -> str:
    return "json" if source_format == "qrda3" else "qrda3"


def _report_findings(path: str, findings) -> None:
    from ..report.inert import inert

    for f in findings:
        where = inert(f.location.describe())
        click.echo(f"{inert(path)}: {f.code} {f.severity}{' ' + where if where else ''}: {inert(f.message)}",
                   err=True)


@click.command("convert")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("--to", "target", type=click.Choice(TARGETS),
              help="Output format (default: the other one: QRDA III for JSON input, JSON for QRDA III input).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of standard output.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists (never the input).")
@max_file_size_option
@max_findings_option
def convert_command(source, target, output, force, max_file_size, max_findings):
    """Convert a submission between QPP JSON and QRDA Category III.

    The output is written even when the submission breaks program rules: those
    findings go to standard error. Conversion fails only when the input cannot be
    read (exit 2) or cannot be represented in the target format (exit 1), for
    example a MIPS CQM, which has no eCQM identity in QRDA III.

    \b
    Examples:
      qppfiles convert report.xml -o report.json
      qppfiles convert submission.json --to qrda3 -o submission.xml
      qppfiles convert report.xml --to json | jq .measurementSets
    """
    if output:
        ensure_writable(output, force, [source])
    result = load_input(source, max_file_size)
    target = target or _default_target(result.format)
    _report_findings(source, _rule_findings(result, max_findings))
    try:
        data = _convert(result.submission, target)
    except _Refused as refused:
        _refuse(source, refused.findings)
    _refuse_unfaithful(source, result, data)
    if output:
        write_output(output, data, force, [source])
        click.echo(f"wrote {output} ({target})", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)


class _Refused(Exception):
    def __init__(self, findings) -> None:
        super().__init__()
        self.findings = findings


def _convert(submission, target: str) -> bytes:
    from ..api import ConvertError, convert

    try:
        return convert(submission, target)
    except ConvertError as exc:
        finding = Finding(getattr(exc, "code", "F015"), ERROR, "file", f"cannot write QRDA III: {exc}", None,
                          Location())
        raise _Refused([finding]) from None


def _refuse_unfaithful(source: str, result, data: bytes) -> None:
    """Exit 1, writing nothing, when the output would change a number or turn a valid input invalid."""
    from ..conversion import refusals

    _refuse(source, refusals(result, data))


def _refuse(source: str, findings) -> None:
    if findings:
        _report_findings(source, findings)
        click.echo(f"qppfiles: {source} was not converted; nothing was written.", err=True)
        sys.exit(1)


def _rule_findings(result, max_findings: int):
    """The submission's own findings (reader and program rules), reported but never blocking."""
    from ..options import Options
    from ..validate import CappedFindings, _rule_findings as rules_of

    found = CappedFindings(max_findings or None)
    found.add(result.findings)
    if result.submission is not None:
        rule_findings, _ = rules_of(result, Options(max_findings=max_findings), set())
        found.add(rule_findings)
    return [f.located(result.locate(f.location)) for f in found.finish()]


COMMANDS = (convert_command,)
