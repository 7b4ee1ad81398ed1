"""``qppfiles convert``: QPP JSON to QRDA III and back, faithfully."""

from __future__ import annotations

import sys

import click

from ..model.findings import Finding
from .common import ensure_writable
from .common import load_input
from .common import max_file_size_option
from .common import max_findings_option
from .common import read_input
from .common import write_output

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
    from ..api import validate
    from ..model.options import Options

    if output:
        ensure_writable(output, force, [source])
    raw = read_input(source, max_file_size)  # read once: standard input cannot be read again
    result = load_input(source, max_file_size, raw)
    target = target or _default_target(result.format)
    # The file's own findings (schema and program rules, as `validate` gives them): reported, never blocking.
    checked = validate(raw, path=source, options=Options(max_findings=max_findings, max_file_size=max_file_size))
    _report_findings(source, checked.findings)
    if checked.internal_error:  # a file qppfiles could not check is not converted either
        click.echo(f"qppfiles: {source} was not converted after an internal error; nothing was written.", err=True)
        sys.exit(2)
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
    from ..api import ConvertError
    from ..api import convert

    try:
        return convert(submission, target)
    except ConvertError as exc:
        finding = Finding.of(getattr(exc, "code", "F015"), f"cannot write QRDA III: {exc}")
        raise _Refused([finding]) from None


def _refuse_unfaithful(source: str, result, data: bytes) -> None:
    """Exit 1, writing nothing, when the output would change a number or turn a valid input invalid."""
    from ..pipeline.conversion import refusals

    _refuse(source, refusals(result, data))


def _refuse(source: str, findings) -> None:
    if findings:
        _report_findings(source, findings)
        click.echo(f"qppfiles: {source} was not converted; nothing was written.", err=True)
        sys.exit(1)


COMMANDS = (convert_command,)
